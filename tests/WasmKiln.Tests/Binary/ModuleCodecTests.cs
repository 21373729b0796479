using WasmKiln.Binary;
using WasmKiln.Model;
using Xunit;

namespace WasmKiln.Tests.Binary;

/// <summary>Encoder and decoder on a module built in code that uses every section and form.</summary>
public sealed class ModuleCodecTests
{
    private static Expr E(params byte[] code) => new(code, 0);

    /// <summary>A module with every section: GC types in rec groups, all import kinds, table with
    /// initializer, 64-bit and shared memories, tags, globals, exports, start, all element and data
    /// forms the encoder chooses, a datacount section, custom sections between sections, a name section.</summary>
    internal static ModuleInfo BuildRichModule()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([], []), true, []) { RecGroupStart = 0 });
        m.Types.Add(new SubType(CompositeType.Func([ValType.I32, ValType.I64], [ValType.F32, ValType.F64, ValType.V128]), true, []) { RecGroupStart = 1 });
        // rec group of 2: a struct and an array referring to each other, one open (non-final) with a supertype.
        m.Types.Add(new SubType(CompositeType.Struct([new FieldType(ValType.I8, true), new FieldType(ValType.Ref(new HeapType(3), true), false)]), false, [])
            { RecGroupStart = 2, RecGroupSize = 2, ExplicitRec = true, ExplicitSub = true });
        m.Types.Add(new SubType(CompositeType.Array(new FieldType(ValType.I16, true)), true, [2u])
            { RecGroupStart = 2, RecGroupSize = 2, ExplicitSub = true });
        // an explicit rec group of one type and an explicit "sub final" with no supertypes.
        m.Types.Add(new SubType(CompositeType.Func([ValType.AnyRef], [ValType.Ref(HeapType.Eq, false)]), true, [])
            { RecGroupStart = 4, RecGroupSize = 1, ExplicitRec = true });
        m.Types.Add(new SubType(CompositeType.Struct([]), true, []) { RecGroupStart = 5, ExplicitSub = true });

        m.AddImport(new Import("env", "f", ExternKind.Func) { TypeIndex = 1 });
        m.AddImport(new Import("env", "t", ExternKind.Table) { Table = new TableType(ValType.ExternRef, new Limits(1, 10)) });
        m.AddImport(new Import("env", "m", ExternKind.Memory) { Memory = new MemoryType(new Limits(1, 2, false, true)) });
        m.AddImport(new Import("env", "g", ExternKind.Global) { Global = new GlobalType(ValType.I32, true) });
        m.AddImport(new Import("env", "tag", ExternKind.Tag) { TypeIndex = 0 });
        m.AddImport(new Import("ünï", "cödé", ExternKind.Func) { TypeIndex = 0 });

        m.Functions.Add(0);
        m.Functions.Add(4);
        m.Tables.Add(new TableDef(new TableType(ValType.FuncRef, new Limits(3, null)), null));
        m.Tables.Add(new TableDef(new TableType(ValType.Ref(HeapType.Func, false), new Limits(2, 5, true)), E(0xD2, 0x00, 0x0B)));
        m.Memories.Add(new MemoryType(new Limits(1, null)));
        m.Memories.Add(new MemoryType(new Limits(0x1_0000_0000, 0x2_0000_0000, true)));
        m.Tags.Add(new TagType(1));
        m.Globals.Add(new GlobalDef(new GlobalType(ValType.I64, false), E(0x42, 0x80, 0x7F, 0x0B)));
        m.Globals.Add(new GlobalDef(new GlobalType(ValType.FuncRef, true), E(0xD0, 0x70, 0x0B)));
        m.Exports.Add(new Export("f", ExternKind.Func, 2));
        m.Exports.Add(new Export("t", ExternKind.Table, 1));
        m.Exports.Add(new Export("m", ExternKind.Memory, 0));
        m.Exports.Add(new Export("g", ExternKind.Global, 1));
        m.Exports.Add(new Export("e", ExternKind.Tag, 1));
        m.Start = 2;
        var off0 = E(0x41, 0x00, 0x0B);
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, TableIndex = 0, Offset = off0, FuncIndices = [0, 2], Type = RefFunc });          // form 0
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Passive, FuncIndices = [1], Type = RefFunc });                                          // form 1
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, TableIndex = 1, Offset = off0, FuncIndices = [3], Type = RefFunc });           // form 2
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Declarative, FuncIndices = [2], Type = RefFunc });                                      // form 3
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, Offset = off0, Exprs = [E(0xD2, 0x01, 0x0B), E(0xD0, 0x70, 0x0B)] }); // form 4
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Passive, Type = ValType.ExternRef, Exprs = [E(0xD0, 0x6F, 0x0B)] });   // form 5
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, TableIndex = 2, Offset = off0, Type = ValType.Ref(HeapType.Func, false), Exprs = [E(0xD2, 0x00, 0x0B)] }); // form 6
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Declarative, Type = ValType.FuncRef, Exprs = [E(0xD2, 0x03, 0x0B)] }); // form 7
        m.DataCount = 3;
        m.Codes.Add(new FunctionBody(new byte[] { 0x00, 0x0B }, 0));
        m.Codes.Add(new FunctionBody(new byte[] { 0x01, 0x02, 0x7F, 0xFC, 0x09, 0x01, 0x20, 0x00, 0x0B }, 0));
        m.Datas.Add(new DataSegment { Mode = SegmentMode.Active, Offset = off0, Bytes = "hello"u8.ToArray() });
        m.Datas.Add(new DataSegment { Mode = SegmentMode.Passive, Bytes = new byte[] { 1, 2, 3 } });
        m.Datas.Add(new DataSegment { Mode = SegmentMode.Active, MemoryIndex = 1, Offset = E(0x42, 0x10, 0x0B), Bytes = new byte[300] });
        m.Customs.Add(new CustomSection("first", new byte[] { 9 }, SectionId.Custom, 0));
        m.Customs.Add(new CustomSection("after-type", new byte[] { 1, 2 }, SectionId.Type, 0));
        m.Customs.Add(new CustomSection("after-type-2", Array.Empty<byte>(), SectionId.Type, 0));
        m.Customs.Add(new CustomSection("after-code", new byte[] { 3 }, SectionId.Code, 0));
        m.Customs.Add(new CustomSection("after-datacount", new byte[] { 4 }, SectionId.DataCount, 0));
        m.Customs.Add(new CustomSection("last", new byte[] { 5 }, SectionId.Data, 0));
        return m;
    }

    internal static byte[] RichModuleBytes() => ModuleEncoder.Encode(BuildRichModule());

    [Fact]
    public void RichModuleSurvivesEncodeDecodeEncode()
    {
        var original = BuildRichModule();
        var bytes = ModuleEncoder.Encode(original);
        var m = ModuleDecoder.Decode(bytes);

        Assert.Equal(6, m.Types.Count);
        Assert.Equal(2, m.Types[3].RecGroupStart);
        Assert.Equal(2, m.Types[3].RecGroupSize);
        Assert.True(m.Types[2].ExplicitRec);
        Assert.False(m.Types[3].ExplicitRec);
        Assert.False(m.Types[2].Final);
        Assert.Equal([2u], m.Types[3].Supers);
        Assert.Equal(ValType.I16, m.Types[3].Type.Element.Type);
        Assert.True(m.Types[4].ExplicitRec);
        Assert.Equal(1, m.Types[4].RecGroupSize);
        Assert.True(m.Types[5].ExplicitSub);
        Assert.True(m.Types[5].Final);
        Assert.False(m.Types[1].ExplicitSub);
        Assert.Equal([ValType.F32, ValType.F64, ValType.V128], m.Types[1].Type.Results);
        Assert.Equal(ValType.Ref(HeapType.Eq, false), m.Types[4].Type.Results[0]);
        Assert.Equal(ValType.Ref(new HeapType(3), true), m.Types[2].Type.Fields[1].Type);

        Assert.Equal(6, m.Imports.Count);
        Assert.Equal(2, m.ImportedFuncCount);
        Assert.Equal("cödé", m.Imports[5].Name);
        Assert.True(m.MemoryType(0).Limits.Shared);
        Assert.Equal(new Limits(0x1_0000_0000, 0x2_0000_0000, true), m.MemoryType(2).Limits);
        Assert.Equal(1u, m.TagTypeIndex(1));
        Assert.Null(m.Tables[0].Init);
        Assert.NotNull(m.Tables[1].Init);
        Assert.True(m.Tables[1].Type.Limits.Is64);
        Assert.Equal(2u, m.Start);
        Assert.Equal(3u, m.DataCount);

        Assert.Equal(8, m.Elements.Count);
        Assert.Equal([0u, 2u], m.Elements[0].FuncIndices!);
        Assert.Equal(SegmentMode.Declarative, m.Elements[3].Mode);
        Assert.Equal(2, m.Elements[4].Exprs!.Length);
        Assert.Equal(ValType.ExternRef, m.Elements[5].Type);
        Assert.Equal(2u, m.Elements[6].TableIndex);
        Assert.Equal(ValType.Ref(HeapType.Func, false), m.Elements[6].Type);
        Assert.Equal(1u, m.Datas[2].MemoryIndex);
        Assert.Equal(300, m.Datas[2].Bytes.Length);
        Assert.Equal(SegmentMode.Passive, m.Datas[1].Mode);

        Assert.Equal(6, m.Customs.Count);
        Assert.Equal(SectionId.Custom, m.Customs[0].After);
        Assert.Equal("after-type-2", m.Customs[2].Name);
        Assert.Equal(SectionId.Type, m.Customs[2].After);
        Assert.Equal("after-datacount", m.Customs[3].Name);
        Assert.Equal("after-code", m.Customs[4].Name);

        // Offsets point into the module.
        var body = m.Codes[1];
        Assert.True(body.Bytes.Span.SequenceEqual(bytes.AsSpan(body.Offset, body.Bytes.Length)));
        var g = m.Globals[0].Init;
        Assert.True(g.Code.Span.SequenceEqual(bytes.AsSpan(g.Offset, g.Code.Length)));
        var c = m.Customs[1];
        Assert.True(c.Data.Span.SequenceEqual(bytes.AsSpan(c.Offset, c.Data.Length)));

        Assert.Equal(bytes, ModuleEncoder.Encode(m));
    }

    [Fact]
    public void ElementFormsFollowTheReferenceEncoder()
    {
        var single = new ModuleInfo();
        single.Types.Add(new SubType(CompositeType.Func([], []), true, []));
        single.Functions.Add(0);
        single.Codes.Add(new FunctionBody(new byte[] { 0, 0x0B }, 0));
        for (uint form = 0; form < 8; form++)
        {
            var seg = BuildRichModule().Elements[(int)form];
            single.Elements.Clear();
            single.Elements.Add(seg);
            var enc = ModuleEncoder.Encode(single);
            Assert.Equal(form, ElementForm(enc));
        }
    }

    private static uint ElementForm(byte[] module)
    {
        int pos = 8;
        while (pos < module.Length)
        {
            byte id = module[pos++];
            var r = new WasmReader(module, 0) { Position = pos };
            uint size = r.ReadU32();
            pos = r.Position;
            if (id == (byte)SectionId.Element)
            {
                var s = new WasmReader(module.AsSpan(pos, (int)size), pos);
                s.ReadU32();
                return s.ReadU32();
            }
            pos += (int)size;
        }
        throw new InvalidOperationException("no element section");
    }

    private static readonly ValType RefFunc = ValType.Ref(HeapType.Func, false);

    [Fact]
    public void FunctionIndicesOfTypeRefFuncUseTheIndexForm()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([], []), true, []));
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(new byte[] { 0, 0x0B }, 0));
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, Offset = E(0x41, 0x00, 0x0B), Type = RefFunc, FuncIndices = [0] });
        var bytes = ModuleEncoder.Encode(m);
        Assert.Equal(0u, ElementForm(bytes));
        var d = ModuleDecoder.Decode(bytes);
        Assert.Equal(RefFunc, d.Elements[0].Type);
        Assert.Equal(bytes, ModuleEncoder.Encode(d));
    }

    [Fact]
    public void FunctionIndicesOfTypeFuncrefAreWrittenAsExpressionsOfTheImplicitForm()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([], []), true, []));
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(new byte[] { 0, 0x0B }, 0));
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Active, Offset = E(0x41, 0x00, 0x0B), Type = ValType.FuncRef, FuncIndices = [0] });
        var bytes = ModuleEncoder.Encode(m);
        Assert.Equal(4u, ElementForm(bytes));
        var d = ModuleDecoder.Decode(bytes);
        Assert.Equal(ValType.FuncRef, d.Elements[0].Type);
        Assert.Null(d.Elements[0].FuncIndices);
        Assert.Equal(bytes, ModuleEncoder.Encode(d));
    }

    [Fact]
    public void FunctionIndicesOfNonFuncrefSegmentAreWrittenAsExpressions()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([], []), true, []));
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(new byte[] { 0, 0x0B }, 0));
        m.Elements.Add(new ElementSegment { Mode = SegmentMode.Passive, Type = ValType.Ref(new HeapType(0), false), FuncIndices = [0, 0] });
        var d = ModuleDecoder.Decode(ModuleEncoder.Encode(m));
        Assert.Null(d.Elements[0].FuncIndices);
        Assert.Equal(2, d.Elements[0].Exprs!.Length);
        Assert.Equal(new byte[] { 0xD2, 0x00, 0x0B }, d.Elements[0].Exprs![1].Code.ToArray());
    }

    [Fact]
    public void NamesAreWrittenOnRequestAndDecodedBack()
    {
        var m = BuildRichModule();
        m.Names = new NameSection { Module = "rich" };
        m.Names.Functions[2] = "main";
        m.Names.Functions[0] = "imported";
        m.Names.Locals[3] = new Dictionary<uint, string> { [0] = "x", [2] = "z" };
        m.Names.Labels[3] = new Dictionary<uint, string> { [0] = "loop" };
        m.Names.Types[2] = "node";
        m.Names.Tables[1] = "tab";
        m.Names.Memories[0] = "mem";
        m.Names.Globals[1] = "glob";
        m.Names.Elements[4] = "elems";
        m.Names.Datas[1] = "passive";
        m.Names.Fields[2] = new Dictionary<uint, string> { [0] = "byte", [1] = "next" };
        m.Names.Tags[0] = "exn";

        Assert.Null(ModuleDecoder.Decode(ModuleEncoder.Encode(m)).Names);

        var bytes = ModuleEncoder.Encode(m, writeNames: true);
        var d = ModuleDecoder.Decode(bytes);
        var n = d.Names!;
        Assert.Equal("rich", n.Module);
        Assert.Equal("main", n.Functions[2]);
        Assert.Equal("imported", n.Functions[0]);
        Assert.Equal("z", n.Locals[3][2]);
        Assert.Equal("loop", n.Labels[3][0]);
        Assert.Equal("node", n.Types[2]);
        Assert.Equal("tab", n.Tables[1]);
        Assert.Equal("mem", n.Memories[0]);
        Assert.Equal("glob", n.Globals[1]);
        Assert.Equal("elems", n.Elements[4]);
        Assert.Equal("passive", n.Datas[1]);
        Assert.Equal("next", n.Fields[2][1]);
        Assert.Equal("exn", n.Tags[0]);
        // The name section is the last section, kept as a custom section that re-encodes verbatim.
        Assert.Equal("name", d.Customs[^1].Name);
        Assert.Equal(SectionId.Data, d.Customs[^1].After);
        Assert.Equal(bytes, ModuleEncoder.Encode(d, writeNames: true));
        Assert.Equal(bytes, ModuleEncoder.Encode(d));
    }

    [Fact]
    public void ExistingNameSectionIsNotDuplicated()
    {
        var m = BuildRichModule();
        m.Names = new NameSection { Module = "a" };
        var withNames = ModuleDecoder.Decode(ModuleEncoder.Encode(m, writeNames: true));
        withNames.Names!.Module = "changed";
        var again = ModuleDecoder.Decode(ModuleEncoder.Encode(withNames, writeNames: true));
        int count = 0;
        foreach (var c in again.Customs) if (c.Name == "name") count++;
        Assert.Equal(1, count);
        Assert.Equal("a", again.Names!.Module);
    }

    [Fact]
    public void MalformedNameSectionIsIgnored()
    {
        var m = BuildRichModule();
        m.Customs.Add(new CustomSection("name", new byte[] { 1, 50, 3 }, SectionId.Data, 0)); // size runs past the end
        var d = ModuleDecoder.Decode(ModuleEncoder.Encode(m));
        Assert.Null(d.Names);
        Assert.Equal("name", d.Customs[^1].Name);

        m.Customs[^1] = new CustomSection("name", new byte[] { 1, 4, 1, 0, 2, 0xFF }, SectionId.Data, 0); // bad UTF-8
        Assert.Null(ModuleDecoder.Decode(ModuleEncoder.Encode(m)).Names);
        m.Customs[^1] = new CustomSection("name", new byte[] { 1, 1, 0, 0, 1, 0 }, SectionId.Data, 0); // out of order
        Assert.Null(ModuleDecoder.Decode(ModuleEncoder.Encode(m)).Names);
        m.Customs[^1] = new CustomSection("name", new byte[] { 0, 2, 1, 0x61, 1, 4, 1, 7, 1, 0x62, 42, 1, 0 }, SectionId.Data, 0); // unknown subsection 42 skipped
        var names = ModuleDecoder.Decode(ModuleEncoder.Encode(m)).Names!;
        Assert.Equal("a", names.Module);
        Assert.Equal("b", names.Functions[7]);
    }

    [Fact]
    public void CustomSectionAfterAnAbsentSectionKeepsItsPlaceInTheOrder()
    {
        var m = new ModuleInfo();
        m.Types.Add(new SubType(CompositeType.Func([], []), true, []));
        m.Functions.Add(0);
        m.Codes.Add(new FunctionBody(new byte[] { 0, 0x0B }, 0));
        m.Exports.Add(new Export("f", ExternKind.Func, 0));
        m.Customs.Add(new CustomSection("after-data", new byte[] { 1 }, SectionId.Data, 0));
        m.Customs.Add(new CustomSection("after-global", new byte[] { 2 }, SectionId.Global, 0));
        m.Customs.Add(new CustomSection("after-tag", new byte[] { 3 }, SectionId.Tag, 0));
        var d = ModuleDecoder.Decode(ModuleEncoder.Encode(m));
        // Globals and tags are absent: both customs follow the function section, tag's first
        // (the tag section comes before the global section); the data one ends the module.
        Assert.Equal(["after-tag", "after-global", "after-data"], d.Customs.Select(c => c.Name).ToArray());
        Assert.Equal(SectionId.Function, d.Customs[0].After);
        Assert.Equal(SectionId.Function, d.Customs[1].After);
        Assert.Equal(SectionId.Code, d.Customs[2].After);
        Assert.Equal(ModuleEncoder.Encode(m), ModuleEncoder.Encode(d));
    }
}
