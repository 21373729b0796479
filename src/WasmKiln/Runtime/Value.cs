using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Runtime;

/// <summary>
/// A WebAssembly value: its type, 128 raw payload bits and a reference. Numbers are stored as
/// bit patterns (no boxing; float NaN payloads are kept exactly); vectors use all 128 bits;
/// references use <see cref="Ref"/> (null is the null reference).
/// </summary>
/// <remarks>
/// Equality is bitwise for numbers and vectors (so two NaNs with the same payload are equal and
/// +0 differs from -0), and reference identity for references, whose types must also agree.
/// </remarks>
public readonly struct Value : IEquatable<Value>
{
    /// <summary>The value's type (for references, the type it was created with).</summary>
    internal readonly ValType Type;
    /// <summary>Low 64 payload bits: the whole number for i32/i64/f32/f64 (zero-extended), lanes 0-7 of a vector.</summary>
    internal readonly ulong Lo;
    /// <summary>High 64 payload bits: lanes 8-15 of a vector, else 0.</summary>
    internal readonly ulong Hi;
    /// <summary>The reference of a reference value (null for the null reference and for non-references).</summary>
    internal readonly object? Ref;

    private Value(ValType type, ulong lo, ulong hi, object? reference)
    {
        Type = type;
        Lo = lo;
        Hi = hi;
        Ref = reference;
    }

    /// <summary>An i32.</summary>
    public static Value I32(int value) => new(ValType.I32, (uint)value, 0, null);
    /// <summary>An i64.</summary>
    public static Value I64(long value) => new(ValType.I64, (ulong)value, 0, null);
    /// <summary>An f32 (bit-exact).</summary>
    public static Value F32(float value) => new(ValType.F32, (uint)BitConverter.SingleToInt32Bits(value), 0, null);
    /// <summary>An f32 from its bit pattern.</summary>
    public static Value F32Bits(uint bits) => new(ValType.F32, bits, 0, null);
    /// <summary>An f64 (bit-exact).</summary>
    public static Value F64(double value) => new(ValType.F64, (ulong)BitConverter.DoubleToInt64Bits(value), 0, null);
    /// <summary>An f64 from its bit pattern.</summary>
    public static Value F64Bits(ulong bits) => new(ValType.F64, bits, 0, null);
    /// <summary>A v128.</summary>
    internal static Value V128(V128 value) => new(ValType.V128, value.Lo, value.Hi, null);
    /// <summary>A reference of type <paramref name="type"/> (null for the null reference).</summary>
    internal static Value Reference(ValType type, object? reference)
    {
        if (!type.IsRef) throw new ArgumentException("not a reference type: " + type, nameof(type));
        return new(type, 0, 0, reference);
    }
    /// <summary>A <c>funcref</c>.</summary>
    internal static Value FuncRef(object? function) => new(ValType.FuncRef, 0, 0, function);
    /// <summary>A v128 from a .NET vector.</summary>
    public static Value V128(Vector128<byte> value)
    {
        var u = value.AsUInt64();
        return new(ValType.V128, u.GetElement(0), u.GetElement(1), null);
    }
    /// <summary>A <c>funcref</c> to <paramref name="function"/> (null: the null funcref).</summary>
    public static Value FromFunction(Function? function) => new(ValType.FuncRef, 0, 0, function?.Target);
    /// <summary>An <c>externref</c>.</summary>
    public static Value ExternRef(object? host) => new(ValType.ExternRef, 0, 0, host);
    /// <summary>An <c>anyref</c>.</summary>
    internal static Value AnyRef(object? reference) => new(ValType.AnyRef, 0, 0, reference);
    /// <summary>The null reference of heap type <paramref name="heap"/>.</summary>
    internal static Value Null(HeapType heap) => new(ValType.Ref(heap, true), 0, 0, null);

    /// <summary>The default value of <paramref name="type"/>: zero, or the null reference.</summary>
    internal static Value Default(ValType type) => new(type.Unpacked, 0, 0, null);

    /// <summary>The kind of the value's type.</summary>
    internal ValKind Kind => Type.Kind;

    /// <summary>The i32 (low 32 bits).</summary>
    public int AsI32 => (int)Lo;
    /// <summary>The i64.</summary>
    public long AsI64 => (long)Lo;
    /// <summary>The f32, bit-exact.</summary>
    public float AsF32 => BitConverter.Int32BitsToSingle((int)Lo);
    /// <summary>The f32's bit pattern.</summary>
    public uint AsF32Bits => (uint)Lo;
    /// <summary>The f64, bit-exact.</summary>
    public double AsF64 => BitConverter.Int64BitsToDouble((long)Lo);
    /// <summary>The f64's bit pattern.</summary>
    public ulong AsF64Bits => Lo;
    /// <summary>The v128.</summary>
    internal V128 AsV128 => new(Lo, Hi);
    /// <summary>The v128 as a .NET vector.</summary>
    public Vector128<byte> AsVector128 => Vector128.Create(Lo, Hi).AsByte();
    /// <summary>The object of an <c>externref</c> (null for the null reference).</summary>
    public object? AsExternRef => Ref;
    /// <summary>The function of a <c>funcref</c> (null for the null reference).</summary>
    public Function? AsFunction => Function.FromRef(Ref);

    /// <summary>The kind of the value's type (for references: funcref, externref or another reference).</summary>
    public ValueKind ValueKind => Type.Kind switch
    {
        ValKind.I32 => ValueKind.I32,
        ValKind.I64 => ValueKind.I64,
        ValKind.F32 => ValueKind.F32,
        ValKind.F64 => ValueKind.F64,
        ValKind.V128 => ValueKind.V128,
        _ => Validation.TypeContext.Top(Type.Heap) == HeapType.Func ? ValueKind.FuncRef
            : Validation.TypeContext.Top(Type.Heap) == HeapType.Extern ? ValueKind.ExternRef : ValueKind.AnyRef,
    };
    /// <summary>Whether this is a null reference.</summary>
    public bool IsNull => Type.IsRef && Ref is null;

    /// <inheritdoc/>
    public bool Equals(Value other) =>
        Type == other.Type && Lo == other.Lo && Hi == other.Hi && ReferenceEquals(Ref, other.Ref);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Value v && Equals(v);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(Type, Lo, Hi, Ref is null ? 0 : RuntimeHelpers.GetHashCode(Ref));

    /// <summary>Whether two values are equal (see <see cref="Equals(Value)"/>).</summary>
    public static bool operator ==(Value left, Value right) => left.Equals(right);

    /// <summary>Whether two values differ.</summary>
    public static bool operator !=(Value left, Value right) => !left.Equals(right);

    /// <summary>The value as <c>type:value</c>, with float bit patterns for NaNs.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        switch (Type.Kind)
        {
            case ValKind.I32: return "i32:" + AsI32.ToString(ci);
            case ValKind.I64: return "i64:" + AsI64.ToString(ci);
            case ValKind.F32:
                return "f32:" + (float.IsNaN(AsF32) ? "nan:0x" + AsF32Bits.ToString("x8", ci) : AsF32.ToString("R", ci));
            case ValKind.F64:
                return "f64:" + (double.IsNaN(AsF64) ? "nan:0x" + AsF64Bits.ToString("x16", ci) : AsF64.ToString("R", ci));
            case ValKind.V128: return "v128:0x" + Hi.ToString("x16", ci) + Lo.ToString("x16", ci);
            default: return Type + ":" + (Ref is null ? "null" : Ref.ToString());
        }
    }
}

/// <summary>The kind of a WebAssembly <see cref="Value"/>.</summary>
public enum ValueKind
{
    /// <summary>32-bit integer.</summary>
    I32,
    /// <summary>64-bit integer.</summary>
    I64,
    /// <summary>32-bit float.</summary>
    F32,
    /// <summary>64-bit float.</summary>
    F64,
    /// <summary>128-bit vector.</summary>
    V128,
    /// <summary>Function reference.</summary>
    FuncRef,
    /// <summary>External (host object) reference.</summary>
    ExternRef,
    /// <summary>Another reference (any, eq, struct, array, i31, exn...).</summary>
    AnyRef,
}
