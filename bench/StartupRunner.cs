using WasmKiln.Wasi;

namespace WasmKiln.Bench;

/// <summary>
/// Start-up runners: run one WASI command module with the console's stdio and return its exit
/// code, as <c>wasmkiln run FILE</c> does, on Wasmtime (default) or on WasmKiln's public API
/// (<c>--engine kiln</c>), so that whole-process start-up can be timed for both.
/// </summary>
internal static class StartupRunner
{
    public static int Run(string[] args)
    {
        string engine = "wasmtime";
        if (args.Length >= 2 && args[0] == "--engine")
        {
            engine = args[1];
            args = args[2..];
        }
        if (args.Length == 0 || engine is not ("wasmtime" or "kiln"))
        {
            Console.Error.WriteLine("usage: --startup-runner [--engine wasmtime|kiln] FILE.wasm [ARGS...]");
            return 2;
        }
        return engine == "kiln" ? RunKiln(args) : RunWasmtime(args);
    }

    private static int RunWasmtime(string[] args)
    {
        using var engine = new Wasmtime.Engine();
        using var module = Wasmtime.Module.FromFile(engine, args[0]);
        using var linker = new Wasmtime.Linker(engine);
        linker.DefineWasi();
        using var store = new Wasmtime.Store(engine);
        store.SetWasiConfiguration(new Wasmtime.WasiConfiguration()
            .WithArgs(args)
            .WithInheritedStandardInput()
            .WithInheritedStandardOutput()
            .WithInheritedStandardError());
        var start = linker.Instantiate(store, module).GetAction("_start");
        if (start == null)
        {
            Console.Error.WriteLine(args[0] + " exports no _start function");
            return 2;
        }
        try
        {
            start();
            return 0;
        }
        catch (Wasmtime.WasmtimeException e) when (e.ExitCode is { } code)
        {
            return code;
        }
    }

    private static int RunKiln(string[] args)
    {
        var engine = new Engine(new EngineOptions { Tier = EngineTier.Compiler });
        var module = Module.FromFile(engine, args[0]);
        var linker = new Linker(engine).DefineWasi();
        using var store = new Store(engine) { Wasi = new WasiConfiguration().WithArgs(args).InheritStandardStreams() };
        var start = linker.Instantiate(store, module).GetAction("_start");
        try
        {
            start();
            return 0;
        }
        catch (WasiExitException e)
        {
            return e.ExitCode;
        }
    }
}
