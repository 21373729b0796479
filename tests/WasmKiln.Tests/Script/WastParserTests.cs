using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Script;
using WasmKiln.Text;
using Xunit;

namespace WasmKiln.Tests.Script;

public class WastParserTests
{
    private const string Empty = "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")";

    [Fact]
    public void EveryDirectiveIsParsedWithItsLine()
    {
        var script = WastParser.Parse(
            Empty + "\n" +
            "(module definition $D binary \"\\00asm\\01\\00\\00\\00\")\n" +
            "(module instance $I $D)\n" +
            "(register \"m\" $I)\n" +
            "(invoke $I \"f\" (i32.const 1))\n" +
            "(get \"g\")\n" +
            "(assert_return (invoke \"f\") (i32.const 2))\n" +
            "(assert_trap (invoke \"f\") \"unreachable\")\n" +
            "(assert_trap " + Empty + " \"oob\")\n" +
            "(assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n" +
            "(assert_exception (invoke \"f\"))\n" +
            "(assert_malformed (module quote \"(func\") \"unexpected end\")\n" +
            "(assert_invalid " + Empty + " \"type mismatch\")\n" +
            "(assert_unlinkable " + Empty + " \"unknown import\")\n" +
            "(assert_uninstantiable " + Empty + " \"trap\")\n" +
            "(assert_malformed_custom (module quote \"\") \"x\")\n" +
            "(assert_invalid_custom (module quote \"\") \"y\")\n");
        var kinds = script.Commands.ConvertAll(c => c.KindName);
        Assert.Equal(
        [
            "module", "module", "module_instance", "register", "invoke", "get", "assert_return", "assert_trap",
            "assert_trap", "assert_exhaustion", "assert_exception", "assert_malformed", "assert_invalid",
            "assert_unlinkable", "assert_uninstantiable", "assert_malformed_custom", "assert_invalid_custom",
        ], kinds);
        for (int i = 0; i < script.Commands.Count; i++) Assert.Equal(i + 1, script.Commands[i].Line);

        var def = Assert.IsType<ModuleCommand>(script.Commands[1]);
        Assert.True(def.Form.IsDefinition);
        Assert.Equal("D", def.Form.Id);
        Assert.Equal(ModuleFormKind.Binary, def.Form.Kind);
        Assert.Equal(8, def.Form.Binary!.Length);
        var inst = Assert.IsType<ModuleInstanceCommand>(script.Commands[2]);
        Assert.Equal(("I", "D"), (inst.InstanceId, inst.DefinitionId));
        var reg = Assert.IsType<RegisterCommand>(script.Commands[3]);
        Assert.Equal(("m", "I"), (reg.Name, reg.ModuleId));
        var invoke = Assert.IsType<ActionCommand>(script.Commands[4]);
        Assert.Equal("I", invoke.Action.ModuleId);
        Assert.Equal(1, Assert.Single(invoke.Action.Args).AsI32);
        Assert.True(Assert.IsType<ActionCommand>(script.Commands[5]).Action.IsGet);
        Assert.IsType<ModuleAssertCommand>(script.Commands[8]);
        var trap = Assert.IsType<ActionCommand>(script.Commands[7]);
        Assert.Equal("unreachable", trap.Message);
        var malformed = Assert.IsType<ModuleAssertCommand>(script.Commands[11]);
        Assert.Equal(ModuleFormKind.Quote, malformed.Module.Kind);
        Assert.Equal("unexpected end", malformed.Message);
    }

    [Fact]
    public void ArgumentsUseTextNumberSyntax()
    {
        var action = Action("(invoke \"f\" (i32.const -1) (i64.const 0x8000_0000_0000_0000) (f32.const -0x1p-1) (f64.const nan:0x4)"
            + " (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1) (v128.const f64x2 1 -inf)"
            + " (ref.null func) (ref.null) (ref.extern 7) (ref.host 3))");
        var a = action.Args;
        Assert.Equal(10, a.Length);
        Assert.Equal((ValKind.I32, 0xFFFF_FFFFUL), (a[0].Kind, a[0].Lo));
        Assert.Equal(long.MinValue, a[1].AsI64);
        Assert.Equal((ValKind.F32, 0xBF00_0000UL), (a[2].Kind, a[2].Lo));
        Assert.Equal((ValKind.F64, 0x7FF0_0000_0000_0004UL), (a[3].Kind, a[3].Lo));
        Assert.Equal(0x0807_0605_0403_0201UL, a[4].Lo);
        Assert.Equal(0xFF0F_0E0D_0C0B_0A09UL, a[4].Hi);
        Assert.Equal(0x3FF0_0000_0000_0000UL, a[5].Lo);
        Assert.Equal(0xFFF0_0000_0000_0000UL, a[5].Hi);
        Assert.True(a[6].IsNull);
        Assert.Equal(HeapType.Func, a[6].Type.Heap);
        Assert.True(a[7].IsNull);
        Assert.Equal((RefClass.Extern, (uint?)7), (Classify(a[8], out var id8), id8));
        Assert.Equal((RefClass.Host, (uint?)3), (Classify(a[9], out var id9), id9));
    }

    [Fact]
    public void NanPatternsMatchOnlyTheirNans()
    {
        var canonical = Expected("(f32.const nan:canonical)");
        var arithmetic = Expected("(f64.const nan:arithmetic)");
        Assert.True(Matches(canonical, Value.F32Bits(0x7FC0_0000)));
        Assert.True(Matches(canonical, Value.F32Bits(0xFFC0_0000)));
        Assert.False(Matches(canonical, Value.F32Bits(0x7FC0_0001)));
        Assert.False(Matches(canonical, Value.F64Bits(0x7FF8_0000_0000_0000)));
        Assert.True(Matches(arithmetic, Value.F64Bits(0x7FF8_0000_0000_0001)));
        Assert.True(Matches(arithmetic, Value.F64Bits(0xFFF8_0000_0000_0000)));
        Assert.False(Matches(arithmetic, Value.F64Bits(0x7FF0_0000_0000_0001)));
        Assert.False(Matches(arithmetic, Value.F64Bits(0x3FF0_0000_0000_0000)));
    }

    [Fact]
    public void FloatsCompareBitForBit()
    {
        var zero = Expected("(f32.const 0)");
        Assert.True(Matches(zero, Value.F32Bits(0)));
        Assert.False(Matches(zero, Value.F32Bits(0x8000_0000)));
        var nan = Expected("(f64.const -nan:0x1)");
        Assert.True(Matches(nan, Value.F64Bits(0xFFF0_0000_0000_0001)));
        Assert.False(Matches(nan, Value.F64Bits(0x7FF0_0000_0000_0001)));
        Assert.False(Matches(Expected("(i32.const 1)"), Value.I64(1)));
    }

    [Fact]
    public void VectorLanesMayBeNanPatterns()
    {
        var e = Expected("(v128.const f32x4 1 nan:canonical nan:arithmetic -0)");
        Assert.Equal(ExpectedKind.V128Lanes, e.Kind);
        ulong lo = 0x3F80_0000UL | (0xFFC0_0000UL << 32);
        Assert.True(Matches(e, V128(lo, 0x7FC0_0001UL | (0x8000_0000UL << 32))));
        Assert.False(Matches(e, V128(lo, 0x7F80_0001UL | (0x8000_0000UL << 32))));
        Assert.False(Matches(e, V128(lo, 0x7FC0_0001UL)));
        var exact = Expected("(v128.const i16x8 1 2 3 4 5 6 7 -1)");
        Assert.Equal(ExpectedKind.Exact, exact.Kind);
        Assert.True(Matches(exact, V128(0x0004_0003_0002_0001, 0xFFFF_0007_0006_0005)));
    }

    [Fact]
    public void EitherMatchesAnyAlternative()
    {
        var e = Expected("(either (i32.const 1) (i32.const 2))");
        Assert.True(Matches(e, Value.I32(1)));
        Assert.True(Matches(e, Value.I32(2)));
        Assert.False(Matches(e, Value.I32(3)));
    }

    [Fact]
    public void ReferenceResults()
    {
        var s = Value.Reference(ValType.StructRef, new object());
        var f = Value.FuncRef(new object());
        Assert.True(Matches(Expected("(ref.null func)"), Value.Null(HeapType.Func)));
        Assert.True(Matches(Expected("(ref.null)"), Value.Null(HeapType.Any)));
        Assert.False(Matches(Expected("(ref.null)"), f));
        Assert.True(Matches(Expected("(ref.func)"), f));
        Assert.False(Matches(Expected("(ref.func)"), s));
        Assert.True(Matches(Expected("(ref.struct)"), s));
        Assert.True(Matches(Expected("(ref.eq)"), s));
        Assert.True(Matches(Expected("(ref.any)"), ScriptValues.Host(1)));
        Assert.False(Matches(Expected("(ref.eq)"), ScriptValues.Host(1)));
        Assert.True(Matches(Expected("(ref.i31)"), Value.Reference(ValType.I31Ref, new object())));
        Assert.True(Matches(Expected("(ref.array)"), Value.Reference(ValType.ArrayRef, new object())));
        Assert.True(Matches(Expected("(ref.exn)"), Value.Reference(ValType.ExnRef, new object())));
        Assert.True(Matches(Expected("(ref.extern 3)"), ScriptValues.Extern(3)));
        Assert.False(Matches(Expected("(ref.extern 3)"), ScriptValues.Extern(4)));
        Assert.True(Matches(Expected("(ref.extern)"), ScriptValues.Extern(4)));
        Assert.False(Matches(Expected("(ref.extern)"), Value.Null(HeapType.Extern)));
        Assert.True(Matches(Expected("(ref.host 2)"), ScriptValues.Host(2)));
        Assert.False(Matches(Expected("(ref.host 2)"), ScriptValues.Extern(2)));
    }

    [Fact]
    public void ModuleFieldsAloneAreOneImplicitModule()
    {
        var script = WastParser.Parse(";; fields\n(func) (memory 0)\n(func (export \"f\"))\n");
        var module = Assert.IsType<ModuleCommand>(Assert.Single(script.Commands));
        Assert.Equal(ModuleFormKind.Text, module.Form.Kind);
        Assert.Equal(2, module.Line);
    }

    [Fact]
    public void AnnotationsBetweenCommandsAreIgnored()
    {
        var script = WastParser.Parse("(@a x) " + Empty + " (@b (c))");
        Assert.IsType<ModuleCommand>(Assert.Single(script.Commands));
    }

    [Theory]
    [InlineData("(module)\n  (frobnicate)", 2, 3)]
    [InlineData("(assert_return (invoke \"f\" (i32.const 0x1_0000_0000)))", 1, 39)]
    [InlineData("(assert_return (invoke \"f\") (i32.const))", 1, 39)]
    [InlineData("(assert_return (invoke \"f\") (v128.const i32x4 1 2 3))", 1, 29)]
    [InlineData("(assert_return (invoke \"f\") (f32.const nan:canonical 1))", 1, 54)]
    [InlineData("(invoke \"f\" (i32.const nan:canonical))", 1, 24)]
    [InlineData("(register $m)", 1, 1)]
    [InlineData("(assert_trap (invoke \"f\"))", 1, 1)]
    [InlineData("(module", 1, 1)]
    [InlineData("\"text\"", 1, 1)]
    public void ErrorsCarryLineAndColumn(string text, int line, int column)
    {
        var e = Assert.Throws<TextParseException>(() => WastParser.Parse(text));
        Assert.Equal((line, column), (e.Line, e.Column));
    }

    private static readonly NoEngine Classifier = new();

    private static RefClass Classify(Value v, out uint? id) => Classifier.Classify(v, out id);

    private static Value V128(ulong lo, ulong hi) => Value.V128(new WasmKiln.Instructions.V128(lo, hi));

    private static bool Matches(ExpectedResult e, Value v) => e.Matches(v, Classifier);

    private static ScriptAction Action(string text) =>
        WastParser.ParseAction((SList)SExprParser.Parse(text)[0]);

    private static ExpectedResult Expected(string text) =>
        WastParser.ParseExpected((SList)SExprParser.Parse(text)[0]);
}
