using System.Diagnostics;
using System.Text.RegularExpressions;
using WasmKiln.Cli;
using Xunit;
using static WasmKiln.Tests.Cli.CliHarness;

namespace WasmKiln.Tests.Cli;

/// <summary>
/// <c>wasmkiln run</c> end to end, as a user runs it: in-process through the entry point with
/// captured output (guest output included), and as a real process.
/// </summary>
public sealed class CliRunTests : IDisposable
{
    /// <summary>
    /// A WASI command that prints its argv and environment one per line, copies <c>in.txt</c> of
    /// its first preopened directory to stdout (or prints <c>no in.txt</c> to stderr) and exits
    /// with 40 + argc.
    /// </summary>
    private const string EchoCommand = """
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          ;; 0: count, 4: buffer size, 16: iovec, 32: bytes done, 36: opened fd,
          ;; 64: "in.txt", 80: "\n", 96: "no in.txt\n", 1024: pointers, 4096: strings, 8192: file data
          (data (i32.const 64) "in.txt")
          (data (i32.const 80) "\n")
          (data (i32.const 96) "no in.txt\n")
          (func $write (param $fd i32) (param $ptr i32) (param $len i32)
            (i32.store (i32.const 16) (local.get $ptr))
            (i32.store (i32.const 20) (local.get $len))
            (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 32))))
          (func $strlen (param $p i32) (result i32) (local $n i32)
            (block $done (loop $next
              (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $next)))
            (local.get $n))
          (func $print_list (local $i i32) (local $s i32)
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 0))))
              (local.set $s (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
              (call $write (i32.const 1) (local.get $s) (call $strlen (local.get $s)))
              (call $write (i32.const 1) (i32.const 80) (i32.const 1))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next))))
          (func (export "_start") (local $argc i32)
            (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
            (local.set $argc (i32.load (i32.const 0)))
            (drop (call $args_get (i32.const 1024) (i32.const 4096)))
            (call $print_list)
            (drop (call $environ_sizes_get (i32.const 0) (i32.const 4)))
            (drop (call $environ_get (i32.const 1024) (i32.const 4096)))
            (call $print_list)
            (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 6)
                           (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 36)))
              (then
                (i32.store (i32.const 16) (i32.const 8192))
                (i32.store (i32.const 20) (i32.const 1024))
                (drop (call $fd_read (i32.load (i32.const 36)) (i32.const 16) (i32.const 1) (i32.const 32)))
                (call $write (i32.const 1) (i32.const 8192) (i32.load (i32.const 32))))
              (else (call $write (i32.const 2) (i32.const 96) (i32.const 10))))
            (call $proc_exit (i32.add (i32.const 40) (local.get $argc)))))
        """;

    /// <summary>Exports of every number type and a trapping call chain with names.</summary>
    private const string Numbers = """
        (module
          (func (export "i32") (param i32) (result i32) (local.get 0))
          (func (export "i64") (param i64) (result i64) (local.get 0))
          (func (export "f32") (param f32) (result f32) (local.get 0))
          (func (export "f64") (param f64) (result f64) (local.get 0))
          (func (export "mixed") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
            (local.get 3) (local.get 2) (local.get 1) (local.get 0))
          (func (export "nothing"))
          (func $divide (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func $outer (export "outer") (param i32) (result i32) (call $divide (i32.const 1) (local.get 0)))
          (func (export "spin") (loop $forever (br $forever)))
          (func (export "_start") (loop $forever (br $forever))))
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("wasmkiln-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteText(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }


    private static string? Seed(string name) =>
        TestPaths.Shared is { } shared && File.Exists(Path.Combine(shared, "seed-example", name)) ? Path.Combine(shared, "seed-example", name) : null;

    [SkippableFact]
    public void SumScenarioPrintsTheGuestLineThenTheResult()
    {
        var sum = Seed("sum.wasm");
        Skip.If(sum == null, "../shared/seed-example/sum.wasm is absent");
        var (code, stdout, stderr) = Run("run", "--invoke", "sum", sum!, "5", "4");
        Assert.Equal("", stderr);
        Assert.Equal("From WASM: Sum is: 9\n9\n", stdout);
        Assert.Equal(0, code);
    }

    [Fact]
    public void WasiCommandGetsArgsEnvAndDirAndItsExitCode()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        File.WriteAllText(Path.Combine(data, "in.txt"), "file contents\n");
        var wat = WriteText("echo.wat", EchoCommand);
        var (code, stdout, stderr) = Run("run", "--env", "GREETING=hi there", "--env=EMPTY=", "--dir", data + "::/data",
            wat, "one", "--two", "3");
        Assert.Equal("", stderr);
        Assert.Equal(["echo.wat", "one", "--two", "3", "GREETING=hi there", "EMPTY=", "file contents"], Lines(stdout));
        Assert.Equal(44, code);
    }

    [Fact]
    public void WasiCommandWithoutDirSeesNoFile()
    {
        var wat = WriteText("echo.wat", EchoCommand);
        var (code, stdout, stderr) = Run("run", "--", wat);
        Assert.Equal(["echo.wat"], Lines(stdout));
        Assert.Equal("no in.txt\n", stderr);
        Assert.Equal(41, code);
    }

    [Fact]
    public void AModuleFileWithoutTheRunCommandIsRun()
    {
        var wat = WriteText("echo.wat", EchoCommand);
        var (code, stdout, _) = Run(wat, "--flag");
        Assert.Equal(["echo.wat", "--flag"], Lines(stdout));
        Assert.Equal(42, code);
    }

    [Theory]
    [InlineData("i32", "-7", "-7")]
    [InlineData("i32", "0xffffffff", "-1")]
    [InlineData("i64", "9223372036854775807", "9223372036854775807")]
    [InlineData("i64", "-0x10", "-16")]
    [InlineData("f32", "1.25", "1.25")]
    [InlineData("f32", "-inf", "-inf")]
    [InlineData("f64", "nan", "NaN")]
    [InlineData("f64", "1e21", "1000000000000000000000")]
    [InlineData("f64", "0x1.8p1", "3")]
    public void InvokeParsesAndPrintsEveryNumberType(string export, string arg, string printed)
    {
        var wat = WriteText("numbers.wat", Numbers);
        var (code, stdout, stderr) = Run("run", "--invoke", export, wat, arg);
        Assert.Equal("", stderr);
        Assert.Equal(printed + "\n", stdout);
        Assert.Equal(0, code);
    }

    [Fact]
    public void InvokePrintsMultipleResultsOnePerLine()
    {
        var wat = WriteText("numbers.wat", Numbers);
        var (code, stdout, _) = Run("run", "--invoke", "mixed", wat, "1", "-2", "0.5", "inf");
        Assert.Equal(0, code);
        Assert.Equal(["inf", "0.5", "-2", "1"], Lines(stdout));
        var (code2, stdout2, stderr2) = Run("run", "--invoke", "nothing", wat);
        Assert.Equal((0, "", ""), (code2, stdout2, stderr2));
    }

    [Theory]
    [InlineData("is not an i32", "i32", "1.5")]
    [InlineData("is not an i64", "i64", "0x1_0000_0000_0000_0000")]
    [InlineData("is not an f32", "f32", "one")]
    [InlineData("expects 4 arguments (i32 i64 f32 f64), got 1", "mixed", "1")]
    [InlineData("expects 1 argument (i32), got 2", "i32", "1", "2")]
    [InlineData("no export `missing`", "missing")]
    public void BadInvokeArgumentsAreUsageErrors(string message, string export, params string[] args)
    {
        var wat = WriteText("numbers.wat", Numbers);
        var (code, stdout, stderr) = Run(["run", "--invoke", export, wat, .. args]);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
        Assert.StartsWith("error: ", stderr);
        Assert.Equal(2, code);
    }

    [Theory]
    [InlineData("--frob")]
    [InlineData("--fuel", "many", "x.wasm")]
    [InlineData("--engine", "warp", "x.wasm")]
    [InlineData]
    public void BadRunArgumentsExitWith2(params string[] args)
    {
        var (code, stdout, stderr) = Run(["run", .. args]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr);
    }

    [Fact]
    public void RunHelpDescribesTheOptionsAndExitCodes()
    {
        var (code, stdout, _) = Run("run", "--help");
        Assert.Equal(0, code);
        foreach (var s in new[] { "--dir", "--env", "--invoke", "--fuel", "--max-memory", "--timeout", "--engine", "134" })
            Assert.Contains(s, stdout);
        Assert.Contains("run", Run("--help").Out);
    }

    [Fact]
    public void ATrapPrintsItsMessageAndBacktraceAndExits134()
    {
        var wat = WriteText("numbers.wat", Numbers);
        var (code, stdout, stderr) = Run("run", "--invoke", "outer", wat, "0");
        Assert.Equal("", stdout);
        var lines = Lines(stderr);
        Assert.Equal("error: trap: integer divide by zero", lines[0]);
        Assert.Equal("wasm backtrace:", lines[1]);
        Assert.Matches(@"^\s+0: func\[6\] divide$", lines[2]);
        Assert.Matches(@"^\s+1: func\[7\] outer$", lines[3]);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal(RunCommand.ExitTrap, code);
    }

    [Fact]
    public void FuelStopsAnEndlessLoop()
    {
        var wat = WriteText("numbers.wat", Numbers);
        var (code, _, stderr) = Run("run", "--fuel", "1000000", wat);
        Assert.Matches("^error: trap: .*fuel", Lines(stderr)[0]);
        Assert.Equal(RunCommand.ExitTrap, code);
        var (code2, _, stderr2) = Run("run", "-W", "fuel=1000", "--invoke", "spin", wat);
        Assert.Contains("fuel", stderr2);
        Assert.Equal(RunCommand.ExitTrap, code2);
        // Enough fuel: a terminating call finishes normally.
        var (code3, stdout3, _) = Run("run", "--fuel", "100", "--invoke", "divide", wat, "7", "2");
        Assert.Equal((0, "3\n"), (code3, stdout3));
    }

    [Fact]
    public void TimeoutInterruptsAnEndlessLoop()
    {
        var wat = WriteText("numbers.wat", Numbers);
        var watch = Stopwatch.StartNew();
        var (code, _, stderr) = Run("run", "--timeout", "200ms", "--invoke", "spin", wat);
        Assert.Matches("^error: trap: interrupted", Lines(stderr)[0]);
        Assert.Equal(RunCommand.ExitTrap, code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), watch.Elapsed.ToString());
    }

    [Fact]
    public void MaxMemoryLimitsGrowthAndInitialSize()
    {
        var grow = WriteText("grow.wat", """(module (memory 1) (func (export "grow") (result i32) (memory.grow (i32.const 1))))""");
        Assert.Equal((0, "1\n"), Pick(Run("run", "--invoke", "grow", grow)));
        Assert.Equal((0, "-1\n"), Pick(Run("run", "--max-memory", "64K", "--invoke", "grow", grow)));
        Assert.Equal((0, "1\n"), Pick(Run("run", "--max-memory", "128K", "--invoke", "grow", grow)));

        var big = WriteText("big.wat", "(module (memory 2))");
        var (code, _, stderr) = Run("run", "--max-memory", "65536", big);
        Assert.StartsWith($"error: {big}: ", stderr);
        Assert.Contains("limit", stderr);
        Assert.Equal(1, code);
    }

    [Fact]
    public void TheCompilerEngineCanBeChosen()
    {
        var wat = WriteText("numbers.wat", Numbers);
        Assert.Equal((0, "3\n"), Pick(Run("run", "--engine", "compiler", "--invoke", "divide", wat, "7", "2")));
    }

    [Fact]
    public void TheInterpreterEngineRunsTheSameCommandsAndTraps()
    {
        var echo = WriteText("echo.wat", EchoCommand);
        var (code, stdout, _) = Run("run", "--engine", "interpreter", "--env", "A=B", echo, "x");
        Assert.Equal((42, "echo.wat\nx\nA=B\n"), (code, stdout));
        var numbers = WriteText("numbers.wat", Numbers);
        Assert.Equal((0, "-2\n"), Pick(Run("run", "--engine", "interpreter", "--invoke", "i64", numbers, "-2")));
        var (tcode, _, terr) = Run("run", "--engine", "interpreter", "--invoke", "outer", numbers, "0");
        Assert.StartsWith("error: trap: integer divide by zero\n", terr);
        Assert.Equal(RunCommand.ExitTrap, tcode);
        var (fcode, _, ferr) = Run("run", "--engine", "interpreter", "--fuel", "10000", "--invoke", "spin", numbers);
        Assert.StartsWith("error: trap: all fuel consumed", ferr);
        Assert.Equal(RunCommand.ExitTrap, fcode);
    }

    private static (int, string) Pick((int Code, string Out, string Err) r) => (r.Code, r.Out);

    [Fact]
    public void AMissingFileIsAnError()
    {
        var file = Path.Combine(_dir, "missing.wasm");
        var (code, _, stderr) = Run("run", file);
        Assert.Equal($"error: {file}: no such file or directory\n", stderr);
        Assert.Equal(1, code);
    }

    [Fact]
    public void AnInvalidBinaryReportsItsOffset()
    {
        var file = Path.Combine(_dir, "bad.wasm");
        File.WriteAllBytes(file, [0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00]);
        var (code, _, stderr) = Run("run", file);
        Assert.Equal($"error: {file}:0x4: unknown binary version\n", stderr);
        Assert.Equal(1, code);
    }

    [Fact]
    public void AnUnknownImportIsALinkErrorNamingIt()
    {
        var wat = WriteText("needs.wat", """(module (import "env" "callback" (func (param i32))) (func (export "_start")))""");
        var (code, _, stderr) = Run("run", wat);
        Assert.Matches("^error: " + Regex.Escape(wat) + ": .*env.*callback", stderr);
        Assert.Single(Lines(stderr));
        Assert.Equal(1, code);
    }

    [Fact]
    public void AnUnknownWasiFunctionIsALinkErrorNamingIt()
    {
        var wat = WriteText("needs.wat", """(module (import "wasi_snapshot_preview1" "no_such_call" (func)) (func (export "_start")))""");
        var (code, _, stderr) = Run("run", wat);
        Assert.Contains("no_such_call", stderr);
        Assert.Equal(1, code);
    }

    /// <summary>The built executable as a process: guest output and results on stdout in order, the exit code of proc_exit.</summary>
    [Fact]
    public void RunsAsARealProcess()
    {
        var wat = WriteText("echo.wat", EchoCommand);
        var (code, stdout, stderr) = Process("run", "--env", "A=B", wat, "x");
        Assert.Equal(["echo.wat", "x", "A=B"], Lines(stdout));
        Assert.Equal("no in.txt\n", stderr);
        Assert.Equal(42, code);

        var numbers = WriteText("numbers.wat", Numbers);
        var (tcode, tout, terr) = Process("run", "--invoke", "outer", numbers, "0");
        Assert.Equal("", tout);
        Assert.StartsWith("error: trap: integer divide by zero\n", terr);
        Assert.DoesNotContain("   at ", terr);
        Assert.Equal(RunCommand.ExitTrap, tcode);
    }

    [SkippableFact]
    public void SumScenarioAsARealProcess()
    {
        var sum = Seed("sum.wasm");
        Skip.If(sum == null, "../shared/seed-example/sum.wasm is absent");
        var (code, stdout, stderr) = Process("run", "--invoke", "sum", sum!, "5", "4");
        Assert.Equal(("From WASM: Sum is: 9\n9\n", "", 0), (stdout, stderr, code));
    }

    internal static (int Code, string Out, string Err) Process(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "WasmKiln.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = stderrTask.Result;
        p.WaitForExit();
        return (p.ExitCode, stdout.Replace("\r\n", "\n"), stderr.Replace("\r\n", "\n"));
    }
}
