using WasmKiln.Model;
using WasmKiln.Validation;

namespace WasmKiln.Runtime.Gc;

/// <summary>
/// Runtime type information of one canonical type (struct, array or function): its supertype
/// chain for constant-time subtype checks and, for structs and arrays, the storage layout.
/// One instance per canonical type id, shared by every module of the process.
/// </summary>
/// <remarks>
/// Struct layout: field <c>i</c> lives at index <c>i</c> of <see cref="WasmStruct.Bits"/> (numbers,
/// packed values, the low half of a v128) or of <see cref="WasmStruct.Refs"/> (references); the
/// high half of a v128 field lives at <see cref="V128High"/>[i] of the bits. A subtype's fields
/// start with its supertype's fields of the same storage kinds, so a field index means the same
/// slot in every subtype.
/// </remarks>
internal sealed class Rtt
{
    private static readonly Lock Gate = new();
    private static volatile Rtt?[] _cache = new Rtt?[256];

    private Rtt(CanonicalType type)
    {
        TypeId = type.Id;
        Depth = type.Depth;
        Kind = type.Kind;
        Supers = new int[Depth + 1];
        var t = type;
        for (int d = Depth; d >= 0; d--)
        {
            Supers[d] = t.Id;
            if (d > 0) t = TypeRegistry.Get(t.Super);
        }
        Fields = type.Type.Fields;
        if (Kind == CompositeKind.Struct)
        {
            int n = Fields.Length, extra = n;
            V128High = new int[n];
            for (int i = 0; i < n; i++)
            {
                var k = Fields[i].Type.Kind;
                if (k == ValKind.Ref) HasRefs = true;
                else HasBits = true;
                V128High[i] = k == ValKind.V128 ? extra++ : -1;
            }
            BitsLength = HasBits ? extra : 0;
        }
        else
        {
            V128High = [];
            if (Kind == CompositeKind.Array) ElementKind = Fields[0].Type.Kind;
        }
    }

    /// <summary>The canonical type id.</summary>
    public readonly int TypeId;
    /// <summary>Length of the supertype chain above the type.</summary>
    public readonly int Depth;
    /// <summary>The canonical ids of the supertype chain: <c>Supers[d]</c> is the ancestor at depth d; <c>Supers[Depth]</c> is the type itself.</summary>
    public readonly int[] Supers;
    /// <summary>Struct, array or function.</summary>
    public readonly CompositeKind Kind;
    /// <summary>The fields (struct), the element (array, one entry) or none (function); heap types are canonical ids.</summary>
    public readonly FieldType[] Fields;
    /// <summary>Struct only: per field, the bits index of the high half of a v128 field, else -1.</summary>
    public readonly int[] V128High;
    /// <summary>Struct only: whether some field is a number, packed or vector (then the struct has a bits array).</summary>
    public readonly bool HasBits;
    /// <summary>Struct only: whether some field is a reference (then the struct has a references array).</summary>
    public readonly bool HasRefs;
    /// <summary>Struct only: length of the bits array.</summary>
    public readonly int BitsLength;
    /// <summary>Array only: the element storage kind.</summary>
    public readonly ValKind ElementKind;

    /// <summary>The runtime type of canonical type <paramref name="typeId"/> (created on first use; thread-safe).</summary>
    public static Rtt For(int typeId)
    {
        var cache = _cache;
        if ((uint)typeId < (uint)cache.Length && cache[typeId] is { } r) return r;
        return Create(typeId);
    }

    private static Rtt Create(int typeId)
    {
        if ((uint)typeId >= (uint)TypeRegistry.Count) throw new ArgumentOutOfRangeException(nameof(typeId), "unknown canonical type id " + typeId);
        lock (Gate)
        {
            var cache = _cache;
            if (typeId < cache.Length && cache[typeId] is { } existing) return existing;
            var r = new Rtt(TypeRegistry.Get(typeId));
            if (typeId >= cache.Length)
            {
                var bigger = new Rtt?[Math.Max(cache.Length * 2, typeId + 1)];
                Array.Copy(cache, bigger, cache.Length);
                cache = bigger;
            }
            cache[typeId] = r;
            _cache = cache;
            return r;
        }
    }

    /// <summary>Whether this type is <paramref name="target"/> or one of its subtypes.</summary>
    public bool IsSubtypeOf(Rtt target) => ReferenceEquals(this, target) || (Depth > target.Depth && Supers[target.Depth] == target.TypeId);

    /// <inheritdoc/>
    public override string ToString() => Kind.ToString().ToLowerInvariant() + " type " + TypeId;
}
