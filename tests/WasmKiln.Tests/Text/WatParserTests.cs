using WasmKiln.Binary;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Text;
using Xunit;

namespace WasmKiln.Tests.Text;

public class WatParserTests
{
    private static ModuleInfo Parse(string text) => WatParser.ParseText(text);

    /// <summary>The encoded body (local groups, instructions, end) of the only function of <paramref name="text"/>.</summary>
    private static byte[] Body(string text) => Parse(text).Codes[^1].Bytes.ToArray();

    private static TextParseException Fails(string text) => Assert.Throws<TextParseException>(() => Parse(text));

    [Fact]
    public void EmptyModuleEncodesToTheHeader()
    {
        var m = Parse("(module)");
        Assert.Equal(new byte[] { 0, 0x61, 0x73, 0x6D, 1, 0, 0, 0 }, ModuleEncoder.Encode(m));
        Assert.Null(m.Names);
    }

    [Fact]
    public void BareFieldsAreOneModule()
    {
        var m = Parse("(func) (memory 1)");
        Assert.Single(m.Functions);
        Assert.Single(m.Memories);
    }

    [Fact]
    public void FunctionWithNamedParamsLocalsAndInlineExport()
    {
        var m = Parse("(module (func $add (export \"add\") (param $a i32) (param $b i32) (result i32) (local $t i64) (local f32 f32)" +
                      " (i32.add (local.get $a) (local.get $b))))");
        Assert.Equal(new Export("add", ExternKind.Func, 0), Assert.Single(m.Exports));
        // 2 local groups: 1 x i64, 2 x f32; then local.get 0, local.get 1, i32.add, end.
        Assert.Equal(new byte[] { 2, 1, 0x7E, 2, 0x7D, 0x20, 0, 0x20, 1, 0x6A, 0x0B }, m.Codes[0].Bytes.ToArray());
        Assert.Equal("add", m.Names!.Functions[0]);
        Assert.Equal("a", m.Names.Locals[0][0]);
        Assert.Equal("t", m.Names.Locals[0][2]);
    }

    [Fact]
    public void ImplicitTypesFollowExplicitOnesAndAreReused()
    {
        var m = Parse("(module (func $f (result f64) (f64.const 0)) (func $g (param i32)) (func $h (result f64) (f64.const 1))" +
                      " (type $t (func (param i32))))");
        Assert.Equal(2, m.Types.Count);
        Assert.Equal([ValType.I32], m.Types[0].Type.Params);
        Assert.Equal([ValType.F64], m.Types[1].Type.Results);
        Assert.Equal(new List<uint> { 1, 0, 1 }, m.Functions);
    }

    [Fact]
    public void ImplicitTypeDoesNotReuseANonFinalType()
    {
        var m = Parse("(module (type (sub (func))) (func))");
        Assert.Equal(2, m.Types.Count);
        Assert.Equal(1u, m.Functions[0]);
    }

    [Fact]
    public void InlineTypeMustMatchTheTypeUse()
    {
        var e = Fails("(module (type $sig (func))\n (func (type $sig) (result i32) (i32.const 0)))");
        Assert.Contains("inline function type", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void FoldedAndFlatFormsEncodeTheSame()
    {
        var folded = Body("(func (result i32) (i32.add (i32.const 1) (i32.const 2)))");
        var flat = Body("(func (result i32) i32.const 1 i32.const 2 i32.add)");
        Assert.Equal(flat, folded);
        Assert.Equal(new byte[] { 0, 0x41, 1, 0x41, 2, 0x6A, 0x0B }, flat);
    }

    [Fact]
    public void LabelsResolveToDepths()
    {
        var b = Body("(func block $a block $b br $a br $b br 0 end $b end $a)");
        Assert.Equal(new byte[] { 0, 0x02, 0x40, 0x02, 0x40, 0x0C, 1, 0x0C, 0, 0x0C, 0, 0x0B, 0x0B, 0x0B }, b);
    }

    [Fact]
    public void MismatchingEndLabelIsMalformed()
    {
        Assert.Contains("mismatching label", Fails("(func block $a end $b)").Message);
        Assert.Contains("unknown label", Fails("(func (br $nowhere))").Message);
    }

    [Fact]
    public void FoldedIfWithThenAndElse()
    {
        var b = Body("(func (result i32) (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))))");
        Assert.Equal(new byte[] { 0, 0x41, 1, 0x04, 0x7F, 0x41, 2, 0x05, 0x41, 3, 0x0B, 0x0B }, b);
    }

    [Fact]
    public void EmptyElseIsLeftOut()
    {
        Assert.Equal(Body("(func (if (i32.const 1) (then nop)))"), Body("(func (if (i32.const 1) (then nop) (else)))"));
        Assert.Equal(Body("(func i32.const 1 if nop end)"), Body("(func i32.const 1 if nop else end)"));
    }

    [Fact]
    public void BlockWithParamsUsesAnImplicitTypeIndex()
    {
        var m = Parse("(func (i32.const 1) (block (param i32) (result i32)) drop)");
        Assert.Equal(2, m.Types.Count); // [] -> [] for the function, [i32] -> [i32] for the block
        Assert.Equal(new byte[] { 0, 0x41, 1, 0x02, 1, 0x0B, 0x1A, 0x0B }, m.Codes[0].Bytes.ToArray());
    }

    [Fact]
    public void BrTableAndCallIndirectWithTableAndTypeUse()
    {
        var m = Parse("(module (type $t (func (param i32))) (table $tab 0 funcref) (table $tab2 0 funcref)" +
                      " (func (block $l (br_table $l 0 (i32.const 0)))" +
                      " (call_indirect $tab2 (type $t) (i32.const 1) (i32.const 0))))");
        Assert.Equal(new byte[] { 0, 0x02, 0x40, 0x41, 0, 0x0E, 1, 0, 0, 0x0B, 0x41, 1, 0x41, 0, 0x11, 0, 1, 0x0B },
            m.Codes[0].Bytes.ToArray());
    }

    [Fact]
    public void MemArgOffsetAlignAndMemoryIndex()
    {
        var b = Body("(module (memory 1) (memory $m 1) (func (drop (i32.load offset=4 align=2 (i32.const 0)))" +
                     " (drop (i64.load $m (i32.const 0)))))");
        Assert.Equal(new byte[] { 0, 0x41, 0, 0x28, 1, 4, 0x1A, 0x41, 0, 0x29, 0x43, 1, 0, 0x1A, 0x0B }, b);
        Assert.Contains("alignment", Fails("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))").Message);
    }

    [Fact]
    public void VectorConstantsShuffleAndLanes()
    {
        var b = Body("(func (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15" +
                     " (v128.const i32x4 1 -1 0x10 0) (v128.const f32x4 1.0 -0 inf nan)))");
        var expected = new List<byte> { 0, 0xFD, 0x0C, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0, 0, 0, 0, 0 };
        expected.AddRange([0xFD, 0x0C, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x80, 0, 0, 0x80, 0x7F, 0, 0, 0xC0, 0x7F]);
        expected.AddRange([0xFD, 0x0D]);
        for (byte i = 0; i < 16; i++) expected.Add(i);
        expected.Add(0x0B);
        Assert.Equal(expected.ToArray(), b);
        Assert.Contains("wrong number of lane literals", Fails("(func (v128.const i32x4 1 2 3) drop)").Message);
        Assert.Contains("invalid lane length", Fails("(func (i8x16.shuffle 0 1 (v128.const i64x2 0 0) (v128.const i64x2 0 0)) drop)").Message);
        Assert.Contains("i8 constant out of range", Fails("(func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)) drop)").Message);
    }

    [Fact]
    public void TypedSelectAndReferenceCastsChooseTheirOpcodes()
    {
        var b = Body("(module (type $t (struct)) (func (param anyref) (result i32)" +
                     " (drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))" +
                     " (drop (ref.cast (ref null $t) (local.get 0)))" +
                     " (ref.test (ref $t) (local.get 0))))");
        Assert.Equal(new byte[]
        {
            0, 0x41, 1, 0x41, 2, 0x41, 0, 0x1C, 1, 0x7F, 0x1A,
            0x20, 0, 0xFB, 0x17, 0, 0x1A,
            0x20, 0, 0xFB, 0x14, 0, 0x0B,
        }, b);
    }

    [Fact]
    public void StructFieldsResolveByIdentifier()
    {
        var m = Parse("(module (type $p (struct (field $x i32) (field $y (mut f64))))" +
                      " (func (param (ref $p)) (result f64) (struct.get $p $y (local.get 0))))");
        Assert.Equal(new byte[] { 0, 0x20, 0, 0xFB, 0x02, 0, 1, 0x0B }, m.Codes[0].Bytes.ToArray());
        Assert.Equal(new FieldType(ValType.F64, true), m.Types[0].Type.Fields[1]);
        Assert.Equal("y", m.Names!.Fields[0][1]);
        Assert.Contains("duplicate field", Fails("(type (struct (field $x i32) (field $x i32)))").Message);
    }

    [Fact]
    public void RecAndSubTypesKeepTheirGroupsAndFlags()
    {
        var m = Parse("(module (type $a (func)) (rec (type $b (sub (struct))) (type $c (sub final $b (struct (field i32))))))");
        Assert.Equal(3, m.Types.Count);
        Assert.Equal((0, 1), (m.Types[0].RecGroupStart, m.Types[0].RecGroupSize));
        Assert.Equal((1, 2), (m.Types[1].RecGroupStart, m.Types[1].RecGroupSize));
        Assert.Equal((1, 2), (m.Types[2].RecGroupStart, m.Types[2].RecGroupSize));
        Assert.True(m.Types[1].ExplicitRec);
        Assert.False(m.Types[2].ExplicitRec);
        Assert.False(m.Types[1].Final);
        Assert.True(m.Types[2].Final);
        Assert.True(m.Types[2].ExplicitSub);
        Assert.Equal([1u], m.Types[2].Supers);
    }

    [Fact]
    public void TableWithInlineElementsAndMemoryWithInlineData()
    {
        var m = Parse("(module (func $f) (func $g) (table $t funcref (elem $f $g $f)) (memory i64 (data \"ab\" \"c\")))");
        Assert.Equal(new Limits(3, 3), m.Tables[0].Type.Limits);
        var seg = Assert.Single(m.Elements);
        Assert.Equal(SegmentMode.Active, seg.Mode);
        Assert.Equal(3, seg.Count);
        Assert.Equal(new Limits(1, 1, Is64: true), m.Memories[0].Limits);
        var data = Assert.Single(m.Datas);
        Assert.Equal("abc"u8.ToArray(), data.Bytes.ToArray());
        Assert.Equal(new byte[] { 0x42, 0, 0x0B }, data.Offset.Code.ToArray());
    }

    [Fact]
    public void ElementSegmentForms()
    {
        var m = Parse("(module (table 1 funcref) (func $f) (func $g)" +
                      " (elem (i32.const 0) $f $g)" +
                      " (elem declare func $f)" +
                      " (elem $p funcref (ref.func $g) (item ref.null func))" +
                      " (elem (table 0) (offset (i32.const 1)) func $g))");
        Assert.Equal(4, m.Elements.Count);
        var refFunc = ValType.Ref(HeapType.Func, false);
        Assert.Equal(new uint[] { 0, 1 }, m.Elements[0].FuncIndices);
        Assert.Equal(refFunc, m.Elements[0].Type);
        Assert.Equal(SegmentMode.Declarative, m.Elements[1].Mode);
        Assert.Equal(SegmentMode.Passive, m.Elements[2].Mode);
        Assert.Equal(ValType.FuncRef, m.Elements[2].Type);
        Assert.Equal(2, m.Elements[2].Exprs!.Length);
        Assert.Equal(new byte[] { 0xD0, 0x70, 0x0B }, m.Elements[2].Exprs![1].Code.ToArray());
        Assert.Equal(new byte[] { 0x41, 1, 0x0B }, m.Elements[3].Offset.Code.ToArray());
        Assert.Equal("p", m.Names!.Elements[2]);
    }

    [Fact]
    public void ImportsComeFirstInTheirIndexSpace()
    {
        var m = Parse("(module (import \"m\" \"f\" (func $imp (param i32))) (global $g (import \"m\" \"g\") (mut i64))" +
                      " (func $own (call $imp (i32.const 0)) (global.set $g (i64.const 1))))");
        Assert.Equal(1, m.ImportedFuncCount);
        Assert.Equal(new GlobalType(ValType.I64, true), m.ImportsOf(ExternKind.Global)[0].Global);
        Assert.Equal(new byte[] { 0, 0x41, 0, 0x10, 0, 0x42, 1, 0x24, 0, 0x0B }, m.Codes[0].Bytes.ToArray());
        Assert.Equal("own", m.Names!.Functions[1]);
    }

    [Fact]
    public void ImportAfterDefinitionIsMalformed()
    {
        Assert.Contains("import after function", Fails("(func) (import \"m\" \"f\" (func))").Message);
        Assert.Contains("import after global", Fails("(global i32 (i32.const 0)) (global (import \"m\" \"g\") i32)").Message);
    }

    [Fact]
    public void DuplicateIdentifiersAreMalformed()
    {
        Assert.Contains("duplicate func", Fails("(func $f) (func $f)").Message);
        Assert.Contains("duplicate local", Fails("(func (param $x i32) (local $x i32))").Message);
        Assert.Contains("duplicate memory", Fails("(memory $m 1) (memory $m 1)").Message);
    }

    [Fact]
    public void UnboundIdentifiersAreMalformedButNumericIndicesAreLeftToTheValidator()
    {
        Assert.Contains("unknown function", Fails("(func (call $nope))").Message);
        Assert.Contains("unknown type", Fails("(func (type $nope))").Message);
        var m = Parse("(func (call 7))");
        Assert.Equal(new byte[] { 0, 0x10, 7, 0x0B }, m.Codes[0].Bytes.ToArray());
    }

    [Fact]
    public void ErrorsCarryTheirPosition()
    {
        var e = Fails("(module\n  (func\n    (i32.const 1)\n    (i32.frobnicate)))");
        Assert.Contains("unknown operator", e.Message);
        Assert.Equal(4, e.Line);
        Assert.Equal(6, e.Column);
        var c = Fails("(func (i32.const 0x1_0000_0000) drop)");
        Assert.Contains("constant out of range", c.Message);
        Assert.Equal(1, c.Line);
        Assert.Equal(18, c.Column);
    }

    [Fact]
    public void NumberLiteralErrors()
    {
        Assert.Contains("unknown operator", Fails("(func (i32.const 0x) drop)").Message);
        Assert.Contains("constant out of range", Fails("(func (f32.const 1e39) drop)").Message);
        Assert.Contains("unexpected token", Fails("(func (i32.const) drop)").Message);
        Assert.Contains("unknown operator", Fails("(func (f32.const nan:1) drop)").Message);
    }

    [Fact]
    public void DataCountIsSetWhenDataInstructionsAreUsed()
    {
        Assert.Null(Parse("(memory 1) (data \"x\") (func)").DataCount);
        Assert.Equal(1u, Parse("(memory 1) (data $d \"x\") (func (data.drop $d))").DataCount);
        Assert.Equal(0u, Parse("(memory 1) (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))").DataCount);
    }

    [Fact]
    public void CustomAnnotationsBecomeCustomSections()
    {
        var m = Parse("(module (@custom \"a\" \"x\" \"y\") (@custom \"b\" (before func) \"\") (@custom \"c\" (after first) \"z\") (func))");
        Assert.Equal(3, m.Customs.Count);
        Assert.Equal(("a", SectionId.Data), (m.Customs[0].Name, m.Customs[0].After));
        Assert.Equal("xy"u8.ToArray(), m.Customs[0].Data.ToArray());
        Assert.Equal(SectionId.Import, m.Customs[1].After);
        Assert.Equal(SectionId.Type, m.Customs[2].After);
        Assert.Contains("misplaced @custom annotation", Fails("(func (@custom \"x\"))").Message);
    }

    [Fact]
    public void TryTableCatchLabelsAreRelativeToTheEnclosingBlock()
    {
        var b = Body("(module (tag $e (param i32)) (func (result i32) (block $h (result i32) (try_table $t (catch $e $h) (catch_all 0) (br $t)) (i32.const 0))))");
        Assert.Equal(new byte[] { 0, 0x02, 0x7F, 0x1F, 0x40, 2, 0, 0, 0, 2, 0, 0x0C, 0, 0x0B, 0x41, 0, 0x0B, 0x0B }, b);
    }

    [Fact]
    public void LegacyTryCatchAndDelegate()
    {
        var folded = Body("(module (tag $e) (func (try $l (do (throw $e)) (catch $e (rethrow $l)) (catch_all)) (try (do) (delegate 0))))");
        var flat = Body("(module (tag $e) (func try $l throw $e catch $e rethrow $l catch_all end try delegate 0))");
        Assert.Equal(flat, folded);
        Assert.Equal(new byte[] { 0, 0x06, 0x40, 0x08, 0, 0x07, 0, 0x09, 0, 0x19, 0x0B, 0x06, 0x40, 0x18, 0, 0x0B }, flat);
    }

    [Fact]
    public void BrOnCastEncodesNullabilityFlags()
    {
        var b = Body("(module (type $t (struct)) (func (param anyref) (result anyref) (br_on_cast 0 anyref (ref $t) (local.get 0))))");
        Assert.Equal(new byte[] { 0, 0x20, 0, 0xFB, 0x18, 1, 0, 0x6E, 0, 0x0B }, b);
    }

    [Fact]
    public void TableAndMemoryInstructionsTakeOptionalIndices()
    {
        var b = Body("(module (table $a 1 funcref) (table $b 1 funcref) (memory 1) (elem $e func)" +
                     " (func (table.init $b $e (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))" +
                     " (drop (table.size)) (drop (memory.size))))");
        Assert.Equal(new byte[]
        {
            0, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0C, 0, 1,
            0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0E, 0, 1,
            0xFC, 0x10, 0, 0x1A, 0x3F, 0, 0x1A, 0x0B,
        }, b);
    }

    [Fact]
    public void ModuleFormsAreClassified()
    {
        var top = SExprParser.Parse("(module $m binary \"\\00asm\" \"\\01\\00\\00\\00\") (module quote \"(func)\") (module definition $d (func))");
        var bin = WatParser.ReadModuleForm((SList)top[0]);
        Assert.Equal((ModuleFormKind.Binary, "m"), (bin.Kind, bin.Id));
        Assert.Equal(8, bin.Binary!.Length);
        var quote = WatParser.ReadModuleForm((SList)top[1]);
        Assert.Equal((ModuleFormKind.Quote, "(func)"), (quote.Kind, quote.Quote));
        var def = WatParser.ReadModuleForm((SList)top[2]);
        Assert.True(def.IsDefinition);
        Assert.Equal(("d", ModuleFormKind.Text), (def.Id, def.Kind));
        Assert.Single(WatParser.ParseModule((SList)top[2]).Functions);
        Assert.Single(WatParser.ParseModule((SList)top[1]).Functions);
    }

    [Fact]
    public void AnnotationsAreIgnoredAnywhere()
    {
        var m = Parse("((@a) module (@a) $m (@a) ((@a) func (@b x) $f (@c) (result i32) (@d) (i32.const 1) (@e)))");
        Assert.Single(m.Functions);
        Assert.Equal("m", m.Names!.Module);
    }

    [Fact]
    public void ParsedModulesValidate()
    {
        var m = Parse("(module (type $pt (struct (field $x (mut i32)))) (global $g (ref null $pt) (ref.null $pt))" +
                      " (func (export \"f\") (param i32) (result i32) (local $p (ref null $pt))" +
                      "  (local.set $p (struct.new $pt (local.get 0)))" +
                      "  (struct.set $pt $x (local.get $p) (i32.add (struct.get $pt $x (local.get $p)) (i32.const 1)))" +
                      "  (struct.get $pt $x (local.get $p))))");
        var bytes = ModuleEncoder.Encode(m);
        WasmKiln.Validation.Validator.Validate(ModuleDecoder.Decode(bytes));
    }

    [Fact]
    public void BranchHintsBecomeACodeMetadataSection()
    {
        var m = Parse("(module (func (param i32) (@metadata.code.branch_hint \"\\01\") (if (local.get 0) (then))))");
        var sec = Assert.Single(m.Customs);
        Assert.Equal(("metadata.code.branch_hint", SectionId.DataCount), (sec.Name, sec.After));
        // 1 function: index 0, 1 hint at body offset 3 (locals byte, local.get 0), size 1, value 1.
        Assert.Equal(new byte[] { 1, 0, 1, 3, 1, 1 }, sec.Data.ToArray());
        Assert.Contains("not in a function", Fails("(module (@metadata.code.branch_hint \"\\01\") (func))").Message);
        Assert.Throws<InvalidModuleException>(() => Parse("(func (@metadata.code.branch_hint \"\\01\") nop)"));
    }

    [Fact]
    public void NameAnnotationsNameTheModule()
    {
        Assert.Equal("Modül", Parse("(module $m (@name \"Modül\"))").Names!.Module);
        Assert.Contains("multiple module", Fails("(module (@name \"a\") (@name \"b\"))").Message);
        Assert.Contains("misplaced @name annotation", Fails("(module (start $f (@name \"M\")) (func $f))").Message);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r")]
    [InlineData("\r\n")]
    public void LineCommentEndsAtEveryNewline(string newline)
    {
        var top = SExprParser.Parse("(func ;; comment" + newline + "(nop))");
        var func = Assert.IsType<SList>(Assert.Single(top));
        Assert.Equal(2, func.Count);
    }
}
