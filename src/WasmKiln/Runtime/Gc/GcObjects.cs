using System.Runtime.Intrinsics;

namespace WasmKiln.Runtime.Gc;

/// <summary>
/// A GC struct: its runtime type and field storage (see <see cref="Rtt"/> for the layout).
/// Identity is reference identity (<c>ref.eq</c>).
/// </summary>
internal sealed class WasmStruct
{
    private static readonly ulong[] NoBits = [];
    private static readonly object?[] NoRefs = [];

    /// <summary>Creates a struct of <paramref name="rtt"/> with every field zero or null.</summary>
    public WasmStruct(Rtt rtt)
    {
        Rtt = rtt;
        Bits = rtt.HasBits ? new ulong[rtt.BitsLength] : NoBits;
        Refs = rtt.HasRefs ? new object?[rtt.Fields.Length] : NoRefs;
    }

    /// <summary>The struct's (canonical) runtime type.</summary>
    public readonly Rtt Rtt;
    /// <summary>Numeric fields by field index (packed fields hold the zero-extended value), then v128 high halves.</summary>
    public readonly ulong[] Bits;
    /// <summary>Reference fields by field index.</summary>
    public readonly object?[] Refs;

    /// <inheritdoc/>
    public override string ToString() => "struct";
}

/// <summary>
/// A GC array: its runtime type and length. The elements live in the typed subclass
/// <see cref="WasmArray{T}"/>: <c>byte</c> for i8, <c>ushort</c> for i16, <c>int</c>, <c>long</c>,
/// <c>float</c>, <c>double</c>, <c>Vector128&lt;byte&gt;</c> or <c>object?</c> for references.
/// </summary>
internal abstract class WasmArray
{
    private protected WasmArray(Rtt rtt, int length)
    {
        Rtt = rtt;
        Length = length;
    }

    /// <summary>The array's (canonical) runtime type.</summary>
    public readonly Rtt Rtt;
    /// <summary>Number of elements.</summary>
    public readonly int Length;

    /// <summary>Copies <paramref name="count"/> elements of <paramref name="source"/> (same element storage) from <paramref name="sourceIndex"/> to this array at <paramref name="destIndex"/>; ranges may overlap.</summary>
    public abstract void CopyFrom(WasmArray source, int sourceIndex, int destIndex, int count);

    /// <summary>Creates an array of <paramref name="rtt"/> with <paramref name="length"/> zero or null elements.</summary>
    public static WasmArray Create(Rtt rtt, int length) => rtt.ElementKind switch
    {
        Model.ValKind.I8 => new WasmArray<byte>(rtt, new byte[length]),
        Model.ValKind.I16 => new WasmArray<ushort>(rtt, new ushort[length]),
        Model.ValKind.I32 => new WasmArray<int>(rtt, new int[length]),
        Model.ValKind.I64 => new WasmArray<long>(rtt, new long[length]),
        Model.ValKind.F32 => new WasmArray<float>(rtt, new float[length]),
        Model.ValKind.F64 => new WasmArray<double>(rtt, new double[length]),
        Model.ValKind.V128 => new WasmArray<Vector128<byte>>(rtt, new Vector128<byte>[length]),
        _ => new WasmArray<object?>(rtt, new object?[length]),
    };

    /// <inheritdoc/>
    public override string ToString() => "array";
}

/// <summary>A GC array with elements of CLR type <typeparamref name="T"/>.</summary>
internal sealed class WasmArray<T> : WasmArray
{
    /// <summary>Wraps <paramref name="data"/> (which the array owns from now on).</summary>
    public WasmArray(Rtt rtt, T[] data) : base(rtt, data.Length) => Data = data;

    /// <summary>The elements.</summary>
    public readonly T[] Data;

    /// <inheritdoc/>
    public override void CopyFrom(WasmArray source, int sourceIndex, int destIndex, int count) =>
        ((WasmArray<T>)source).Data.AsSpan(sourceIndex, count).CopyTo(Data.AsSpan(destIndex, count));
}

/// <summary>
/// An <c>i31ref</c>: a 31-bit integer as a reference. Two i31 references are <c>ref.eq</c> when
/// their values are equal (not by object identity); small values are cached.
/// </summary>
internal sealed class WasmI31
{
    private const int CacheMin = -512, CacheMax = 1023;
    private static readonly WasmI31[] Cache = MakeCache();

    private WasmI31(int value) => Value = value;

    /// <summary>The value, sign-extended from 31 bits (the result of <c>i31.get_s</c>).</summary>
    public readonly int Value;

    /// <summary>The value zero-extended from 31 bits (the result of <c>i31.get_u</c>).</summary>
    public int Unsigned => Value & 0x7FFF_FFFF;

    /// <summary><c>ref.i31</c>: the i31 of the low 31 bits of <paramref name="value"/>.</summary>
    public static WasmI31 Of(int value)
    {
        int v = (value << 1) >> 1;
        return (uint)(v - CacheMin) <= (uint)(CacheMax - CacheMin) ? Cache[v - CacheMin] : new WasmI31(v);
    }

    private static WasmI31[] MakeCache()
    {
        var c = new WasmI31[CacheMax - CacheMin + 1];
        for (int i = 0; i < c.Length; i++) c[i] = new WasmI31(i + CacheMin);
        return c;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is WasmI31 o && o.Value == Value;

    /// <inheritdoc/>
    public override int GetHashCode() => Value;

    /// <inheritdoc/>
    public override string ToString() => "i31 " + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
