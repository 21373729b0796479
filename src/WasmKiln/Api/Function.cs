using WasmKiln.Runtime;

namespace WasmKiln;

/// <summary>
/// A WebAssembly or host function of a store: an export of an instance, or a <c>funcref</c>
/// value passed to or returned from the guest. Call it untyped with <see cref="Invoke"/>, or get a
/// typed delegate once with <c>AsFunc</c>/<c>AsAction</c> and call that (no boxing, no allocation).
/// </summary>
public sealed partial class Function
{
    internal Function(FunctionInstance target) => Target = target;

    /// <summary>The runtime function.</summary>
    internal FunctionInstance Target { get; }

    /// <summary>The wrapper of a funcref value (null for the null reference); one wrapper per function, made once.</summary>
    internal static Function? FromRef(object? reference) =>
        reference is FunctionInstance f ? f.Wrapper ??= new Function(f) : null;

    /// <summary>The function's type, e.g. <c>(func (param i32) (result i32))</c>.</summary>
    public ExternType Type => ExternType.Func(Target.Type);

    /// <summary>
    /// Calls the function with <paramref name="arguments"/> (one per parameter, of its kind) and
    /// returns its results (as many as the function has).
    /// </summary>
    /// <exception cref="WasmException">The arguments do not match the parameters.</exception>
    /// <exception cref="TrapException">The function trapped.</exception>
    public Value[] Invoke(params ReadOnlySpan<Value> arguments) => Target.Invoke(arguments);

    /// <summary>The function's type.</summary>
    public override string ToString() => Type.ToString();
}
