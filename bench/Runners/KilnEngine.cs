using System.Diagnostics;
using System.Text;
using WasmKiln.Wasi;

namespace WasmKiln.Bench.Runners;

/// <summary>Which WasmKiln execution tier a <see cref="KilnEngine"/> measures.</summary>
internal enum KilnTier
{
    /// <summary>The wasm -> IL compiler.</summary>
    Compiler,
    /// <summary>The interpreter.</summary>
    Interpreter,
}

/// <summary>
/// WasmKiln through its public embedding API: <see cref="Engine"/> with the tier,
/// <see cref="Module.FromFile"/>, a <see cref="Linker"/> with <see cref="Linker.DefineWasi"/>, a
/// <see cref="Store"/> whose WASI stdout/stderr are memory streams, and <c>_start</c>.
/// </summary>
internal sealed class KilnEngine : IBenchEngine
{
    private readonly KilnTier _tier;
    private readonly Engine? _engine;

    public KilnEngine(KilnTier tier)
    {
        _tier = tier;
        try
        {
            _engine = new Engine(new EngineOptions { Tier = tier == KilnTier.Compiler ? EngineTier.Compiler : EngineTier.Interpreter });
        }
        catch (WasmException e)
        {
            Unavailable = e.Message;
        }
    }

    public string Name => _tier == KilnTier.Compiler ? "kiln" : "kiln-interp";

    public string? Unavailable { get; }

    public RunResult Run(string wasmPath, string programName, string[] args)
    {
        var engine = _engine ?? throw new WasmException(Name + " is not available: " + Unavailable);
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var sw = Stopwatch.StartNew();
        double loadMs = 0;
        try
        {
            var module = Module.FromFile(engine, wasmPath);
            var linker = new Linker(engine).DefineWasi();
            var argv = new string[args.Length + 1];
            argv[0] = programName;
            args.CopyTo(argv, 1);
            using var store = new Store(engine)
            {
                Wasi = new WasiConfiguration().WithArgs(argv).WithStandardOutput(stdout).WithStandardError(stderr),
            };
            var start = linker.Instantiate(store, module).GetAction("_start");
            loadMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            int exit = 0;
            try
            {
                start();
            }
            catch (WasiExitException e)
            {
                exit = e.ExitCode;
            }
            double runMs = sw.Elapsed.TotalMilliseconds;
            return new RunResult(loadMs, runMs, exit, Text(stdout), exit == 0 ? null : "exit " + exit + ": " + Text(stderr));
        }
        catch (WasmException e)
        {
            return new RunResult(loadMs, sw.Elapsed.TotalMilliseconds, -1, Text(stdout), e.GetType().Name + ": " + e.Message);
        }
    }

    private static string Text(MemoryStream s) => Encoding.UTF8.GetString(s.GetBuffer(), 0, (int)s.Length);

    public void Dispose() { }
}
