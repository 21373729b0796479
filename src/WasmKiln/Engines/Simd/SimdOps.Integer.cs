using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace WasmKiln.Engines.Simd;

internal static partial class SimdOps
{
    // ---- abs / neg (wrapping: abs of the minimum value is itself) ----

    /// <summary><c>i8x16.abs</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Abs(Vector128<byte> a)
    {
        if (Ssse3.IsSupported) return Ssse3.Abs(a.AsSByte());
        var x = a.AsSByte();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<sbyte>.Zero), -x, x).AsByte();
    }

    /// <summary><c>i16x8.abs</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Abs(Vector128<byte> a)
    {
        if (Ssse3.IsSupported) return Ssse3.Abs(a.AsInt16()).AsByte();
        var x = a.AsInt16();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<short>.Zero), -x, x).AsByte();
    }

    /// <summary><c>i32x4.abs</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Abs(Vector128<byte> a)
    {
        if (Ssse3.IsSupported) return Ssse3.Abs(a.AsInt32()).AsByte();
        var x = a.AsInt32();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<int>.Zero), -x, x).AsByte();
    }

    /// <summary><c>i64x2.abs</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Abs(Vector128<byte> a)
    {
        var x = a.AsInt64();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<long>.Zero), -x, x).AsByte();
    }

    /// <summary><c>i8x16.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Neg(Vector128<byte> a) => Vector128<byte>.Zero - a;

    /// <summary><c>i16x8.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Neg(Vector128<byte> a) => (Vector128<ushort>.Zero - a.AsUInt16()).AsByte();

    /// <summary><c>i32x4.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Neg(Vector128<byte> a) => (Vector128<uint>.Zero - a.AsUInt32()).AsByte();

    /// <summary><c>i64x2.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Neg(Vector128<byte> a) => (Vector128<ulong>.Zero - a.AsUInt64()).AsByte();

    // ---- popcnt, all_true, bitmask ----

    /// <summary><c>i8x16.popcnt</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Popcnt(Vector128<byte> a)
    {
        if (AdvSimd.IsSupported) return AdvSimd.PopCount(a);
        if (Ssse3.IsSupported)
        {
            var table = Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var low = a & Vector128.Create((byte)0x0F);
            var high = Vector128.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & Vector128.Create((byte)0x0F);
            return Ssse3.Shuffle(table, low) + Ssse3.Shuffle(table, high);
        }
        Vector128<byte> r = default;
        for (int i = 0; i < 16; i++) r = r.WithElement(i, (byte)BitOperations.PopCount(a.GetElement(i)));
        return r;
    }

    /// <summary><c>i8x16.all_true</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a, Vector128<byte>.Zero) ? 0 : 1;

    /// <summary><c>i16x8.all_true</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a.AsUInt16(), Vector128<ushort>.Zero) ? 0 : 1;

    /// <summary><c>i32x4.all_true</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a.AsUInt32(), Vector128<uint>.Zero) ? 0 : 1;

    /// <summary><c>i64x2.all_true</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I64x2AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a.AsUInt64(), Vector128<ulong>.Zero) ? 0 : 1;

    /// <summary><c>i8x16.bitmask</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a);

    /// <summary><c>i16x8.bitmask</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt16());

    /// <summary><c>i32x4.bitmask</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt32());

    /// <summary><c>i64x2.bitmask</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I64x2Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt64());

    // ---- narrow (saturating) ----

    /// <summary><c>i8x16.narrow_i16x8_s</c>: lanes of a then b, saturated to i8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16NarrowI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.PackSignedSaturate(a.AsInt16(), b.AsInt16()).AsByte();
        var lo = Vector128.Create((short)sbyte.MinValue);
        var hi = Vector128.Create((short)sbyte.MaxValue);
        return Vector128.Narrow(Vector128.Min(Vector128.Max(a.AsInt16(), lo), hi), Vector128.Min(Vector128.Max(b.AsInt16(), lo), hi)).AsByte();
    }

    /// <summary><c>i8x16.narrow_i16x8_u</c>: signed lanes of a then b, saturated to u8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16NarrowI16x8U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.PackUnsignedSaturate(a.AsInt16(), b.AsInt16());
        var lo = Vector128<short>.Zero;
        var hi = Vector128.Create((short)byte.MaxValue);
        return Vector128.Narrow(Vector128.Min(Vector128.Max(a.AsInt16(), lo), hi), Vector128.Min(Vector128.Max(b.AsInt16(), lo), hi)).AsByte();
    }

    /// <summary><c>i16x8.narrow_i32x4_s</c>: lanes of a then b, saturated to i16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8NarrowI32x4S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.PackSignedSaturate(a.AsInt32(), b.AsInt32()).AsByte();
        var lo = Vector128.Create((int)short.MinValue);
        var hi = Vector128.Create((int)short.MaxValue);
        return Vector128.Narrow(Vector128.Min(Vector128.Max(a.AsInt32(), lo), hi), Vector128.Min(Vector128.Max(b.AsInt32(), lo), hi)).AsByte();
    }

    /// <summary><c>i16x8.narrow_i32x4_u</c>: signed lanes of a then b, saturated to u16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8NarrowI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse41.IsSupported) return Sse41.PackUnsignedSaturate(a.AsInt32(), b.AsInt32()).AsByte();
        var lo = Vector128<int>.Zero;
        var hi = Vector128.Create((int)ushort.MaxValue);
        return Vector128.Narrow(Vector128.Min(Vector128.Max(a.AsInt32(), lo), hi), Vector128.Min(Vector128.Max(b.AsInt32(), lo), hi)).AsByte();
    }

    // ---- extend ----

    /// <summary><c>i16x8.extend_low_i8x16_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendLowI8x16S(Vector128<byte> a) => Vector128.WidenLower(a.AsSByte()).AsByte();

    /// <summary><c>i16x8.extend_high_i8x16_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendHighI8x16S(Vector128<byte> a) => Vector128.WidenUpper(a.AsSByte()).AsByte();

    /// <summary><c>i16x8.extend_low_i8x16_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendLowI8x16U(Vector128<byte> a) => Vector128.WidenLower(a).AsByte();

    /// <summary><c>i16x8.extend_high_i8x16_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendHighI8x16U(Vector128<byte> a) => Vector128.WidenUpper(a).AsByte();

    /// <summary><c>i32x4.extend_low_i16x8_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendLowI16x8S(Vector128<byte> a) => Vector128.WidenLower(a.AsInt16()).AsByte();

    /// <summary><c>i32x4.extend_high_i16x8_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendHighI16x8S(Vector128<byte> a) => Vector128.WidenUpper(a.AsInt16()).AsByte();

    /// <summary><c>i32x4.extend_low_i16x8_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendLowI16x8U(Vector128<byte> a) => Vector128.WidenLower(a.AsUInt16()).AsByte();

    /// <summary><c>i32x4.extend_high_i16x8_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendHighI16x8U(Vector128<byte> a) => Vector128.WidenUpper(a.AsUInt16()).AsByte();

    /// <summary><c>i64x2.extend_low_i32x4_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendLowI32x4S(Vector128<byte> a) => Vector128.WidenLower(a.AsInt32()).AsByte();

    /// <summary><c>i64x2.extend_high_i32x4_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendHighI32x4S(Vector128<byte> a) => Vector128.WidenUpper(a.AsInt32()).AsByte();

    /// <summary><c>i64x2.extend_low_i32x4_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendLowI32x4U(Vector128<byte> a) => Vector128.WidenLower(a.AsUInt32()).AsByte();

    /// <summary><c>i64x2.extend_high_i32x4_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendHighI32x4U(Vector128<byte> a) => Vector128.WidenUpper(a.AsUInt32()).AsByte();

    // ---- shifts (count taken modulo the lane width) ----

    // x86 has no 8-bit shifts: shift 16-bit lanes and mask off the bits that crossed bytes.

    /// <summary><c>i8x16.shl</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Shl(Vector128<byte> a, int n)
    {
        n &= 7;
        if (Sse2.IsSupported) return Vector128.ShiftLeft(a.AsUInt16(), n).AsByte() & Vector128.Create((byte)(0xFF << n));
        return Vector128.ShiftLeft(a, n);
    }

    /// <summary><c>i8x16.shr_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16ShrS(Vector128<byte> a, int n)
    {
        n &= 7;
        if (Sse2.IsSupported)
        {
            // Bias to unsigned, shift logically, remove the shifted bias: (x ^ 0x80) >>> n - (0x80 >> n).
            var t = I8x16ShrU(a ^ Vector128.Create((byte)0x80), n);
            return t - Vector128.Create((byte)(0x80 >> n));
        }
        return Vector128.ShiftRightArithmetic(a.AsSByte(), n).AsByte();
    }

    /// <summary><c>i8x16.shr_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16ShrU(Vector128<byte> a, int n)
    {
        n &= 7;
        if (Sse2.IsSupported) return Vector128.ShiftRightLogical(a.AsUInt16(), n).AsByte() & Vector128.Create((byte)(0xFF >> n));
        return Vector128.ShiftRightLogical(a, n);
    }

    /// <summary><c>i16x8.shl</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Shl(Vector128<byte> a, int n) => Vector128.ShiftLeft(a.AsInt16(), n & 15).AsByte();

    /// <summary><c>i16x8.shr_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ShrS(Vector128<byte> a, int n) => Vector128.ShiftRightArithmetic(a.AsInt16(), n & 15).AsByte();

    /// <summary><c>i16x8.shr_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ShrU(Vector128<byte> a, int n) => Vector128.ShiftRightLogical(a.AsUInt16(), n & 15).AsByte();

    /// <summary><c>i32x4.shl</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Shl(Vector128<byte> a, int n) => Vector128.ShiftLeft(a.AsInt32(), n & 31).AsByte();

    /// <summary><c>i32x4.shr_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ShrS(Vector128<byte> a, int n) => Vector128.ShiftRightArithmetic(a.AsInt32(), n & 31).AsByte();

    /// <summary><c>i32x4.shr_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ShrU(Vector128<byte> a, int n) => Vector128.ShiftRightLogical(a.AsUInt32(), n & 31).AsByte();

    /// <summary><c>i64x2.shl</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Shl(Vector128<byte> a, int n) => Vector128.ShiftLeft(a.AsInt64(), n & 63).AsByte();

    /// <summary><c>i64x2.shr_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ShrS(Vector128<byte> a, int n)
    {
        var x = a.AsInt64();
        if (Sse2.IsSupported && !Avx512F.VL.IsSupported)
        {
            // No 64-bit arithmetic shift before AVX-512: flip negative lanes, shift logically, flip back.
            var sign = Vector128.LessThan(x, Vector128<long>.Zero);
            return (Vector128.ShiftRightLogical(x ^ sign, n & 63) ^ sign).AsByte();
        }
        return Vector128.ShiftRightArithmetic(x, n & 63).AsByte();
    }

    /// <summary><c>i64x2.shr_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ShrU(Vector128<byte> a, int n) => Vector128.ShiftRightLogical(a.AsUInt64(), n & 63).AsByte();

    // ---- add / sub / mul (wrapping) ----

    /// <summary><c>i8x16.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Add(Vector128<byte> a, Vector128<byte> b) => a + b;

    /// <summary><c>i8x16.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Sub(Vector128<byte> a, Vector128<byte> b) => a - b;

    /// <summary><c>i16x8.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() + b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() - b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.mul</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsInt16() * b.AsInt16()).AsByte();

    /// <summary><c>i32x4.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() + b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() - b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.mul</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsInt32() * b.AsInt32()).AsByte();

    /// <summary><c>i64x2.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() + b.AsUInt64()).AsByte();

    /// <summary><c>i64x2.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() - b.AsUInt64()).AsByte();

    /// <summary><c>i64x2.mul</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsInt64() * b.AsInt64()).AsByte();

    // ---- saturating add / sub ----

    /// <summary><c>i8x16.add_sat_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16AddSatS(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte();
        var sa = a.AsSByte(); var sb = b.AsSByte();
        return I8x16NarrowI16x8S((Vector128.WidenLower(sa) + Vector128.WidenLower(sb)).AsByte(), (Vector128.WidenUpper(sa) + Vector128.WidenUpper(sb)).AsByte());
    }

    /// <summary><c>i8x16.add_sat_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16AddSatU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.AddSaturate(a, b);
        if (AdvSimd.IsSupported) return AdvSimd.AddSaturate(a, b);
        var sum = a + b;
        return sum | Vector128.LessThan(sum, a); // wrapped lanes become 0xFF
    }

    /// <summary><c>i8x16.sub_sat_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16SubSatS(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte();
        var sa = a.AsSByte(); var sb = b.AsSByte();
        return I8x16NarrowI16x8S((Vector128.WidenLower(sa) - Vector128.WidenLower(sb)).AsByte(), (Vector128.WidenUpper(sa) - Vector128.WidenUpper(sb)).AsByte());
    }

    /// <summary><c>i8x16.sub_sat_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16SubSatU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.SubtractSaturate(a, b);
        if (AdvSimd.IsSupported) return AdvSimd.SubtractSaturate(a, b);
        return Vector128.Max(a, b) - b;
    }

    /// <summary><c>i16x8.add_sat_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8AddSatS(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte();
        var sa = a.AsInt16(); var sb = b.AsInt16();
        return I16x8NarrowI32x4S((Vector128.WidenLower(sa) + Vector128.WidenLower(sb)).AsByte(), (Vector128.WidenUpper(sa) + Vector128.WidenUpper(sb)).AsByte());
    }

    /// <summary><c>i16x8.add_sat_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8AddSatU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
        var ua = a.AsUInt16();
        var sum = ua + b.AsUInt16();
        return (sum | Vector128.LessThan(sum, ua)).AsByte();
    }

    /// <summary><c>i16x8.sub_sat_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8SubSatS(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte();
        var sa = a.AsInt16(); var sb = b.AsInt16();
        return I16x8NarrowI32x4S((Vector128.WidenLower(sa) - Vector128.WidenLower(sb)).AsByte(), (Vector128.WidenUpper(sa) - Vector128.WidenUpper(sb)).AsByte());
    }

    /// <summary><c>i16x8.sub_sat_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8SubSatU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
        return (Vector128.Max(a.AsUInt16(), b.AsUInt16()) - b.AsUInt16()).AsByte();
    }

    // ---- min / max ----

    /// <summary><c>i8x16.min_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MinS(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.min_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MinU(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a, b);

    /// <summary><c>i8x16.max_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MaxS(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.max_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MaxU(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a, b);

    /// <summary><c>i16x8.min_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MinS(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.min_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MinU(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.max_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MaxS(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.max_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MaxU(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i32x4.min_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MinS(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.min_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MinU(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.max_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MaxS(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.max_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MaxU(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a.AsUInt32(), b.AsUInt32()).AsByte();

    // ---- avgr_u: (a + b + 1) / 2 without overflow ----

    /// <summary><c>i8x16.avgr_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16AvgrU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.Average(a, b);
        if (AdvSimd.IsSupported) return AdvSimd.FusedAddRoundedHalving(a, b);
        return (a | b) - Vector128.ShiftRightLogical(a ^ b, 1);
    }

    /// <summary><c>i16x8.avgr_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8AvgrU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.Average(a.AsUInt16(), b.AsUInt16()).AsByte();
        if (AdvSimd.IsSupported) return AdvSimd.FusedAddRoundedHalving(a.AsUInt16(), b.AsUInt16()).AsByte();
        var x = a.AsUInt16(); var y = b.AsUInt16();
        return ((x | y) - Vector128.ShiftRightLogical(x ^ y, 1)).AsByte();
    }

    // ---- pairwise / widening arithmetic ----

    /// <summary><c>i16x8.extadd_pairwise_i8x16_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtaddPairwiseI8x16S(Vector128<byte> a)
    {
        var x = a.AsInt16();
        var even = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 8), 8);
        var odd = Vector128.ShiftRightArithmetic(x, 8);
        return (even + odd).AsByte();
    }

    /// <summary><c>i16x8.extadd_pairwise_i8x16_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtaddPairwiseI8x16U(Vector128<byte> a)
    {
        var x = a.AsUInt16();
        return ((x & Vector128.Create((ushort)0xFF)) + Vector128.ShiftRightLogical(x, 8)).AsByte();
    }

    /// <summary><c>i32x4.extadd_pairwise_i16x8_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtaddPairwiseI16x8S(Vector128<byte> a)
    {
        if (Sse2.IsSupported) return Sse2.MultiplyAddAdjacent(a.AsInt16(), Vector128.Create((short)1)).AsByte();
        var x = a.AsInt32();
        var even = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 16), 16);
        var odd = Vector128.ShiftRightArithmetic(x, 16);
        return (even + odd).AsByte();
    }

    /// <summary><c>i32x4.extadd_pairwise_i16x8_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtaddPairwiseI16x8U(Vector128<byte> a)
    {
        var x = a.AsUInt32();
        return ((x & Vector128.Create(0xFFFFu)) + Vector128.ShiftRightLogical(x, 16)).AsByte();
    }

    /// <summary><c>i16x8.q15mulr_sat_s</c>: <c>sat16((a * b + 0x4000) &gt;&gt; 15)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Q15mulrSatS(Vector128<byte> a, Vector128<byte> b)
    {
        if (Ssse3.IsSupported)
        {
            // pmulhrsw is exact except that -1 * -1 wraps to 0x8000; flip those lanes to 0x7fff.
            var r = Ssse3.MultiplyHighRoundScale(a.AsInt16(), b.AsInt16());
            return (r ^ Vector128.Equals(r, Vector128.Create(short.MinValue))).AsByte();
        }
        if (AdvSimd.IsSupported) return AdvSimd.MultiplyRoundedDoublingSaturateHigh(a.AsInt16(), b.AsInt16()).AsByte();
        var x = a.AsInt16(); var y = b.AsInt16();
        var round = Vector128.Create(0x4000);
        var lo = Vector128.ShiftRightArithmetic(Vector128.WidenLower(x) * Vector128.WidenLower(y) + round, 15);
        var hi = Vector128.ShiftRightArithmetic(Vector128.WidenUpper(x) * Vector128.WidenUpper(y) + round, 15);
        return I16x8NarrowI32x4S(lo.AsByte(), hi.AsByte());
    }

    /// <summary><c>i32x4.dot_i16x8_s</c>: sums of adjacent signed 16-bit products (wrapping).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4DotI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported) return Sse2.MultiplyAddAdjacent(a.AsInt16(), b.AsInt16()).AsByte();
        var x = a.AsInt32(); var y = b.AsInt32();
        var xe = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 16), 16);
        var ye = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(y, 16), 16);
        var xo = Vector128.ShiftRightArithmetic(x, 16);
        var yo = Vector128.ShiftRightArithmetic(y, 16);
        return (xe * ye + xo * yo).AsByte();
    }

    /// <summary><c>i16x8.extmul_low_i8x16_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulLowI8x16S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a.AsSByte()) * Vector128.WidenLower(b.AsSByte())).AsByte();

    /// <summary><c>i16x8.extmul_high_i8x16_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulHighI8x16S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a.AsSByte()) * Vector128.WidenUpper(b.AsSByte())).AsByte();

    /// <summary><c>i16x8.extmul_low_i8x16_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulLowI8x16U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a) * Vector128.WidenLower(b)).AsByte();

    /// <summary><c>i16x8.extmul_high_i8x16_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulHighI8x16U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a) * Vector128.WidenUpper(b)).AsByte();

    /// <summary><c>i32x4.extmul_low_i16x8_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulLowI16x8S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a.AsInt16()) * Vector128.WidenLower(b.AsInt16())).AsByte();

    /// <summary><c>i32x4.extmul_high_i16x8_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulHighI16x8S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a.AsInt16()) * Vector128.WidenUpper(b.AsInt16())).AsByte();

    /// <summary><c>i32x4.extmul_low_i16x8_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulLowI16x8U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a.AsUInt16()) * Vector128.WidenLower(b.AsUInt16())).AsByte();

    /// <summary><c>i32x4.extmul_high_i16x8_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulHighI16x8U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a.AsUInt16()) * Vector128.WidenUpper(b.AsUInt16())).AsByte();

    /// <summary><c>i64x2.extmul_low_i32x4_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulLowI32x4S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a.AsInt32()) * Vector128.WidenLower(b.AsInt32())).AsByte();

    /// <summary><c>i64x2.extmul_high_i32x4_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulHighI32x4S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a.AsInt32()) * Vector128.WidenUpper(b.AsInt32())).AsByte();

    /// <summary><c>i64x2.extmul_low_i32x4_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulLowI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
            return Sse2.Multiply(Sse2.UnpackLow(a.AsUInt32(), a.AsUInt32()), Sse2.UnpackLow(b.AsUInt32(), b.AsUInt32())).AsByte();
        return (Vector128.WidenLower(a.AsUInt32()) * Vector128.WidenLower(b.AsUInt32())).AsByte();
    }

    /// <summary><c>i64x2.extmul_high_i32x4_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulHighI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
            return Sse2.Multiply(Sse2.UnpackHigh(a.AsUInt32(), a.AsUInt32()), Sse2.UnpackHigh(b.AsUInt32(), b.AsUInt32())).AsByte();
        return (Vector128.WidenUpper(a.AsUInt32()) * Vector128.WidenUpper(b.AsUInt32())).AsByte();
    }
}
