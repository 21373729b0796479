using WasmKiln.Model;

namespace WasmKiln.Binary;

/// <summary>
/// Encodes a <see cref="ModuleInfo"/> to the binary format: minimal LEB128 everywhere, sections
/// in the required order (empty ones left out), custom sections written verbatim after the
/// section they followed. Element and data segments use the same form choices as the
/// specification's reference encoder, so text parsed by WasmKiln encodes like the reference.
/// </summary>
internal static class ModuleEncoder
{
    /// <summary>The non-custom sections in the order the binary format requires.</summary>
    public static readonly SectionId[] SectionOrder =
    [
        SectionId.Type, SectionId.Import, SectionId.Function, SectionId.Table, SectionId.Memory,
        SectionId.Tag, SectionId.Global, SectionId.Export, SectionId.Start, SectionId.Element,
        SectionId.DataCount, SectionId.Code, SectionId.Data,
    ];

    /// <summary>
    /// Encodes a module to the binary format. With <paramref name="writeNames"/>, a <c>name</c>
    /// section is synthesized from <see cref="ModuleInfo.Names"/> at the end of the module unless
    /// <see cref="ModuleInfo.Customs"/> already holds one.
    /// </summary>
    public static byte[] Encode(ModuleInfo module, bool writeNames = false)
    {
        var w = new WasmWriter(EstimateSize(module));
        w.Bytes([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]);
        var sec = new WasmWriter();
        WriteCustoms(w, module, SectionId.Custom);
        foreach (var id in SectionOrder)
        {
            if (WriteSectionContents(sec, module, id))
            {
                w.Byte((byte)id);
                w.Vec(sec.Written);
            }
            sec.Clear();
            WriteCustoms(w, module, id);
        }
        if (writeNames && module.Names is { } names && !HasCustom(module, "name") && !NameSectionCodec.IsEmpty(names))
        {
            sec.Name("name");
            sec.Bytes(NameSectionCodec.Encode(names));
            w.Byte((byte)SectionId.Custom);
            w.Vec(sec.Written);
        }
        return w.ToArray();
    }

    private static int EstimateSize(ModuleInfo m)
    {
        long size = 64;
        foreach (var c in m.Codes) size += c.Bytes.Length + 5;
        foreach (var d in m.Datas) size += d.Bytes.Length + 16;
        foreach (var c in m.Customs) size += c.Data.Length + c.Name.Length + 10;
        return (int)Math.Min(size + size / 8, int.MaxValue / 2);
    }

    private static bool HasCustom(ModuleInfo m, string name)
    {
        foreach (var c in m.Customs)
            if (c.Name == name) return true;
        return false;
    }

    private static void WriteCustoms(WasmWriter w, ModuleInfo m, SectionId after)
    {
        foreach (var c in m.Customs)
        {
            if (c.After != after) continue;
            int nameLength = System.Text.Encoding.UTF8.GetByteCount(c.Name);
            w.Byte((byte)SectionId.Custom);
            w.U32((uint)(LebSize((uint)nameLength) + nameLength + c.Data.Length));
            w.Name(c.Name);
            w.Bytes(c.Data.Span);
        }
    }

    private static int LebSize(uint v)
    {
        int n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }

    /// <summary>Writes the contents of section <paramref name="id"/>; false when the section is left out.</summary>
    private static bool WriteSectionContents(WasmWriter w, ModuleInfo m, SectionId id)
    {
        switch (id)
        {
            case SectionId.Type:
                if (m.Types.Count == 0) return false;
                WriteTypes(w, m.Types);
                return true;
            case SectionId.Import:
                if (m.Imports.Count == 0) return false;
                w.U32((uint)m.Imports.Count);
                foreach (var imp in m.Imports) WriteImport(w, imp);
                return true;
            case SectionId.Function:
                if (m.Functions.Count == 0) return false;
                w.U32((uint)m.Functions.Count);
                foreach (uint t in m.Functions) w.U32(t);
                return true;
            case SectionId.Table:
                if (m.Tables.Count == 0) return false;
                w.U32((uint)m.Tables.Count);
                foreach (var t in m.Tables)
                {
                    if (t.Init is Expr init)
                    {
                        w.Byte(0x40);
                        w.Byte(0x00);
                        WriteTableType(w, t.Type);
                        w.Bytes(init.Code.Span);
                    }
                    else
                    {
                        WriteTableType(w, t.Type);
                    }
                }
                return true;
            case SectionId.Memory:
                if (m.Memories.Count == 0) return false;
                w.U32((uint)m.Memories.Count);
                foreach (var mt in m.Memories) WriteMemoryType(w, mt);
                return true;
            case SectionId.Tag:
                if (m.Tags.Count == 0) return false;
                w.U32((uint)m.Tags.Count);
                foreach (var t in m.Tags)
                {
                    w.Byte(0x00);
                    w.U32(t.TypeIndex);
                }
                return true;
            case SectionId.Global:
                if (m.Globals.Count == 0) return false;
                w.U32((uint)m.Globals.Count);
                foreach (var g in m.Globals)
                {
                    WriteGlobalType(w, g.Type);
                    w.Bytes(g.Init.Code.Span);
                }
                return true;
            case SectionId.Export:
                if (m.Exports.Count == 0) return false;
                w.U32((uint)m.Exports.Count);
                foreach (var e in m.Exports)
                {
                    w.Name(e.Name);
                    w.Byte((byte)e.Kind);
                    w.U32(e.Index);
                }
                return true;
            case SectionId.Start:
                if (m.Start is not uint start) return false;
                w.U32(start);
                return true;
            case SectionId.Element:
                if (m.Elements.Count == 0) return false;
                w.U32((uint)m.Elements.Count);
                foreach (var e in m.Elements) WriteElement(w, e);
                return true;
            case SectionId.DataCount:
                if (m.DataCount is not uint dc) return false;
                w.U32(dc);
                return true;
            case SectionId.Code:
                if (m.Codes.Count == 0) return false;
                w.U32((uint)m.Codes.Count);
                foreach (var c in m.Codes) w.Vec(c.Bytes.Span);
                return true;
            case SectionId.Data:
                if (m.Datas.Count == 0) return false;
                w.U32((uint)m.Datas.Count);
                foreach (var d in m.Datas) WriteData(w, d);
                return true;
            default:
                return false;
        }
    }

    private static void WriteTypes(WasmWriter w, List<SubType> types)
    {
        // Count the top-level entries: recursion groups written with 0x4E and lone types.
        uint entries = 0;
        for (int i = 0; i < types.Count; i += Math.Max(1, types[i].RecGroupSize)) entries++;
        w.U32(entries);
        for (int i = 0; i < types.Count;)
        {
            var first = types[i];
            int size = Math.Max(1, first.RecGroupSize);
            if (size > 1 || first.ExplicitRec)
            {
                w.Byte(0x4E);
                w.U32((uint)size);
            }
            for (int k = 0; k < size && i + k < types.Count; k++) WriteSubType(w, types[i + k]);
            i += size;
        }
    }

    private static void WriteSubType(WasmWriter w, SubType st)
    {
        if (st.ExplicitSub || st.Supers.Length > 0 || !st.Final)
        {
            w.Byte(st.Final ? (byte)0x4F : (byte)0x50);
            w.U32((uint)st.Supers.Length);
            foreach (uint s in st.Supers) w.U32(s);
        }
        var ct = st.Type;
        switch (ct.Kind)
        {
            case CompositeKind.Func:
                w.Byte(0x60);
                w.U32((uint)ct.Params.Length);
                foreach (var t in ct.Params) TypeCodec.WriteValType(w, t);
                w.U32((uint)ct.Results.Length);
                foreach (var t in ct.Results) TypeCodec.WriteValType(w, t);
                break;
            case CompositeKind.Struct:
                w.Byte(0x5F);
                w.U32((uint)ct.Fields.Length);
                foreach (var f in ct.Fields) WriteField(w, f);
                break;
            case CompositeKind.Array:
                w.Byte(0x5E);
                WriteField(w, ct.Element);
                break;
        }
    }

    private static void WriteField(WasmWriter w, FieldType f)
    {
        TypeCodec.WriteValType(w, f.Type);
        w.Byte(f.Mutable ? (byte)1 : (byte)0);
    }

    private static void WriteImport(WasmWriter w, Import imp)
    {
        w.Name(imp.Module);
        w.Name(imp.Name);
        w.Byte((byte)imp.Kind);
        switch (imp.Kind)
        {
            case ExternKind.Func: w.U32(imp.TypeIndex); break;
            case ExternKind.Table: WriteTableType(w, imp.Table); break;
            case ExternKind.Memory: WriteMemoryType(w, imp.Memory); break;
            case ExternKind.Global: WriteGlobalType(w, imp.Global); break;
            case ExternKind.Tag:
                w.Byte(0x00);
                w.U32(imp.TypeIndex);
                break;
        }
    }

    private static void WriteLimits(WasmWriter w, Limits l, uint? pageSizeLog2)
    {
        byte flags = (byte)((l.Max != null ? 1 : 0) | (l.Shared ? 2 : 0) | (l.Is64 ? 4 : 0) | (pageSizeLog2 != null ? 8 : 0));
        w.Byte(flags);
        w.U64(l.Min);
        if (l.Max is ulong max) w.U64(max);
        if (pageSizeLog2 is uint p) w.U32(p);
    }

    private static void WriteTableType(WasmWriter w, TableType t)
    {
        TypeCodec.WriteValType(w, t.ElemType);
        WriteLimits(w, t.Limits, null);
    }

    private static void WriteMemoryType(WasmWriter w, MemoryType t) => WriteLimits(w, t.Limits, t.PageSizeLog2);

    private static void WriteGlobalType(WasmWriter w, GlobalType g)
    {
        TypeCodec.WriteValType(w, g.Type);
        w.Byte(g.Mutable ? (byte)1 : (byte)0);
    }

    /// <summary>
    /// Element segment forms, as the spec's reference encoder chooses them: the index forms (0-3)
    /// when the elements are function indices of type <c>(ref func)</c> (what the decoder gives the
    /// index forms), else the expression forms (4-7); the implicit-table forms (0, 4) for active
    /// segments on table 0 whose type is the one the form implies (<c>(ref func)</c> for 0,
    /// <c>funcref</c> for 4). Function indices with another type are written as <c>ref.func</c>
    /// expressions, so that decoding gives back the same type.
    /// </summary>
    private static void WriteElement(WasmWriter w, ElementSegment e)
    {
        bool indexForm = e.FuncIndices != null && e.Type == FuncRefNonNull;
        uint form = indexForm ? 0u : 4u;
        bool explicitTable = false;
        switch (e.Mode)
        {
            case SegmentMode.Passive: form |= 1; break;
            case SegmentMode.Declarative: form |= 3; break;
            default:
                if (e.TableIndex != 0 || (!indexForm && e.Type != ValType.FuncRef))
                {
                    form |= 2;
                    explicitTable = true;
                }
                break;
        }
        w.U32(form);
        if (e.Mode == SegmentMode.Active)
        {
            if (explicitTable) w.U32(e.TableIndex);
            w.Bytes(e.Offset.Code.Span);
        }
        if ((form & 3) != 0)
        {
            if (indexForm) w.Byte(0x00);
            else TypeCodec.WriteValType(w, e.Type);
        }
        if (indexForm)
        {
            var funcs = e.FuncIndices!;
            w.U32((uint)funcs.Length);
            foreach (uint f in funcs) w.U32(f);
        }
        else if (e.Exprs is { } exprs)
        {
            w.U32((uint)exprs.Length);
            foreach (var x in exprs) w.Bytes(x.Code.Span);
        }
        else
        {
            // Function indices of a non-funcref segment: written as ref.func expressions.
            var funcs = e.FuncIndices!;
            w.U32((uint)funcs.Length);
            foreach (uint f in funcs)
            {
                w.Byte(0xD2);
                w.U32(f);
                w.Byte(0x0B);
            }
        }
    }

    private static readonly ValType FuncRefNonNull = ValType.Ref(HeapType.Func, false);

    private static void WriteData(WasmWriter w, DataSegment d)
    {
        if (d.Mode == SegmentMode.Passive)
        {
            w.U32(1);
        }
        else if (d.MemoryIndex == 0)
        {
            w.U32(0);
            w.Bytes(d.Offset.Code.Span);
        }
        else
        {
            w.U32(2);
            w.U32(d.MemoryIndex);
            w.Bytes(d.Offset.Code.Span);
        }
        w.Vec(d.Bytes.Span);
    }
}
