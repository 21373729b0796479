using System.Text;
using WasmKiln.Tests.Bench;
using Xunit;

namespace WasmKiln.Tests.Wasi;

/// <summary>
/// The bench corpus (../shared/bench/wasm, wasm32-wasi C programs built with wasi-libc) run
/// through the public API with the real WASI (<see cref="Linker.DefineWasi"/>, stdout and stderr
/// captured): every program must print its smoke checksum line and exit 0. Every program runs on
/// the compiler; the interpreter runs the quick ones (the WASI calls are the same in all of them:
/// wasi-libc start-up and printf).
/// </summary>
public sealed class WasiBenchProgramTests
{
    private static readonly string[] QuickOnInterpreter = ["empty", "calls", "nbody"];

    /// <summary>Every program on the compiler, the quick ones on the interpreter.</summary>
    public static TheoryData<string, EngineTier> ProgramsAndTiers()
    {
        var data = new TheoryData<string, EngineTier>();
        foreach (var name in BenchChecksumTests.Smoke.Keys) data.Add(name, EngineTier.Compiler);
        foreach (var name in QuickOnInterpreter) data.Add(name, EngineTier.Interpreter);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ProgramsAndTiers))]
    public void SmokeRunPrintsExpectedChecksumWithRealWasi(string program, EngineTier tier)
    {
        var dir = BenchChecksumTests.BenchDir;
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

        var (arg, expected) = BenchChecksumTests.Smoke[program];
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var wasi = new WasiConfiguration().WithArg(program).WithStandardOutput(stdout).WithStandardError(stderr);
        if (arg != null) wasi.WithArg(arg);
        using var store = new Store(engine) { Wasi = wasi };
        var instance = new Linker(engine).DefineWasi().Instantiate(store, Module.FromFile(engine, path));
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
