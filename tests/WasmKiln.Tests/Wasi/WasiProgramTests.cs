using System.Text;
using Xunit;
using TrapException = WasmKiln.Runtime.TrapException;

namespace WasmKiln.Tests.Wasi;

/// <summary>
/// Runs real WASI programs (Programs/: wasi_walk.c and wasi_edges.c over wasi-libc,
/// wasi_walk_rs.rs over Rust's std) through the public API with WASI preview1: a fresh temporary
/// directory preopened as /sandbox (plus a read-only /ro for wasi_edges), arguments,
/// environment, stdin from a MemoryStream, stdout and stderr captured. Stdout must equal the
/// committed .expected file line for line; exit code, stderr and the directories afterwards must
/// be what the program promises. Runs on every tier this build has.
/// </summary>
public sealed class WasiProgramTests
{
    private static readonly string ProgramsDir = Path.Combine(TestPaths.RepoRoot, "tests", "WasmKiln.Tests", "Wasi", "Programs");

    /// <summary>
    /// One program run: its arguments (after the program name), whether it reads stdin.txt (else
    /// stdin is empty), whether a read-only directory is preopened as /ro, and what it must produce.
    /// Its exit code is 1 instead when it counts FAIL lines into it (<paramref name="ExitCodeCountsFailures"/>).
    /// </summary>
    private sealed record Case(string Program, string[] Args, bool Stdin, bool ReadOnlyDir, int ExitCode, string Stderr, bool ExitCodeCountsFailures = false);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["wasi_walk"] = new("wasi_walk", ["/sandbox", "7", "extra", "two words"], true, false, 7, "wasi_walk: stderr works\n"),
        ["wasi_edges"] = new("wasi_edges", ["/sandbox", "/ro"], false, true, 0, "", ExitCodeCountsFailures: true),
        ["wasi_walk_rs"] = new("wasi_walk_rs", ["/sandbox", "3", "α β"], true, false, 3, "wasi_walk_rs: stderr works\n"),
    };

    /// <summary>
    /// Known WASI bugs, each an exact (expected line, actual line) pair, or (for a bug that makes
    /// the run fail) a text the failure's message contains, with Expected null. When every
    /// difference is listed here the test is skipped with the bugs named (visible in the test
    /// report, never a pass); any other difference fails. Remove an entry once fixed.
    /// </summary>
    private static readonly (string Program, string? Expected, string Actual, string Bug)[] KnownBugs =
    [
        ("wasi_walk", "link size=8 nlink=2", "link size=8 nlink=1",
            "where the WASI host stat is unavailable (its .NET fallback, off Linux x64/arm64) filestat nlink is always 1, so a hard-linked file reports 1 link"),
        ("wasi_edges", null, "is too long, or a component of the specified path is too long",
            "a 280-byte file name makes path_open throw PathTooLongException out of WasiPathResolver.GetAttributes (FileInfo.Attributes) instead of returning errno nametoolong"),
        ("wasi_edges", "ok open ro.txt for writing: refused", "FAIL open ro.txt for writing: succeeded",
            "path_open of an existing file for writing (O_WRONLY, no O_CREAT/O_TRUNC) in a read-only preopen succeeds"),
        ("wasi_edges", "failures=0", "failures=1", "the count of the FAIL lines above"),
    ];

    /// <summary>Every program on every tier.</summary>
    public static TheoryData<string, EngineTier> ProgramsAndTiers()
    {
        var data = new TheoryData<string, EngineTier>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name, EngineTier.Compiler);
            data.Add(name, EngineTier.Interpreter);
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ProgramsAndTiers))]
    public void ProgramPrintsExpectedOutputAndExitCode(string program, EngineTier tier)
    {
        var c = Cases[program];
        var engine = CreateEngine(tier);
        var outer = Directory.CreateTempSubdirectory("wasmkiln-wasi-program-");
        try
        {
            var sandbox = outer.CreateSubdirectory("sandbox");
            var ro = outer.CreateSubdirectory("ro");
            File.WriteAllText(Path.Combine(ro.FullName, "ro.txt"), "read-only data\n");
            ro.CreateSubdirectory("sub");
            var run = Run(engine, c, sandbox.FullName, ro.FullName);
            var expected = File.ReadAllText(Path.Combine(ProgramsDir, program + ".expected"), Encoding.UTF8);

            if (run.Failure != null)
            {
                // Everything printed before the failure must still be right (wasi_edges writes
                // unbuffered), then the failure must be a known bug.
                var known = CompareStdout(program, expected, run.Stdout, prefixOnly: true);
                string? bug = null;
                foreach (var k in KnownBugs)
                    if (k.Program == program && k.Expected == null && run.Failure.ToString().Contains(k.Actual, StringComparison.Ordinal)) bug = k.Bug;
                Assert.True(bug != null, $"{program} failed: {run.Failure}\nstdout so far:\n{run.Stdout}");
                known.Add("the run fails: " + bug);
                Skip.If(true, "known WASI bugs: " + string.Join("; ", known));
            }

            // stdout first: a wrong line says more than a wrong exit code
            var bugs = CompareStdout(program, expected, run.Stdout, prefixOnly: false);
            Assert.True(c.Stderr == run.Stderr, $"stderr: {run.Stderr}\nstdout:\n{run.Stdout}");
            Assert.Equal(c.ExitCodeCountsFailures && bugs.Count > 0 ? 1 : c.ExitCode, run.ExitCode);
            // The program removes everything it made, and nothing appeared beside the sandbox
            // (it tries ../created.txt, ../dir, rename and link to ../x).
            Assert.Empty(sandbox.EnumerateFileSystemInfos());
            Assert.Equal(["ro", "sandbox"], outer.EnumerateFileSystemInfos().Select(i => i.Name).Order());
            // The read-only directory is unchanged.
            Assert.Equal(["ro.txt", "sub"], ro.EnumerateFileSystemInfos().Select(i => i.Name).Order());
            Assert.Equal("read-only data\n", File.ReadAllText(Path.Combine(ro.FullName, "ro.txt")));
            Assert.Empty(ro.GetDirectories("sub")[0].EnumerateFileSystemInfos());

            Skip.If(bugs.Count > 0, "output differs only by known WASI bugs: " + string.Join("; ", bugs));
        }
        finally
        {
            outer.Delete(recursive: true);
        }
    }

    /// <summary>What a run produced; <see cref="Failure"/> is the exception when it neither returned nor exited.</summary>
    private sealed record RunResult(string Stdout, string Stderr, int ExitCode, Exception? Failure);

    private static RunResult Run(Engine engine, Case c, string sandbox, string readOnlyDir)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var stdin = new MemoryStream(c.Stdin ? File.ReadAllBytes(Path.Combine(ProgramsDir, "stdin.txt")) : []);
        var wasi = new WasiConfiguration()
            .WithArg(c.Program)
            .WithArgs(c.Args)
            .WithEnvironmentVariable("WALK_MODE", "test")
            .WithEnvironmentVariable("HOME", "/nowhere")
            .WithEnvironmentVariable("A_FIRST", "1")
            .WithPreopenedDirectory(sandbox, "/sandbox")
            .WithStandardInput(stdin)
            .WithStandardOutput(stdout)
            .WithStandardError(stderr);
        if (c.ReadOnlyDir) wasi.WithPreopenedDirectory(readOnlyDir, "/ro", readOnly: true);

        var module = Module.FromFile(engine, Path.Combine(ProgramsDir, c.Program + ".wasm"));
        using var store = new Store(engine) { Wasi = wasi };
        var linker = new Linker(engine).DefineWasi();
        var instance = linker.Instantiate(store, module);
        var start = instance.GetAction("_start");
        int exitCode = 0;
        Exception? failure = null;
        try
        {
            start();
        }
        catch (WasiExitException e)
        {
            exitCode = e.ExitCode;
        }
        catch (TrapException e)
        {
            failure = e;
        }
        return new RunResult(Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), exitCode, failure);
    }

    /// <summary>An engine on <paramref name="tier"/>, or a skip when this build has no such tier.</summary>
    private static Engine CreateEngine(EngineTier tier)
    {
        try
        {
            return new Engine(new EngineOptions { Tier = tier });
        }
        catch (WasmException e) when (tier != EngineTier.Compiler)
        {
            throw new SkipException($"tier {tier} is not available: {e.Message}");
        }
    }

    /// <summary>
    /// Compares line by line (only the lines printed so far when <paramref name="prefixOnly"/>):
    /// fails naming the first difference that is not a known bug; returns the known bugs seen.
    /// </summary>
    private static List<string> CompareStdout(string program, string expected, string actual, bool prefixOnly)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        if (prefixOnly) a = a[..^1]; // the last piece is an unfinished line (or empty)
        else Assert.True(e.Length == a.Length, $"stdout has {a.Length} lines, expected {e.Length}; whole stdout:\n{actual}");
        Assert.True(a.Length <= e.Length, $"stdout has more lines than expected; whole stdout:\n{actual}");
        var known = new List<string>();
        for (int i = 0; i < a.Length; i++)
        {
            if (e[i] == a[i]) continue;
            string? bug = null;
            foreach (var k in KnownBugs)
                if (k.Program == program && k.Expected == e[i] && k.Actual == a[i]) bug = k.Bug;
            Assert.True(bug != null, $"stdout line {i + 1}: expected\n  {e[i]}\nbut got\n  {a[i]}\nwhole stdout:\n{actual}");
            known.Add($"line {i + 1} '{a[i]}': {bug}");
        }
        return known;
    }
}
