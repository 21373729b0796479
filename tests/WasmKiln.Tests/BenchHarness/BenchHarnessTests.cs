using WasmKiln.Bench;
using WasmKiln.Bench.Corpus;
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
}
