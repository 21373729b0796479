namespace WasmKiln.Runtime;

/// <summary>
/// A store: the owner of the instances made together (one script file, one embedding). Runtime
/// objects of one store may be shared between its instances (imports and exports).
/// </summary>
internal sealed class Store
{
    private readonly List<Instance> _instances = [];

    /// <summary>Host limit on the pages of one memory.</summary>
    public ulong MaxMemoryPages { get; init; } = Memory.DefaultHostMaxPages;

    /// <summary>Host limit on the elements of one table.</summary>
    public ulong MaxTableElements { get; init; } = Table.DefaultHostMaxElements;

    /// <summary>Instances created in this store, in order.</summary>
    public IReadOnlyList<Instance> Instances => _instances;

    internal void Add(Instance instance) => _instances.Add(instance);
}
