using System.Numerics;
using System.Runtime.Intrinsics;
using WasmKiln.Instructions;

namespace WasmKiln.Tests.Simd;

/// <summary>
/// Scalar, lane-by-lane reference semantics of the SIMD instructions, written straight from the
/// specification's definitions and independent of <c>SimdOps</c>. Arguments and results use the
/// same CLR types as SimdOps (Vector128&lt;byte&gt;, int, long, float, double; lane as int).
/// A NaN lane of a float result is <see cref="CanonF32"/>/<see cref="CanonF64"/> when the
/// specification requires a canonical NaN, and <see cref="ArithF32"/>/<see cref="ArithF64"/>
/// when any arithmetic NaN is allowed.
/// </summary>
internal static class SimdReference
{
    public const uint CanonF32 = 0x7FC0_0000;
    public const uint ArithF32 = 0x7FC0_0001;
    public const ulong CanonF64 = 0x7FF8_0000_0000_0000;
    public const ulong ArithF64 = 0x7FF8_0000_0000_0001;

    public delegate object Impl(object[] args);

    // ---- lanes ----

    public static long[] Ints(Vector128<byte> v, int bits, bool signed)
    {
        int n = 128 / bits;
        var r = new long[n];
        for (int i = 0; i < n; i++)
        {
            ulong raw = 0;
            for (int k = 0; k < bits / 8; k++) raw |= (ulong)v.GetElement(i * bits / 8 + k) << (8 * k);
            r[i] = bits == 64 ? (long)raw : signed ? (long)(raw << (64 - bits)) >> (64 - bits) : (long)raw;
        }
        return r;
    }

    public static Vector128<byte> FromInts(long[] lanes, int bits)
    {
        var v = Vector128<byte>.Zero;
        for (int i = 0; i < lanes.Length; i++)
            for (int k = 0; k < bits / 8; k++)
                v = v.WithElement(i * bits / 8 + k, (byte)((ulong)lanes[i] >> (8 * k)));
        return v;
    }

    public static float[] F32(Vector128<byte> v)
    {
        var l = Ints(v, 32, false);
        var r = new float[4];
        for (int i = 0; i < 4; i++) r[i] = BitConverter.UInt32BitsToSingle((uint)l[i]);
        return r;
    }

    public static double[] F64(Vector128<byte> v)
    {
        var l = Ints(v, 64, false);
        return [BitConverter.Int64BitsToDouble(l[0]), BitConverter.Int64BitsToDouble(l[1])];
    }

    public static Vector128<byte> FromF32(float[] f)
    {
        var l = new long[4];
        for (int i = 0; i < 4; i++) l[i] = BitConverter.SingleToUInt32Bits(f[i]);
        return FromInts(l, 32);
    }

    public static Vector128<byte> FromF64(double[] f) =>
        FromInts([BitConverter.DoubleToInt64Bits(f[0]), BitConverter.DoubleToInt64Bits(f[1])], 64);

    /// <summary>The NaN result for NaN inputs <paramref name="ins"/>: canonical if every NaN input is canonical.</summary>
    public static float Nan32(params float[] ins)
    {
        foreach (var x in ins)
            if (float.IsNaN(x) && (BitConverter.SingleToUInt32Bits(x) & 0x7FFF_FFFF) != CanonF32) return BitConverter.UInt32BitsToSingle(ArithF32);
        return BitConverter.UInt32BitsToSingle(CanonF32);
    }

    public static double Nan64(params double[] ins)
    {
        foreach (var x in ins)
            if (double.IsNaN(x) && (BitConverter.DoubleToUInt64Bits(x) & 0x7FFF_FFFF_FFFF_FFFF) != CanonF64) return BitConverter.UInt64BitsToDouble(ArithF64);
        return BitConverter.UInt64BitsToDouble(CanonF64);
    }

    private static float Fix32(float r, params float[] ins) => float.IsNaN(r) ? Nan32(ins) : r;
    private static double Fix64(double r, params double[] ins) => double.IsNaN(r) ? Nan64(ins) : r;

    // ---- builders ----

    private static Vector128<byte> V(object o) => (Vector128<byte>)o;

    private static Impl IntUn(int bits, bool signed, Func<long, long> f) => a =>
    {
        var x = Ints(V(a[0]), bits, signed);
        for (int i = 0; i < x.Length; i++) x[i] = f(x[i]);
        return FromInts(x, bits);
    };

    private static Impl IntBin(int bits, bool signed, Func<long, long, long> f) => a =>
    {
        var x = Ints(V(a[0]), bits, signed);
        var y = Ints(V(a[1]), bits, signed);
        for (int i = 0; i < x.Length; i++) x[i] = f(x[i], y[i]);
        return FromInts(x, bits);
    };

    private static Impl IntCmp(int bits, bool signed, Func<long, long, bool> f) => IntBin(bits, signed, (x, y) => f(x, y) ? -1 : 0);

    private static Impl Shift(int bits, bool signed, Func<long, int, long> f) => a =>
    {
        var x = Ints(V(a[0]), bits, signed);
        int n = (int)((uint)(int)a[1] % (uint)bits);
        for (int i = 0; i < x.Length; i++) x[i] = f(x[i], n);
        return FromInts(x, bits);
    };

    private static Impl F32Un(Func<float, float> f) => a =>
    {
        var x = F32(V(a[0]));
        for (int i = 0; i < 4; i++) x[i] = Fix32(f(x[i]), x[i]);
        return FromF32(x);
    };

    private static Impl F64Un(Func<double, double> f) => a =>
    {
        var x = F64(V(a[0]));
        for (int i = 0; i < 2; i++) x[i] = Fix64(f(x[i]), x[i]);
        return FromF64(x);
    };

    private static Impl F32Bin(Func<float, float, float> f) => a =>
    {
        var x = F32(V(a[0])); var y = F32(V(a[1]));
        for (int i = 0; i < 4; i++) x[i] = Fix32(f(x[i], y[i]), x[i], y[i]);
        return FromF32(x);
    };

    private static Impl F64Bin(Func<double, double, double> f) => a =>
    {
        var x = F64(V(a[0])); var y = F64(V(a[1]));
        for (int i = 0; i < 2; i++) x[i] = Fix64(f(x[i], y[i]), x[i], y[i]);
        return FromF64(x);
    };

    /// <summary>Bit-exact selection between inputs (pmin/pmax): no NaN fix-up.</summary>
    private static Impl F32Pick(Func<float, float, bool> pickSecond) => a =>
    {
        var x = Ints(V(a[0]), 32, false); var y = Ints(V(a[1]), 32, false);
        var fx = F32(V(a[0])); var fy = F32(V(a[1]));
        for (int i = 0; i < 4; i++) if (pickSecond(fx[i], fy[i])) x[i] = y[i];
        return FromInts(x, 32);
    };

    private static Impl F64Pick(Func<double, double, bool> pickSecond) => a =>
    {
        var x = Ints(V(a[0]), 64, false); var y = Ints(V(a[1]), 64, false);
        var fx = F64(V(a[0])); var fy = F64(V(a[1]));
        for (int i = 0; i < 2; i++) if (pickSecond(fx[i], fy[i])) x[i] = y[i];
        return FromInts(x, 64);
    };

    private static Impl F32Cmp(Func<float, float, bool> f) => a =>
    {
        var x = F32(V(a[0])); var y = F32(V(a[1]));
        var r = new long[4];
        for (int i = 0; i < 4; i++) r[i] = f(x[i], y[i]) ? -1 : 0;
        return FromInts(r, 32);
    };

    private static Impl F64Cmp(Func<double, double, bool> f) => a =>
    {
        var x = F64(V(a[0])); var y = F64(V(a[1]));
        return FromInts([f(x[0], y[0]) ? -1 : 0, f(x[1], y[1]) ? -1 : 0], 64);
    };

    private static long Sat(long x, long lo, long hi) => Math.Min(Math.Max(x, lo), hi);

    private static float WasmMin32(float x, float y) =>
        float.IsNaN(x) || float.IsNaN(y) ? float.NaN
        : x == y ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) | BitConverter.SingleToInt32Bits(y))
        : x < y ? x : y;

    private static float WasmMax32(float x, float y) =>
        float.IsNaN(x) || float.IsNaN(y) ? float.NaN
        : x == y ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) & BitConverter.SingleToInt32Bits(y))
        : x > y ? x : y;

    private static double WasmMin64(double x, double y) =>
        double.IsNaN(x) || double.IsNaN(y) ? double.NaN
        : x == y ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x) | BitConverter.DoubleToInt64Bits(y))
        : x < y ? x : y;

    private static double WasmMax64(double x, double y) =>
        double.IsNaN(x) || double.IsNaN(y) ? double.NaN
        : x == y ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x) & BitConverter.DoubleToInt64Bits(y))
        : x > y ? x : y;

    /// <summary>Round to an integer with ties to even, written without Math.Round.</summary>
    private static double Nearest(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x) || x == 0 || Math.Abs(x) >= 4503599627370496.0) return x;
        double f = Math.Floor(x);
        double d = x - f;
        double r = d > 0.5 ? f + 1 : d < 0.5 ? f : (f % 2 == 0 ? f : f + 1);
        return r == 0 ? (x < 0 ? -0.0 : 0.0) : r;
    }

    private static long TruncSat(double x, long lo, long hi) =>
        double.IsNaN(x) ? 0 : x <= lo ? lo : x >= hi ? hi : (long)Math.Truncate(x);

    private static Impl Extend(int fromBits, bool signed, bool high) => a =>
    {
        var x = Ints(V(a[0]), fromBits, signed);
        int n = x.Length / 2;
        var r = new long[n];
        for (int i = 0; i < n; i++) r[i] = x[(high ? n : 0) + i];
        return FromInts(r, fromBits * 2);
    };

    private static Impl ExtMul(int fromBits, bool signed, bool high) => a =>
    {
        var x = Ints(V(a[0]), fromBits, signed); var y = Ints(V(a[1]), fromBits, signed);
        int n = x.Length / 2;
        var r = new long[n];
        for (int i = 0; i < n; i++) r[i] = unchecked(x[(high ? n : 0) + i] * y[(high ? n : 0) + i]);
        return FromInts(r, fromBits * 2);
    };

    private static Impl ExtAdd(int fromBits, bool signed) => a =>
    {
        var x = Ints(V(a[0]), fromBits, signed);
        var r = new long[x.Length / 2];
        for (int i = 0; i < r.Length; i++) r[i] = x[2 * i] + x[2 * i + 1];
        return FromInts(r, fromBits * 2);
    };

    private static Impl Narrow(int fromBits, bool signedResult) => a =>
    {
        var x = Ints(V(a[0]), fromBits, true); var y = Ints(V(a[1]), fromBits, true);
        int half = fromBits / 2;
        long lo = signedResult ? -(1L << (half - 1)) : 0, hi = signedResult ? (1L << (half - 1)) - 1 : (1L << half) - 1;
        var r = new long[x.Length * 2];
        for (int i = 0; i < x.Length; i++) { r[i] = Sat(x[i], lo, hi); r[x.Length + i] = Sat(y[i], lo, hi); }
        return FromInts(r, half);
    };

    private static Impl AllTrue(int bits) => a =>
    {
        foreach (var x in Ints(V(a[0]), bits, false)) if (x == 0) return 0;
        return 1;
    };

    private static Impl Bitmask(int bits) => a =>
    {
        var x = Ints(V(a[0]), bits, true);
        int m = 0;
        for (int i = 0; i < x.Length; i++) if (x[i] < 0) m |= 1 << i;
        return m;
    };

    private static Vector128<byte> Swizzle(Vector128<byte> a, Vector128<byte> s)
    {
        var r = Vector128<byte>.Zero;
        for (int i = 0; i < 16; i++) r = r.WithElement(i, s.GetElement(i) < 16 ? a.GetElement(s.GetElement(i)) : (byte)0);
        return r;
    }

    private static Vector128<byte> Bitselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) => (a & c) | (b & ~c);

    /// <summary>The reference for every non-memory SIMD op, by op.</summary>
    public static readonly Dictionary<Op, Impl> Table = Build();

    private static Dictionary<Op, Impl> Build()
    {
        var t = new Dictionary<Op, Impl>();
        // splat / lanes
        t[Op.I8x16Splat] = a => FromInts(Enumerable.Repeat((long)(int)a[0], 16).ToArray(), 8);
        t[Op.I16x8Splat] = a => FromInts(Enumerable.Repeat((long)(int)a[0], 8).ToArray(), 16);
        t[Op.I32x4Splat] = a => FromInts(Enumerable.Repeat((long)(int)a[0], 4).ToArray(), 32);
        t[Op.I64x2Splat] = a => FromInts([(long)a[0], (long)a[0]], 64);
        t[Op.F32x4Splat] = a => FromInts(Enumerable.Repeat((long)BitConverter.SingleToUInt32Bits((float)a[0]), 4).ToArray(), 32);
        t[Op.F64x2Splat] = a => FromInts(Enumerable.Repeat(BitConverter.DoubleToInt64Bits((double)a[0]), 2).ToArray(), 64);
        t[Op.I8x16ExtractLaneS] = a => (int)Ints(V(a[0]), 8, true)[(int)a[1]];
        t[Op.I8x16ExtractLaneU] = a => (int)Ints(V(a[0]), 8, false)[(int)a[1]];
        t[Op.I16x8ExtractLaneS] = a => (int)Ints(V(a[0]), 16, true)[(int)a[1]];
        t[Op.I16x8ExtractLaneU] = a => (int)Ints(V(a[0]), 16, false)[(int)a[1]];
        t[Op.I32x4ExtractLane] = a => (int)Ints(V(a[0]), 32, true)[(int)a[1]];
        t[Op.I64x2ExtractLane] = a => Ints(V(a[0]), 64, true)[(int)a[1]];
        t[Op.F32x4ExtractLane] = a => BitConverter.UInt32BitsToSingle((uint)Ints(V(a[0]), 32, false)[(int)a[1]]);
        t[Op.F64x2ExtractLane] = a => BitConverter.Int64BitsToDouble(Ints(V(a[0]), 64, false)[(int)a[1]]);
        Impl Replace(int bits, Func<object, long> get) => a =>
        {
            var x = Ints(V(a[0]), bits, false);
            x[(int)a[2]] = get(a[1]);
            return FromInts(x, bits);
        };
        t[Op.I8x16ReplaceLane] = Replace(8, o => (int)o);
        t[Op.I16x8ReplaceLane] = Replace(16, o => (int)o);
        t[Op.I32x4ReplaceLane] = Replace(32, o => (int)o);
        t[Op.I64x2ReplaceLane] = Replace(64, o => (long)o);
        t[Op.F32x4ReplaceLane] = Replace(32, o => BitConverter.SingleToUInt32Bits((float)o));
        t[Op.F64x2ReplaceLane] = Replace(64, o => BitConverter.DoubleToInt64Bits((double)o));
        t[Op.I8x16Swizzle] = a => Swizzle(V(a[0]), V(a[1]));
        t[Op.I8x16RelaxedSwizzle] = t[Op.I8x16Swizzle];
        t[Op.I8x16Shuffle] = a =>
        {
            var r = Vector128<byte>.Zero;
            for (int i = 0; i < 16; i++)
            {
                int k = V(a[2]).GetElement(i);
                r = r.WithElement(i, k < 16 ? V(a[0]).GetElement(k) : V(a[1]).GetElement(k - 16));
            }
            return r;
        };

        // bitwise
        t[Op.V128Not] = a => ~V(a[0]);
        t[Op.V128And] = a => V(a[0]) & V(a[1]);
        t[Op.V128Andnot] = a => V(a[0]) & ~V(a[1]);
        t[Op.V128Or] = a => V(a[0]) | V(a[1]);
        t[Op.V128Xor] = a => V(a[0]) ^ V(a[1]);
        t[Op.V128Bitselect] = a => Bitselect(V(a[0]), V(a[1]), V(a[2]));
        t[Op.V128AnyTrue] = a => V(a[0]) == Vector128<byte>.Zero ? 0 : 1;
        foreach (var op in new[] { Op.I8x16RelaxedLaneselect, Op.I16x8RelaxedLaneselect, Op.I32x4RelaxedLaneselect, Op.I64x2RelaxedLaneselect })
            t[op] = t[Op.V128Bitselect];

        // integer comparisons
        foreach (var (p, bits) in new[] { ("I8x16", 8), ("I16x8", 16), ("I32x4", 32), ("I64x2", 64) })
        {
            t[Enum.Parse<Op>(p + "Eq")] = IntCmp(bits, true, (x, y) => x == y);
            t[Enum.Parse<Op>(p + "Ne")] = IntCmp(bits, true, (x, y) => x != y);
            foreach (var (s, signed) in new[] { ("S", true), ("U", false) })
            {
                if (bits == 64 && !signed) continue;
                t[Enum.Parse<Op>(p + "Lt" + s)] = IntCmp(bits, signed, (x, y) => Less(x, y, bits, signed));
                t[Enum.Parse<Op>(p + "Gt" + s)] = IntCmp(bits, signed, (x, y) => Less(y, x, bits, signed));
                t[Enum.Parse<Op>(p + "Le" + s)] = IntCmp(bits, signed, (x, y) => !Less(y, x, bits, signed));
                t[Enum.Parse<Op>(p + "Ge" + s)] = IntCmp(bits, signed, (x, y) => !Less(x, y, bits, signed));
            }
            long min = bits == 64 ? long.MinValue : -(1L << (bits - 1));
            t[Enum.Parse<Op>(p + "Abs")] = IntUn(bits, true, x => x == min ? min : Math.Abs(x));
            t[Enum.Parse<Op>(p + "Neg")] = IntUn(bits, true, x => unchecked(-x));
            t[Enum.Parse<Op>(p + "AllTrue")] = AllTrue(bits);
            t[Enum.Parse<Op>(p + "Bitmask")] = Bitmask(bits);
            t[Enum.Parse<Op>(p + "Shl")] = Shift(bits, true, (x, n) => x << n);
            t[Enum.Parse<Op>(p + "ShrS")] = Shift(bits, true, (x, n) => x >> n);
            t[Enum.Parse<Op>(p + "ShrU")] = Shift(bits, false, (x, n) => (long)((ulong)x >> n));
            t[Enum.Parse<Op>(p + "Add")] = IntBin(bits, true, (x, y) => unchecked(x + y));
            t[Enum.Parse<Op>(p + "Sub")] = IntBin(bits, true, (x, y) => unchecked(x - y));
            if (bits != 8) t[Enum.Parse<Op>(p + "Mul")] = IntBin(bits, true, (x, y) => unchecked(x * y));
            if (bits <= 32)
            {
                t[Enum.Parse<Op>(p + "MinS")] = IntBin(bits, true, Math.Min);
                t[Enum.Parse<Op>(p + "MinU")] = IntBin(bits, false, Math.Min);
                t[Enum.Parse<Op>(p + "MaxS")] = IntBin(bits, true, Math.Max);
                t[Enum.Parse<Op>(p + "MaxU")] = IntBin(bits, false, Math.Max);
            }
            if (bits <= 16)
            {
                long smax = (1L << (bits - 1)) - 1, umax = (1L << bits) - 1;
                t[Enum.Parse<Op>(p + "AddSatS")] = IntBin(bits, true, (x, y) => Sat(x + y, min, smax));
                t[Enum.Parse<Op>(p + "AddSatU")] = IntBin(bits, false, (x, y) => Sat(x + y, 0, umax));
                t[Enum.Parse<Op>(p + "SubSatS")] = IntBin(bits, true, (x, y) => Sat(x - y, min, smax));
                t[Enum.Parse<Op>(p + "SubSatU")] = IntBin(bits, false, (x, y) => Sat(x - y, 0, umax));
                t[Enum.Parse<Op>(p + "AvgrU")] = IntBin(bits, false, (x, y) => (x + y + 1) / 2);
            }
        }
        t[Op.I8x16Popcnt] = IntUn(8, false, x => BitOperations.PopCount((ulong)x));
        t[Op.I8x16NarrowI16x8S] = Narrow(16, true);
        t[Op.I8x16NarrowI16x8U] = Narrow(16, false);
        t[Op.I16x8NarrowI32x4S] = Narrow(32, true);
        t[Op.I16x8NarrowI32x4U] = Narrow(32, false);
        t[Op.I16x8ExtendLowI8x16S] = Extend(8, true, false);
        t[Op.I16x8ExtendHighI8x16S] = Extend(8, true, true);
        t[Op.I16x8ExtendLowI8x16U] = Extend(8, false, false);
        t[Op.I16x8ExtendHighI8x16U] = Extend(8, false, true);
        t[Op.I32x4ExtendLowI16x8S] = Extend(16, true, false);
        t[Op.I32x4ExtendHighI16x8S] = Extend(16, true, true);
        t[Op.I32x4ExtendLowI16x8U] = Extend(16, false, false);
        t[Op.I32x4ExtendHighI16x8U] = Extend(16, false, true);
        t[Op.I64x2ExtendLowI32x4S] = Extend(32, true, false);
        t[Op.I64x2ExtendHighI32x4S] = Extend(32, true, true);
        t[Op.I64x2ExtendLowI32x4U] = Extend(32, false, false);
        t[Op.I64x2ExtendHighI32x4U] = Extend(32, false, true);
        t[Op.I16x8ExtmulLowI8x16S] = ExtMul(8, true, false);
        t[Op.I16x8ExtmulHighI8x16S] = ExtMul(8, true, true);
        t[Op.I16x8ExtmulLowI8x16U] = ExtMul(8, false, false);
        t[Op.I16x8ExtmulHighI8x16U] = ExtMul(8, false, true);
        t[Op.I32x4ExtmulLowI16x8S] = ExtMul(16, true, false);
        t[Op.I32x4ExtmulHighI16x8S] = ExtMul(16, true, true);
        t[Op.I32x4ExtmulLowI16x8U] = ExtMul(16, false, false);
        t[Op.I32x4ExtmulHighI16x8U] = ExtMul(16, false, true);
        t[Op.I64x2ExtmulLowI32x4S] = ExtMul(32, true, false);
        t[Op.I64x2ExtmulHighI32x4S] = ExtMul(32, true, true);
        t[Op.I64x2ExtmulLowI32x4U] = ExtMul(32, false, false);
        t[Op.I64x2ExtmulHighI32x4U] = ExtMul(32, false, true);
        t[Op.I16x8ExtaddPairwiseI8x16S] = ExtAdd(8, true);
        t[Op.I16x8ExtaddPairwiseI8x16U] = ExtAdd(8, false);
        t[Op.I32x4ExtaddPairwiseI16x8S] = ExtAdd(16, true);
        t[Op.I32x4ExtaddPairwiseI16x8U] = ExtAdd(16, false);
        t[Op.I16x8Q15mulrSatS] = IntBin(16, true, (x, y) => Sat((x * y + 0x4000) >> 15, short.MinValue, short.MaxValue));
        t[Op.I16x8RelaxedQ15mulrS] = t[Op.I16x8Q15mulrSatS];
        t[Op.I32x4DotI16x8S] = a =>
        {
            var x = Ints(V(a[0]), 16, true); var y = Ints(V(a[1]), 16, true);
            var r = new long[4];
            for (int i = 0; i < 4; i++) r[i] = x[2 * i] * y[2 * i] + x[2 * i + 1] * y[2 * i + 1];
            return FromInts(r, 32);
        };
        t[Op.I16x8RelaxedDotI8x16I7x16S] = a =>
        {
            var x = Ints(V(a[0]), 8, true); var y = Ints(V(a[1]), 8, true);
            var r = new long[8];
            for (int i = 0; i < 8; i++) r[i] = x[2 * i] * y[2 * i] + x[2 * i + 1] * y[2 * i + 1];
            return FromInts(r, 16);
        };
        t[Op.I32x4RelaxedDotI8x16I7x16AddS] = a =>
        {
            var x = Ints(V(a[0]), 8, true); var y = Ints(V(a[1]), 8, true); var c = Ints(V(a[2]), 32, true);
            var r = new long[4];
            for (int i = 0; i < 4; i++)
            {
                // two 16-bit intermediates (wrapped), each sign-extended, then the accumulator
                short lo = unchecked((short)(x[4 * i] * y[4 * i] + x[4 * i + 1] * y[4 * i + 1]));
                short hi = unchecked((short)(x[4 * i + 2] * y[4 * i + 2] + x[4 * i + 3] * y[4 * i + 3]));
                r[i] = lo + hi + c[i];
            }
            return FromInts(r, 32);
        };

        // floats
        t[Op.F32x4Eq] = F32Cmp((x, y) => x == y);
        t[Op.F32x4Ne] = F32Cmp((x, y) => x != y);
        t[Op.F32x4Lt] = F32Cmp((x, y) => x < y);
        t[Op.F32x4Gt] = F32Cmp((x, y) => x > y);
        t[Op.F32x4Le] = F32Cmp((x, y) => x <= y);
        t[Op.F32x4Ge] = F32Cmp((x, y) => x >= y);
        t[Op.F64x2Eq] = F64Cmp((x, y) => x == y);
        t[Op.F64x2Ne] = F64Cmp((x, y) => x != y);
        t[Op.F64x2Lt] = F64Cmp((x, y) => x < y);
        t[Op.F64x2Gt] = F64Cmp((x, y) => x > y);
        t[Op.F64x2Le] = F64Cmp((x, y) => x <= y);
        t[Op.F64x2Ge] = F64Cmp((x, y) => x >= y);
        t[Op.F32x4Abs] = IntUn(32, false, x => x & 0x7FFF_FFFF);
        t[Op.F32x4Neg] = IntUn(32, false, x => x ^ 0x8000_0000);
        t[Op.F64x2Abs] = IntUn(64, false, x => x & long.MaxValue);
        t[Op.F64x2Neg] = IntUn(64, false, x => x ^ long.MinValue);
        t[Op.F32x4Sqrt] = F32Un(x => (float)Math.Sqrt(x));
        t[Op.F32x4Add] = F32Bin((x, y) => x + y);
        t[Op.F32x4Sub] = F32Bin((x, y) => x - y);
        t[Op.F32x4Mul] = F32Bin((x, y) => x * y);
        t[Op.F32x4Div] = F32Bin((x, y) => x / y);
        t[Op.F32x4Min] = F32Bin(WasmMin32);
        t[Op.F32x4Max] = F32Bin(WasmMax32);
        t[Op.F32x4RelaxedMin] = t[Op.F32x4Min];
        t[Op.F32x4RelaxedMax] = t[Op.F32x4Max];
        t[Op.F32x4Pmin] = F32Pick((x, y) => y < x);
        t[Op.F32x4Pmax] = F32Pick((x, y) => x < y);
        t[Op.F64x2Sqrt] = F64Un(Math.Sqrt);
        t[Op.F64x2Add] = F64Bin((x, y) => x + y);
        t[Op.F64x2Sub] = F64Bin((x, y) => x - y);
        t[Op.F64x2Mul] = F64Bin((x, y) => x * y);
        t[Op.F64x2Div] = F64Bin((x, y) => x / y);
        t[Op.F64x2Min] = F64Bin(WasmMin64);
        t[Op.F64x2Max] = F64Bin(WasmMax64);
        t[Op.F64x2RelaxedMin] = t[Op.F64x2Min];
        t[Op.F64x2RelaxedMax] = t[Op.F64x2Max];
        t[Op.F64x2Pmin] = F64Pick((x, y) => y < x);
        t[Op.F64x2Pmax] = F64Pick((x, y) => x < y);
        t[Op.F32x4Ceil] = F32Un(x => (float)Math.Ceiling(x));
        t[Op.F32x4Floor] = F32Un(x => (float)Math.Floor(x));
        t[Op.F32x4Trunc] = F32Un(x => (float)Math.Truncate(x));
        t[Op.F32x4Nearest] = F32Un(x => (float)Nearest(x));
        t[Op.F64x2Ceil] = F64Un(Math.Ceiling);
        t[Op.F64x2Floor] = F64Un(Math.Floor);
        t[Op.F64x2Trunc] = F64Un(Math.Truncate);
        t[Op.F64x2Nearest] = F64Un(Nearest);
        Impl Madd32(bool neg) => a =>
        {
            var x = F32(V(a[0])); var y = F32(V(a[1])); var z = F32(V(a[2]));
            for (int i = 0; i < 4; i++)
            {
                float p = x[i] * y[i];
                x[i] = Fix32((neg ? -p : p) + z[i], x[i], y[i], z[i]);
            }
            return FromF32(x);
        };
        Impl Madd64(bool neg) => a =>
        {
            var x = F64(V(a[0])); var y = F64(V(a[1])); var z = F64(V(a[2]));
            for (int i = 0; i < 2; i++)
            {
                double p = x[i] * y[i];
                x[i] = Fix64((neg ? -p : p) + z[i], x[i], y[i], z[i]);
            }
            return FromF64(x);
        };
        t[Op.F32x4RelaxedMadd] = Madd32(false);
        t[Op.F32x4RelaxedNmadd] = Madd32(true);
        t[Op.F64x2RelaxedMadd] = Madd64(false);
        t[Op.F64x2RelaxedNmadd] = Madd64(true);

        // conversions
        t[Op.I32x4TruncSatF32x4S] = a => FromInts(F32(V(a[0])).Select(f => TruncSat(f, int.MinValue, int.MaxValue)).ToArray(), 32);
        t[Op.I32x4TruncSatF32x4U] = a => FromInts(F32(V(a[0])).Select(f => TruncSat(f, 0, uint.MaxValue)).ToArray(), 32);
        t[Op.I32x4TruncSatF64x2SZero] = a => { var d = F64(V(a[0])); return FromInts([TruncSat(d[0], int.MinValue, int.MaxValue), TruncSat(d[1], int.MinValue, int.MaxValue), 0, 0], 32); };
        t[Op.I32x4TruncSatF64x2UZero] = a => { var d = F64(V(a[0])); return FromInts([TruncSat(d[0], 0, uint.MaxValue), TruncSat(d[1], 0, uint.MaxValue), 0, 0], 32); };
        t[Op.I32x4RelaxedTruncF32x4S] = t[Op.I32x4TruncSatF32x4S];
        t[Op.I32x4RelaxedTruncF32x4U] = t[Op.I32x4TruncSatF32x4U];
        t[Op.I32x4RelaxedTruncF64x2SZero] = t[Op.I32x4TruncSatF64x2SZero];
        t[Op.I32x4RelaxedTruncF64x2UZero] = t[Op.I32x4TruncSatF64x2UZero];
        t[Op.F32x4ConvertI32x4S] = a => FromF32(Ints(V(a[0]), 32, true).Select(x => (float)(double)x).ToArray());
        t[Op.F32x4ConvertI32x4U] = a => FromF32(Ints(V(a[0]), 32, false).Select(x => (float)(double)x).ToArray());
        t[Op.F64x2ConvertLowI32x4S] = a => { var x = Ints(V(a[0]), 32, true); return FromF64([x[0], x[1]]); };
        t[Op.F64x2ConvertLowI32x4U] = a => { var x = Ints(V(a[0]), 32, false); return FromF64([x[0], x[1]]); };
        t[Op.F32x4DemoteF64x2Zero] = a =>
        {
            var d = F64(V(a[0]));
            return FromF32([double.IsNaN(d[0]) ? Nan32WithNan64(d[0]) : (float)d[0], double.IsNaN(d[1]) ? Nan32WithNan64(d[1]) : (float)d[1], 0f, 0f]);
        };
        t[Op.F64x2PromoteLowF32x4] = a =>
        {
            var f = F32(V(a[0]));
            return FromF64([float.IsNaN(f[0]) ? Nan64WithNan32(f[0]) : f[0], float.IsNaN(f[1]) ? Nan64WithNan32(f[1]) : f[1]]);
        };
        return t;
    }

    private static float Nan32WithNan64(double d) =>
        BitConverter.UInt32BitsToSingle((BitConverter.DoubleToUInt64Bits(d) & 0x7FFF_FFFF_FFFF_FFFF) == CanonF64 ? CanonF32 : ArithF32);

    private static double Nan64WithNan32(float f) =>
        BitConverter.UInt64BitsToDouble((BitConverter.SingleToUInt32Bits(f) & 0x7FFF_FFFF) == CanonF32 ? CanonF64 : ArithF64);

    private static bool Less(long x, long y, int bits, bool signed) =>
        signed || bits < 64 ? x < y : (ulong)x < (ulong)y;
}
