using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using WasmKiln.Cli;
using Xunit;
using static WasmKiln.Tests.Cli.CliHarness;

namespace WasmKiln.Tests.Cli;

/// <summary>End-to-end tests of the command line, run in-process through its entry point with captured output.</summary>
public sealed class CliTests : IDisposable
{
    private static readonly byte[] EmptyModule = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    /// <summary>Type [] -> [i32], one function returning 7, exported as "seven".</summary>
    private static readonly byte[] SevenModule =
    [
        0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,
        0x03, 0x02, 0x01, 0x00,
        0x07, 0x09, 0x01, 0x05, (byte)'s', (byte)'e', (byte)'v', (byte)'e', (byte)'n', 0x00, 0x00,
        0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x07, 0x0B,
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("wasmkiln-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Data(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "WasmKiln.Tests", "Cli", "data", name);

    private string Temp(string name) => Path.Combine(_dir, name);

    private string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(Temp(name), bytes);
        return Temp(name);
    }

    private string WriteText(string name, string text)
    {
        File.WriteAllText(Temp(name), text);
        return Temp(name);
    }


    [Fact]
    public void ValidateAcceptsAGoodBinaryAndPrintsNothing()
    {
        var (code, stdout, stderr) = Run("validate", Write("seven.wasm", SevenModule));
        Assert.Equal((0, "", ""), (code, stdout, stderr));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(30)]
    public void ValidateReportsATruncatedBinaryWithItsOffset(int length)
    {
        var file = Write("cut.wasm", SevenModule[..length]);
        var (code, stdout, stderr) = Run("validate", file);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(Lines(stderr));
        Assert.Matches("^error: " + Regex.Escape(file) + ":0x[0-9a-f]+: [a-z]", line);
    }

    [Fact]
    public void ValidateReportsACorruptBinaryWithItsOffset()
    {
        var bytes = (byte[])SevenModule.Clone();
        bytes[4] = 0x02; // version
        var file = Write("bad.wasm", bytes);
        var (code, _, stderr) = Run("validate", file);
        Assert.Equal(1, code);
        Assert.Equal($"error: {file}:0x4: unknown binary version", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void ValidateReportsAnInvalidBinary()
    {
        var bytes = (byte[])SevenModule.Clone();
        bytes[^3] = 0x42; // i64.const 7 where an i32 is expected
        var file = Write("invalid.wasm", bytes);
        var (code, _, stderr) = Run("validate", file);
        Assert.Equal(1, code);
        Assert.Matches("^error: " + Regex.Escape(file) + ":0x[0-9a-f]+: .*type mismatch", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void ValidateReportsBadTextWithLineAndColumn()
    {
        var file = WriteText("bad.wat", "(module\n  (func (result i32)\n    (i32.const 0x1_0000_0000)))\n");
        var (code, _, stderr) = Run("validate", file);
        Assert.Equal(1, code);
        Assert.Matches("^error: " + Regex.Escape(file) + ":3:\\d+: ", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void ValidateReportsInvalidText()
    {
        var file = WriteText("invalid.wat", "(module (func (result i32)))");
        var (code, _, stderr) = Run("validate", file);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {file}: type mismatch", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void ValidateNamesTheFunctionOfAnInvalidBody()
    {
        var file = WriteText("named.wat", "(module (func $ok) (func $add (result i32) (i64.const 1)))");
        var (code, _, stderr) = Run("validate", file);
        Assert.Equal(1, code);
        Assert.EndsWith("(in function 1 $add)", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void Wat2WasmWritesAValidBinaryBesideTheInput()
    {
        var wat = WriteText("add.wat", "(module (func $add (export \"add\") (param $a i32) (param $b i32) (result i32) (i32.add (local.get $a) (local.get $b))))");
        var (code, stdout, stderr) = Run("wat2wasm", wat);
        Assert.Equal((0, "", ""), (code, stdout, stderr));
        var wasm = Temp("add.wasm");
        Assert.True(File.Exists(wasm));
        Assert.Equal(0, Run("validate", wasm).Code);

        // -o and --debug-names: the names make the file longer and it still validates.
        var named = Temp("named.wasm");
        Assert.Equal(0, Run("wat2wasm", wat, "-o", named, "--debug-names").Code);
        Assert.True(new FileInfo(named).Length > new FileInfo(wasm).Length);
        Assert.Equal(0, Run("validate", named).Code);
        var (_, text, _) = Run("wasm2wat", named);
        Assert.Contains("$add", text);
    }

    [Fact]
    public void Wat2WasmRejectsAnInvalidModule()
    {
        var wat = WriteText("bad.wat", "(module (func (result i32)))");
        var (code, _, stderr) = Run("wat2wasm", wat);
        Assert.Equal(1, code);
        Assert.Contains("type mismatch", stderr);
        Assert.False(File.Exists(Temp("bad.wasm")));
    }

    [Fact]
    public void Wasm2WatPrintsFlatOrFoldedTextThatRoundTrips()
    {
        var wasm = Write("seven.wasm", SevenModule);
        var (code, flat, stderr) = Run("wasm2wat", wasm);
        Assert.Equal((0, ""), (code, stderr));
        Assert.StartsWith("(module", flat);
        Assert.Contains("i32.const 7", flat);

        var (code2, folded, _) = Run("wasm2wat", wasm, "--folded");
        Assert.Equal(0, code2);
        Assert.Contains("(i32.const 7)", folded);

        var wat = Temp("seven.wat");
        Assert.Equal(0, Run("wasm2wat", wasm, "--folded", "-o", wat).Code);
        Assert.Equal(folded, File.ReadAllText(wat));
        Assert.Equal(0, Run("wat2wasm", wat, "-o", Temp("again.wasm")).Code);
        Assert.Equal(SevenModule, File.ReadAllBytes(Temp("again.wasm")));
    }

    [Fact]
    public void WastPrintsOneLinePerFileAndATotal()
    {
        var (code, stdout, stderr) = Run("wast", Data("loads.wast"));
        Assert.Equal("", stderr);
        Assert.Equal(["loads.wast: 6 passed, 0 failed", "6 passed, 0 failed"], Lines(stdout));
        Assert.Equal(0, code);
    }

    [Fact]
    public void TheReadmeSampleScriptPasses()
    {
        var (code, stdout, stderr) = Run("wast", Path.Combine(TestPaths.RepoRoot, "samples", "arith.wast"));
        Assert.Equal("", stderr);
        Assert.Equal(["arith.wast: 4 passed, 0 failed", "4 passed, 0 failed"], Lines(stdout));
        Assert.Equal(0, code);
    }

    [Fact]
    public void WastExecutesWithTheCompilerByDefault()
    {
        var (code, stdout, stderr) = Run("wast", Data("runs.wast"));
        Assert.Equal("", stderr);
        Assert.Equal(["runs.wast: 2 passed, 0 failed", "2 passed, 0 failed"], Lines(stdout));
        Assert.Equal(0, code);
    }

    [Fact]
    public void WastOnAFolderUsesRelativePathsAndFailsWithoutAnEngine()
    {
        var folder = Path.Combine(_dir, "suite");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.Copy(Data("loads.wast"), Path.Combine(folder, "sub", "loads.wast"));
        File.Copy(Data("runs.wast"), Path.Combine(folder, "runs.wast"));
        var report = Temp("report.json");
        var (code, stdout, _) = Run("wast", "--engine", "none", "--report", report, "--verbose", folder);
        Assert.Equal(1, code);
        var lines = Lines(stdout);
        Assert.Equal("runs.wast: 1 passed, 1 failed", lines[0]);
        Assert.Equal("runs.wast:2: assert_return: no engine: assert_return needs to invoke \"one\"", lines[1]);
        Assert.Equal("sub/loads.wast: 6 passed, 0 failed", lines[2]);
        Assert.Equal("7 passed, 1 failed", lines[^1]);

        using var doc = JsonDocument.Parse(File.ReadAllBytes(report));
        Assert.Equal("none", doc.RootElement.GetProperty("engine").GetString());
        Assert.Equal("runs.wast", doc.RootElement.GetProperty("files")[0].GetProperty("path").GetString());
        Assert.Equal(7, doc.RootElement.GetProperty("totals").GetProperty("passed").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("totals").GetProperty("byKind").GetProperty("assert_return").GetProperty("failed").GetInt32());
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("validate")]
    [InlineData("validate", "a.wasm", "b.wasm")]
    [InlineData("wast")]
    [InlineData("wasm2wat", "--no-such-option", "x.wasm")]
    public void BadArgumentsExitWith2(params string[] args)
    {
        var (code, _, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", stderr);
    }

    [Fact]
    public void AnUnknownEngineIsAUsageError()
    {
        var (code, _, stderr) = Run("wast", "--engine", "warp", Data("loads.wast"));
        Assert.Equal(2, code);
        Assert.Contains("unknown engine 'warp'", stderr);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("wat2wasm")]
    [InlineData("wasm2wat")]
    [InlineData("wast")]
    public void AMissingFileIsAnError(string command)
    {
        var file = Temp("missing.wasm");
        var (code, _, stderr) = Run(command, file);
        Assert.Equal(1, code);
        Assert.Equal($"error: {file}: no such file or directory", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void HelpAndVersion()
    {
        var (code, stdout, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (var c in new[] { "validate", "wat2wasm", "wasm2wat", "wast" }) Assert.Contains(c, stdout);
        var (vcode, version, _) = Run("--version");
        Assert.Equal(0, vcode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    [Fact]
    public void TheBuiltExecutableRunsAsAProcess()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "WasmKiln.Cli.dll");
        Assert.True(File.Exists(dll), dll);
        var file = Write("e.wasm", EmptyModule[..6]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("validate");
        psi.ArgumentList.Add(file);
        using var p = Process.Start(psi)!;
        string stderr = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(1, p.ExitCode);
        Assert.Matches("^error: " + Regex.Escape(file) + ":0x[0-9a-f]+: ", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
