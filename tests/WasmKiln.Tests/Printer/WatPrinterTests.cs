using WasmKiln.Binary;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Text;
using Xunit;

namespace WasmKiln.Tests.Printer;

public class WatPrinterTests
{
    /// <summary>A module with one function of type (params) -> (results) whose body (locals + code) is <paramref name="body"/>.</summary>
    private static ModuleInfo OneFunc(ValType[] ps, ValType[] rs, params byte[] body)
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func(ps, rs), true, []));
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(body, 0));
        return m;
    }

    private static Expr Const(params byte[] code) => new(code, 0);

    /// <summary>The function's lines, trimmed, without the module and func header lines.</summary>
    private static string[] BodyLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int start = Array.FindIndex(lines, l => l.TrimStart().StartsWith("(func", StringComparison.Ordinal));
        int end = start + 1;
        while (end < lines.Length && lines[end].StartsWith("    ", StringComparison.Ordinal)) end++;
        return lines[(start + 1)..end].Select(l => l.Trim()).ToArray();
    }

    [Fact]
    public void DeepNestingPrintsWithBoundedIndentationAndRoundTrips()
    {
        const int depth = 2_000;
        var body = new byte[1 + depth * 2 + depth + 1];
        int at = 0;
        body[at++] = 0x00; // no locals
        for (int i = 0; i < depth; i++) { body[at++] = 0x02; body[at++] = 0x40; } // block
        for (int i = 0; i <= depth; i++) body[at++] = 0x0B; // end of every block and of the body
        var m = OneFunc([], [], body);
        var bytes = ModuleEncoder.Encode(m);
        string text = WatPrinter.Print(ModuleDecoder.Decode(bytes));
        int widest = 0;
        foreach (var line in text.Split('\n')) widest = Math.Max(widest, line.Length - line.TrimStart().Length);
        Assert.True(widest <= (WatPrinter.MaxIndentDepth + 2) * 2, "indentation " + widest);
        Assert.Equal(bytes, ModuleEncoder.Encode(WatParser.ParseText(text)));
    }

    [Fact]
    public void FlatBodyIsIndentedByBlockDepth()
    {
        // block (result i32) local.get 0 i32.const 1 i32.add end
        var m = OneFunc([ValType.I32], [ValType.I32], 0x00, 0x02, 0x7F, 0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B, 0x0B);
        string text = WatPrinter.Print(m);
        Assert.Contains("(func (;0;) (type 0) (param i32) (result i32)\n    block (result i32)\n      local.get 0\n      i32.const 1\n      i32.add\n    end)\n", text, StringComparison.Ordinal);
        Assert.StartsWith("(module\n  (type (;0;) (func (param i32) (result i32)))\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FoldedBodyNestsOperands()
    {
        var m = OneFunc([ValType.I32], [ValType.I32], 0x00, 0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B);
        string text = WatPrinter.Print(m, folded: true);
        Assert.Equal(["(i32.add (local.get 0) (i32.const 1)))"], BodyLines(text));
    }

    [Fact]
    public void FoldedIfTakesConditionAndHasThenElse()
    {
        // local.get 0 if (result i32) i32.const 1 else i32.const 2 end
        var m = OneFunc([ValType.I32], [ValType.I32], 0x00, 0x20, 0x00, 0x04, 0x7F, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0B, 0x0B);
        string text = WatPrinter.Print(m, folded: true);
        Assert.Equal(["(if (result i32)", "(local.get 0)", "(then", "(i32.const 1))", "(else", "(i32.const 2))))"], BodyLines(text));
    }

    [Fact]
    public void FoldingStopsWhereTheStackIsNotClean()
    {
        // i32.const 1  i32.const 2  local.set 0  i32.const 3  i32.add  drop
        var m = OneFunc([ValType.I32], [], 0x00, 0x41, 0x01, 0x41, 0x02, 0x21, 0x00, 0x41, 0x03, 0x6A, 0x1A, 0x0B);
        string text = WatPrinter.Print(m, folded: true);
        Assert.Equal(["(i32.const 1)", "(local.set 0 (i32.const 2))", "(i32.const 3)", "(drop (i32.add)))"], BodyLines(text));
    }

    [Fact]
    public void CallsFoldUsingTheCalleeType()
    {
        // call 0 with (i32 i32) -> i32: local.get 0 local.get 1 call 0
        var m = OneFunc([ValType.I32, ValType.I32], [ValType.I32], 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00, 0x0B);
        Assert.Equal(["(call 0 (local.get 0) (local.get 1)))"], BodyLines(WatPrinter.Print(m, folded: true)));
    }

    [Fact]
    public void MemArgPrintsOnlyNonDefaults()
    {
        // i32.const 0 i32.load align=1 offset=8 drop ; i32.const 0 i64.load (natural) drop
        var m = OneFunc([], [], 0x00, 0x41, 0x00, 0x28, 0x00, 0x08, 0x1A, 0x41, 0x00, 0x29, 0x03, 0x00, 0x1A, 0x0B);
        m.Memories.Add(new MemoryType(new Limits(1, null)));
        var lines = BodyLines(WatPrinter.Print(m));
        Assert.Contains("i32.load offset=8 align=1", lines);
        Assert.Contains("i64.load", lines);
    }

    [Fact]
    public void LabelsUseNamesUnlessShadowed()
    {
        // block $a  block $a  br 1  br 0  end end
        var m = OneFunc([], [], 0x00, 0x02, 0x40, 0x02, 0x40, 0x0C, 0x01, 0x0C, 0x00, 0x0B, 0x0B, 0x0B);
        m.Names = new NameSection();
        m.Names.Labels[0] = new Dictionary<uint, string> { [0] = "a", [1] = "a" };
        var lines = BodyLines(WatPrinter.Print(m));
        Assert.Equal(["block $a", "block $a", "br 1", "br $a", "end", "end)"], lines);
    }

    [Fact]
    public void NamesBecomeIdsOnlyWhenUnique()
    {
        var m = OneFunc([ValType.I32], [], 0x01, 0x01, 0x7E, 0x20, 0x00, 0x1A, 0x20, 0x01, 0x1A, 0x0B);
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(new byte[] { 0x00, 0x10, 0x00, 0x0B }, 0));
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(new byte[] { 0x00, 0x0B }, 0));
        m.Names = new NameSection();
        m.Names.Functions[0] = "main";
        m.Names.Functions[1] = "has space";
        m.Names.Functions[2] = "main";
        m.Names.Locals[0] = new Dictionary<uint, string> { [0] = "x", [1] = "y" };
        string text = WatPrinter.Print(m);
        Assert.Contains("(func (;0;) (type 0) (param $x i32)\n    (local $y i64)\n    local.get $x\n    drop\n    local.get $y\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("$main", text, StringComparison.Ordinal);
        Assert.DoesNotContain("has space", text, StringComparison.Ordinal);
        Assert.Contains("(func $has_space (;1;)", text, StringComparison.Ordinal);

        m.Names.Functions.Remove(2);
        text = WatPrinter.Print(m);
        Assert.Contains("(func $main (;0;)", text, StringComparison.Ordinal);
        Assert.Contains("call $main", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x3F800000u, "1")]
    [InlineData(0x80000000u, "-0")]
    [InlineData(0x7F800000u, "inf")]
    [InlineData(0xFF800000u, "-inf")]
    [InlineData(0x7FC00000u, "nan")]
    [InlineData(0xFFC00000u, "-nan")]
    [InlineData(0x7F800001u, "nan:0x1")]
    [InlineData(0xFFA00000u, "-nan:0x200000")]
    public void F32SpecialForms(uint bits, string expected) => Assert.Equal(expected, WatLiterals.F32(bits));

    [Theory]
    [InlineData(0x7FF0000000000000UL, "inf")]
    [InlineData(0x7FF8000000000000UL, "nan")]
    [InlineData(0xFFF0000000000001UL, "-nan:0x1")]
    [InlineData(0x3FF8000000000000UL, "1.5")]
    public void F64SpecialForms(ulong bits, string expected) => Assert.Equal(expected, WatLiterals.F64(bits));

    [Fact]
    public void FloatLiteralsReparseToTheSameBits()
    {
        var rng = new Random(1234);
        uint[] f32Edge = [0, 1, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0x80000001, 0x3EAAAAAB, 0x4B800001];
        foreach (var b in f32Edge) CheckF32(b);
        ulong[] f64Edge = [0, 1, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF, 0x8000000000000001, 0x3FD5555555555555];
        foreach (var b in f64Edge) CheckF64(b);
        for (int i = 0; i < 20000; i++)
        {
            CheckF32((uint)rng.NextInt64(0, 1L << 32));
            CheckF64((ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63));
        }

        static void CheckF32(uint bits)
        {
            string s = WatLiterals.F32(bits);
            Assert.True(TextNumbers.TryParseF32(s, out var back), s);
            Assert.Equal(bits, back);
        }

        static void CheckF64(ulong bits)
        {
            string s = WatLiterals.F64(bits);
            Assert.True(TextNumbers.TryParseF64(s, out var back), s);
            Assert.Equal(bits, back);
        }
    }

    [Fact]
    public void HexFloatFormIsUsedWhenDecimalWouldNotReparse()
    {
        // Subnormal and normal values through the hex path directly: print, then parse.
        Assert.Equal("0x1p+0", HexOf(1.0f));
        Assert.True(TextNumbers.TryParseF32("0x0.000002p-126", out var tiny));
        Assert.Equal(1u, tiny);

        static string HexOf(float f)
        {
            var mi = typeof(WatLiterals).GetMethod("HexFloat", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
            uint bits = BitConverter.SingleToUInt32Bits(f);
            return (string)mi.Invoke(null, [(ulong)(bits & 0x7FFFFF), 23, (int)((bits >> 23) & 0xFF) - 127, true])!;
        }
    }

    [Fact]
    public void V128AndShuffleImmediates()
    {
        var code = new List<byte> { 0x00, 0xFD, 0x0C };
        for (int i = 0; i < 16; i++) code.Add((byte)i);
        code.AddRange([0xFD, 0x0C]);
        for (int i = 0; i < 16; i++) code.Add(0);
        code.AddRange([0xFD, 0x0D]);
        for (int i = 0; i < 16; i++) code.Add((byte)(31 - i));
        code.AddRange([0x1A, 0x0B]);
        var m = OneFunc([], [], [.. code]);
        var lines = BodyLines(WatPrinter.Print(m));
        Assert.Equal("v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c", lines[0]);
        Assert.Equal("i8x16.shuffle 31 30 29 28 27 26 25 24 23 22 21 20 19 18 17 16", lines[2]);
    }

    [Fact]
    public void TypesPrintRecGroupsAndSubtypes()
    {
        var m = new ModuleInfo();
        var s0 = new SubType(CompositeType.Struct([new FieldType(ValType.I32, true), new FieldType(ValType.I8, false)]), false, [])
        { RecGroupStart = 0, RecGroupSize = 2, ExplicitRec = true, ExplicitSub = true };
        var s1 = new SubType(CompositeType.Struct([new FieldType(ValType.I32, true), new FieldType(ValType.I8, false), new FieldType(ValType.Ref(new HeapType(0), true), false)]), true, [0])
        { RecGroupStart = 0, RecGroupSize = 2, ExplicitSub = true };
        var a2 = new SubType(CompositeType.Array(new FieldType(ValType.Ref(HeapType.None, true), true)), true, []) { RecGroupStart = 2, ExplicitSub = true };
        var f3 = new SubType(CompositeType.Func([ValType.Ref(new HeapType(1), false)], [ValType.ExnRef]), true, []) { RecGroupStart = 3 };
        m.Types.AddRange([s0, s1, a2, f3]);
        m.Names = new NameSection();
        m.Names.Types[0] = "s";
        m.Names.Fields[0] = new Dictionary<uint, string> { [0] = "x" };
        string text = WatPrinter.Print(m);
        Assert.Contains("  (rec\n    (type $s (;0;) (sub (struct (field $x (mut i32)) (field i8))))\n    (type (;1;) (sub final $s (struct (field (mut i32)) (field i8) (field (ref null $s))))))\n", text, StringComparison.Ordinal);
        Assert.Contains("  (type (;2;) (sub final (array (mut nullref))))\n", text, StringComparison.Ordinal);
        Assert.Contains("  (type (;3;) (func (param (ref 1)) (result exnref)))\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ModuleFieldsPrintInTheirTextForms()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([ValType.I32], []), true, []));
        m.AddImport(new Import("env", "f", ExternKind.Func) { TypeIndex = 0 });
        m.AddImport(new Import("env", "mem", ExternKind.Memory) { Memory = new MemoryType(new Limits(1, 2, Shared: true)) });
        m.AddImport(new Import("env", "g", ExternKind.Global) { Global = new GlobalType(ValType.I64, true) });
        m.AddImport(new Import("env", "e", ExternKind.Tag) { TypeIndex = 0 });
        m.Tables.Add(new TableDef(new TableType(ValType.FuncRef, new Limits(2, 10, Is64: true)), null));
        m.Tables.Add(new TableDef(new TableType(ValType.Ref(HeapType.Func, false), new Limits(1, null)), Const(0xD2, 0x00, 0x0B)));
        m.Memories.Add(new MemoryType(new Limits(0, null, Is64: true), 0));
        m.Globals.Add(new GlobalDef(new GlobalType(ValType.F32, false), Const(0x43, 0x00, 0x00, 0xC0, 0x7F, 0x0B)));
        m.Exports.Add(new Export("run", ExternKind.Func, 0));
        m.Exports.Add(new Export("quote\"d", ExternKind.Memory, 0));
        m.Start = 0;
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, Offset = Const(0x41, 0x01, 0x0B), FuncIndices = [0, 0] });
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, TableIndex = 1, Offset = Const(0x41, 0x00, 0x0B), Type = ValType.Ref(HeapType.Func, false), Exprs = [Const(0xD2, 0x00, 0x0B)] });
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Passive, Type = ValType.ExternRef, Exprs = [Const(0xD0, 0x6F, 0x0B)] });
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Declarative, FuncIndices = [0] });
        m.Datas.Add(new DataSegment { Mode = SegmentMode.Active, Offset = Const(0x23, 0x00, 0x42, 0x01, 0x7C, 0x0B), Bytes = new byte[] { (byte)'h', (byte)'i', 0, 0xFF, (byte)'"', (byte)'\\' } });
        m.Datas.Add(new DataSegment { Mode = SegmentMode.Passive, Bytes = Array.Empty<byte>() });
        m.Customs.Add(new CustomSection("meta", new byte[] { 1, 2 }, SectionId.Function, 0));
        m.Customs.Add(new CustomSection("name", new byte[] { 0 }, SectionId.Data, 0));
        string text = WatPrinter.Print(m);
        string[] expected =
        [
            "(import \"env\" \"f\" (func (;0;) (type 0) (param i32)))",
            "(import \"env\" \"mem\" (memory (;0;) 1 2 shared))",
            "(import \"env\" \"g\" (global (;0;) (mut i64)))",
            "(import \"env\" \"e\" (tag (;0;) (type 0) (param i32)))",
            "(table (;0;) i64 2 10 funcref)",
            "(table (;1;) 1 (ref func) (ref.func 0))",
            "(memory (;1;) i64 0 (pagesize 1))",
            "(global (;1;) f32 (f32.const nan))",
            "(export \"run\" (func 0))",
            "(export \"quote\\22d\" (memory 0))",
            "(start 0)",
            "(elem (;0;) (i32.const 1) func 0 0)",
            "(elem (;1;) (table 1) (i32.const 0) (ref func) (ref.func 0))",
            "(elem (;2;) externref (ref.null extern))",
            "(elem (;3;) declare func 0)",
            "(data (;0;) (i64.add (global.get 0) (i64.const 1)) \"hi\\00\\ff\\22\\5c\")",
            "(data (;1;) \"\")",
            "(@custom \"meta\" (after func) \"\\01\\02\")",
        ];
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        foreach (var e in expected) Assert.Contains(e, lines);
        Assert.DoesNotContain("\"name\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ExceptionBlocksPrintFlatAndFolded()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([], []), true, []));
        m.Tags.Add(new TagType(0));
        // try_table (catch 0 0) (catch_all 0) throw 0 end ; try catch 0 rethrow 0 catch_all end ; try delegate 0
        byte[] body =
        [
            0x00,
            0x02, 0x40,
            0x1F, 0x40, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x08, 0x00, 0x0B,
            0x0B,
            0x06, 0x40, 0x07, 0x00, 0x09, 0x00, 0x19, 0x0B,
            0x06, 0x40, 0x18, 0x00,
            0x0B,
        ];
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(body, 0));
        Assert.Equal(
            ["block", "try_table (catch 0 0) (catch_all 0)", "throw 0", "end", "end", "try", "catch 0", "rethrow 0", "catch_all", "end", "try", "delegate 0)"],
            BodyLines(WatPrinter.Print(m)));
        Assert.Equal(
            ["(block", "(try_table (catch 0 0) (catch_all 0)", "(throw 0)))", "(try", "(do)", "(catch 0", "(rethrow 0))", "(catch_all))", "(try", "(do)", "(delegate 0)))"],
            BodyLines(WatPrinter.Print(m, folded: true)));
    }

    [Fact]
    public void LongOperandChainsStopNestingAtABoundedDepth()
    {
        // i32.const 0 (i32.const 1 i32.add) x 5000, then drop
        var code = new List<byte> { 0x00, 0x41, 0x00 };
        for (int i = 0; i < 5000; i++) code.AddRange([0x41, 0x01, 0x6A]);
        code.AddRange([0x1A, 0x0B]);
        var m = OneFunc([], [], [.. code]);
        string text = WatPrinter.Print(m, folded: true);
        int depth = 0, max = 0;
        foreach (char c in text)
        {
            if (c == '(') max = Math.Max(max, ++depth);
            else if (c == ')') depth--;
        }
        Assert.InRange(max, 10, 100);
        Assert.Equal(5000, text.Split("i32.add").Length - 1);
    }

    [Fact]
    public void DeeplyNestedBlocksPrintOrFailCleanly()
    {
        const int depth = 200_000;
        var code = new byte[1 + depth * 2 + depth + 1];
        code[0] = 0x00;
        for (int i = 0; i < depth; i++) { code[1 + 2 * i] = 0x02; code[2 + 2 * i] = 0x40; }
        for (int i = 0; i <= depth; i++) code[1 + 2 * depth + i] = 0x0B;
        var m = OneFunc([], [], code);
        var ex = Record.Exception(() => WatPrinter.Print(m));
        Assert.True(ex is null or WasmException, ex?.GetType().Name);
    }

    [Fact]
    public void SpecialInstructionsFoldUsingTypesAndLabels()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([ValType.I32, ValType.I64], [ValType.I32, ValType.I32]), true, []));
        m.Types.Add(new SubType(CompositeType.Struct([new FieldType(ValType.I32, false), new FieldType(ValType.F32, false)]), true, []) { RecGroupStart = 1 });
        m.Tables.Add(new TableDef(new TableType(ValType.FuncRef, new Limits(1, null)), null));
        // block (result i32) i32.const 1 i32.const 0 br_if 0 end drop
        // i32.const 1 i64.const 2 i32.const 0 call_indirect (type 0) drop drop
        // i32.const 3 f32.const 0 struct.new 1 drop
        // i32.const 1 i64.const 2 return_call 0
        byte[] body =
        [
            0x00,
            0x02, 0x7F, 0x41, 0x01, 0x41, 0x00, 0x0D, 0x00, 0x0B, 0x1A,
            0x41, 0x01, 0x42, 0x02, 0x41, 0x00, 0x11, 0x00, 0x00, 0x1A, 0x1A,
            0x41, 0x03, 0x43, 0, 0, 0, 0, 0xFB, 0x00, 0x01, 0x1A,
            0x41, 0x01, 0x42, 0x02, 0x12, 0x00,
            0x0B,
        ];
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(body, 0));
        Assert.Equal(
            [
                "(drop",
                "(block (result i32)",
                "(br_if 0 (i32.const 1) (i32.const 0))))",
                "(call_indirect (type 0) (i32.const 1) (i64.const 2) (i32.const 0))",
                "(drop)",
                "(drop)",
                "(drop (struct.new 1 (i32.const 3) (f32.const 0)))",
                "(return_call 0 (i32.const 1) (i64.const 2)))",
            ],
            BodyLines(WatPrinter.Print(m, folded: true)));
    }

    [Fact]
    public void UnbalancedBlocksAreReported()
    {
        var m = OneFunc([], [], 0x00, 0x02, 0x40, 0x0B);
        Assert.Throws<WasmException>(() => WatPrinter.Print(m));
    }
}
