namespace WasmKiln;

/// <summary>
/// A WebAssembly or host function of a store: an export of an instance, a <c>funcref</c> value
/// passed to or returned from the guest.
/// </summary>
public sealed partial class Function
{
    internal Function(Runtime.FunctionInstance target) => Target = target;

    /// <summary>The runtime function.</summary>
    internal Runtime.FunctionInstance Target { get; }

    /// <summary>The wrapper of a funcref value (null for the null reference); one wrapper per function, made once.</summary>
    internal static Function? FromRef(object? reference) =>
        reference is Runtime.FunctionInstance f ? f.Wrapper ??= new Function(f) : null;
}
