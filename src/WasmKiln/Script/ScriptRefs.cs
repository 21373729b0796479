using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln.Script;

/// <summary>What a reference value refers to, as far as a script can observe it.</summary>
internal enum RefClass : byte
{
    /// <summary>A null reference (of any heap type).</summary>
    Null,
    /// <summary>A function reference.</summary>
    Func,
    /// <summary>An <c>externref</c>: a host value given by the script (<c>ref.extern N</c>) or an externalized internal reference.</summary>
    Extern,
    /// <summary>A host value seen as an internal reference (<c>ref.host N</c>, after <c>any.convert_extern</c>).</summary>
    Host,
    /// <summary>A GC struct.</summary>
    Struct,
    /// <summary>A GC array.</summary>
    Array,
    /// <summary>An unboxed scalar (<c>i31ref</c>).</summary>
    I31,
    /// <summary>An exception reference.</summary>
    Exn,
    /// <summary>Anything else (an engine object the classifier does not know).</summary>
    Other,
}

/// <summary>
/// A host value made by a script: <c>(ref.extern N)</c> passes <see cref="Of"/>(N) as an
/// <c>externref</c>, <c>(ref.host N)</c> passes it as an <c>anyref</c>. The same id always gives the
/// same object.
/// </summary>
internal sealed class HostRef
{
    private static readonly Dictionary<uint, HostRef> Cache = [];

    private HostRef(uint id) => Id = id;

    /// <summary>The number the script gave.</summary>
    public uint Id { get; }

    /// <summary>The host value numbered <paramref name="id"/>.</summary>
    public static HostRef Of(uint id)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(id, out var h)) Cache[id] = h = new HostRef(id);
            return h;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => "host " + Id;
}

/// <summary>Tells what a reference value refers to (engines know their own objects).</summary>
internal interface IRefClassifier
{
    /// <summary>
    /// The class of the reference <paramref name="value"/>; for <see cref="RefClass.Extern"/> and
    /// <see cref="RefClass.Host"/> values that carry a script host value, its id in <paramref name="hostId"/>
    /// (else null).
    /// </summary>
    RefClass Classify(in Value value, out uint? hostId);
}

/// <summary>Script values: making argument values and describing results.</summary>
internal static class ScriptValues
{
    /// <summary>
    /// A classification from the value alone: null; a <see cref="HostRef"/> is Extern in the extern
    /// hierarchy and Host elsewhere; otherwise by the abstract heap type of the value's type
    /// (func, struct, array, i31, exn, extern). Engines whose values carry concrete type indices
    /// classify those themselves.
    /// </summary>
    public static RefClass DefaultClassify(in Value value, out uint? hostId)
    {
        hostId = null;
        if (value.Ref is null) return RefClass.Null;
        var heap = value.Type.Heap;
        if (value.Ref is HostRef h)
        {
            hostId = h.Id;
            return heap == HeapType.Extern || heap == HeapType.NoExtern ? RefClass.Extern : RefClass.Host;
        }
        if (heap == HeapType.Func) return RefClass.Func;
        if (heap == HeapType.Struct) return RefClass.Struct;
        if (heap == HeapType.Array) return RefClass.Array;
        if (heap == HeapType.I31) return RefClass.I31;
        if (heap == HeapType.Exn) return RefClass.Exn;
        if (heap == HeapType.Extern) return RefClass.Extern;
        return RefClass.Other;
    }

    /// <summary>The value <c>(ref.extern N)</c>.</summary>
    public static Value Extern(uint id) => Value.ExternRef(HostRef.Of(id));

    /// <summary>The value <c>(ref.host N)</c>.</summary>
    public static Value Host(uint id) => Value.AnyRef(HostRef.Of(id));

    /// <summary>Text of a value for messages, close to the script syntax.</summary>
    public static string Format(in Value v, IRefClassifier classifier)
    {
        if (!v.Type.IsRef)
        {
            var ci = System.Globalization.CultureInfo.InvariantCulture;
            return v.Kind switch
            {
                ValKind.I32 => "i32.const " + v.AsI32.ToString(ci),
                ValKind.I64 => "i64.const " + v.AsI64.ToString(ci),
                ValKind.F32 => "f32.const " + (float.IsNaN(v.AsF32) ? NanText(v.AsF32Bits, 23, 32) : v.AsF32.ToString("R", ci)) + " (0x" + v.AsF32Bits.ToString("x8", ci) + ")",
                ValKind.F64 => "f64.const " + (double.IsNaN(v.AsF64) ? NanText(v.AsF64Bits, 52, 64) : v.AsF64.ToString("R", ci)) + " (0x" + v.AsF64Bits.ToString("x16", ci) + ")",
                ValKind.V128 => "v128.const i32x4 0x" + ((uint)v.Lo).ToString("x8", ci) + " 0x" + ((uint)(v.Lo >> 32)).ToString("x8", ci)
                    + " 0x" + ((uint)v.Hi).ToString("x8", ci) + " 0x" + ((uint)(v.Hi >> 32)).ToString("x8", ci),
                _ => v.ToString(),
            };
        }
        var cls = classifier.Classify(v, out var id);
        return cls switch
        {
            RefClass.Null => "ref.null " + v.Type.Heap,
            RefClass.Extern when id != null => "ref.extern " + id,
            RefClass.Host when id != null => "ref.host " + id,
            RefClass.Other => v.ToString(),
            _ => "ref." + cls.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>Formats a list of values for a message.</summary>
    public static string Format(Value[] values, IRefClassifier classifier)
    {
        if (values.Length == 0) return "(nothing)";
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Format(values[i], classifier));
        }
        return sb.ToString();
    }

    private static string NanText(ulong bits, int mantBits, int totalBits)
    {
        ulong mant = bits & ((1UL << mantBits) - 1);
        bool neg = (bits >> (totalBits - 1) & 1) != 0;
        return (neg ? "-" : "") + "nan:0x" + mant.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    }
}
