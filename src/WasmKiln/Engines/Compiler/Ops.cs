using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Compiler;

/// <summary>
/// Helpers compiled code calls for operations without a single exact IL equivalent: trapping
/// division and truncation, NaN-exact float operations, exact unsigned conversions.
/// </summary>
internal static class Ops
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    // ---- slots ----
    /// <summary>Reads a v128 from a slot.</summary>
    [MethodImpl(Inline)] public static Vector128<byte> SlotToV128(ref ValueSlot s) => Vector128.Create(s.Lo, s.Hi).AsByte();
    /// <summary>Writes a v128 to a slot.</summary>
    [MethodImpl(Inline)] public static void V128ToSlot(ref ValueSlot s, Vector128<byte> v) { var u = v.AsUInt64(); s.Lo = u.GetElement(0); s.Hi = u.GetElement(1); }
    /// <summary>Writes an i32 to a slot (zero-extended).</summary>
    [MethodImpl(Inline)] public static void I32ToSlot(ref ValueSlot s, int v) => s.Lo = (uint)v;
    /// <summary>Writes an f32 to a slot (bit-exact, zero-extended).</summary>
    [MethodImpl(Inline)] public static void F32ToSlot(ref ValueSlot s, float v) => s.Lo = (uint)BitConverter.SingleToInt32Bits(v);

    /// <summary>A v128 constant from its two halves.</summary>
    [MethodImpl(Inline)] public static Vector128<byte> V128Const(long lo, long hi) => Vector128.Create((ulong)lo, (ulong)hi).AsByte();

    /// <summary>Pointer to <paramref name="size"/> bytes at <paramref name="address"/>+<paramref name="offset"/> of <paramref name="m"/> (all checks).</summary>
    [MethodImpl(Inline)]
    public static unsafe byte* Ptr(Memory m, ulong address, ulong offset, ulong size) => m.Ptr(Memory.EffectiveAddress(address, offset), size);

    /// <summary>An f32 from its bits, not inlined so that a signaling NaN is never folded into a (quieted) constant.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float F32FromBits(int bits) => BitConverter.Int32BitsToSingle(bits);
    /// <summary>An f64 from its bits, not inlined (see <see cref="F32FromBits"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static double F64FromBits(long bits) => BitConverter.Int64BitsToDouble(bits);

    // ---- integer ----
    /// <summary>i32.div_s.</summary>
    [MethodImpl(Inline)]
    public static int I32DivS(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        if (b == -1 && a == int.MinValue) Traps.IntegerOverflow();
        return a / b;
    }
    /// <summary>i32.div_u.</summary>
    [MethodImpl(Inline)]
    public static int I32DivU(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (int)((uint)a / (uint)b);
    }
    /// <summary>i32.rem_s.</summary>
    [MethodImpl(Inline)]
    public static int I32RemS(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return b == -1 ? 0 : a % b;
    }
    /// <summary>i32.rem_u.</summary>
    [MethodImpl(Inline)]
    public static int I32RemU(int a, int b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (int)((uint)a % (uint)b);
    }
    /// <summary>i64.div_s.</summary>
    [MethodImpl(Inline)]
    public static long I64DivS(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        if (b == -1 && a == long.MinValue) Traps.IntegerOverflow();
        return a / b;
    }
    /// <summary>i64.div_u.</summary>
    [MethodImpl(Inline)]
    public static long I64DivU(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (long)((ulong)a / (ulong)b);
    }
    /// <summary>i64.rem_s.</summary>
    [MethodImpl(Inline)]
    public static long I64RemS(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return b == -1 ? 0 : a % b;
    }
    /// <summary>i64.rem_u.</summary>
    [MethodImpl(Inline)]
    public static long I64RemU(long a, long b)
    {
        if (b == 0) Traps.IntegerDivideByZero();
        return (long)((ulong)a % (ulong)b);
    }
    /// <summary>i32.clz.</summary>
    [MethodImpl(Inline)] public static int I32Clz(int a) => BitOperations.LeadingZeroCount((uint)a);
    /// <summary>i32.ctz.</summary>
    [MethodImpl(Inline)] public static int I32Ctz(int a) => BitOperations.TrailingZeroCount(a);
    /// <summary>i32.popcnt.</summary>
    [MethodImpl(Inline)] public static int I32Popcnt(int a) => BitOperations.PopCount((uint)a);
    /// <summary>i64.clz.</summary>
    [MethodImpl(Inline)] public static long I64Clz(long a) => BitOperations.LeadingZeroCount((ulong)a);
    /// <summary>i64.ctz.</summary>
    [MethodImpl(Inline)] public static long I64Ctz(long a) => BitOperations.TrailingZeroCount(a);
    /// <summary>i64.popcnt.</summary>
    [MethodImpl(Inline)] public static long I64Popcnt(long a) => BitOperations.PopCount((ulong)a);
    /// <summary>i32.rotl.</summary>
    [MethodImpl(Inline)] public static int I32Rotl(int a, int b) => (int)BitOperations.RotateLeft((uint)a, b);
    /// <summary>i32.rotr.</summary>
    [MethodImpl(Inline)] public static int I32Rotr(int a, int b) => (int)BitOperations.RotateRight((uint)a, b);
    /// <summary>i64.rotl.</summary>
    [MethodImpl(Inline)] public static long I64Rotl(long a, long b) => (long)BitOperations.RotateLeft((ulong)a, (int)b);
    /// <summary>i64.rotr.</summary>
    [MethodImpl(Inline)] public static long I64Rotr(long a, long b) => (long)BitOperations.RotateRight((ulong)a, (int)b);

    // ---- float ----
    /// <summary>f32.min (NaN-propagating, -0 below +0).</summary>
    [MethodImpl(Inline)] public static float F32Min(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? a + b : MathF.Min(a, b);
    /// <summary>f32.max.</summary>
    [MethodImpl(Inline)] public static float F32Max(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? a + b : MathF.Max(a, b);
    /// <summary>f64.min.</summary>
    [MethodImpl(Inline)] public static double F64Min(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? a + b : Math.Min(a, b);
    /// <summary>f64.max.</summary>
    [MethodImpl(Inline)] public static double F64Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? a + b : Math.Max(a, b);
    /// <summary>f32.abs (bitwise).</summary>
    [MethodImpl(Inline)] public static float F32Abs(float a) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & int.MaxValue);
    /// <summary>f64.abs (bitwise).</summary>
    [MethodImpl(Inline)] public static double F64Abs(double a) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & long.MaxValue);
    /// <summary>f32.neg (bitwise).</summary>
    [MethodImpl(Inline)] public static float F32Neg(float a) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) ^ int.MinValue);
    /// <summary>f64.neg (bitwise).</summary>
    [MethodImpl(Inline)] public static double F64Neg(double a) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) ^ long.MinValue);
    /// <summary>f32.copysign (bitwise).</summary>
    [MethodImpl(Inline)]
    public static float F32Copysign(float a, float b) => BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(a) & int.MaxValue) | (BitConverter.SingleToInt32Bits(b) & int.MinValue));
    /// <summary>f64.copysign (bitwise).</summary>
    [MethodImpl(Inline)]
    public static double F64Copysign(double a, double b) => BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(a) & long.MaxValue) | (BitConverter.DoubleToInt64Bits(b) & long.MinValue));
    /// <summary>f32.ceil.</summary>
    [MethodImpl(Inline)] public static float F32Ceil(float a) => float.IsNaN(a) ? a + a : MathF.Ceiling(a);
    /// <summary>f32.floor.</summary>
    [MethodImpl(Inline)] public static float F32Floor(float a) => float.IsNaN(a) ? a + a : MathF.Floor(a);
    /// <summary>f32.trunc.</summary>
    [MethodImpl(Inline)] public static float F32Trunc(float a) => float.IsNaN(a) ? a + a : MathF.Truncate(a);
    /// <summary>f32.nearest.</summary>
    [MethodImpl(Inline)] public static float F32Nearest(float a) => float.IsNaN(a) ? a + a : MathF.Round(a, MidpointRounding.ToEven);
    /// <summary>f32.sqrt.</summary>
    [MethodImpl(Inline)] public static float F32Sqrt(float a) => float.IsNaN(a) ? a + a : MathF.Sqrt(a);
    /// <summary>f64.ceil.</summary>
    [MethodImpl(Inline)] public static double F64Ceil(double a) => double.IsNaN(a) ? a + a : Math.Ceiling(a);
    /// <summary>f64.floor.</summary>
    [MethodImpl(Inline)] public static double F64Floor(double a) => double.IsNaN(a) ? a + a : Math.Floor(a);
    /// <summary>f64.trunc.</summary>
    [MethodImpl(Inline)] public static double F64Trunc(double a) => double.IsNaN(a) ? a + a : Math.Truncate(a);
    /// <summary>f64.nearest.</summary>
    [MethodImpl(Inline)] public static double F64Nearest(double a) => double.IsNaN(a) ? a + a : Math.Round(a, MidpointRounding.ToEven);
    /// <summary>f64.sqrt.</summary>
    [MethodImpl(Inline)] public static double F64Sqrt(double a) => double.IsNaN(a) ? a + a : Math.Sqrt(a);

    // ---- conversions ----
    private static void TruncTrap(bool nan)
    {
        if (nan) Traps.InvalidConversionToInteger();
        Traps.IntegerOverflow();
    }
    /// <summary>i32.trunc_f32_s.</summary>
    [MethodImpl(Inline)] public static int I32TruncF32S(float a) { if (!(a >= -2147483648f && a < 2147483648f)) TruncTrap(float.IsNaN(a)); return (int)a; }
    /// <summary>i32.trunc_f32_u.</summary>
    [MethodImpl(Inline)] public static int I32TruncF32U(float a) { if (!(a > -1f && a < 4294967296f)) TruncTrap(float.IsNaN(a)); return (int)(uint)a; }
    /// <summary>i32.trunc_f64_s.</summary>
    [MethodImpl(Inline)] public static int I32TruncF64S(double a) { if (!(a > -2147483649.0 && a < 2147483648.0)) TruncTrap(double.IsNaN(a)); return (int)a; }
    /// <summary>i32.trunc_f64_u.</summary>
    [MethodImpl(Inline)] public static int I32TruncF64U(double a) { if (!(a > -1.0 && a < 4294967296.0)) TruncTrap(double.IsNaN(a)); return (int)(uint)a; }
    /// <summary>i64.trunc_f32_s.</summary>
    [MethodImpl(Inline)] public static long I64TruncF32S(float a) { if (!(a >= -9223372036854775808f && a < 9223372036854775808f)) TruncTrap(float.IsNaN(a)); return (long)a; }
    /// <summary>i64.trunc_f32_u.</summary>
    [MethodImpl(Inline)] public static long I64TruncF32U(float a) { if (!(a > -1f && a < 18446744073709551616f)) TruncTrap(float.IsNaN(a)); return (long)(ulong)a; }
    /// <summary>i64.trunc_f64_s.</summary>
    [MethodImpl(Inline)] public static long I64TruncF64S(double a) { if (!(a >= -9223372036854775808.0 && a < 9223372036854775808.0)) TruncTrap(double.IsNaN(a)); return (long)a; }
    /// <summary>i64.trunc_f64_u.</summary>
    [MethodImpl(Inline)] public static long I64TruncF64U(double a) { if (!(a > -1.0 && a < 18446744073709551616.0)) TruncTrap(double.IsNaN(a)); return (long)(ulong)a; }

    /// <summary>i32.trunc_sat_f32_s.</summary>
    public static int I32TruncSatF32S(float a) => float.IsNaN(a) ? 0 : a <= -2147483648f ? int.MinValue : a >= 2147483648f ? int.MaxValue : (int)a;
    /// <summary>i32.trunc_sat_f32_u.</summary>
    public static int I32TruncSatF32U(float a) => float.IsNaN(a) || a <= -1f ? 0 : a >= 4294967296f ? -1 : (int)(uint)a;
    /// <summary>i32.trunc_sat_f64_s.</summary>
    public static int I32TruncSatF64S(double a) => double.IsNaN(a) ? 0 : a <= -2147483648.0 ? int.MinValue : a >= 2147483648.0 ? int.MaxValue : (int)a;
    /// <summary>i32.trunc_sat_f64_u.</summary>
    public static int I32TruncSatF64U(double a) => double.IsNaN(a) || a <= -1.0 ? 0 : a >= 4294967296.0 ? -1 : (int)(uint)a;
    /// <summary>i64.trunc_sat_f32_s.</summary>
    public static long I64TruncSatF32S(float a) => float.IsNaN(a) ? 0 : a <= -9223372036854775808f ? long.MinValue : a >= 9223372036854775808f ? long.MaxValue : (long)a;
    /// <summary>i64.trunc_sat_f32_u.</summary>
    public static long I64TruncSatF32U(float a) => float.IsNaN(a) || a <= -1f ? 0 : a >= 18446744073709551616f ? -1L : (long)(ulong)a;
    /// <summary>i64.trunc_sat_f64_s.</summary>
    public static long I64TruncSatF64S(double a) => double.IsNaN(a) ? 0 : a <= -9223372036854775808.0 ? long.MinValue : a >= 9223372036854775808.0 ? long.MaxValue : (long)a;
    /// <summary>i64.trunc_sat_f64_u.</summary>
    public static long I64TruncSatF64U(double a) => double.IsNaN(a) || a <= -1.0 ? 0 : a >= 18446744073709551616.0 ? -1L : (long)(ulong)a;

    /// <summary>f32.convert_i32_u.</summary>
    [MethodImpl(Inline)] public static float F32ConvertI32U(int a) => (float)(long)(uint)a;
    /// <summary>f32.convert_i64_s.</summary>
    [MethodImpl(Inline)] public static float F32ConvertI64S(long a) => (float)a;
    /// <summary>f32.convert_i64_u (one rounding).</summary>
    [MethodImpl(Inline)]
    public static float F32ConvertI64U(long a)
    {
        ulong x = (ulong)a;
        if ((long)x >= 0) return (float)(long)x;
        ulong half = (x >> 1) | (x & 1);
        return (float)(long)half * 2f;
    }
    /// <summary>f64.convert_i32_u.</summary>
    [MethodImpl(Inline)] public static double F64ConvertI32U(int a) => (double)(uint)a;
    /// <summary>f64.convert_i64_u (one rounding).</summary>
    [MethodImpl(Inline)]
    public static double F64ConvertI64U(long a)
    {
        ulong x = (ulong)a;
        if ((long)x >= 0) return (double)(long)x;
        ulong half = (x >> 1) | (x & 1);
        return (double)(long)half * 2.0;
    }
    /// <summary>i32.reinterpret_f32.</summary>
    [MethodImpl(Inline)] public static int I32ReinterpretF32(float a) => BitConverter.SingleToInt32Bits(a);
    /// <summary>f32.reinterpret_i32.</summary>
    [MethodImpl(Inline)] public static float F32ReinterpretI32(int a) => BitConverter.Int32BitsToSingle(a);
    /// <summary>i64.reinterpret_f64.</summary>
    [MethodImpl(Inline)] public static long I64ReinterpretF64(double a) => BitConverter.DoubleToInt64Bits(a);
    /// <summary>f64.reinterpret_i64.</summary>
    [MethodImpl(Inline)] public static double F64ReinterpretI64(long a) => BitConverter.Int64BitsToDouble(a);
    /// <summary>f32.demote_f64.</summary>
    [MethodImpl(Inline)] public static float F32DemoteF64(double a) => (float)a;
    /// <summary>f64.promote_f32.</summary>
    [MethodImpl(Inline)] public static double F64PromoteF32(float a) => a;
}
