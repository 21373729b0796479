using System.Diagnostics;
using System.Text;
using WasmKiln.Tests.Bench;
using WasmKiln.Wasi;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.Interpreter;

/// <summary>
/// The bench corpus (../shared/bench/wasm) run by the interpreter with the "smoke" arguments:
/// every program must print its checksum line. The wall time of the interpreter and of the
/// compiler for the same run is printed (not asserted).
/// </summary>
public class InterpreterBenchTests(ITestOutputHelper output)
{
    public static TheoryData<string> Programs() => new(BenchChecksumTests.Smoke.Keys);

    [SkippableTheory]
    [MemberData(nameof(Programs))]
    public void SmokeRunPrintsExpectedChecksumOnTheInterpreter(string program)
    {
        var dir = BenchChecksumTests.BenchDir;
        Skip.If(dir == null, "bench corpus not found beside the repository");
        var path = Path.Combine(dir!, program + ".wasm");
        Skip.IfNot(File.Exists(path), program + ".wasm not found");
        var (arg, expected) = BenchChecksumTests.Smoke[program];
        var (code, stdout, stderr, interpreted) = Run(path, program, arg, EngineTier.Interpreter);
        Assert.True(code == 0, "exit code " + code + ", stderr: " + stderr);
        Assert.Equal(expected, stdout);
        var (_, _, _, compiled) = Run(path, program, arg, EngineTier.Compiler);
        output.WriteLine($"{program} {arg}: interpreter {interpreted.TotalMilliseconds:F0} ms, compiler {compiled.TotalMilliseconds:F0} ms");
    }

    private static (int Code, string Stdout, string Stderr, TimeSpan Time) Run(string path, string program, string? arg, EngineTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        var module = Module.FromFile(engine, path);
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var wasi = new WasiConfiguration().WithArg(program).WithStandardOutput(stdout).WithStandardError(stderr);
        if (arg != null) wasi.WithArg(arg);
        using var store = new Store(engine) { Wasi = wasi };
        var start = new Linker(engine).DefineWasi().Instantiate(store, module).GetAction("_start");
        var sw = Stopwatch.StartNew();
        int code = 0;
        try
        {
            start();
        }
        catch (WasiExitException e)
        {
            code = e.ExitCode;
        }
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), sw.Elapsed);
    }
}
