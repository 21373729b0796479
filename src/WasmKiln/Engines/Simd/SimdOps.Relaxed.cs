using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WasmKiln.Engines.Simd;

internal static partial class SimdOps
{
    // Relaxed SIMD: the fixed behaviour chosen for each instruction is listed on the class.

    /// <summary><c>i8x16.relaxed_swizzle</c>: as <c>i8x16.swizzle</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16RelaxedSwizzle(Vector128<byte> a, Vector128<byte> s) => I8x16Swizzle(a, s);

    /// <summary><c>i32x4.relaxed_trunc_f32x4_s</c>: as <c>i32x4.trunc_sat_f32x4_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF32x4S(Vector128<byte> a) => I32x4TruncSatF32x4S(a);

    /// <summary><c>i32x4.relaxed_trunc_f32x4_u</c>: as <c>i32x4.trunc_sat_f32x4_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF32x4U(Vector128<byte> a) => I32x4TruncSatF32x4U(a);

    /// <summary><c>i32x4.relaxed_trunc_f64x2_s_zero</c>: as <c>i32x4.trunc_sat_f64x2_s_zero</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF64x2SZero(Vector128<byte> a) => I32x4TruncSatF64x2SZero(a);

    /// <summary><c>i32x4.relaxed_trunc_f64x2_u_zero</c>: as <c>i32x4.trunc_sat_f64x2_u_zero</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF64x2UZero(Vector128<byte> a) => I32x4TruncSatF64x2UZero(a);

    /// <summary><c>f32x4.relaxed_madd</c>: <c>a*b+c</c>, not fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedMadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (a.AsSingle() * b.AsSingle() + c.AsSingle()).AsByte();

    /// <summary><c>f32x4.relaxed_nmadd</c>: <c>-(a*b)+c</c>, not fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedNmadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (c.AsSingle() - a.AsSingle() * b.AsSingle()).AsByte();

    /// <summary><c>f64x2.relaxed_madd</c>: <c>a*b+c</c>, not fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedMadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (a.AsDouble() * b.AsDouble() + c.AsDouble()).AsByte();

    /// <summary><c>f64x2.relaxed_nmadd</c>: <c>-(a*b)+c</c>, not fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedNmadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (c.AsDouble() - a.AsDouble() * b.AsDouble()).AsByte();

    /// <summary><c>i8x16.relaxed_laneselect</c>: as <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>i16x8.relaxed_laneselect</c>: as <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>i32x4.relaxed_laneselect</c>: as <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>i64x2.relaxed_laneselect</c>: as <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>f32x4.relaxed_min</c>: as <c>f32x4.min</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedMin(Vector128<byte> a, Vector128<byte> b) => F32x4Min(a, b);

    /// <summary><c>f32x4.relaxed_max</c>: as <c>f32x4.max</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedMax(Vector128<byte> a, Vector128<byte> b) => F32x4Max(a, b);

    /// <summary><c>f64x2.relaxed_min</c>: as <c>f64x2.min</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedMin(Vector128<byte> a, Vector128<byte> b) => F64x2Min(a, b);

    /// <summary><c>f64x2.relaxed_max</c>: as <c>f64x2.max</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedMax(Vector128<byte> a, Vector128<byte> b) => F64x2Max(a, b);

    /// <summary><c>i16x8.relaxed_q15mulr_s</c>: as <c>i16x8.q15mulr_sat_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8RelaxedQ15mulrS(Vector128<byte> a, Vector128<byte> b) => I16x8Q15mulrSatS(a, b);

    /// <summary><c>i16x8.relaxed_dot_i8x16_i7x16_s</c>: signed products of adjacent lanes, pairwise sum wrapped to 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8RelaxedDotI8x16I7x16S(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsInt16(); var y = b.AsInt16();
        var xe = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 8), 8);
        var ye = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(y, 8), 8);
        var xo = Vector128.ShiftRightArithmetic(x, 8);
        var yo = Vector128.ShiftRightArithmetic(y, 8);
        return (xe * ye + xo * yo).AsByte();
    }

    /// <summary>
    /// <c>i32x4.relaxed_dot_i8x16_i7x16_add_s</c>: the 16-bit intermediate of
    /// <see cref="I16x8RelaxedDotI8x16I7x16S"/> (signed, wrapping), pairwise sign-extended and
    /// added, plus the accumulator lane (wrapping).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedDotI8x16I7x16AddS(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (I32x4ExtaddPairwiseI16x8S(I16x8RelaxedDotI8x16I7x16S(a, b)).AsInt32() + c.AsInt32()).AsByte();
}
