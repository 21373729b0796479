using System.Text;
using Xunit;

namespace WasmKiln.Tests.Bench;

/// <summary>
/// The bench corpus (../shared/bench/wasm, wasm32-wasi C programs built with wasi-libc) run with
/// the "smoke" argument through the public API with the real WASI preview1
/// (<see cref="Linker.DefineWasi"/>, stdout and stderr captured), on the compiler and on the
/// interpreter: every program imports only WASI, prints its one-line checksum, writes nothing to
/// stderr and exits 0.
/// </summary>
public class BenchChecksumTests
{
    // Source: /work/shared/bench/README.md, table column "argument (default / smoke / interp)"
    // and the "Expected output" section, "Smoke" block (`empty` takes no argument, prints nothing).
    internal static readonly Dictionary<string, (string? Arg, string Expected)> Smoke = new()
    {
        ["sha256"] = ("3", "sha256 rounds=3 digest=1dd3cced4baa4552d14287dae0c43b1a3c2bfabf5831d1de89850aaaec6197e9\n"),
        ["nbody"] = ("10000", "nbody steps=10000 e0=-12.697433239378 e1=-12.708967102014 pos=260.836596276333\n"),
        ["fannkuch"] = ("2", "fannkuch n=9 passes=2 maxflips=30 checksum=276128\n"),
        ["sieve_hash"] = ("1", "sieve_hash rounds=1 primes=283146 checksum=174550267969\n"),
        ["matmul"] = ("5", "matmul n=256 passes=5 f64=-6.6084917819e+02 f32=-6.608496e+02\n"),
        ["calls"] = ("5", "calls rounds=5 checksum=728614508\n"),
        ["interp"] = ("20000", "interp n=20000 collatz_total=1834634 ops=33254714\n"),
        ["json"] = ("3", "json bytes=2097335 passes=3 objs=71721 arrs=36255 strs=308127 nums=111399 lits=110985 punct=535773 depth=7 hash=18144862303206429078\n"),
        ["sort_mem"] = ("1", "sort_mem rounds=1 checksum=17017702958698371559 arena=16832107988701294157\n"),
        ["empty"] = (null, ""),
    };

    /// <summary>Every program on both tiers.</summary>
    public static TheoryData<string, EngineTier> ProgramsAndTiers()
    {
        var data = new TheoryData<string, EngineTier>();
        foreach (var tier in new[] { EngineTier.Compiler, EngineTier.Interpreter })
            foreach (var name in Smoke.Keys) data.Add(name, tier);
        return data;
    }

    internal static string? BenchDir =>
        TestPaths.Shared is { } s && Directory.Exists(Path.Combine(s, "bench", "wasm")) ? Path.Combine(s, "bench", "wasm") : null;

    [SkippableTheory]
    [MemberData(nameof(ProgramsAndTiers))]
    public void SmokeRunPrintsExpectedChecksum(string program, EngineTier tier)
    {
        var dir = BenchDir;
        Skip.If(dir == null, "bench corpus not found beside the repository");
        var path = Path.Combine(dir!, program + ".wasm");
        Skip.IfNot(File.Exists(path), program + ".wasm not found");
        Engine engine;
        try
        {
            engine = new Engine(new EngineOptions { Tier = tier });
        }
        catch (WasmException e) when (tier != EngineTier.Compiler)
        {
            throw new SkipException($"tier {tier} is not available: {e.Message}");
        }

        var (arg, expected) = Smoke[program];
        var module = Module.FromFile(engine, path);
        foreach (var imp in module.Imports) Assert.Equal("wasi_snapshot_preview1", imp.Module);

        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var wasi = new WasiConfiguration().WithArg(program).WithStandardOutput(stdout).WithStandardError(stderr);
        if (arg != null) wasi.WithArg(arg);
        using var store = new Store(engine) { Wasi = wasi };
        var instance = new Linker(engine).DefineWasi().Instantiate(store, module);
        int code = 0;
        try
        {
            instance.GetAction("_start")();
        }
        catch (WasiExitException e)
        {
            code = e.ExitCode;
        }

        Assert.True(code == 0, "exit code " + code + ", stderr: " + Encoding.UTF8.GetString(stderr.ToArray()));
        Assert.Equal(expected, Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Empty(stderr.ToArray());
    }
}
