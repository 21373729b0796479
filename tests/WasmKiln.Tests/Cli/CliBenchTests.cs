using System.Text.RegularExpressions;
using WasmKiln.Cli;
using Xunit;

namespace WasmKiln.Tests.Cli;

/// <summary>
/// Every program of the bench corpus run by <c>wasmkiln run FILE SMOKE_ARG</c> prints the checksum
/// line that ../shared/bench/README.md lists for its smoke argument, and exits 0.
/// </summary>
public sealed class CliBenchTests
{
    private static string? BenchDir =>
        TestPaths.Shared is { } s && File.Exists(Path.Combine(s, "bench", "README.md")) ? Path.Combine(s, "bench") : null;

    /// <summary>
    /// Program -> (smoke argument, expected line), read from the README: the arguments from the
    /// "Smoke (`sha256 3`, ...)" sentence, the lines from the code block that follows it.
    /// </summary>
    private static Dictionary<string, (string Arg, string Line)> SmokeTable()
    {
        var readme = File.ReadAllText(Path.Combine(BenchDir!, "README.md")).Replace("\r\n", "\n");
        int at = readme.IndexOf("\nSmoke (", StringComparison.Ordinal);
        Assert.True(at >= 0, "no Smoke section in the bench README");
        int close = readme.IndexOf("):", at, StringComparison.Ordinal);
        var table = new Dictionary<string, (string, string)>();
        var args = new Dictionary<string, string>();
        foreach (Match m in Regex.Matches(readme[at..close], @"`(\w+) (\d+)`")) args[m.Groups[1].Value] = m.Groups[2].Value;
        int blockStart = readme.IndexOf("```\n", close, StringComparison.Ordinal) + 4;
        int blockEnd = readme.IndexOf("```", blockStart, StringComparison.Ordinal);
        foreach (var line in readme[blockStart..blockEnd].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line[..line.IndexOf(' ')];
            table[name] = (args[name], line);
        }
        return table;
    }

    public static TheoryData<string> Programs() =>
        new("sha256", "nbody", "fannkuch", "sieve_hash", "matmul", "calls", "interp", "json", "sort_mem");

    [SkippableTheory]
    [MemberData(nameof(Programs))]
    public void SmokeRunPrintsTheReadmeChecksum(string program)
    {
        Skip.If(BenchDir == null, "../shared/bench is absent");
        var (arg, line) = SmokeTable()[program];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["run", Path.Combine(BenchDir!, "wasm", program + ".wasm"), arg], stdout, stderr);
        Assert.Equal("", stderr.ToString());
        Assert.Equal(line + "\n", stdout.ToString().Replace("\r\n", "\n"));
        Assert.Equal(0, code);
    }

    [SkippableFact]
    public void EmptyPrintsNothingAndExits0()
    {
        Skip.If(BenchDir == null, "../shared/bench is absent");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["run", Path.Combine(BenchDir!, "wasm", "empty.wasm")], stdout, stderr);
        Assert.Equal((0, "", ""), (code, stdout.ToString(), stderr.ToString()));
    }
}
