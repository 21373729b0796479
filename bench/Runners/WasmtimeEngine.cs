using System.Diagnostics;
using System.Text;

namespace WasmKiln.Bench.Runners;

/// <summary>Wasmtime (the Wasmtime NuGet package, Cranelift, default configuration).</summary>
internal sealed class WasmtimeEngine : IBenchEngine
{
    private readonly Wasmtime.Engine _engine = new();

    public string Name => "wasmtime";

    public string? Unavailable => null;

    public RunResult Run(string wasmPath, string programName, string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var sw = Stopwatch.StartNew();
        double loadMs = 0;
        try
        {
            using var module = Wasmtime.Module.FromFile(_engine, wasmPath);
            using var linker = new Wasmtime.Linker(_engine);
            linker.DefineWasi();
            using var store = new Wasmtime.Store(_engine);
            var argv = new string[args.Length + 1];
            argv[0] = programName;
            args.CopyTo(argv, 1);
            store.SetWasiConfiguration(new Wasmtime.WasiConfiguration()
                .WithArgs(argv)
                .WithStandardOutputCallback(data => { lock (stdout) stdout.Write(data); })
                .WithStandardErrorCallback(data => { lock (stderr) stderr.Write(data); }));
            var instance = linker.Instantiate(store, module);
            var start = instance.GetAction("_start")
                ?? throw new InvalidOperationException("module exports no _start function");
            loadMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            int exit = 0;
            try
            {
                start();
            }
            catch (Wasmtime.WasmtimeException e) when (e.ExitCode is { } code)
            {
                exit = code;
            }
            double runMs = sw.Elapsed.TotalMilliseconds;
            return new RunResult(loadMs, runMs, exit, Text(stdout), exit == 0 ? null : "exit " + exit + ": " + Text(stderr));
        }
        catch (Exception e) when (e is Wasmtime.WasmtimeException or Wasmtime.TrapException or InvalidOperationException)
        {
            return new RunResult(loadMs, sw.Elapsed.TotalMilliseconds, -1, Text(stdout), e.GetType().Name + ": " + e.Message);
        }
    }

    private static string Text(MemoryStream s)
    {
        lock (s) return Encoding.UTF8.GetString(s.GetBuffer(), 0, (int)s.Length);
    }

    public void Dispose() => _engine.Dispose();
}
