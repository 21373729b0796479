using System.Globalization;
using WasmKiln.Model;

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
}

/// <summary>
/// A WebAssembly value as passed between a script and an engine: numbers as bit patterns,
/// vectors as two 64-bit halves, references as an engine object plus what it is
/// (<see cref="RefClass"/>). A struct: no boxing for numbers.
/// </summary>
internal readonly struct WasmValue : IEquatable<WasmValue>
{
    /// <summary>The value's kind: I32, I64, F32, F64, V128 or Ref.</summary>
    public ValKind Kind { get; }

    /// <summary>For a reference: what it refers to.</summary>
    public RefClass RefClass { get; }

    /// <summary>Low 64 bits: the number's bits (zero-extended), the low half of a vector, or a reference's payload (host id, i31 value).</summary>
    public ulong Lo { get; }

    /// <summary>High 64 bits of a vector.</summary>
    public ulong Hi { get; }

    /// <summary>For a non-null reference: the engine's object (may be null for host references made by the script).</summary>
    public object? Ref { get; }

    /// <summary>For a null reference: its heap type when known (default when not).</summary>
    public HeapType Heap { get; }

    private WasmValue(ValKind kind, ulong lo, ulong hi, RefClass cls = RefClass.Null, object? obj = null, HeapType heap = default)
    {
        Kind = kind; Lo = lo; Hi = hi; RefClass = cls; Ref = obj; Heap = heap;
    }

    /// <summary>An i32 value.</summary>
    public static WasmValue I32(int v) => new(ValKind.I32, (uint)v, 0);

    /// <summary>An i64 value.</summary>
    public static WasmValue I64(long v) => new(ValKind.I64, (ulong)v, 0);

    /// <summary>An f32 value given by its bits.</summary>
    public static WasmValue F32Bits(uint bits) => new(ValKind.F32, bits, 0);

    /// <summary>An f64 value given by its bits.</summary>
    public static WasmValue F64Bits(ulong bits) => new(ValKind.F64, bits, 0);

    /// <summary>A v128 value given by its two halves (little-endian lanes: lane 0 is in the low bits of <paramref name="lo"/>).</summary>
    public static WasmValue V128(ulong lo, ulong hi) => new(ValKind.V128, lo, hi);

    /// <summary>A null reference of heap type <paramref name="heap"/>.</summary>
    public static WasmValue Null(HeapType heap) => new(ValKind.Ref, 0, 0, RefClass.Null, null, heap);

    /// <summary>A non-null reference: its class, the engine's object and a payload (host id or i31 value).</summary>
    public static WasmValue Reference(RefClass cls, object? obj, ulong payload = 0) => new(ValKind.Ref, payload, 0, cls, obj);

    /// <summary>The host value <paramref name="id"/> as an <c>externref</c> (<c>ref.extern N</c>).</summary>
    public static WasmValue Extern(uint id) => new(ValKind.Ref, id, 0, RefClass.Extern);

    /// <summary>The host value <paramref name="id"/> as an internal reference (<c>ref.host N</c>).</summary>
    public static WasmValue Host(uint id) => new(ValKind.Ref, id, 0, RefClass.Host);

    /// <summary>The i32 value.</summary>
    public int AsI32 => (int)(uint)Lo;

    /// <summary>The i64 value.</summary>
    public long AsI64 => (long)Lo;

    /// <summary>True for a null reference.</summary>
    public bool IsNull => Kind == ValKind.Ref && RefClass == RefClass.Null;

    /// <inheritdoc/>
    public bool Equals(WasmValue other) =>
        Kind == other.Kind && Lo == other.Lo && Hi == other.Hi && RefClass == other.RefClass && ReferenceEquals(Ref, other.Ref);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is WasmValue v && Equals(v);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Lo, Hi, RefClass);

    /// <summary>Text close to the script syntax, for messages: <c>i32.const 5</c>, <c>f32.const nan:0x400000 (0x7fc00000)</c>, <c>ref.null</c>.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        switch (Kind)
        {
            case ValKind.I32: return "i32.const " + AsI32.ToString(ci);
            case ValKind.I64: return "i64.const " + AsI64.ToString(ci);
            case ValKind.F32:
            {
                float f = BitConverter.Int32BitsToSingle((int)(uint)Lo);
                return "f32.const " + (float.IsNaN(f) ? FloatNanText(Lo, 23, 32) : f.ToString("R", ci)) + " (0x" + ((uint)Lo).ToString("x8", ci) + ")";
            }
            case ValKind.F64:
            {
                double d = BitConverter.UInt64BitsToDouble(Lo);
                return "f64.const " + (double.IsNaN(d) ? FloatNanText(Lo, 52, 64) : d.ToString("R", ci)) + " (0x" + Lo.ToString("x16", ci) + ")";
            }
            case ValKind.V128:
                return "v128.const i32x4 0x" + ((uint)Lo).ToString("x8", ci) + " 0x" + ((uint)(Lo >> 32)).ToString("x8", ci)
                    + " 0x" + ((uint)Hi).ToString("x8", ci) + " 0x" + ((uint)(Hi >> 32)).ToString("x8", ci);
            case ValKind.Ref:
                return RefClass switch
                {
                    RefClass.Null => Heap == default ? "ref.null" : "ref.null " + Heap,
                    RefClass.Extern when Ref == null => "ref.extern " + Lo.ToString(ci),
                    RefClass.Host => "ref.host " + Lo.ToString(ci),
                    RefClass.I31 => "ref.i31 " + Lo.ToString(ci),
                    _ => "ref." + RefClass.ToString().ToLowerInvariant(),
                };
            default:
                return Kind.ToString();
        }
    }

    private static string FloatNanText(ulong bits, int mantBits, int totalBits)
    {
        ulong mant = bits & ((1UL << mantBits) - 1);
        bool neg = (bits >> (totalBits - 1) & 1) != 0;
        return (neg ? "-" : "") + "nan:0x" + mant.ToString("x", CultureInfo.InvariantCulture);
    }
}
