using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace WasmKiln.Engines.Simd;

internal static partial class SimdOps
{
    private const int F32CanonicalNan = 0x7FC0_0000;
    private const long F64CanonicalNan = 0x7FF8_0000_0000_0000;

    // ---- sign operations: pure bit operations, also on NaNs ----

    /// <summary><c>f32x4.abs</c> (clears the sign bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Abs(Vector128<byte> a) => (a.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsByte();

    /// <summary><c>f32x4.neg</c> (flips the sign bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Neg(Vector128<byte> a) => (a.AsUInt32() ^ Vector128.Create(0x8000_0000u)).AsByte();

    /// <summary><c>f64x2.abs</c> (clears the sign bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Abs(Vector128<byte> a) => (a.AsUInt64() & Vector128.Create(0x7FFF_FFFF_FFFF_FFFFUL)).AsByte();

    /// <summary><c>f64x2.neg</c> (flips the sign bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Neg(Vector128<byte> a) => (a.AsUInt64() ^ Vector128.Create(0x8000_0000_0000_0000UL)).AsByte();

    // ---- IEEE arithmetic (hardware NaN results are arithmetic NaNs, canonical for canonical inputs) ----

    /// <summary><c>f32x4.sqrt</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Sqrt(Vector128<byte> a) => Vector128.Sqrt(a.AsSingle()).AsByte();

    /// <summary><c>f32x4.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Add(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() + b.AsSingle()).AsByte();

    /// <summary><c>f32x4.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() - b.AsSingle()).AsByte();

    /// <summary><c>f32x4.mul</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() * b.AsSingle()).AsByte();

    /// <summary><c>f32x4.div</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Div(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() / b.AsSingle()).AsByte();

    /// <summary><c>f64x2.sqrt</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Sqrt(Vector128<byte> a) => Vector128.Sqrt(a.AsDouble()).AsByte();

    /// <summary><c>f64x2.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Add(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() + b.AsDouble()).AsByte();

    /// <summary><c>f64x2.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() - b.AsDouble()).AsByte();

    /// <summary><c>f64x2.mul</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() * b.AsDouble()).AsByte();

    /// <summary><c>f64x2.div</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Div(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() / b.AsDouble()).AsByte();

    // ---- min / max: NaN if either is NaN (canonical NaN), -0 < +0 ----

    /// <summary><c>f32x4.min</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Min(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsSingle(); var y = b.AsSingle();
        var lt = Vector128.LessThan(x, y);
        var gt = Vector128.LessThan(y, x);
        // equal lanes (incl. -0 vs +0): OR of the bits picks -0.
        var r = Vector128.ConditionalSelect(lt, x, Vector128.ConditionalSelect(gt, y, x | y));
        var ordered = Vector128.Equals(x, x) & Vector128.Equals(y, y);
        return Vector128.ConditionalSelect(ordered, r, Vector128.Create(F32CanonicalNan).AsSingle()).AsByte();
    }

    /// <summary><c>f32x4.max</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Max(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsSingle(); var y = b.AsSingle();
        var gt = Vector128.GreaterThan(x, y);
        var lt = Vector128.GreaterThan(y, x);
        // equal lanes (incl. -0 vs +0): AND of the bits picks +0.
        var r = Vector128.ConditionalSelect(gt, x, Vector128.ConditionalSelect(lt, y, x & y));
        var ordered = Vector128.Equals(x, x) & Vector128.Equals(y, y);
        return Vector128.ConditionalSelect(ordered, r, Vector128.Create(F32CanonicalNan).AsSingle()).AsByte();
    }

    /// <summary><c>f64x2.min</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Min(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsDouble(); var y = b.AsDouble();
        var lt = Vector128.LessThan(x, y);
        var gt = Vector128.LessThan(y, x);
        var r = Vector128.ConditionalSelect(lt, x, Vector128.ConditionalSelect(gt, y, x | y));
        var ordered = Vector128.Equals(x, x) & Vector128.Equals(y, y);
        return Vector128.ConditionalSelect(ordered, r, Vector128.Create(F64CanonicalNan).AsDouble()).AsByte();
    }

    /// <summary><c>f64x2.max</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Max(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsDouble(); var y = b.AsDouble();
        var gt = Vector128.GreaterThan(x, y);
        var lt = Vector128.GreaterThan(y, x);
        var r = Vector128.ConditionalSelect(gt, x, Vector128.ConditionalSelect(lt, y, x & y));
        var ordered = Vector128.Equals(x, x) & Vector128.Equals(y, y);
        return Vector128.ConditionalSelect(ordered, r, Vector128.Create(F64CanonicalNan).AsDouble()).AsByte();
    }

    /// <summary><c>f32x4.pmin</c>: <c>b &lt; a ? b : a</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Pmin(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.ConditionalSelect(Vector128.LessThan(b.AsSingle(), a.AsSingle()).AsByte(), b, a);

    /// <summary><c>f32x4.pmax</c>: <c>a &lt; b ? b : a</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Pmax(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.ConditionalSelect(Vector128.LessThan(a.AsSingle(), b.AsSingle()).AsByte(), b, a);

    /// <summary><c>f64x2.pmin</c>: <c>b &lt; a ? b : a</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Pmin(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.ConditionalSelect(Vector128.LessThan(b.AsDouble(), a.AsDouble()).AsByte(), b, a);

    /// <summary><c>f64x2.pmax</c>: <c>a &lt; b ? b : a</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Pmax(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.ConditionalSelect(Vector128.LessThan(a.AsDouble(), b.AsDouble()).AsByte(), b, a);

    // ---- rounding ----

    /// <summary><c>f32x4.ceil</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Ceil(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToPositiveInfinity(a.AsSingle()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.RoundToPositiveInfinity(a.AsSingle()).AsByte();
        return RoundF32Scalar(a, 0);
    }

    /// <summary><c>f32x4.floor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Floor(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToNegativeInfinity(a.AsSingle()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.RoundToNegativeInfinity(a.AsSingle()).AsByte();
        return RoundF32Scalar(a, 1);
    }

    /// <summary><c>f32x4.trunc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Trunc(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToZero(a.AsSingle()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.RoundToZero(a.AsSingle()).AsByte();
        return RoundF32Scalar(a, 2);
    }

    /// <summary><c>f32x4.nearest</c> (ties to even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Nearest(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToNearestInteger(a.AsSingle()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.RoundToNearest(a.AsSingle()).AsByte();
        return RoundF32Scalar(a, 3);
    }

    /// <summary><c>f64x2.ceil</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Ceil(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToPositiveInfinity(a.AsDouble()).AsByte();
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.RoundToPositiveInfinity(a.AsDouble()).AsByte();
        return RoundF64Scalar(a, 0);
    }

    /// <summary><c>f64x2.floor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Floor(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToNegativeInfinity(a.AsDouble()).AsByte();
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.RoundToNegativeInfinity(a.AsDouble()).AsByte();
        return RoundF64Scalar(a, 1);
    }

    /// <summary><c>f64x2.trunc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Trunc(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToZero(a.AsDouble()).AsByte();
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.RoundToZero(a.AsDouble()).AsByte();
        return RoundF64Scalar(a, 2);
    }

    /// <summary><c>f64x2.nearest</c> (ties to even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Nearest(Vector128<byte> a)
    {
        if (Sse41.IsSupported) return Sse41.RoundToNearestInteger(a.AsDouble()).AsByte();
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.RoundToNearest(a.AsDouble()).AsByte();
        return RoundF64Scalar(a, 3);
    }

    /// <summary>Per-lane rounding (0 ceil, 1 floor, 2 trunc, 3 nearest); NaNs come out quiet.</summary>
    private static Vector128<byte> RoundF32Scalar(Vector128<byte> a, int mode)
    {
        var v = a.AsSingle();
        for (int i = 0; i < 4; i++)
        {
            float x = v.GetElement(i);
            float r = float.IsNaN(x)
                ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) | 0x0040_0000)
                : mode switch { 0 => MathF.Ceiling(x), 1 => MathF.Floor(x), 2 => MathF.Truncate(x), _ => MathF.Round(x, MidpointRounding.ToEven) };
            v = v.WithElement(i, r);
        }
        return v.AsByte();
    }

    /// <summary>Per-lane rounding (0 ceil, 1 floor, 2 trunc, 3 nearest); NaNs come out quiet.</summary>
    private static Vector128<byte> RoundF64Scalar(Vector128<byte> a, int mode)
    {
        var v = a.AsDouble();
        for (int i = 0; i < 2; i++)
        {
            double x = v.GetElement(i);
            double r = double.IsNaN(x)
                ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x) | 0x0008_0000_0000_0000)
                : mode switch { 0 => Math.Ceiling(x), 1 => Math.Floor(x), 2 => Math.Truncate(x), _ => Math.Round(x, MidpointRounding.ToEven) };
            v = v.WithElement(i, r);
        }
        return v.AsByte();
    }

    // ---- conversions ----

    /// <summary><c>i32x4.trunc_sat_f32x4_s</c>: truncate, saturate, NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF32x4S(Vector128<byte> a)
    {
        var x = a.AsSingle();
        if (Sse2.IsSupported)
        {
            // cvttps2dq gives 0x80000000 for NaN and out of range; fix the positive overflow and NaN.
            var t = Sse2.ConvertToVector128Int32WithTruncation(x);
            var tooBig = Vector128.GreaterThanOrEqual(x, Vector128.Create(2147483648f)).AsInt32();
            return ((t ^ tooBig) & Vector128.Equals(x, x).AsInt32()).AsByte();
        }
        if (AdvSimd.IsSupported) return AdvSimd.ConvertToInt32RoundToZero(x).AsByte();
        Vector128<int> r = default;
        for (int i = 0; i < 4; i++) r = r.WithElement(i, TruncSatI32(x.GetElement(i)));
        return r.AsByte();
    }

    /// <summary><c>i32x4.trunc_sat_f32x4_u</c>: truncate, saturate to [0, 2^32-1], NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF32x4U(Vector128<byte> a)
    {
        var x = a.AsSingle();
        if (Sse2.IsSupported)
        {
            var c = Sse.Max(x, Vector128<float>.Zero); // NaN and negatives -> 0 (maxps returns the second operand on NaN)
            var two31 = Vector128.Create(2147483648f);
            var t1 = Sse2.ConvertToVector128Int32WithTruncation(c);
            var t2 = Sse2.ConvertToVector128Int32WithTruncation(c - two31) ^ Vector128.Create(int.MinValue);
            var big = Vector128.GreaterThanOrEqual(c, two31).AsInt32();
            var huge = Vector128.GreaterThanOrEqual(c, Vector128.Create(4294967296f)).AsInt32();
            return (Vector128.ConditionalSelect(big, t2, t1) | huge).AsByte();
        }
        if (AdvSimd.IsSupported) return AdvSimd.ConvertToUInt32RoundToZero(x).AsByte();
        Vector128<uint> r = default;
        for (int i = 0; i < 4; i++) r = r.WithElement(i, TruncSatU32(x.GetElement(i)));
        return r.AsByte();
    }

    /// <summary><c>i32x4.trunc_sat_f64x2_s_zero</c>: two saturated lanes, then two zero lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF64x2SZero(Vector128<byte> a)
    {
        var x = a.AsDouble();
        if (Sse2.IsSupported)
        {
            var c = Sse2.Min(Sse2.Max(x, Vector128.Create(-2147483648.0)), Vector128.Create(2147483647.0));
            c &= Vector128.Equals(x, x); // NaN -> +0
            return Sse2.ConvertToVector128Int32WithTruncation(c).AsByte();
        }
        return Vector128.Create(TruncSatI32(x.GetElement(0)), TruncSatI32(x.GetElement(1)), 0, 0).AsByte();
    }

    /// <summary><c>i32x4.trunc_sat_f64x2_u_zero</c>: two saturated lanes, then two zero lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF64x2UZero(Vector128<byte> a)
    {
        var x = a.AsDouble();
        if (Sse41.IsSupported)
        {
            var c = Sse2.Min(Sse2.Max(x, Vector128<double>.Zero), Vector128.Create(4294967295.0));
            c = Sse41.RoundToZero(c & Vector128.Equals(x, x));
            // Adding 2^52 puts the integer in the low 32 bits of the mantissa.
            var bits = (c + Vector128.Create(4503599627370496.0)).AsInt32();
            return (Sse2.Shuffle(bits, 0b11_11_10_00) & Vector128.Create(-1, -1, 0, 0)).AsByte();
        }
        return Vector128.Create(TruncSatU32(x.GetElement(0)), TruncSatU32(x.GetElement(1)), 0u, 0u).AsByte();
    }

    private static int TruncSatI32(double x)
    {
        if (double.IsNaN(x)) return 0;
        if (x <= int.MinValue) return int.MinValue;
        if (x >= 2147483647.0) return int.MaxValue;
        return (int)x;
    }

    private static uint TruncSatU32(double x)
    {
        if (double.IsNaN(x) || x <= 0) return 0;
        if (x >= 4294967295.0) return uint.MaxValue;
        return (uint)x;
    }

    /// <summary><c>f32x4.convert_i32x4_s</c> (round to nearest even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4ConvertI32x4S(Vector128<byte> a) => Vector128.ConvertToSingle(a.AsInt32()).AsByte();

    /// <summary><c>f32x4.convert_i32x4_u</c> (round to nearest even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4ConvertI32x4U(Vector128<byte> a)
    {
        if (AdvSimd.IsSupported) return AdvSimd.ConvertToSingle(a.AsUInt32()).AsByte();
        // Both halves convert exactly; the single addition rounds once, correctly.
        var u = a.AsUInt32();
        var lo = Vector128.ConvertToSingle((u & Vector128.Create(0xFFFFu)).AsInt32());
        var hi = Vector128.ConvertToSingle(Vector128.ShiftRightLogical(u, 16).AsInt32()) * Vector128.Create(65536f);
        return (hi + lo).AsByte();
    }

    /// <summary><c>f64x2.convert_low_i32x4_s</c> (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2ConvertLowI32x4S(Vector128<byte> a)
    {
        if (Sse2.IsSupported) return Sse2.ConvertToVector128Double(a.AsInt32()).AsByte();
        return Vector128.ConvertToDouble(Vector128.WidenLower(a.AsInt32())).AsByte();
    }

    /// <summary><c>f64x2.convert_low_i32x4_u</c> (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2ConvertLowI32x4U(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
        {
            // 0x43300000_xxxxxxxx is 2^52 + x exactly.
            var bits = Sse2.UnpackLow(a.AsUInt32(), Vector128.Create(0x4330_0000u)).AsDouble();
            return (bits - Vector128.Create(4503599627370496.0)).AsByte();
        }
        return Vector128.ConvertToDouble(Vector128.WidenLower(a.AsUInt32())).AsByte();
    }

    /// <summary><c>f32x4.demote_f64x2_zero</c>: two rounded lanes, then two +0 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4DemoteF64x2Zero(Vector128<byte> a)
    {
        if (Sse2.IsSupported) return Sse2.ConvertToVector128Single(a.AsDouble()).AsByte();
        if (AdvSimd.Arm64.IsSupported)
            return AdvSimd.Arm64.ConvertToSingleLower(a.AsDouble()).ToVector128().AsByte();
        var x = a.AsDouble();
        return Vector128.Create(DemoteScalar(x.GetElement(0)), DemoteScalar(x.GetElement(1)), 0f, 0f).AsByte();
    }

    /// <summary><c>f64x2.promote_low_f32x4</c> (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2PromoteLowF32x4(Vector128<byte> a)
    {
        if (Sse2.IsSupported) return Sse2.ConvertToVector128Double(a.AsSingle()).AsByte();
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.ConvertToDouble(a.AsSingle().GetLower()).AsByte();
        var x = a.AsSingle();
        return Vector128.Create(PromoteScalar(x.GetElement(0)), PromoteScalar(x.GetElement(1))).AsByte();
    }

    private static float DemoteScalar(double d)
    {
        if (!double.IsNaN(d)) return (float)d;
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(d);
        // Quiet NaN keeping the sign and the top payload bits.
        uint r = ((uint)(bits >> 32) & 0x8000_0000u) | 0x7FC0_0000u | (uint)((bits >> 29) & 0x003F_FFFF);
        return BitConverter.Int32BitsToSingle((int)r);
    }

    private static double PromoteScalar(float f)
    {
        if (!float.IsNaN(f)) return f;
        uint bits = (uint)BitConverter.SingleToInt32Bits(f);
        ulong r = ((ulong)(bits & 0x8000_0000u) << 32) | 0x7FF8_0000_0000_0000UL | ((ulong)(bits & 0x003F_FFFFu) << 29);
        return BitConverter.Int64BitsToDouble((long)r);
    }
}
