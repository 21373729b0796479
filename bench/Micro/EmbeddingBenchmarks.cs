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
    private byte[] _sumBytes = null!;
    private readonly byte[] _buffer = new byte[4096];
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        _sumBytes = File.ReadAllBytes(MicroModules.SumWasmPath());
        new Random(1).NextBytes(_buffer);

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
        _wtStore.Dispose();
        _wtLinker.Dispose();
        _wtModule.Dispose();
        _wtEngine.Dispose();
    }

    // ---- host -> guest typed call

    [Benchmark(Baseline = true), BenchmarkCategory("call host->guest add")]
    public int WasmtimeAdd() => _wtAdd(_counter++, 1);

    // ---- guest -> host call (per call: the guest loops HostCallsPerInvoke times)

    [Benchmark(Baseline = true, OperationsPerInvoke = MicroModules.HostCallsPerInvoke), BenchmarkCategory("call guest->host")]
    public int WasmtimeGuestToHost() => _wtCallHost(MicroModules.HostCallsPerInvoke);

    // ---- host reads/writes of guest memory

    [Benchmark(Baseline = true), BenchmarkCategory("memory write 4 KiB")]
    public void WasmtimeWrite4K() => _buffer.AsSpan().CopyTo(_wtMemory.GetSpan(Address, _buffer.Length));

    [Benchmark(Baseline = true), BenchmarkCategory("memory read 4 KiB")]
    public void WasmtimeRead4K() => _wtMemory.GetSpan(Address, _buffer.Length).CopyTo(_buffer);

    [Benchmark(Baseline = true), BenchmarkCategory("memory int write+read")]
    public int WasmtimeIntReadWrite()
    {
        _wtMemory.WriteInt32(Address, _counter++);
        return _wtMemory.ReadInt32(Address);
    }

    // ---- instantiation of the small module (fresh store each time)

    [Benchmark(Baseline = true), BenchmarkCategory("instantiate small module")]
    public object WasmtimeInstantiate()
    {
        using var store = new Wasmtime.Store(_wtEngine);
        return _wtLinker.Instantiate(store, _wtModule);
    }

    // ---- compile the seed example's sum.wasm (5.8 MB, mostly DWARF)

    [Benchmark(Baseline = true), BenchmarkCategory("compile sum.wasm")]
    public void WasmtimeCompileSum()
    {
        using var m = Wasmtime.Module.FromBytes(_wtEngine, "sum", _sumBytes);
    }
}
