using System.CommandLine;
using System.CommandLine.Invocation;
using WasmKiln.Binary;
using WasmKiln.Model;
using WasmKiln.Script;
using WasmKiln.Text;
using WasmKiln.Validation;

namespace WasmKiln.Cli;

/// <summary>
/// The <c>wasmkiln</c> command line: <c>run</c>, <c>validate</c>, <c>wat2wasm</c>, <c>wasm2wat</c> and <c>wast</c>.
/// Exit codes: 0 success; 1 an error in the input (or a failed script command); 2 a usage error;
/// 70 an internal error; <c>run</c> adds the guest's exit code and 134 for a trap (see <see cref="RunOptions.Help"/>). Errors are one line on stderr: <c>error: FILE:0xOFFSET: message</c>
/// for a binary module, <c>error: FILE:LINE:COL: message</c> for a text parse error,
/// <c>error: FILE: message</c> otherwise (I/O errors, and validation errors of a text module,
/// whose binary offsets would mean nothing in the text). No stack trace is ever printed.
/// </summary>
internal static class Program
{
    /// <summary>Exit code of an input error or a failed script.</summary>
    public const int ExitError = 1;

    /// <summary>Exit code of a usage error.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code of an internal error.</summary>
    public const int ExitInternal = 70;

    private static int Main(string[] args)
    {
        // Parsers and engines recurse on nested input; run on a thread with a large stack.
        int code = ExitInternal;
        var thread = new Thread(() => code = Run(args, Console.Out, Console.Error, CliConsole.Process()), 256 * 1024 * 1024);
        thread.Start();
        thread.Join();
        return code;
    }

    /// <summary>
    /// Runs the command line <paramref name="args"/> writing to the given writers (a guest's
    /// standard output and error included); returns the exit code.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, null);

    /// <summary>Runs the command line; a guest's standard streams are those of <paramref name="console"/> when given.</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, CliConsole? console)
    {
        try
        {
            // `run` parses its own tokens (everything after FILE belongs to the guest); like wasmtime,
            // `wasmkiln FILE.wasm ARGS...` means `wasmkiln run FILE.wasm ARGS...`.
            if (args.Length > 0 && (args[0] == "run" || IsModulePath(args[0])))
                return RunCommand.Execute(args[0] == "run" ? args[1..] : args, console ?? CliConsole.OfWriters(stdout, stderr));
            var root = BuildCommands(stdout, stderr);
            var parse = root.Parse(args);
            var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
            {
                foreach (var e in parse.Errors) stderr.WriteLine("error: " + e.Message);
                stderr.WriteLine("Run 'wasmkiln --help' for usage.");
                return ExitUsage;
            }
            return parse.Invoke(config);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine("error: internal error: " + e.Message);
            return ExitInternal;
        }
    }

    private static bool IsModulePath(string arg) =>
        !arg.StartsWith('-') && (arg.EndsWith(".wasm", StringComparison.OrdinalIgnoreCase) || arg.EndsWith(".wat", StringComparison.OrdinalIgnoreCase));

    private static RootCommand BuildCommands(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("WasmKiln: a WebAssembly runtime in C#. Validates, converts and runs WebAssembly modules and spec scripts.");

        // run: parsed by RunCommand itself (every token after FILE belongs to the guest); listed here for --help.
        root.Subcommands.Add(new Command("run", "Run a WebAssembly module: a WASI command, or one export with --invoke. See 'wasmkiln run --help'."));

        // validate
        var validateFile = new Argument<string>("FILE") { Description = "A .wasm binary or a .wat text module." };
        var validate = new Command("validate", "Check that a module is well-formed and valid. Prints nothing on success; errors go to stderr.") { validateFile };
        validate.SetAction(p => Guard(stderr, p.GetValue(validateFile)!, file =>
        {
            LoadAny(file);
            return 0;
        }));
        root.Subcommands.Add(validate);

        // wat2wasm
        var watIn = new Argument<string>("IN") { Description = "The .wat text module." };
        var watOut = new Option<string?>("--output", "-o") { Description = "Output file (default: IN with the extension .wasm).", HelpName = "OUT" };
        var debugNames = new Option<bool>("--debug-names") { Description = "Write a name section with the text's $names." };
        var wat2wasm = new Command("wat2wasm", "Convert a text module to a binary module (it must validate).") { watIn, watOut, debugNames };
        wat2wasm.SetAction(p => Guard(stderr, p.GetValue(watIn)!, file =>
        {
            var module = WatParser.ParseText(File.ReadAllText(file));
            var bytes = ModuleEncoder.Encode(module);
            ValidateEncoded(bytes);
            if (p.GetValue(debugNames)) bytes = ModuleEncoder.Encode(module, writeNames: true);
            string output = p.GetValue(watOut) ?? Path.ChangeExtension(file, ".wasm");
            return WriteOutput(stderr, output, bytes);
        }));
        root.Subcommands.Add(wat2wasm);

        // wasm2wat
        var wasmIn = new Argument<string>("IN") { Description = "The .wasm binary module." };
        var wasmOut = new Option<string?>("--output", "-o") { Description = "Output file (default: standard output).", HelpName = "OUT" };
        var folded = new Option<bool>("--folded") { Description = "Print instructions in folded (S-expression) form." };
        var wasm2wat = new Command("wasm2wat", "Convert a binary module to text (it must validate).") { wasmIn, wasmOut, folded };
        wasm2wat.SetAction(p => Guard(stderr, p.GetValue(wasmIn)!, file =>
        {
            var bytes = File.ReadAllBytes(file);
            var module = ModuleDecoder.Decode(bytes);
            Validator.Validate(module);
            string text = WatPrinter.Print(module, p.GetValue(folded));
            var output = p.GetValue(wasmOut);
            if (output == null)
            {
                stdout.Write(text);
                return 0;
            }
            return WriteOutput(stderr, output, System.Text.Encoding.UTF8.GetBytes(text));
        }));
        root.Subcommands.Add(wasm2wat);

        // wast
        var paths = new Argument<string[]>("PATH") { Description = "Script files, or folders searched for *.wast.", Arity = ArgumentArity.OneOrMore };
        var engine = new Option<string>("--engine") { Description = $"Execution engine: {string.Join(", ", ScriptEngines.Names)}.", HelpName = "NAME", DefaultValueFactory = _ => ScriptEngines.DefaultName };
        var report = new Option<string?>("--report") { Description = "Also write a JSON report to this file.", HelpName = "FILE.json" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List each failed command as FILE:LINE: kind: message." };
        var wast = new Command("wast", "Run .wast spec scripts; prints one line per file and a total line. Exit 0 when every command passed.")
        {
            paths, engine, report, verbose,
        };
        wast.SetAction(p => RunWast(stdout, stderr, p.GetValue(paths)!, p.GetValue(engine)!, p.GetValue(report), p.GetValue(verbose)));
        root.Subcommands.Add(wast);
        return root;
    }

    private static int RunWast(TextWriter stdout, TextWriter stderr, string[] paths, string engine, string? reportPath, bool verbose)
    {
        if (!ScriptEngines.Exists(engine))
        {
            stderr.WriteLine($"error: unknown engine '{engine}' (available: {string.Join(", ", ScriptEngines.Names)})");
            return ExitUsage;
        }
        if (ScriptEngines.Unavailable(engine) is { } why)
        {
            stderr.WriteLine("error: " + why);
            return ExitUsage;
        }
        var files = new List<ScriptFile>();
        foreach (var path in paths)
        {
            try
            {
                files.AddRange(SpecReport.Collect(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {path}: {IoMessage(e)}");
                return ExitError;
            }
        }
        var runner = new SpecRunner(engine);
        var results = new List<FileResult>(files.Count);
        foreach (var file in files)
        {
            var r = runner.RunFile(file.FullPath, file.DisplayPath);
            results.Add(r);
            stdout.WriteLine(SpecReport.FileLine(r));
            if (verbose)
                foreach (var f in r.Failures) stdout.WriteLine(SpecReport.FailureLine(r, f));
        }
        stdout.WriteLine(SpecReport.TotalLine(results));
        if (reportPath != null)
        {
            try
            {
                using var stream = File.Create(reportPath);
                SpecReport.WriteJson(stream, engine, results);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {reportPath}: {IoMessage(e)}");
                return ExitError;
            }
        }
        foreach (var r in results)
            if (r.Failed > 0) return ExitError;
        return 0;
    }

    /// <summary>Loads a module file (binary when it starts with the wasm magic, else text) and validates it.</summary>
    internal static ValidatedModule LoadAny(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == (byte)'a' && bytes[2] == (byte)'s' && bytes[3] == (byte)'m')
        {
            var module = ModuleDecoder.Decode(bytes);
            try
            {
                return Validator.Validate(module);
            }
            catch (InvalidModuleException e) when (e.FunctionIndex >= 0)
            {
                throw new InvalidModuleException(e.Message + " (in " + FunctionName(module, e.FunctionIndex) + ")", e.Offset, e.FunctionIndex);
            }
        }
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return ValidateEncoded(ModuleEncoder.Encode(WatParser.ParseText(text), writeNames: true));
    }

    /// <summary>"function N" with its name from the name section when it has one.</summary>
    private static string FunctionName(ModuleInfo module, int index) =>
        module.Names != null && module.Names.Functions.TryGetValue((uint)index, out var name)
            ? $"function {index} ${name}"
            : $"function {index}";

    /// <summary>Validates the binary encoding of a text module; its errors carry no binary offset for the user.</summary>
    private static ValidatedModule ValidateEncoded(byte[] bytes)
    {
        var module = ModuleDecoder.Decode(bytes);
        try
        {
            return Validator.Validate(module);
        }
        catch (MalformedModuleException e)
        {
            throw new WasmException(e.Message, e);
        }
        catch (InvalidModuleException e)
        {
            throw new WasmException(e.FunctionIndex >= 0 ? e.Message + " (in " + FunctionName(module, e.FunctionIndex) + ")" : e.Message, e);
        }
    }

    private static int WriteOutput(TextWriter stderr, string output, byte[] bytes)
    {
        try
        {
            File.WriteAllBytes(output, bytes);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {output}: {IoMessage(e)}");
            return ExitError;
        }
    }

    /// <summary>Runs a command on <paramref name="file"/>, turning every error into one line on stderr and an exit code.</summary>
    private static int Guard(TextWriter stderr, string file, Func<string, int> action)
    {
        try
        {
            return action(file);
        }
        catch (Exception e) when (DescribeLoadError(file, e) is { } message)
        {
            stderr.WriteLine(message);
        }
        return ExitError;
    }

    /// <summary>
    /// The one-line message of an error reading, decoding, parsing or validating <paramref name="file"/>
    /// (<c>error: FILE:0xOFFSET: ...</c>, <c>error: FILE:LINE:COL: ...</c> or <c>error: FILE: ...</c>);
    /// null for an exception that is not such an error.
    /// </summary>
    internal static string? DescribeLoadError(string file, Exception e) => e switch
    {
        TextParseException t => $"error: {file}:{t.Line}:{t.Column}: {t.Message}",
        MalformedModuleException m => m.Offset >= 0 ? $"error: {file}:0x{m.Offset:x}: {m.Message}" : $"error: {file}: {m.Message}",
        InvalidModuleException v => v.Offset >= 0 ? $"error: {file}:0x{v.Offset:x}: {v.Message}" : $"error: {file}: {v.Message}",
        WasmException w => $"error: {file}: {w.Message}",
        IOException or UnauthorizedAccessException => $"error: {file}: {IoMessage(e)}",
        _ => null,
    };

    private static string IoMessage(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
