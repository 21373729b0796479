using WasmKiln.Runtime;
using WasmKiln.Wasi;

namespace WasmKiln.Cli;

/// <summary>
/// <c>wasmkiln run</c>: loads a module, links WASI when the module imports it, and runs the WASI
/// command entry <c>_start</c> or the export named by <c>--invoke</c> (see <see cref="RunOptions.Help"/>).
/// </summary>
internal static class RunCommand
{
    /// <summary>Exit code of a trap: 128 + SIGABRT like wasmtime on Unix; 3 (abort) on Windows.</summary>
    public static int ExitTrap => OperatingSystem.IsWindows() ? 3 : 134;

    /// <summary>Parses the tokens after <c>run</c> and runs the module; returns the exit code.</summary>
    public static int Execute(IReadOnlyList<string> args, CliConsole io)
    {
        var options = RunOptions.Parse(args, out var error);
        if (options == null)
        {
            io.Err.WriteLine("error: " + error);
            io.Err.WriteLine("Run 'wasmkiln run --help' for usage.");
            return Program.ExitUsage;
        }
        if (options.ShowHelp)
        {
            io.Out.WriteLine(RunOptions.Help);
            return 0;
        }
        try
        {
            return Run(options, io);
        }
        finally
        {
            io.Flush();
        }
    }

    private static int Run(RunOptions o, CliConsole io)
    {
        string file = o.File;
        Engine engine;
        try
        {
            engine = new Engine(new EngineOptions
            {
                Tier = o.Engine switch { "compiler" => EngineTier.Compiler, "interpreter" => EngineTier.Interpreter, _ => EngineTier.Auto },
                ConsumeFuel = o.Fuel.HasValue,
                Interruptible = o.Timeout.HasValue,
            });
        }
        catch (WasmException e)
        {
            io.Err.WriteLine($"error: --engine {o.Engine}: {e.Message}");
            return Program.ExitError;
        }

        // Load: binary when the file starts with the wasm magic, else text; errors as `validate` reports them.
        Module module;
        try
        {
            module = Module.FromValidated(engine, Program.LoadAny(file), Path.GetFileName(file));
        }
        catch (Exception e) when (Program.DescribeLoadError(file, e) is { } message)
        {
            io.Err.WriteLine(message);
            return Program.ExitError;
        }

        using var store = new Store(engine);
        if (o.MaxMemoryBytes is { } max) store.MaxMemoryBytes = max;
        if (o.Fuel is { } fuel) store.SetFuel(fuel);

        var linker = new Linker(engine);
        bool wasi = false;
        foreach (var import in module.Imports)
            if (import.Module == WasiPreview1.ModuleName) wasi = true;
        if (wasi)
        {
            var config = new WasiConfiguration()
                .WithStandardInput(io.GuestIn)
                .WithStandardOutput(io.GuestOut)
                .WithStandardError(io.GuestErr);
            config.WithArg(Path.GetFileName(file));
            if (o.Invoke == null)
                foreach (var a in o.Args) config.WithArg(a);
            foreach (var v in o.Env)
            {
                string? value = v.Value ?? Environment.GetEnvironmentVariable(v.Name);
                if (value != null) config.WithEnvironmentVariable(v.Name, value);
            }
            foreach (var d in o.Dirs)
            {
                if (!Directory.Exists(d.HostPath))
                {
                    io.Err.WriteLine($"error: --dir {d.HostPath}: no such directory");
                    return Program.ExitError;
                }
                config.WithPreopenedDirectory(d.HostPath, d.GuestPath);
            }
            store.Wasi = config;
            linker.DefineWasi();
        }

        if (o.Timeout is { } timeout) store.SetDeadline(timeout);
        try
        {
            var instance = linker.Instantiate(store, module);
            return o.Invoke == null ? RunCommandEntry(instance, io) : Invoke(instance, o, io);
        }
        catch (WasiExitException e)
        {
            return e.ExitCode;
        }
        catch (TrapException trap)
        {
            io.GuestOut.Flush();
            ReportTrap(io.Err, trap, o);
            return ExitTrap;
        }
        catch (WasmException e)
        {
            io.Err.WriteLine($"error: {file}: {e.Message}");
            return Program.ExitError;
        }
    }

    /// <summary>Runs the WASI command entry <c>_start</c> when the module exports one (instantiation already ran its start function).</summary>
    private static int RunCommandEntry(Instance instance, CliConsole io)
    {
        var start = instance.TryGetFunction("_start");
        if (start == null) return 0;
        var type = start.Target.Type;
        if (type.Params.Length != 0 || type.Results.Length != 0)
        {
            io.Err.WriteLine($"error: `_start` must take no parameters and return nothing, but its type is {Signature(type.Params)} -> {Signature(type.Results)}");
            return Program.ExitError;
        }
        start.Invoke();
        return 0;
    }

    /// <summary>Calls the export of <c>--invoke</c> with the command-line arguments parsed by its parameter types and prints its results.</summary>
    private static int Invoke(Instance instance, RunOptions o, CliConsole io)
    {
        string name = o.Invoke!;
        var function = instance.TryGetFunction(name);
        if (function == null)
        {
            io.Err.WriteLine($"error: no export `{name}` that is a function in {o.File}");
            return Program.ExitUsage;
        }
        var type = function.Target.Type;
        if (o.Args.Count != type.Params.Length)
        {
            string plural = type.Params.Length == 1 ? "argument" : "arguments";
            io.Err.WriteLine($"error: `{name}` expects {type.Params.Length} {plural} {Signature(type.Params)}, got {o.Args.Count}");
            return Program.ExitUsage;
        }
        var args = new Value[type.Params.Length];
        for (int i = 0; i < args.Length; i++)
        {
            if (!InvokeValues.TryParse(o.Args[i], type.Params[i], out args[i], out var error))
            {
                io.Err.WriteLine($"error: argument {i + 1} of `{name}`: {error}");
                return Program.ExitUsage;
            }
        }
        var results = function.Invoke(args);
        io.GuestOut.Flush();
        foreach (var r in results) io.Out.WriteLine(InvokeValues.Format(r));
        return 0;
    }

    /// <summary>A type list as <c>(i32 i64)</c>.</summary>
    private static string Signature(Model.ValType[] types)
    {
        var parts = new string[types.Length];
        for (int i = 0; i < types.Length; i++) parts[i] = types[i].ToString();
        return "(" + string.Join(' ', parts) + ")";
    }

    /// <summary><c>error: trap: MESSAGE</c>, then the WebAssembly frames innermost first as <c>N: func[INDEX] NAME</c>.</summary>
    private static void ReportTrap(TextWriter err, TrapException trap, RunOptions o)
    {
        string message = trap.Message;
        if (trap.Kind == TrapKind.Interrupted && o.Timeout is { } t) message += $" (--timeout {t.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}s elapsed)";
        err.WriteLine("error: trap: " + message);
        var frames = trap.WasmBacktrace;
        if (frames.Count == 0) return;
        err.WriteLine("wasm backtrace:");
        for (int i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            string where = f.FunctionName is { } n ? " " + (f.ModuleName is { } m ? m + "!" + n : n) : "";
            err.WriteLine($"  {i,3}: func[{f.FunctionIndex}]{where}");
        }
    }
}
