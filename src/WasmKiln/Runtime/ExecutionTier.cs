using WasmKiln.Engines.Compiler;

namespace WasmKiln.Runtime;

/// <summary>
/// An execution tier: the engine that runs the WebAssembly functions of a <see cref="Store"/>
/// (compiled to IL, or interpreted). Host functions never go through the tier.
/// </summary>
internal interface IExecutionTier
{
    /// <summary>The tier's name for messages ("compiler", "interpreter").</summary>
    string Name { get; }

    /// <summary>
    /// Calls the WebAssembly function <paramref name="f"/>: the arguments are in
    /// <c>slots[0..params)</c>; the results overwrite the slots from 0. <paramref name="slots"/>
    /// has at least as many elements as the function has parameters and results.
    /// </summary>
    void Invoke(FunctionInstance f, ValueSlot[] slots);
}

/// <summary>The tier that compiles WebAssembly to .NET IL (<see cref="SignatureStubs"/> invokers).</summary>
internal sealed class CompilerTier : IExecutionTier
{
    /// <summary>The shared instance (the tier has no state).</summary>
    public static readonly CompilerTier Shared = new();

    private CompilerTier() { }

    /// <inheritdoc/>
    public string Name => "compiler";

    /// <inheritdoc/>
    public void Invoke(FunctionInstance f, ValueSlot[] slots)
    {
        var invoker = f.CachedInvoker ??= SignatureStubs.Invoker(f.Type);
        invoker(slots, f);
    }
}

/// <summary>The one place that maps an <see cref="EngineTier"/> to its implementation.</summary>
internal static class ExecutionTiers
{
    /// <summary>The tier chosen by <see cref="EngineTier.Auto"/>: the compiler when dynamic code is supported, else the interpreter.</summary>
    public static EngineTier Resolve(EngineTier tier) =>
        tier != EngineTier.Auto ? tier
        : System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? EngineTier.Compiler : EngineTier.Interpreter;

    /// <summary>Why <paramref name="tier"/> cannot run on this platform (the compiler without dynamic code, e.g. under NativeAOT), or null when it can.</summary>
    public static string? Unavailable(EngineTier tier) =>
        Resolve(tier) == EngineTier.Compiler && !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported
            ? "the compiler tier needs dynamic code (Reflection.Emit), which this platform does not support"
            : null;

    /// <summary>The implementation of <paramref name="tier"/> (after <see cref="Resolve"/>).</summary>
    /// <exception cref="WasmException">The tier is not available in this build or on this platform.</exception>
    public static IExecutionTier Create(EngineTier tier)
    {
        switch (Resolve(tier))
        {
            case EngineTier.Compiler:
                if (Unavailable(tier) is { } why) throw new WasmException(why + "; use EngineTier.Interpreter");
                return CompilerTier.Shared;
            case EngineTier.Interpreter:
                return Engines.Interpreter.InterpreterTier.Shared;
            default:
                throw new WasmException("unknown execution tier " + tier);
        }
    }
}
