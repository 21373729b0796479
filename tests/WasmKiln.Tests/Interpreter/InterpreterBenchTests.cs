using System.Diagnostics;
using WasmKiln.Binary;
using WasmKiln.Runtime;
using WasmKiln.Tests.Bench;
using WasmKiln.Validation;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.Interpreter;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

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
        var vm = Validator.Validate(ModuleDecoder.Decode(File.ReadAllBytes(path)));

        var (code, stdout, stderr, interpreted) = Run(vm, program, arg, interpreter: true);
        Assert.True(code == 0, "exit code " + code + ", stderr: " + stderr);
        Assert.Equal(expected, stdout);
        var (_, _, _, compiled) = Run(vm, program, arg, interpreter: false);
        output.WriteLine($"{program} {arg}: interpreter {interpreted.TotalMilliseconds:F0} ms, compiler {compiled.TotalMilliseconds:F0} ms");
    }

    private static (int Code, string Stdout, string Stderr, TimeSpan Time) Run(ValidatedModule vm, string program, string? arg, bool interpreter)
    {
        var wasi = arg == null ? new MiniWasi(program) : new MiniWasi(program, arg);
        var inst = wasi.Instantiate(vm, interpreter ? new Store { Tier = WasmKiln.Engines.Interpreter.InterpreterTier.Shared } : new Store());
        var start = (FunctionInstance)inst.Exports["_start"].Value;
        var sw = Stopwatch.StartNew();
        int code = 0;
        try
        {
            start.Invoke([]);
        }
        catch (Bench.WasiExitException e)
        {
            code = e.Code;
        }
        return (code, wasi.Stdout.ToString(), wasi.Stderr.ToString(), sw.Elapsed);
    }
}
