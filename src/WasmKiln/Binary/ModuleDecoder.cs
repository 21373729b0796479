using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Binary;

/// <summary>
/// Decodes the binary format into a <see cref="ModuleInfo"/>. Function bodies are only located
/// (their local declarations are checked); constant expressions are located by scanning their
/// instructions up to the matching <c>end</c>. Every error is a <see cref="MalformedModuleException"/>
/// carrying the message the specification's test suite expects and the byte offset of the problem.
/// </summary>
internal static class ModuleDecoder
{
    /// <summary>Message for reads past the end of a section or of a function body.</summary>
    public const string SectionEnd = "unexpected end of section or function";

    /// <summary>Position of each non-custom section id (by value) in the required section order.</summary>
    private static readonly int[] Rank = BuildRanks();

    private static int[] BuildRanks()
    {
        var order = ModuleEncoder.SectionOrder;
        var rank = new int[14];
        for (int i = 0; i < order.Length; i++) rank[(int)order[i]] = i + 1;
        return rank;
    }

    /// <summary>
    /// Decodes a binary module; function bodies are located, not decoded. Throws
    /// <see cref="MalformedModuleException"/>. The returned module refers to slices of
    /// <paramref name="bytes"/> (bodies, expressions, data, custom sections): the buffer must not
    /// change while the module is in use.
    /// </summary>
    public static ModuleInfo Decode(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < 4) throw new MalformedModuleException("unexpected end", span.Length);
        if (span[0] != 0 || span[1] != (byte)'a' || span[2] != (byte)'s' || span[3] != (byte)'m')
            throw new MalformedModuleException("magic header not detected", 0);
        if (span.Length < 8) throw new MalformedModuleException("unexpected end", span.Length);
        if (span[4] != 1 || span[5] != 0 || span[6] != 0 || span[7] != 0)
            throw new MalformedModuleException("unknown binary version", 4);

        var m = new ModuleInfo();
        var bodies = new List<(int Start, int Size)>();
        try
        {
            DecodeSections(bytes, m, bodies);
        }
        catch (MalformedModuleException) when (bodies.Count > 0)
        {
            // The reference decoder reads function bodies in stream order, so an error inside a
            // body (whose declared size may be wrong) is reported before anything found later.
            foreach (var (start, size) in bodies) ScanBody(span, 0, start, size);
            throw;
        }
        return m;
    }

    private static void DecodeSections(ReadOnlyMemory<byte> bytes, ModuleInfo m, List<(int Start, int Size)> bodies)
    {
        var span = bytes.Span;
        var r = new WasmReader(span, 0, SectionEnd);
        r.Position = 8;
        int lastRank = 0;
        var after = SectionId.Custom;
        uint funcCount = 0;
        uint? dataSegments = null;

        while (!r.AtEnd)
        {
            int idAt = r.Offset;
            byte id = r.ReadByte();
            if (id > (byte)SectionId.Tag) throw new MalformedModuleException("malformed section id", idAt);
            var sid = (SectionId)id;
            if (sid != SectionId.Custom)
            {
                int rank = Rank[id];
                if (rank <= lastRank) throw new MalformedModuleException("unexpected content after last section", idAt);
                lastRank = rank;
                m.SetSectionOffset(sid, idAt);
            }
            int sizeAt = r.Offset;
            uint size = r.ReadU32();
            if (size > (uint)r.Remaining) throw new MalformedModuleException("length out of bounds", sizeAt);
            int start = r.Position;

            // Like the reference decoder, the contents are read up to the end of the module and
            // the declared size is checked afterwards.
            var s = new WasmReader(span[start..], start, SectionEnd);
            var mem = bytes[start..];
            switch (sid)
            {
                case SectionId.Custom: ReadCustom(ref s, mem, (int)size, after, m); break;
                case SectionId.Type: ReadTypes(ref s, m); break;
                case SectionId.Import: ReadImports(ref s, m); break;
                case SectionId.Function:
                {
                    uint n = Count(ref s);
                    for (uint i = 0; i < n; i++) m.Functions.Add(s.ReadU32());
                    funcCount = n;
                    break;
                }
                case SectionId.Table: ReadTables(ref s, mem, m); break;
                case SectionId.Memory:
                {
                    uint n = Count(ref s);
                    for (uint i = 0; i < n; i++) m.Memories.Add(ReadMemoryType(ref s));
                    break;
                }
                case SectionId.Global:
                {
                    uint n = Count(ref s);
                    for (uint i = 0; i < n; i++)
                    {
                        var gt = ReadGlobalType(ref s);
                        m.Globals.Add(new GlobalDef(gt, ReadExpr(ref s, mem)));
                    }
                    break;
                }
                case SectionId.Export: ReadExports(ref s, m); break;
                case SectionId.Start: m.Start = s.ReadU32(); break;
                case SectionId.Element: ReadElements(ref s, mem, m); break;
                case SectionId.Code: ReadCode(ref s, mem, m, bodies); break;
                case SectionId.Data: dataSegments = ReadData(ref s, mem, m); break;
                case SectionId.DataCount: m.DataCount = s.ReadU32(); break;
                case SectionId.Tag:
                {
                    uint n = Count(ref s);
                    for (uint i = 0; i < n; i++) m.Tags.Add(new TagType(ReadTagType(ref s)));
                    break;
                }
            }
            if (s.Position != size) throw new MalformedModuleException("section size mismatch", start);
            r.Position = start + (int)size;
            if (sid != SectionId.Custom) after = sid;
        }

        if (funcCount != (uint)m.Codes.Count)
            throw new MalformedModuleException("function and code section have inconsistent lengths", span.Length);
        if (m.DataCount is uint dc && dc != (dataSegments ?? 0))
            throw new MalformedModuleException("data count and data section have inconsistent lengths", span.Length);
    }

    /// <summary>A vector length or byte count: "length out of bounds" when larger than what is left of the module.</summary>
    private static uint Len(ref WasmReader s)
    {
        int at = s.Offset;
        uint n = s.ReadU32();
        if (n > (uint)s.Remaining) throw new MalformedModuleException("length out of bounds", at);
        return n;
    }

    /// <summary>
    /// A vector length. Not checked against the bytes left (as in the reference decoder, reading
    /// the elements runs into the end); callers allocate at most <see cref="WasmReader.Remaining"/>
    /// entries, which is enough because every element takes at least one byte.
    /// </summary>
    private static uint Count(ref WasmReader s) => s.ReadU32();

    private static string Name(ref WasmReader s)
    {
        uint n = Len(ref s);
        int at = s.Offset;
        return WasmReader.DecodeUtf8(s.ReadBytes((int)n), at);
    }

    // ---- sections -------------------------------------------------------------------------

    private static void ReadCustom(ref WasmReader s, ReadOnlyMemory<byte> mem, int size, SectionId after, ModuleInfo m)
    {
        string name = Name(ref s);
        int dataStart = s.Position;
        if (dataStart > size || size > s.Length) throw new MalformedModuleException(SectionEnd, s.BaseOffset + s.Length);
        var data = mem[dataStart..size];
        int dataOffset = s.BaseOffset + dataStart;
        s.Position = size;
        m.Customs.Add(new CustomSection(name, data, after, dataOffset));
        if (name == "name" && m.Names == null) m.Names = NameSectionCodec.TryDecode(data.Span, dataOffset);
    }

    private static void ReadTypes(ref WasmReader s, ModuleInfo m)
    {
        uint n = Count(ref s);
        for (uint i = 0; i < n; i++)
        {
            if (s.PeekByte() == 0x4E)
            {
                s.ReadByte();
                uint count = Count(ref s);
                int groupStart = m.Types.Count;
                for (uint k = 0; k < count; k++)
                {
                    var st = ReadSubType(ref s);
                    st.RecGroupStart = groupStart;
                    st.RecGroupSize = (int)count;
                    st.ExplicitRec = k == 0;
                    m.Types.Add(st);
                }
            }
            else
            {
                var st = ReadSubType(ref s);
                st.RecGroupStart = m.Types.Count;
                st.RecGroupSize = 1;
                m.Types.Add(st);
            }
        }
    }

    private static SubType ReadSubType(ref WasmReader s)
    {
        byte b = s.PeekByte();
        if (b == 0x50 || b == 0x4F)
        {
            s.ReadByte();
            uint n = Count(ref s);
            var supers = new uint[Math.Min(n, (uint)s.Remaining)];
            for (int i = 0; i < n; i++) supers[i] = s.ReadU32();
            return new SubType(ReadCompositeType(ref s), b == 0x4F, supers) { ExplicitSub = true };
        }
        return new SubType(ReadCompositeType(ref s), true, []);
    }

    private static CompositeType ReadCompositeType(ref WasmReader s)
    {
        int at = s.Offset;
        long form = s.ReadS7();
        switch (form)
        {
            case -0x20: // 0x60 func
            {
                var p = ReadValTypes(ref s);
                var r = ReadValTypes(ref s);
                return CompositeType.Func(p, r);
            }
            case -0x21: // 0x5F struct
            {
                uint n = Count(ref s);
                var fields = new FieldType[Math.Min(n, (uint)s.Remaining)];
                for (int i = 0; i < n; i++) fields[i] = ReadFieldType(ref s);
                return CompositeType.Struct(fields);
            }
            case -0x22: // 0x5E array
                return CompositeType.Array(ReadFieldType(ref s));
            default:
                throw new MalformedModuleException("malformed definition type", at);
        }
    }

    private static ValType[] ReadValTypes(ref WasmReader s)
    {
        uint n = Count(ref s);
        if (n == 0) return [];
        var types = new ValType[Math.Min(n, (uint)s.Remaining)];
        for (int i = 0; i < n; i++) types[i] = TypeCodec.ReadValType(ref s);
        return types;
    }

    private static FieldType ReadFieldType(ref WasmReader s)
    {
        var t = TypeCodec.ReadStorageType(ref s);
        return new FieldType(t, ReadMutability(ref s));
    }

    private static bool ReadMutability(ref WasmReader s)
    {
        int at = s.Offset;
        byte b = s.ReadByte();
        if (b > 1) throw new MalformedModuleException("malformed mutability", at);
        return b == 1;
    }

    private static GlobalType ReadGlobalType(ref WasmReader s)
    {
        var t = TypeCodec.ReadValType(ref s);
        return new GlobalType(t, ReadMutability(ref s));
    }

    private static uint ReadTagType(ref WasmReader s)
    {
        int at = s.Offset;
        byte attr = s.ReadByte();
        if (attr != 0) throw new MalformedModuleException("malformed tag attribute", at);
        return s.ReadU32();
    }

    /// <summary>
    /// Limits flags: bit 0 max present, bit 1 shared (threads), bit 2 64-bit. Bit 3 (custom page
    /// sizes, not part of WebAssembly 3.0) is rejected as malformed, like the spec's test suite expects.
    /// </summary>
    private static Limits ReadLimits(ref WasmReader s, bool memory)
    {
        int at = s.Offset;
        byte flags = s.ReadByte();
        if ((flags & ~0x07) != 0)
        {
            string what = (flags & ~0x0F) == 0 && memory ? "malformed limits flags (custom page sizes are not supported)" : "malformed limits flags";
            throw new MalformedModuleException(what, at);
        }
        bool hasMax = (flags & 1) != 0, shared = (flags & 2) != 0, is64 = (flags & 4) != 0;
        // Read as 64-bit like the reference decoder; the range of 32-bit limits is checked by validation.
        ulong min = s.ReadU64();
        ulong? max = hasMax ? s.ReadU64() : null;
        return new Limits(min, max, is64, shared);
    }

    private static TableType ReadTableType(ref WasmReader s)
    {
        var t = TypeCodec.ReadRefType(ref s);
        var lim = ReadLimits(ref s, false);
        return new TableType(t, lim);
    }

    private static MemoryType ReadMemoryType(ref WasmReader s)
    {
        return new MemoryType(ReadLimits(ref s, true));
    }

    private static void ReadImports(ref WasmReader s, ModuleInfo m)
    {
        uint n = Count(ref s);
        for (uint i = 0; i < n; i++)
        {
            string module = Name(ref s);
            string name = Name(ref s);
            int at = s.Offset;
            byte kind = s.ReadByte();
            Import imp = kind switch
            {
                0 => new Import(module, name, ExternKind.Func) { TypeIndex = s.ReadU32() },
                1 => new Import(module, name, ExternKind.Table) { Table = ReadTableType(ref s) },
                2 => new Import(module, name, ExternKind.Memory) { Memory = ReadMemoryType(ref s) },
                3 => new Import(module, name, ExternKind.Global) { Global = ReadGlobalType(ref s) },
                4 => new Import(module, name, ExternKind.Tag) { TypeIndex = ReadTagType(ref s) },
                _ => throw new MalformedModuleException("malformed import kind", at),
            };
            m.AddImport(imp);
        }
    }

    private static void ReadTables(ref WasmReader s, ReadOnlyMemory<byte> mem, ModuleInfo m)
    {
        uint n = Count(ref s);
        for (uint i = 0; i < n; i++)
        {
            if (s.PeekByte() == 0x40)
            {
                s.ReadByte();
                int at = s.Offset;
                if (s.ReadByte() != 0) throw new MalformedModuleException("malformed table", at);
                var tt = ReadTableType(ref s);
                m.Tables.Add(new TableDef(tt, ReadExpr(ref s, mem)));
            }
            else
            {
                m.Tables.Add(new TableDef(ReadTableType(ref s), null));
            }
        }
    }

    private static void ReadExports(ref WasmReader s, ModuleInfo m)
    {
        uint n = Count(ref s);
        for (uint i = 0; i < n; i++)
        {
            string name = Name(ref s);
            int at = s.Offset;
            byte kind = s.ReadByte();
            if (kind > 4) throw new MalformedModuleException("malformed export kind", at);
            m.Exports.Add(new Export(name, (ExternKind)kind, s.ReadU32()));
        }
    }

    private static void ReadElements(ref WasmReader s, ReadOnlyMemory<byte> mem, ModuleInfo m)
    {
        uint n = Count(ref s);
        for (uint i = 0; i < n; i++)
        {
            int at = s.Offset;
            uint form = s.ReadU32();
            if (form > 7) throw new MalformedModuleException("malformed elements segment kind", at);
            var mode = (form & 1) == 0 ? SegmentMode.Active : (form & 2) == 0 ? SegmentMode.Passive : SegmentMode.Declarative;
            uint table = 0;
            Expr offset = default;
            if (mode == SegmentMode.Active)
            {
                if ((form & 2) != 0) table = s.ReadU32();
                offset = ReadExpr(ref s, mem);
            }
            bool exprs = (form & 4) != 0;
            // Index forms hold non-null function references; form 4 has type funcref (as the spec's binary format defines).
            var type = exprs ? ValType.FuncRef : FuncRefNonNull;
            if ((form & 3) != 0)
            {
                if (exprs)
                {
                    type = TypeCodec.ReadRefType(ref s);
                }
                else
                {
                    int kat = s.Offset;
                    if (s.ReadByte() != 0) throw new MalformedModuleException("malformed element kind", kat);
                }
            }
            uint count = Count(ref s);
            if (exprs)
            {
                var list = new Expr[Math.Min(count, (uint)s.Remaining)];
                for (int k = 0; k < count; k++) list[k] = ReadExpr(ref s, mem);
                m.Elements.Add(new ElementSegment { Mode = mode, TableIndex = table, Offset = offset, Type = type, Exprs = list });
            }
            else
            {
                var list = new uint[Math.Min(count, (uint)s.Remaining)];
                for (int k = 0; k < count; k++) list[k] = s.ReadU32();
                m.Elements.Add(new ElementSegment { Mode = mode, TableIndex = table, Offset = offset, Type = type, FuncIndices = list });
            }
        }
    }

    private static readonly ValType FuncRefNonNull = ValType.Ref(HeapType.Func, false);

    private static void ReadCode(ref WasmReader s, ReadOnlyMemory<byte> mem, ModuleInfo m, List<(int Start, int Size)> bodies)
    {
        uint n = Count(ref s);
        m.Codes.Capacity = (int)Math.Min(n, (uint)s.Remaining);
        for (uint i = 0; i < n; i++)
        {
            int sizeAt = s.Offset;
            uint size = s.ReadU32();
            if (size > (uint)s.Remaining) throw new MalformedModuleException("length out of bounds", sizeAt);
            int start = s.Position;
            bodies.Add((s.BaseOffset + start, (int)size));
            var body = new FunctionBody(mem.Slice(start, (int)size), s.BaseOffset + start);
            CheckLocals(body);
            // A body must end with "end"; when it does not, decode it like the reference decoder
            // (past its declared size) for the exact error.
            if (size == 0 || body.Bytes.Span[(int)size - 1] != 0x0B) ScanBody(s.Data, s.BaseOffset, s.BaseOffset + start, (int)size);
            m.Codes.Add(body);
            s.Position = start + (int)size;
        }
    }

    /// <summary>Checks the local declarations of a body (count limit, value types) without expanding them.</summary>
    private static void CheckLocals(FunctionBody body)
    {
        var r = new WasmReader(body.Bytes.Span, body.Offset, SectionEnd);
        uint groups = r.ReadU32();
        ulong total = 0;
        int at = body.Offset;
        for (uint g = 0; g < groups; g++)
        {
            total += r.ReadU32();
            if (total > FunctionBodyReader.MaxLocals) throw new MalformedModuleException("too many locals", at);
            TypeCodec.ReadValType(ref r);
        }
    }

    private static uint ReadData(ref WasmReader s, ReadOnlyMemory<byte> mem, ModuleInfo m)
    {
        uint n = Count(ref s);
        for (uint i = 0; i < n; i++)
        {
            int at = s.Offset;
            uint form = s.ReadU32();
            if (form > 2) throw new MalformedModuleException("malformed data segment kind", at);
            uint memory = 0;
            Expr offset = default;
            var mode = form == 1 ? SegmentMode.Passive : SegmentMode.Active;
            if (form == 2) memory = s.ReadU32();
            if (form != 1) offset = ReadExpr(ref s, mem);
            uint len = s.ReadU32();
            if (len > (uint)s.Remaining) throw new MalformedModuleException(SectionEnd, s.BaseOffset + s.Length);
            int start = s.Position;
            s.Position = start + (int)len;
            m.Datas.Add(new DataSegment { Mode = mode, MemoryIndex = memory, Offset = offset, Bytes = mem.Slice(start, (int)len) });
        }
        return n;
    }

    /// <summary>
    /// Locates a constant expression: scans instructions up to the <c>end</c> that closes it
    /// (nested blocks counted), without validating them.
    /// </summary>
    private static Expr ReadExpr(ref WasmReader s, ReadOnlyMemory<byte> mem)
    {
        int start = s.Position;
        s.Position = ScanInstructions(s);
        return new Expr(mem[start..s.Position], s.BaseOffset + start);
    }

    /// <summary>
    /// Reads instructions from the reader's position up to the <c>end</c> closing the
    /// expression, as the reference decoder does; returns the position after that <c>end</c>.
    /// </summary>
    private static int ScanInstructions(WasmReader s)
    {
        var ir = new InstructionReader(s);
        int depth = 0;
        while (true)
        {
            ir.Read(out var ins);
            switch (ins.Op)
            {
                case Op.End:
                    if (depth == 0) return ir.Position;
                    depth--;
                    break;
                case Op.Else:
                    if (depth == 0) throw new MalformedModuleException("END opcode expected", ins.Offset);
                    break;
                case Op.Delegate: // legacy exceptions: closes its try instead of end
                    if (depth == 0) throw new MalformedModuleException("END opcode expected", ins.Offset);
                    depth--;
                    break;
                case Op.Block:
                case Op.Loop:
                case Op.If:
                case Op.Try:
                case Op.TryTable:
                    depth++;
                    break;
            }
        }
    }

    /// <summary>
    /// Decodes a function body the way the reference decoder does (reading on past its declared
    /// size if need be) and throws the first error; a body whose instructions do not end exactly
    /// at its declared size is a "section size mismatch".
    /// <paramref name="data"/> starts at module offset <paramref name="baseOffset"/>; <paramref name="start"/> is absolute.
    /// </summary>
    private static void ScanBody(ReadOnlySpan<byte> data, int baseOffset, int start, int size)
    {
        var r = new WasmReader(data[(start - baseOffset)..], start, SectionEnd);
        uint groups = Count(ref r);
        ulong total = 0;
        for (uint g = 0; g < groups; g++)
        {
            total += r.ReadU32();
            if (total > FunctionBodyReader.MaxLocals) throw new MalformedModuleException("too many locals", start);
            TypeCodec.ReadValType(ref r);
        }
        int end = ScanInstructions(r);
        if (end != size) throw new MalformedModuleException("section size mismatch", start);
    }
}
