namespace WasmKiln.Bench;

/// <summary>
/// The Wasmtime side of the start-up comparison: runs one WASI command module with the console's
/// stdio and its own exit code, as <c>wasmkiln run FILE</c> does for WasmKiln.
/// </summary>
internal static class StartupRunner
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: --startup-runner FILE.wasm [ARGS...]");
            return 2;
        }
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
}
