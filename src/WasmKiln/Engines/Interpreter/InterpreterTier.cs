using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

/// <summary>The execution tier that interprets WebAssembly (see <see cref="Interpreter"/>); needs no dynamic code.</summary>
internal sealed class InterpreterTier : IExecutionTier
{
    /// <summary>The shared instance (the tier keeps its state per thread and per module).</summary>
    public static readonly InterpreterTier Shared = new();

    private InterpreterTier() { }

    /// <inheritdoc/>
    public string Name => "interpreter";

    /// <inheritdoc/>
    public void Invoke(FunctionInstance f, ValueSlot[] slots) => Interpreter.Invoke(f, slots);
}
