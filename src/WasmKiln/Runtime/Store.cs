namespace WasmKiln.Runtime;

/// <summary>
/// A store: the owner of the instances made together (one script file, one embedding). Runtime
/// objects of one store may be shared between its instances (imports and exports).
/// </summary>
internal sealed class Store
{
    private readonly List<Instance> _instances = [];

    /// <summary>Host limit on the pages of one memory.</summary>
    public ulong MaxMemoryPages { get; set; } = Memory.DefaultHostMaxPages;

    /// <summary>Host limit on the elements of one table.</summary>
    public ulong MaxTableElements { get; set; } = Table.DefaultHostMaxElements;

    /// <summary>Whether compiled code charges fuel (see <see cref="InterruptState"/>).</summary>
    public bool ConsumeFuel { get; init; }

    /// <summary>Whether compiled code checks for interrupt requests (see <see cref="InterruptState"/>).</summary>
    public bool Interruptible { get; init; }

    /// <summary>Fuel and interruption state, read by compiled code when <see cref="ConsumeFuel"/> or <see cref="Interruptible"/> is set.</summary>
    public InterruptState Interrupts { get; } = new();

    /// <summary>The execution tier running the WebAssembly functions of this store (default: the compiler).</summary>
    public IExecutionTier Tier { get; init; } = CompilerTier.Shared;

    /// <summary>The embedder's data (given to host functions through <see cref="Caller.Data"/>).</summary>
    public object? Data { get; set; }

    /// <summary>The public store wrapping this one, when made through the embedding API.</summary>
    internal object? Owner { get; set; }

    /// <summary>Instances created in this store, in order.</summary>
    public IReadOnlyList<Instance> Instances => _instances;

    internal void Add(Instance instance) => _instances.Add(instance);
}
