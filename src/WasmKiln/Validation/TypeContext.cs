using System.Text;
using WasmKiln.Model;

namespace WasmKiln.Validation;

/// <summary>
/// A type definition after canonicalization: its composite type with every type index replaced
/// by a canonical type id, its (canonical) declared supertype and finality.
/// </summary>
internal sealed class CanonicalType
{
    public CanonicalType(int id, CompositeType type, int super, bool final, int depth, int groupStart, int groupSize)
    {
        Id = id; Type = type; Super = super; Final = final; Depth = depth; GroupStart = groupStart; GroupSize = groupSize;
    }

    /// <summary>The canonical id.</summary>
    public int Id { get; }
    /// <summary>The composite type; heap types in it are canonical ids.</summary>
    public CompositeType Type { get; }
    /// <summary>Canonical id of the declared supertype, or -1.</summary>
    public int Super { get; }
    public bool Final { get; }
    /// <summary>Length of the supertype chain above this type (0 for none).</summary>
    public int Depth { get; }
    /// <summary>Canonical id of the first type of the recursion group.</summary>
    public int GroupStart { get; }
    public int GroupSize { get; }
    public CompositeKind Kind => Type.Kind;
}

/// <summary>
/// The process-wide registry of canonical types. Structurally equal recursion groups (with
/// references inside the group taken relative to it) get the same canonical ids, so type
/// equivalence is id equality, across every module. Thread-safe: readers see an immutable
/// snapshot of entries, writers take a lock.
/// </summary>
internal static class TypeRegistry
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, int> Groups = new(StringComparer.Ordinal);
    private static volatile CanonicalType[] _types = new CanonicalType[256];
    private static int _count;

    /// <summary>Number of canonical types registered so far.</summary>
    public static int Count => Volatile.Read(ref _count);

    /// <summary>The canonical type with id <paramref name="id"/>.</summary>
    public static CanonicalType Get(int id) => _types[id];

    /// <summary>
    /// Registers the recursion group made of module types [<paramref name="start"/>,
    /// <paramref name="start"/>+<paramref name="size"/>) and returns the canonical id of its
    /// first type. <paramref name="canon"/> maps the module's earlier type indices to canonical
    /// ids. The caller has checked that every type index is below start+size and that each
    /// declared supertype index is below its own index.
    /// </summary>
    public static int RegisterGroup(List<SubType> types, int start, int size, int[] canon)
    {
        var key = new StringBuilder();
        for (int i = start; i < start + size; i++)
        {
            var st = types[i];
            key.Append(st.Final ? 'F' : 'O');
            foreach (var s in st.Supers) AppendIndex(key, (int)s, start, canon);
            key.Append('|');
            var ct = st.Type;
            key.Append((char)('a' + (int)ct.Kind));
            foreach (var p in ct.Params) AppendType(key, p, start, canon);
            key.Append('>');
            foreach (var r in ct.Results) AppendType(key, r, start, canon);
            key.Append(':');
            foreach (var f in ct.Fields) { key.Append(f.Mutable ? 'm' : 'c'); AppendType(key, f.Type, start, canon); }
            key.Append(';');
        }
        string k = key.ToString();
        lock (Gate)
        {
            if (Groups.TryGetValue(k, out int existing)) return existing;
            int baseId = _count;
            var arr = _types;
            if (baseId + size > arr.Length)
            {
                var bigger = new CanonicalType[Math.Max(arr.Length * 2, baseId + size)];
                Array.Copy(arr, bigger, baseId);
                arr = bigger;
            }
            for (int i = 0; i < size; i++)
            {
                var st = types[start + i];
                int super = st.Supers.Length == 0 ? -1 : MapIndex((int)st.Supers[0], start, baseId, canon);
                int depth = super < 0 ? 0 : arr[super].Depth + 1;
                var ct = st.Type;
                CompositeType mapped = ct.Kind switch
                {
                    CompositeKind.Func => CompositeType.Func(MapTypes(ct.Params, start, baseId, canon), MapTypes(ct.Results, start, baseId, canon)),
                    CompositeKind.Struct => CompositeType.Struct(MapFields(ct.Fields, start, baseId, canon)),
                    _ => CompositeType.Array(MapFields(ct.Fields, start, baseId, canon)[0]),
                };
                arr[baseId + i] = new CanonicalType(baseId + i, mapped, super, st.Final, depth, baseId, size);
            }
            _types = arr;
            Groups.Add(k, baseId);
            Volatile.Write(ref _count, baseId + size);
            return baseId;
        }
    }

    private static void AppendIndex(StringBuilder key, int index, int start, int[] canon)
    {
        if (index >= start) key.Append('r').Append(index - start);
        else key.Append('c').Append(canon[index]);
        key.Append(',');
    }

    private static void AppendType(StringBuilder key, ValType t, int start, int[] canon)
    {
        key.Append((char)('0' + (int)t.Kind));
        if (t.Kind == ValKind.Ref)
        {
            key.Append(t.Nullable ? '?' : '!');
            if (t.Heap.IsIndex) AppendIndex(key, t.Heap.Value, start, canon);
            else key.Append(t.Heap.Value).Append(',');
        }
    }

    private static int MapIndex(int index, int start, int baseId, int[] canon) => index >= start ? baseId + (index - start) : canon[index];

    private static ValType MapType(ValType t, int start, int baseId, int[] canon) =>
        t.Kind == ValKind.Ref && t.Heap.IsIndex ? t with { Heap = new HeapType(MapIndex(t.Heap.Value, start, baseId, canon)) } : t;

    private static ValType[] MapTypes(ValType[] ts, int start, int baseId, int[] canon)
    {
        if (ts.Length == 0) return ts;
        var r = new ValType[ts.Length];
        for (int i = 0; i < ts.Length; i++) r[i] = MapType(ts[i], start, baseId, canon);
        return r;
    }

    private static FieldType[] MapFields(FieldType[] fs, int start, int baseId, int[] canon)
    {
        var r = new FieldType[fs.Length];
        for (int i = 0; i < fs.Length; i++) r[i] = new FieldType(MapType(fs[i].Type, start, baseId, canon), fs[i].Mutable);
        return r;
    }
}

/// <summary>
/// Subtyping and type lookup over canonical types. Value types given to these methods use
/// canonical type ids as heap type indices (as every type the validator hands out does), so the
/// answers hold across modules. <see cref="Canon(ValType)"/> converts a type of the module.
/// </summary>
internal sealed class TypeContext
{
    private readonly int[] _canon;

    public TypeContext(int[] canonicalIds) => _canon = canonicalIds;

    /// <summary>Canonical id of each type index of the module (do not modify).</summary>
    public int[] CanonicalIds => _canon;

    /// <summary>Number of types the module defines.</summary>
    public int Count => _canon.Length;

    /// <summary>The canonical type of module type index <paramref name="typeIndex"/>.</summary>
    public CanonicalType this[uint typeIndex] => TypeRegistry.Get(_canon[typeIndex]);

    /// <summary>A module value type with its type indices replaced by canonical ids.</summary>
    public ValType Canon(ValType t) =>
        t.Kind == ValKind.Ref && t.Heap.IsIndex ? t with { Heap = new HeapType(_canon[t.Heap.Value]) } : t;

    /// <summary>A module heap type with a type index replaced by its canonical id.</summary>
    public HeapType Canon(HeapType h) => h.IsIndex ? new HeapType(_canon[h.Value]) : h;

    /// <summary>Whether canonical value type <paramref name="a"/> matches <paramref name="b"/>.</summary>
    public static bool IsSubtype(ValType a, ValType b)
    {
        if (a.Kind == ValKind.Bot) return true;
        if (a.Kind != b.Kind) return false;
        if (a.Kind != ValKind.Ref) return true;
        if (a.Nullable && !b.Nullable) return false;
        return IsHeapSubtype(a.Heap, b.Heap);
    }

    /// <summary>Whether canonical heap type <paramref name="a"/> matches <paramref name="b"/>.</summary>
    public static bool IsHeapSubtype(HeapType a, HeapType b)
    {
        if (a.Value == b.Value) return true;
        if (a.Value == int.MinValue) return true;
        if (b.Value == int.MinValue) return false;
        if (a.IsIndex)
        {
            var ta = TypeRegistry.Get(a.Value);
            if (b.IsIndex)
            {
                var tb = TypeRegistry.Get(b.Value);
                if (ta.Depth <= tb.Depth) return false;
                while (ta.Depth > tb.Depth) ta = TypeRegistry.Get(ta.Super);
                return ta.Id == tb.Id;
            }
            return ta.Kind switch
            {
                CompositeKind.Func => b.Value == HeapType.Func.Value,
                CompositeKind.Struct => b.Value == HeapType.Struct.Value || b.Value == HeapType.Eq.Value || b.Value == HeapType.Any.Value,
                _ => b.Value == HeapType.Array.Value || b.Value == HeapType.Eq.Value || b.Value == HeapType.Any.Value,
            };
        }
        switch (a.Value)
        {
            case -0x0F: // none
                if (b.IsIndex) return TypeRegistry.Get(b.Value).Kind != CompositeKind.Func;
                return Top(b).Value == HeapType.Any.Value;
            case -0x0D: // nofunc
                if (b.IsIndex) return TypeRegistry.Get(b.Value).Kind == CompositeKind.Func;
                return b.Value == HeapType.Func.Value;
            case -0x0E: return b.Value == HeapType.Extern.Value;
            case -0x0C: return b.Value == HeapType.Exn.Value;
            case -0x13: return b.Value == HeapType.Any.Value; // eq
            case -0x14: // i31
            case -0x15: // struct
            case -0x16: // array
                return b.Value == HeapType.Eq.Value || b.Value == HeapType.Any.Value;
            default: return false;
        }
    }

    /// <summary>The top of the hierarchy a canonical heap type belongs to (any, func, extern, exn).</summary>
    public static HeapType Top(HeapType h)
    {
        if (h.IsIndex) return TypeRegistry.Get(h.Value).Kind == CompositeKind.Func ? HeapType.Func : HeapType.Any;
        return h.Value switch
        {
            -0x10 or -0x0D => HeapType.Func,
            -0x11 or -0x0E => HeapType.Extern,
            -0x17 or -0x0C => HeapType.Exn,
            int.MinValue => HeapType.Bot,
            _ => HeapType.Any,
        };
    }

    /// <summary>The bottom of the hierarchy a canonical heap type belongs to (none, nofunc, noextern, noexn).</summary>
    public static HeapType Bottom(HeapType h)
    {
        var top = Top(h);
        if (top == HeapType.Func) return HeapType.NoFunc;
        if (top == HeapType.Extern) return HeapType.NoExtern;
        if (top == HeapType.Exn) return HeapType.NoExn;
        if (top == HeapType.Any) return HeapType.None;
        return HeapType.Bot;
    }

    /// <summary>Whether canonical field/storage type <paramref name="a"/> matches <paramref name="b"/>.</summary>
    public static bool IsFieldSubtype(FieldType a, FieldType b)
    {
        if (a.Mutable != b.Mutable) return false;
        if (a.Type.IsPacked || b.Type.IsPacked) return a.Type == b.Type;
        if (!IsSubtype(a.Type, b.Type)) return false;
        return !a.Mutable || IsSubtype(b.Type, a.Type);
    }

    /// <summary>Whether canonical composite type <paramref name="a"/> matches <paramref name="b"/> (structurally).</summary>
    public static bool IsCompositeSubtype(CompositeType a, CompositeType b)
    {
        if (a.Kind != b.Kind) return false;
        switch (a.Kind)
        {
            case CompositeKind.Func:
                if (a.Params.Length != b.Params.Length || a.Results.Length != b.Results.Length) return false;
                for (int i = 0; i < a.Params.Length; i++) if (!IsSubtype(b.Params[i], a.Params[i])) return false;
                for (int i = 0; i < a.Results.Length; i++) if (!IsSubtype(a.Results[i], b.Results[i])) return false;
                return true;
            default:
                if (a.Fields.Length < b.Fields.Length) return false;
                for (int i = 0; i < b.Fields.Length; i++) if (!IsFieldSubtype(a.Fields[i], b.Fields[i])) return false;
                return true;
        }
    }

    /// <summary>
    /// Canonicalizes and validates the type section of <paramref name="module"/>: type indices in
    /// range, at most one supertype declared before the type, supertypes not final and matching.
    /// </summary>
    public static TypeContext Build(ModuleInfo module)
    {
        var types = module.Types;
        var canon = new int[types.Count];
        int i = 0;
        while (i < types.Count)
        {
            var first = types[i];
            int start = i;
            int size = Math.Max(1, first.RecGroupStart == i ? first.RecGroupSize : 1);
            if (start + size > types.Count) size = types.Count - start;
            int end = start + size;
            for (int t = start; t < end; t++)
            {
                var st = types[t];
                if (st.Supers.Length > 1) throw new InvalidModuleException("multiple supertypes", -1);
                foreach (var s in st.Supers)
                    if (s >= t) throw new InvalidModuleException("unknown type " + s, -1);
                var ct = st.Type;
                foreach (var p in ct.Params) CheckTypeIndex(p, end);
                foreach (var r in ct.Results) CheckTypeIndex(r, end);
                foreach (var f in ct.Fields) CheckTypeIndex(f.Type, end);
            }
            int baseId = TypeRegistry.RegisterGroup(types, start, size, canon);
            for (int t = 0; t < size; t++) canon[start + t] = baseId + t;
            for (int t = start; t < end; t++)
            {
                var ctype = TypeRegistry.Get(canon[t]);
                if (ctype.Super < 0) continue;
                var sup = TypeRegistry.Get(ctype.Super);
                if (sup.Final || !IsCompositeSubtype(ctype.Type, sup.Type))
                    throw new InvalidModuleException($"sub type {t} does not match super type {types[t].Supers[0]}", -1);
            }
            i = end;
        }
        return new TypeContext(canon);
    }

    private static void CheckTypeIndex(ValType t, int limit)
    {
        if (t.Kind == ValKind.Ref && t.Heap.IsIndex && t.Heap.Value >= limit)
            throw new InvalidModuleException("unknown type " + t.Heap.Value, -1);
    }
}
