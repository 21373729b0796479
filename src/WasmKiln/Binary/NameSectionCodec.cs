using WasmKiln.Model;

namespace WasmKiln.Binary;

/// <summary>
/// Reads and writes the contents of the <c>name</c> custom section: the module name (0), function
/// names (1), local names (2) and the extended subsections: labels (3), types (4), tables (5),
/// memories (6), globals (7), element segments (8), data segments (9), fields (10), tags (11).
/// </summary>
internal static class NameSectionCodec
{
    /// <summary>
    /// Decodes the section contents (after the section name). Custom sections are not validated,
    /// so a malformed name section yields null instead of an error.
    /// </summary>
    public static NameSection? TryDecode(ReadOnlySpan<byte> data, int offset)
    {
        try
        {
            return Decode(data, offset);
        }
        catch (MalformedModuleException)
        {
            return null;
        }
    }

    private static NameSection Decode(ReadOnlySpan<byte> data, int offset)
    {
        var names = new NameSection();
        var r = new WasmReader(data, offset);
        int lastId = -1;
        while (!r.AtEnd)
        {
            int idAt = r.Offset;
            byte id = r.ReadByte();
            // Subsections appear at most once, in increasing order of id.
            if (id <= lastId) throw new MalformedModuleException("out-of-order name subsection", idAt);
            lastId = id;
            uint size = r.ReadU32();
            if (size > (uint)r.Remaining) throw new MalformedModuleException("unexpected end", r.Offset);
            int start = r.Position;
            var s = new WasmReader(data.Slice(start, (int)size), offset + start);
            switch (id)
            {
                case 0: names.Module = s.ReadName(); break;
                case 1: ReadMap(ref s, names.Functions); break;
                case 2: ReadIndirect(ref s, names.Locals); break;
                case 3: ReadIndirect(ref s, names.Labels); break;
                case 4: ReadMap(ref s, names.Types); break;
                case 5: ReadMap(ref s, names.Tables); break;
                case 6: ReadMap(ref s, names.Memories); break;
                case 7: ReadMap(ref s, names.Globals); break;
                case 8: ReadMap(ref s, names.Elements); break;
                case 9: ReadMap(ref s, names.Datas); break;
                case 10: ReadIndirect(ref s, names.Fields); break;
                case 11: ReadMap(ref s, names.Tags); break;
                default: s.Position = s.Length; break; // unknown subsection: skipped
            }
            if (!s.AtEnd) throw new MalformedModuleException("name subsection size mismatch", s.Offset);
            r.Position = start + (int)size;
        }
        return names;
    }

    private static void ReadMap(ref WasmReader r, Dictionary<uint, string> map)
    {
        uint n = r.ReadCount();
        for (uint i = 0; i < n; i++)
        {
            uint index = r.ReadU32();
            map[index] = r.ReadName();
        }
    }

    private static void ReadIndirect(ref WasmReader r, Dictionary<uint, Dictionary<uint, string>> map)
    {
        uint n = r.ReadCount();
        for (uint i = 0; i < n; i++)
        {
            uint index = r.ReadU32();
            var inner = new Dictionary<uint, string>();
            ReadMap(ref r, inner);
            map[index] = inner;
        }
    }

    /// <summary>True when <paramref name="names"/> has nothing to write.</summary>
    public static bool IsEmpty(NameSection names) =>
        names.Module == null && names.Functions.Count == 0 && names.Locals.Count == 0 && names.Labels.Count == 0
        && names.Types.Count == 0 && names.Tables.Count == 0 && names.Memories.Count == 0 && names.Globals.Count == 0
        && names.Elements.Count == 0 && names.Datas.Count == 0 && names.Fields.Count == 0 && names.Tags.Count == 0;

    /// <summary>Encodes the section contents (without the section name), subsections in id order, indices ascending.</summary>
    public static byte[] Encode(NameSection names)
    {
        var w = new WasmWriter();
        var sub = new WasmWriter();
        if (names.Module != null)
        {
            sub.Name(names.Module);
            Flush(w, 0, sub);
        }
        WriteMap(w, sub, 1, names.Functions);
        WriteIndirect(w, sub, 2, names.Locals);
        WriteIndirect(w, sub, 3, names.Labels);
        WriteMap(w, sub, 4, names.Types);
        WriteMap(w, sub, 5, names.Tables);
        WriteMap(w, sub, 6, names.Memories);
        WriteMap(w, sub, 7, names.Globals);
        WriteMap(w, sub, 8, names.Elements);
        WriteMap(w, sub, 9, names.Datas);
        WriteIndirect(w, sub, 10, names.Fields);
        WriteMap(w, sub, 11, names.Tags);
        return w.ToArray();
    }

    private static void Flush(WasmWriter w, byte id, WasmWriter sub)
    {
        w.Byte(id);
        w.Vec(sub.Written);
        sub.Clear();
    }

    private static void WriteMap(WasmWriter w, WasmWriter sub, byte id, Dictionary<uint, string> map)
    {
        if (map.Count == 0) return;
        WriteMapBody(sub, map);
        Flush(w, id, sub);
    }

    private static void WriteMapBody(WasmWriter w, Dictionary<uint, string> map)
    {
        var keys = new uint[map.Count];
        map.Keys.CopyTo(keys, 0);
        Array.Sort(keys);
        w.U32((uint)keys.Length);
        foreach (uint k in keys)
        {
            w.U32(k);
            w.Name(map[k]);
        }
    }

    private static void WriteIndirect(WasmWriter w, WasmWriter sub, byte id, Dictionary<uint, Dictionary<uint, string>> map)
    {
        if (map.Count == 0) return;
        var keys = new uint[map.Count];
        map.Keys.CopyTo(keys, 0);
        Array.Sort(keys);
        sub.U32((uint)keys.Length);
        foreach (uint k in keys)
        {
            sub.U32(k);
            WriteMapBody(sub, map[k]);
        }
        Flush(w, id, sub);
    }
}
