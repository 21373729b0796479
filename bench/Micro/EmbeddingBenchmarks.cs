using BenchmarkDotNet.Attributes;

namespace WasmKiln.Bench.Micro;

/// <summary>
/// Embedding costs: calls across the host/guest boundary, host access to guest memory,
/// instantiation and compilation, on WasmKiln and on Wasmtime (the baseline of each category).
/// </summary>
[MemoryDiagnoser]
public class EmbeddingBenchmarks
{
    private const int Address = 1024;

    private Wasmtime.Engine _wtEngine = null!;
    private Wasmtime.Module _wtModule = null!;
    private Wasmtime.Linker _wtLinker = null!;
    private Wasmtime.Store _wtStore = null!;
    private Func<int, int, int> _wtAdd = null!;
    private Func<int, int> _wtCallHost = null!;
    private Wasmtime.Memory _wtMemory = null!;
    private Engine _kEngine = null!;
    private Module _kModule = null!;
    private Linker _kLinker = null!;
    private Store _kStore = null!;
    private Func<int, int, int> _kAdd = null!;
    private Func<int, int> _kCallHost = null!;
    private Runtime.Memory _kMemory = null!;
    private byte[] _sumBytes = null!;
    private readonly byte[] _buffer = new byte[4096];
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        _sumBytes = File.ReadAllBytes(MicroModules.SumWasmPath());
        new Random(1).NextBytes(_buffer);

        _kEngine = new Engine(new EngineOptions { Tier = EngineTier.Compiler });
        _kModule = Module.FromText(_kEngine, MicroModules.Calls, "calls");
        _kLinker = new Linker(_kEngine).DefineFunction("host", "inc", (int x) => x + 1);
        _kStore = new Store(_kEngine);
        var kInst = _kLinker.Instantiate(_kStore, _kModule);
        _kAdd = kInst.GetFunction<int, int, int>("add");
        _kCallHost = kInst.GetFunction<int, int>("call_host");
        _kMemory = kInst.GetMemory("memory");
        if (_kAdd(2, 3) != 5 || _kCallHost(MicroModules.HostCallsPerInvoke) != MicroModules.HostCallsPerInvoke)
            throw new InvalidOperationException("WasmKiln micro module gives wrong results");

        _wtEngine = new Wasmtime.Engine();
        _wtModule = Wasmtime.Module.FromText(_wtEngine, "calls", MicroModules.Calls);
        _wtLinker = new Wasmtime.Linker(_wtEngine);
        _wtLinker.DefineFunction("host", "inc", (int x) => x + 1);
        _wtStore = new Wasmtime.Store(_wtEngine);
        var inst = _wtLinker.Instantiate(_wtStore, _wtModule);
        _wtAdd = inst.GetFunction<int, int, int>("add") ?? throw new InvalidOperationException("add");
        _wtCallHost = inst.GetFunction<int, int>("call_host") ?? throw new InvalidOperationException("call_host");
        _wtMemory = inst.GetMemory("memory") ?? throw new InvalidOperationException("memory");
        if (_wtAdd(2, 3) != 5 || _wtCallHost(MicroModules.HostCallsPerInvoke) != MicroModules.HostCallsPerInvoke)
            throw new InvalidOperationException("Wasmtime micro module gives wrong results");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _kStore.Dispose();
        _wtStore.Dispose();
        _wtLinker.Dispose();
        _wtModule.Dispose();
        _wtEngine.Dispose();
    }

    // ---- host -> guest typed call

    [Benchmark(Baseline = true), BenchmarkCategory("call host->guest add")]
    public int WasmtimeAdd() => _wtAdd(_counter++, 1);

    [Benchmark, BenchmarkCategory("call host->guest add")]
    public int KilnAdd() => _kAdd(_counter++, 1);

    // ---- guest -> host call (per call: the guest loops HostCallsPerInvoke times)

    [Benchmark(Baseline = true, OperationsPerInvoke = MicroModules.HostCallsPerInvoke), BenchmarkCategory("call guest->host")]
    public int WasmtimeGuestToHost() => _wtCallHost(MicroModules.HostCallsPerInvoke);

    [Benchmark(OperationsPerInvoke = MicroModules.HostCallsPerInvoke), BenchmarkCategory("call guest->host")]
    public int KilnGuestToHost() => _kCallHost(MicroModules.HostCallsPerInvoke);

    // ---- host reads/writes of guest memory

    [Benchmark(Baseline = true), BenchmarkCategory("memory write 4 KiB")]
    public void WasmtimeWrite4K() => _buffer.AsSpan().CopyTo(_wtMemory.GetSpan(Address, _buffer.Length));

    [Benchmark, BenchmarkCategory("memory write 4 KiB")]
    public void KilnWrite4K() => _kMemory.Write(Address, _buffer);

    [Benchmark, BenchmarkCategory("memory write 4 KiB")]
    public void KilnWrite4KSpan() => _buffer.AsSpan().CopyTo(_kMemory.GetSpan(Address, _buffer.Length));

    [Benchmark(Baseline = true), BenchmarkCategory("memory read 4 KiB")]
    public void WasmtimeRead4K() => _wtMemory.GetSpan(Address, _buffer.Length).CopyTo(_buffer);

    [Benchmark, BenchmarkCategory("memory read 4 KiB")]
    public void KilnRead4K() => _kMemory.Read(Address, _buffer);

    [Benchmark, BenchmarkCategory("memory read 4 KiB")]
    public void KilnRead4KSpan() => _kMemory.GetSpan(Address, _buffer.Length).CopyTo(_buffer);

    [Benchmark(Baseline = true), BenchmarkCategory("memory int write+read")]
    public int WasmtimeIntReadWrite()
    {
        _wtMemory.WriteInt32(Address, _counter++);
        return _wtMemory.ReadInt32(Address);
    }

    [Benchmark, BenchmarkCategory("memory int write+read")]
    public int KilnIntReadWrite()
    {
        _kMemory.WriteInt32(Address, _counter++);
        return _kMemory.ReadInt32(Address);
    }

    // ---- instantiation of the small module (fresh store each time)

    [Benchmark(Baseline = true), BenchmarkCategory("instantiate small module")]
    public object WasmtimeInstantiate()
    {
        using var store = new Wasmtime.Store(_wtEngine);
        return _wtLinker.Instantiate(store, _wtModule);
    }

    [Benchmark, BenchmarkCategory("instantiate small module")]
    public object KilnInstantiate()
    {
        using var store = new Store(_kEngine);
        return _kLinker.Instantiate(store, _kModule);
    }

    // ---- compile the seed example's sum.wasm (5.8 MB, mostly DWARF)

    [Benchmark(Baseline = true), BenchmarkCategory("compile sum.wasm")]
    public void WasmtimeCompileSum()
    {
        using var m = Wasmtime.Module.FromBytes(_wtEngine, "sum", _sumBytes);
    }

    /// <summary>WasmKiln decodes and validates here; its compiler emits a function's code on its first call.</summary>
    [Benchmark, BenchmarkCategory("compile sum.wasm")]
    public object KilnCompileSum() => Module.FromBytes(_kEngine, _sumBytes, "sum");
}
