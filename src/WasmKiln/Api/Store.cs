namespace WasmKiln;

/// <summary>
/// The owner of instances and their memories, tables and globals, with the embedder's data,
/// resource limits, fuel and interruption. A store is not thread-safe: use it from one thread
/// at a time (<see cref="Interrupt()"/> and <see cref="SetDeadline"/> may be called from any thread).
/// </summary>
public sealed class Store : IDisposable
{
    private Wasi.WasiContext? _wasiContext;

    /// <summary>Creates a store for <paramref name="engine"/> holding <paramref name="data"/> (see <see cref="Data"/>).</summary>
    public Store(Engine engine, object? data = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        Runtime = new Runtime.Store
        {
            Tier = engine.ExecutionTier,
            ConsumeFuel = engine.Options.ConsumeFuel,
            Interruptible = engine.Options.Interruptible,
            Data = data,
        };
        Runtime.Owner = this;
    }

    /// <summary>The engine.</summary>
    public Engine Engine { get; }

    internal Runtime.Store Runtime { get; }

    /// <summary>The embedder's data; host functions read it through <see cref="Caller.Data"/>.</summary>
    public object? Data
    {
        get => Runtime.Data;
        set => Runtime.Data = value;
    }

    /// <summary>
    /// The largest size one memory made by this store may reach, in bytes (rounded down to whole
    /// 64 KiB pages; default 4 GiB). A <c>memory.grow</c> beyond it fails (returns -1); a module
    /// whose memory needs more at instantiation fails to instantiate. Applies to memories created afterwards.
    /// </summary>
    public ulong MaxMemoryBytes
    {
        get => Runtime.MaxMemoryPages * WasmKiln.Runtime.Memory.DefaultPageSize;
        set => Runtime.MaxMemoryPages = value / WasmKiln.Runtime.Memory.DefaultPageSize;
    }

    /// <summary>The largest number of elements one table made by this store may hold (default 10,000,000). Applies to tables created afterwards.</summary>
    public ulong MaxTableElements
    {
        get => Runtime.MaxTableElements;
        set => Runtime.MaxTableElements = value;
    }

    /// <summary>
    /// Sets the fuel left. With <see cref="EngineOptions.ConsumeFuel"/>, WebAssembly code
    /// consumes about one unit per instruction and traps with <see cref="Runtime.TrapKind.OutOfFuel"/>
    /// when none is left. Without it the fuel is never consumed (and this throws).
    /// </summary>
    /// <exception cref="WasmException">The engine does not consume fuel.</exception>
    public void SetFuel(ulong fuel)
    {
        RequireFuel();
        Runtime.Interrupts.SetFuel(fuel);
    }

    /// <summary>The fuel left (see <see cref="SetFuel"/>).</summary>
    /// <exception cref="WasmException">The engine does not consume fuel.</exception>
    public ulong GetFuel()
    {
        RequireFuel();
        return Runtime.Interrupts.Fuel;
    }

    private void RequireFuel()
    {
        if (!Engine.Options.ConsumeFuel) throw new WasmException("fuel is not enabled: create the engine with EngineOptions.ConsumeFuel = true");
    }

    /// <summary>
    /// Interrupts WebAssembly code running in this store when <paramref name="token"/> is
    /// cancelled (it traps with <see cref="Runtime.TrapKind.Interrupted"/> at the next function entry or
    /// loop iteration). Replaces any earlier token or deadline and clears a pending interruption.
    /// </summary>
    /// <exception cref="WasmException">The engine was not created with <see cref="EngineOptions.Interruptible"/>.</exception>
    public void Interrupt(CancellationToken token)
    {
        RequireInterruptible();
        Runtime.Interrupts.Watch(token);
    }

    /// <summary>Interrupts WebAssembly code running in this store now (callable from any thread).</summary>
    /// <exception cref="WasmException">The engine was not created with <see cref="EngineOptions.Interruptible"/>.</exception>
    public void Interrupt()
    {
        RequireInterruptible();
        Runtime.Interrupts.RequestInterrupt();
    }

    /// <summary>
    /// Interrupts WebAssembly code running in this store once <paramref name="timeout"/> has
    /// passed. Replaces any earlier token or deadline and clears a pending interruption.
    /// </summary>
    /// <exception cref="WasmException">The engine was not created with <see cref="EngineOptions.Interruptible"/>.</exception>
    public void SetDeadline(TimeSpan timeout)
    {
        RequireInterruptible();
        Runtime.Interrupts.SetDeadline(timeout);
    }

    /// <summary>Clears a pending interruption and stops watching any token or deadline.</summary>
    public void ResetInterrupt() => Runtime.Interrupts.Reset();

    /// <summary>
    /// The WASI settings of this store (arguments, environment, preopened directories, standard
    /// streams), used by modules linked with <see cref="Linker.DefineWasi"/>. Read when the
    /// first such module is instantiated; null means an empty configuration.
    /// </summary>
    public WasiConfiguration? Wasi { get; set; }

    /// <summary>An import resolver for WASI preview 1 bound to this store's WASI state and to the memory of the instance being made.</summary>
    internal Func<Model.Import, object?> WasiResolver()
    {
        var context = _wasiContext ??= new Wasi.WasiContext(Wasi ?? new WasiConfiguration());
        // The instance being made is the next one added to the store (before its start function runs).
        int index = Runtime.Instances.Count;
        var rs = Runtime;
        return WasmKiln.Wasi.WasiPreview1.Resolver(context, () =>
            index < rs.Instances.Count && rs.Instances[index].Exports.TryGetValue("memory", out var e) && e.Kind == Model.ExternKind.Memory
                ? (WasmKiln.Runtime.Memory)e.Value : null);
    }

    /// <summary>Releases the store's WASI state (open files). Memories are released by the garbage collector.</summary>
    public void Dispose()
    {
        _wasiContext?.Dispose();
        _wasiContext = null;
    }

    private void RequireInterruptible()
    {
        if (!Engine.Options.Interruptible) throw new WasmException("interruption is not enabled: create the engine with EngineOptions.Interruptible = true");
    }
}
