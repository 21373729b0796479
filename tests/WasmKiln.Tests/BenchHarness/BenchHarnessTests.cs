using WasmKiln.Bench;
using WasmKiln.Bench.Corpus;
using System.Runtime.Versioning;
using Xunit;

namespace WasmKiln.Tests.BenchHarness;

/// <summary>
/// The benchmark harness (bench/): the corpus README is parsed into arguments and expected lines,
/// and a --smoke run checks every program's output on every engine that can run. No timing is asserted.
/// </summary>
public class BenchHarnessTests
{
    private static string? Corpus => BenchCorpus.Locate();

    [SkippableFact]
    public void ReadmeGivesArgumentsAndExpectedLinesForEveryProgram()
    {
        var dir = Corpus;
        Skip.If(dir == null, "bench corpus not found beside the repository");
        var programs = BenchCorpus.Load(dir!);

        var wasmFiles = Directory.GetFiles(Path.Combine(dir!, "wasm"), "*.wasm");
        Assert.Equal(wasmFiles.Length, programs.Count);
        foreach (var p in programs)
        {
            Assert.True(File.Exists(p.WasmPath), p.WasmPath);
            if (p.SmokeArg == null)
            {
                // A program without a work count (empty): no arguments, empty output at every size.
                Assert.Empty(p.Args(BenchSize.Smoke));
                Assert.Equal("", p.Expected[BenchSize.Smoke]);
                Assert.Equal("", p.Expected[BenchSize.Default]);
                continue;
            }
            Assert.Equal([p.SmokeArg], p.Args(BenchSize.Smoke));
            Assert.Empty(p.Args(BenchSize.Default));
            Assert.Equal([p.InterpArg!], p.Args(BenchSize.Interp));
            Assert.False(p.Expected.ContainsKey(BenchSize.Interp));

            // Each expected line names its program and echoes its work count (e.g. "rounds=3").
            var smoke = p.Expected[BenchSize.Smoke];
            var def = p.Expected[BenchSize.Default];
            Assert.StartsWith(p.Name + " ", smoke);
            Assert.StartsWith(p.Name + " ", def);
            Assert.EndsWith("\n", smoke);
            Assert.Contains("=" + p.SmokeArg + " ", smoke);
            Assert.Contains("=" + p.DefaultArg + " ", def);
        }
    }

    [Fact]
    public void OptionsParse()
    {
        var err = new StringWriter();
        var o = Harness.Parse(["--smoke", "--engine", "wasmtime,kiln", "--filter", "sha256"], err);
        Assert.NotNull(o);
        Assert.Equal(BenchSize.Smoke, o!.Size);
        Assert.Equal(1, o.Reps);
        Assert.Equal(["kiln", "wasmtime"], o.Engines);
        Assert.Equal(["sha256"], o.Filters);

        o = Harness.Parse(["--all", "--reps", "5", "--size", "interp"], err);
        Assert.NotNull(o);
        Assert.Equal(5, o!.Reps);
        Assert.Equal(BenchSize.Interp, o.Size);
        Assert.Equal(Harness.EngineNames, o.Engines);

        Assert.Null(Harness.Parse([], err));
        Assert.Null(Harness.Parse(["--all", "--engine", "v8"], err));
        Assert.Null(Harness.Parse(["--all", "--reps", "0"], err));
        Assert.Null(Harness.Parse(["--all", "--bogus"], err));
    }

    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    public void MedianOfRuns(double[] xs, double expected) => Assert.Equal(expected, Harness.Median([.. xs]));

    [SkippableFact]
    public void SmokeRunChecksEveryProgram()
    {
        Skip.If(Corpus == null, "bench corpus not found beside the repository");
        var output = new StringWriter();
        var log = new StringWriter();
        // The compiler tier and Wasmtime on every program (the interpreter tier has its own tests;
        // its smoke runs take minutes on a small machine).
        var o = Harness.Parse(["--smoke", "--engine", "kiln,wasmtime"], log)!;
        int code = Harness.Run(o, output, log);
        string table = output.ToString();
        Assert.True(code == 0, "harness exit " + code + "\n" + table + "\n" + log);
        Assert.DoesNotContain("FAIL", table);
        foreach (var p in BenchCorpus.Load(Corpus!))
            Assert.Contains("| " + p.Name + " |", table);
        Assert.Contains("| **geomean** |", table);
        // Both engines ran each program once and reported "ok".
        Assert.DoesNotContain("FAIL", log.ToString());
        Assert.Contains("wasmtime     rep 1", log.ToString());
        Assert.Contains("kiln         rep 1", log.ToString());
    }

    [Fact]
    public void NativeIsOptInAndTakesAFolder()
    {
        var err = new StringWriter();
        var o = Harness.Parse(["--all"], err)!;
        Assert.DoesNotContain(Harness.Native, o.Engines);

        o = Harness.Parse(["--all", "--engine", "native,wasmtime,kiln", "--native-dir", "/some/dir"], err)!;
        Assert.Equal(["kiln", "wasmtime", "native"], o.Engines);
        Assert.Equal("/some/dir", o.NativeDir);

        Assert.Null(Harness.Parse(["--all", "--native-dir"], err));
    }

    [SkippableFact]
    public void NativeWithoutBinariesSaysHowToBuildThem()
    {
        Skip.If(Corpus == null, "bench corpus not found beside the repository");
        var missing = Path.Combine(Path.GetTempPath(), "wasmkiln-no-native-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        var log = new StringWriter();
        var o = Harness.Parse(["--smoke", "--engine", "native,kiln", "--native-dir", missing], log)!;
        Assert.Equal(2, Harness.Run(o, output, log));
        Assert.Contains("bench/build-native.sh", log.ToString());
        Assert.Equal("", output.ToString());
    }

    [SkippableFact]
    public void NativeRunsTheBinaryWithTheWorkCountAndChecksItsOutput()
    {
        Skip.If(Corpus == null, "bench corpus not found beside the repository");
        if (OperatingSystem.IsWindows()) throw new SkipException("the stand-in binaries are shell scripts");
        RunWithStandInBinary();
    }

    [UnsupportedOSPlatform("windows")]
    private static void RunWithStandInBinary()
    {
        var sha = BenchCorpus.Load(Corpus!).Find(p => p.Name == "sha256")!;
        string line = sha.Expected[BenchSize.Smoke].TrimEnd('\n');
        var dir = Directory.CreateTempSubdirectory("wasmkiln-native-").FullName;
        try
        {
            // A stand-in for the native build: prints the expected line only when given the smoke work count.
            WriteScript(Path.Combine(dir, "sha256"),
                "if [ \"$#\" -eq 1 ] && [ \"$1\" = \"" + sha.SmokeArg + "\" ]; then printf '%s\\n' '" + line + "'; else echo \"args: $*\" >&2; exit 3; fi");
            var output = new StringWriter();
            var log = new StringWriter();
            var o = Harness.Parse(["--smoke", "--engine", "native,kiln", "--filter", "sha256", "--no-warmup", "--native-dir", dir], log)!;
            int code = Harness.Run(o, output, log);
            string table = output.ToString();
            Assert.True(code == 0, "harness exit " + code + "\n" + table + "\n" + log);
            Assert.Contains("| program | kiln load | kiln run | native wall | kiln / native |", table);
            Assert.Contains("native       rep 1: whole process", log.ToString());
            Assert.DoesNotContain("FAIL", table);

            // A native binary printing the wrong line fails the run like any engine.
            WriteScript(Path.Combine(dir, "sha256"), "echo 'sha256 rounds=3 digest=0'");
            output = new StringWriter();
            log = new StringWriter();
            o = Harness.Parse(["--smoke", "--engine", "native", "--filter", "sha256", "--no-warmup", "--native-dir", dir], log)!;
            Assert.Equal(1, Harness.Run(o, output, log));
            Assert.Contains("| sha256 | FAIL |", output.ToString());
            Assert.Contains("sha256 on native (rep 1): stdout", output.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static void WriteScript(string path, string body)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
