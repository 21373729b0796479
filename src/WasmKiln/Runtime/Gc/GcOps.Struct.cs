using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Model;

namespace WasmKiln.Runtime.Gc;

/// <summary>
/// The GC instructions as static helpers that compiled code calls (and interpreters may call):
/// operands in stack order, immediates (type id, field index, segment) trailing. Type ids are
/// canonical ids (<see cref="Validation.TypeContext.CanonicalIds"/>); references are <c>object?</c>.
/// </summary>
/// <remarks>
/// <para><c>struct.new</c> without spilling the operands: call <see cref="StructNewDefault"/>, then
/// for each field from the last to the first push the field index and call the matching
/// <c>StructInit*</c> (value, struct, field), which stores and returns the struct. The same for
/// <c>array.new_fixed</c> with <see cref="ArrayNewDefault"/> and <c>ArrayInitFixed*</c>.
/// <see cref="MethodFor"/> gives the right typed helper for an instruction and storage type.</para>
/// <para>Struct packed fields store the full i32 and truncate on read (<c>struct.get_s/u</c>), so
/// one setter serves i8, i16 and i32 fields.</para>
/// </remarks>
internal static partial class GcOps
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    [MethodImpl(Inline)]
    private static WasmStruct S(object? s)
    {
        if (s is null) Trap.NullStructureReference();
        return (WasmStruct)s;
    }

    /// <summary><c>struct.new_default</c>: a struct of type <paramref name="typeId"/> with zero/null fields.</summary>
    public static object StructNewDefault(int typeId) => new WasmStruct(Rtt.For(typeId));

    // ---- struct.get ----

    /// <summary><c>struct.get</c> of an i32 field.</summary>
    [MethodImpl(Inline)] public static int StructGetI32(object? s, int field) => (int)S(s).Bits[field];
    /// <summary><c>struct.get</c> of an i64 field.</summary>
    [MethodImpl(Inline)] public static long StructGetI64(object? s, int field) => (long)S(s).Bits[field];
    /// <summary><c>struct.get</c> of an f32 field (bit-exact).</summary>
    [MethodImpl(Inline)] public static float StructGetF32(object? s, int field) => BitConverter.UInt32BitsToSingle((uint)S(s).Bits[field]);
    /// <summary><c>struct.get</c> of an f64 field (bit-exact).</summary>
    [MethodImpl(Inline)] public static double StructGetF64(object? s, int field) => BitConverter.UInt64BitsToDouble(S(s).Bits[field]);
    /// <summary><c>struct.get</c> of a v128 field.</summary>
    [MethodImpl(Inline)]
    public static Vector128<byte> StructGetV128(object? s, int field)
    {
        var st = S(s);
        return Vector128.Create(st.Bits[field], st.Bits[st.Rtt.V128High[field]]).AsByte();
    }
    /// <summary><c>struct.get</c> of a reference field.</summary>
    [MethodImpl(Inline)] public static object? StructGetRef(object? s, int field) => S(s).Refs[field];
    /// <summary><c>struct.get_s</c> of an i8 field.</summary>
    [MethodImpl(Inline)] public static int StructGetI8S(object? s, int field) => (sbyte)S(s).Bits[field];
    /// <summary><c>struct.get_u</c> of an i8 field.</summary>
    [MethodImpl(Inline)] public static int StructGetI8U(object? s, int field) => (byte)S(s).Bits[field];
    /// <summary><c>struct.get_s</c> of an i16 field.</summary>
    [MethodImpl(Inline)] public static int StructGetI16S(object? s, int field) => (short)S(s).Bits[field];
    /// <summary><c>struct.get_u</c> of an i16 field.</summary>
    [MethodImpl(Inline)] public static int StructGetI16U(object? s, int field) => (ushort)S(s).Bits[field];

    /// <summary><c>struct.get_s</c> of a packed field, whatever its width (looked up in the struct's type).</summary>
    public static int StructGetS(object? s, int field)
    {
        var st = S(s);
        return st.Rtt.Fields[field].Type.Kind == ValKind.I8 ? (sbyte)st.Bits[field] : (short)st.Bits[field];
    }

    /// <summary><c>struct.get_u</c> of a packed field, whatever its width (looked up in the struct's type).</summary>
    public static int StructGetU(object? s, int field)
    {
        var st = S(s);
        return st.Rtt.Fields[field].Type.Kind == ValKind.I8 ? (byte)st.Bits[field] : (ushort)st.Bits[field];
    }

    // ---- struct.set ----

    /// <summary><c>struct.set</c> of an i32, i16 or i8 field.</summary>
    [MethodImpl(Inline)] public static void StructSetI32(object? s, int value, int field) => S(s).Bits[field] = (uint)value;
    /// <summary><c>struct.set</c> of an i64 field.</summary>
    [MethodImpl(Inline)] public static void StructSetI64(object? s, long value, int field) => S(s).Bits[field] = (ulong)value;
    /// <summary><c>struct.set</c> of an f32 field.</summary>
    [MethodImpl(Inline)] public static void StructSetF32(object? s, float value, int field) => S(s).Bits[field] = BitConverter.SingleToUInt32Bits(value);
    /// <summary><c>struct.set</c> of an f64 field.</summary>
    [MethodImpl(Inline)] public static void StructSetF64(object? s, double value, int field) => S(s).Bits[field] = BitConverter.DoubleToUInt64Bits(value);
    /// <summary><c>struct.set</c> of a v128 field.</summary>
    [MethodImpl(Inline)]
    public static void StructSetV128(object? s, Vector128<byte> value, int field)
    {
        var st = S(s);
        var u = value.AsUInt64();
        st.Bits[field] = u.GetElement(0);
        st.Bits[st.Rtt.V128High[field]] = u.GetElement(1);
    }
    /// <summary><c>struct.set</c> of a reference field.</summary>
    [MethodImpl(Inline)] public static void StructSetRef(object? s, object? value, int field) => S(s).Refs[field] = value;

    // ---- struct.new, operand by operand from the last field ----

    /// <summary>Stores an i32/i16/i8 field of a struct being built; returns the struct.</summary>
    [MethodImpl(Inline)] public static object StructInitI32(int value, object s, int field) { ((WasmStruct)s).Bits[field] = (uint)value; return s; }
    /// <summary>Stores an i64 field of a struct being built; returns the struct.</summary>
    [MethodImpl(Inline)] public static object StructInitI64(long value, object s, int field) { ((WasmStruct)s).Bits[field] = (ulong)value; return s; }
    /// <summary>Stores an f32 field of a struct being built; returns the struct.</summary>
    [MethodImpl(Inline)] public static object StructInitF32(float value, object s, int field) { ((WasmStruct)s).Bits[field] = BitConverter.SingleToUInt32Bits(value); return s; }
    /// <summary>Stores an f64 field of a struct being built; returns the struct.</summary>
    [MethodImpl(Inline)] public static object StructInitF64(double value, object s, int field) { ((WasmStruct)s).Bits[field] = BitConverter.DoubleToUInt64Bits(value); return s; }
    /// <summary>Stores a v128 field of a struct being built; returns the struct.</summary>
    [MethodImpl(Inline)] public static object StructInitV128(Vector128<byte> value, object s, int field) { StructSetV128(s, value, field); return s; }
    /// <summary>Stores a reference field of a struct being built; returns the struct.</summary>
    [MethodImpl(Inline)] public static object StructInitRef(object? value, object s, int field) { ((WasmStruct)s).Refs[field] = value; return s; }

    // ---- untyped access (constant expressions, hosts, interpreters) ----

    /// <summary><c>struct.new</c> with the field values given as <see cref="Value"/>s (i8/i16 fields take i32 values).</summary>
    public static WasmStruct StructNew(int typeId, ReadOnlySpan<Value> fields)
    {
        var st = new WasmStruct(Rtt.For(typeId));
        if (fields.Length != st.Rtt.Fields.Length)
            throw new ArgumentException("struct type " + typeId + " has " + st.Rtt.Fields.Length + " fields, got " + fields.Length, nameof(fields));
        for (int i = 0; i < fields.Length; i++) StructSetValue(st, i, fields[i]);
        return st;
    }

    /// <summary>Field <paramref name="field"/> as a <see cref="Value"/> (packed fields zero-extended to i32).</summary>
    public static Value StructGetValue(object? s, int field)
    {
        var st = S(s);
        var t = st.Rtt.Fields[field].Type;
        return t.Kind switch
        {
            ValKind.I32 => Value.I32((int)st.Bits[field]),
            ValKind.I8 => Value.I32((byte)st.Bits[field]),
            ValKind.I16 => Value.I32((ushort)st.Bits[field]),
            ValKind.I64 => Value.I64((long)st.Bits[field]),
            ValKind.F32 => Value.F32Bits((uint)st.Bits[field]),
            ValKind.F64 => Value.F64Bits(st.Bits[field]),
            ValKind.V128 => Value.V128(new Instructions.V128(st.Bits[field], st.Bits[st.Rtt.V128High[field]])),
            _ => Value.Reference(t, st.Refs[field]),
        };
    }

    /// <summary>Stores <paramref name="value"/> in field <paramref name="field"/> (no mutability check: also used to build structs).</summary>
    public static void StructSetValue(object? s, int field, in Value value)
    {
        var st = S(s);
        var t = st.Rtt.Fields[field].Type;
        switch (t.Kind)
        {
            case ValKind.I32: case ValKind.I8: case ValKind.I16: st.Bits[field] = (uint)value.AsI32; break;
            case ValKind.I64: case ValKind.F32: case ValKind.F64: st.Bits[field] = value.Lo; break;
            case ValKind.V128: st.Bits[field] = value.Lo; st.Bits[st.Rtt.V128High[field]] = value.Hi; break;
            default: st.Refs[field] = value.Ref; break;
        }
    }
}
