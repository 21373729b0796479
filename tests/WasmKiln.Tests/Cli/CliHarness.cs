using WasmKiln.Cli;

namespace WasmKiln.Tests.Cli;

/// <summary>Runs the CLI in process with captured output, as the CLI tests do.</summary>
internal static class CliHarness
{
    /// <summary>Runs <c>wasmkiln ARGS</c>; returns the exit code and stdout/stderr with \n line ends.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString().Replace("\r\n", "\n"), stderr.ToString().Replace("\r\n", "\n"));
    }

    /// <summary>The non-empty lines of <paramref name="text"/>.</summary>
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
