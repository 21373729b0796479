using System.Text.Json;
using WasmKiln.Script;
using Xunit;

namespace WasmKiln.Tests.Script;

public class SpecRunnerTests
{
    private const string Module = """
        (module $M
          (import "spectest" "print_i32" (func (param i32)))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "id") (param f32) (result f32) (local.get 0))
          (func (export "unreachable") unreachable)
          (func $deep (export "deep") (call $deep))
          (func (export "throw"))
          (func (export "nan") (result f32) (f32.const nan))
          (global (export "g") i32 (i32.const 42)))
        """;

    /// <summary>A function of type [] -> [i32] whose body is empty: invalid ("type mismatch").</summary>
    private const string InvalidBinary = "(module binary \"\\00asm\\01\\00\\00\\00\" \"\\01\\05\\01\\60\\00\\01\\7f\" \"\\03\\02\\01\\00\" \"\\0a\\04\\01\\02\\00\\0b\")";

    private static FileResult RunNone(string text) => new SpecRunner("none").RunText(text, "t.wast");

    private static FileResult RunFake(string text) => new SpecRunner("fake", () => new FakeEngine()).RunText(text, "t.wast");

    private static CommandFailure OnlyFailure(FileResult r) => Assert.Single(r.Failures);

    [Fact]
    public void WithoutEngineModulesPassAndExecutionFailsWithNoEngine()
    {
        var r = RunNone(Module + """

            (module definition $D (func))
            (register "m" $M)
            (invoke "add" (i32.const 1) (i32.const 2))
            (get "g")
            (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
            (assert_trap (invoke "unreachable") "unreachable")
            (assert_exhaustion (invoke "deep") "call stack exhausted")
            (assert_exception (invoke "throw"))
            (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
            (assert_trap (module (func $f unreachable) (start $f)) "unreachable")
            (assert_uninstantiable (module (func $f unreachable) (start $f)) "unreachable")
            (module instance $I $D)
            """);
        Assert.Equal(2, r.Passed);
        Assert.Equal(11, r.Failed);
        Assert.Equal(2, r.ByKind["module"].Passed);
        foreach (var f in r.Failures)
            Assert.StartsWith("no engine: ", f.Message);
        Assert.Equal(new[] { 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 }, r.Failures.ConvertAll(f => f.Line));
        Assert.Equal("assert_return", r.Failures[3].Kind);
    }

    [Fact]
    public void MalformedAndInvalidModulesPassWithTheExpectedMessage()
    {
        var r = RunNone("""
            (assert_malformed (module binary "\00asm") "unexpected end")
            (assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
            (assert_malformed (module quote "(func (i32.const 0x1_0000_0000))") "constant out of range")
            (assert_malformed (module quote "(func") "unclosed")
            """ + "\n(assert_invalid " + InvalidBinary + " \"type mismatch\")\n"
                + "(assert_invalid (module (func (result i32))) \"type mismatch\")\n");
        Assert.Empty(r.Failures);
        Assert.Equal(6, r.Passed);
        Assert.Equal(4, r.ByKind["assert_malformed"].Passed);
        Assert.Equal(2, r.ByKind["assert_invalid"].Passed);
    }

    [Fact]
    public void AModuleFailingTheWrongWayReportsBothMessages()
    {
        var wrongKind = OnlyFailure(RunNone("(assert_malformed " + InvalidBinary + " \"unexpected end\")"));
        Assert.Contains("expected malformed \"unexpected end\"", wrongKind.Message);
        Assert.Contains("invalid", wrongKind.Message);
        Assert.Contains("type mismatch", wrongKind.Message);

        var invalidButMalformed = OnlyFailure(RunNone("(assert_invalid (module binary \"\\00asm\") \"type mismatch\")"));
        Assert.Contains("expected invalid \"type mismatch\"", invalidButMalformed.Message);
        Assert.Contains("malformed", invalidButMalformed.Message);

        var wrongMessage = OnlyFailure(RunNone("(assert_malformed (module binary \"\\00asm\") \"magic header not detected\")"));
        Assert.Contains("magic header not detected", wrongMessage.Message);
        Assert.Contains("malformed", wrongMessage.Message);

        var loads = OnlyFailure(RunNone("(assert_invalid (module (func)) \"type mismatch\")"));
        Assert.Contains("validated", loads.Message);
    }

    [Fact]
    public void CustomAssertionsPassOnAnyLoadErrorWithTheMessage()
    {
        var r = RunNone("""
            (assert_malformed_custom (module quote "(func") "unclosed")
            (assert_invalid_custom (module (func (result i32))) "type mismatch")
            (assert_invalid_custom (module quote "(func") "unclosed")
            (assert_malformed_custom (module (func)) "anything")
            (assert_invalid_custom (module (func (result i32))) "unknown type")
            """);
        Assert.Equal(3, r.Passed);
        Assert.Equal(new[] { 4, 5 }, r.Failures.ConvertAll(f => f.Line));
        Assert.Contains("loaded", r.Failures[0].Message);
        Assert.Contains("type mismatch", r.Failures[1].Message);
    }

    [Fact]
    public void ATextModuleInAssertMalformedMustFailWhileParsing()
    {
        // The module parses, so a later failure (here: validation) does not make it malformed.
        var f = OnlyFailure(RunNone("(assert_malformed (module (func (result i32))) \"type mismatch\")"));
        Assert.Contains("expected malformed", f.Message);
    }

    [Fact]
    public void ModulesThatDoNotLoadFailAndLaterCommandsDoNotUseAnOlderModule()
    {
        var r = RunFake(Module + "\n(module (func (result i32)))\n(assert_return (invoke \"add\" (i32.const 1) (i32.const 2)) (i32.const 3))\n");
        Assert.Equal(1, r.Passed);
        Assert.Equal(2, r.Failed);
        Assert.Contains("failed to load", r.Failures[0].Message);
        Assert.Contains("type mismatch", r.Failures[0].Message);
        Assert.Contains("line 10", r.Failures[1].Message);
    }

    [Fact]
    public void AnEngineThatThrowsWhileInstantiatingLeavesNoCurrentInstance()
    {
        var r = RunFake(Module + "\n(module (memory 1))\n(invoke \"add\" (i32.const 1) (i32.const 2))\n");
        Assert.Equal(1, r.Passed);
        Assert.Equal(new[] { 10, 11 }, r.Failures.ConvertAll(f => f.Line));
        Assert.Contains("not supported by the fake engine", r.Failures[0].Message);
        Assert.Contains("the module at line 10 failed to instantiate", r.Failures[1].Message);
    }

    [Fact]
    public void AssertionsWithAnEngine()
    {
        var r = RunFake(Module + """

            (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
            (assert_return (invoke $M "add" (i32.const 1) (i32.const 2)) (i32.const 4))
            (assert_return (invoke "id" (f32.const -0)) (f32.const -0))
            (assert_return (invoke "id" (f32.const -0)) (f32.const 0))
            (assert_return (invoke "nan") (f32.const nan:canonical))
            (assert_return (invoke "nan") (either (f32.const 1) (f32.const nan:arithmetic)))
            (assert_return (get "g") (i32.const 42))
            (assert_trap (invoke "unreachable") "unreachable")
            (assert_trap (invoke "unreachable") "integer overflow")
            (assert_trap (invoke "add") "unreachable")
            (assert_exhaustion (invoke "deep") "call stack exhausted")
            (assert_exception (invoke "throw"))
            (assert_exception (invoke "add"))
            (invoke "unreachable")
            """);
        var failedLines = r.Failures.ConvertAll(f => f.Line);
        Assert.Equal(new[] { 11, 13, 18, 19, 22, 23 }, failedLines);
        Assert.Equal(9, r.Passed);
        Assert.Contains("expected (i32.const 4), got i32.const 3", r.Failures[0].Message);
        Assert.Contains("expected trap \"integer overflow\", got trap \"unreachable executed\"", r.Failures[2].Message);
        Assert.Contains("got a normal return", r.Failures[3].Message);
    }

    [Fact]
    public void RegisteredInstancesAndSpectestResolveImports()
    {
        var r = RunFake(Module + """

            (register "M" $M)
            (module $N (import "M" "add" (func (param i32 i32) (result i32))) (import "spectest" "global_i32" (global i32)))
            (assert_unlinkable (module (import "M" "nothing" (func))) "unknown import")
            (assert_unlinkable (module (import "M" "add" (func))) "unknown import")
            (assert_unlinkable (module (import "N" "add" (func))) "unknown import")
            (assert_trap (module (func $f unreachable) (start $f)) "unreachable")
            (module definition $D (func (export "add") (param i32) (result i32) (local.get 0)))
            (module instance $I $D)
            (assert_return (invoke $I "add" (i32.const 5)) (i32.const 5))
            (register "I" $I)
            (register "X" $Nope)
            """);
        var failedLines = r.Failures.ConvertAll(f => f.Line);
        // Line 13: the import exists (its type is not checked by the fake engine). Line 20: unknown module.
        Assert.Equal(new[] { 13, 20 }, failedLines);
        Assert.Equal(10, r.Passed);
    }

    [Fact]
    public void TheEngineIsDisposedWhenTheScriptEnds()
    {
        var engine = new FakeEngine();
        var r = new SpecRunner("fake", () => engine).RunText(Module + "\n(invoke \"add\" (i32.const 1) (i32.const 2))", "t.wast");
        Assert.Equal(2, r.Passed);
        Assert.Equal(["instantiate", "invoke add"], engine.Log);
        Assert.True(engine.Disposed);
    }

    [Fact]
    public void ScriptsThatDoNotParseFailAsAWhole()
    {
        var r = RunNone("(module)\n(assert_return (invoke \"f\") (i32.const x))");
        var f = OnlyFailure(r);
        Assert.Equal(("script", 2), (f.Kind, f.Line));
        Assert.StartsWith("2:", f.Message);
    }

    [Fact]
    public void ReportJsonHasFilesKindsFailuresAndTotals()
    {
        var a = RunNone("(module)\n(assert_return (invoke \"f\"))");
        var b = RunNone("(assert_malformed (module binary \"\\00asm\") \"unexpected end\")");
        var stream = new MemoryStream();
        SpecReport.WriteJson(stream, "none", [a, b]);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var root = doc.RootElement;
        Assert.Equal("none", root.GetProperty("engine").GetString());
        var files = root.GetProperty("files");
        Assert.Equal(2, files.GetArrayLength());
        var f0 = files[0];
        Assert.Equal("t.wast", f0.GetProperty("path").GetString());
        Assert.Equal(1, f0.GetProperty("passed").GetInt32());
        Assert.Equal(1, f0.GetProperty("failed").GetInt32());
        Assert.Equal(1, f0.GetProperty("byKind").GetProperty("module").GetProperty("passed").GetInt32());
        Assert.Equal(1, f0.GetProperty("byKind").GetProperty("assert_return").GetProperty("failed").GetInt32());
        var failure = f0.GetProperty("failures")[0];
        Assert.Equal(2, failure.GetProperty("line").GetInt32());
        Assert.Equal("assert_return", failure.GetProperty("kind").GetString());
        Assert.StartsWith("no engine", failure.GetProperty("message").GetString());
        var totals = root.GetProperty("totals");
        Assert.Equal(2, totals.GetProperty("passed").GetInt32());
        Assert.Equal(1, totals.GetProperty("failed").GetInt32());
        Assert.Equal(1, totals.GetProperty("byKind").GetProperty("assert_malformed").GetProperty("passed").GetInt32());
        Assert.Equal("2 passed, 1 failed", SpecReport.TotalLine([a, b]));
        Assert.Equal("t.wast: 1 passed, 1 failed", SpecReport.FileLine(a));
    }

    [Fact]
    public void MessagesMatchByContainment()
    {
        Assert.True(ExpectedMessages.Matches("unexpected end", "unexpected end of section or function"));
        Assert.False(ExpectedMessages.Matches("type mismatch", "unknown type"));
    }

    [Fact]
    public void TheDefaultEngineIsKnownAndUnknownEnginesAreRejected()
    {
        Assert.Contains(ScriptEngines.DefaultName, ScriptEngines.Names);
        Assert.False(ScriptEngines.Create(NoEngine.EngineName).CanExecute);
        Assert.Throws<WasmException>(() => ScriptEngines.Create("warp-drive"));
    }
}
