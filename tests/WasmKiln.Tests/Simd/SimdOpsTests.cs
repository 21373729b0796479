using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Engines.Simd;
using WasmKiln.Instructions;
using WasmKiln.Model;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.Simd;

public class SimdOpsTests(ITestOutputHelper output)
{
    private static IEnumerable<OpInfo> SimdRows()
    {
        foreach (var info in OpTable.All.ToArray())
            if (info.Feature is Feature.Simd or Feature.RelaxedSimd) yield return info;
    }

    private static bool IsMemory(OpInfo info) => info.Imm is Imm.MemArg or Imm.MemArgLane;

    private static Type ClrType(ValType t) => t.Kind switch
    {
        ValKind.I32 => typeof(int),
        ValKind.I64 => typeof(long),
        ValKind.F32 => typeof(float),
        ValKind.F64 => typeof(double),
        ValKind.V128 => typeof(Vector128<byte>),
        _ => throw new InvalidOperationException("not a SIMD operand type: " + t),
    };

    /// <summary>The parameter types the contract prescribes for <paramref name="info"/>.</summary>
    private static Type[] ExpectedParameters(OpInfo info)
    {
        var list = new List<Type>();
        if (info.Op == Op.V128Const) return [typeof(long), typeof(long)];
        if (IsMemory(info))
        {
            list.Add(typeof(byte*));
            for (int i = 1; i < info.Params.Length; i++) list.Add(ClrType(info.Params[i].Type));
            if (info.Imm == Imm.MemArgLane) list.Add(typeof(int));
            return list.ToArray();
        }
        foreach (var p in info.Params) list.Add(ClrType(p.Type));
        if (info.Imm == Imm.Lane) list.Add(typeof(int));
        if (info.Imm == Imm.Shuffle) list.Add(typeof(Vector128<byte>));
        return list.ToArray();
    }

    [Fact]
    public void EverySimdInstructionHasAMethodWithTheContractSignature()
    {
        int count = 0;
        var problems = new List<string>();
        foreach (var info in SimdRows())
        {
            count++;
            var m = SimdOps.MethodFor(info.Op);
            if (m == null) { problems.Add(info.Name + ": no method"); continue; }
            var actual = m.GetParameters().Select(p => p.ParameterType).ToArray();
            var expected = ExpectedParameters(info);
            if (!actual.SequenceEqual(expected))
                problems.Add(info.Name + ": parameters (" + string.Join(", ", actual.Select(t => t.Name)) + ") expected (" + string.Join(", ", expected.Select(t => t.Name)) + ")");
            var ret = info.Op == Op.V128Const ? typeof(Vector128<byte>) : info.Results.Length == 0 ? typeof(void) : ClrType(info.Results[0].Type);
            if (m.ReturnType != ret) problems.Add(info.Name + ": returns " + m.ReturnType.Name + ", expected " + ret.Name);
            if ((m.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) == 0) problems.Add(info.Name + ": not AggressiveInlining");
        }
        Assert.True(count > 250, "only " + count + " SIMD rows");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Null(SimdOps.MethodFor(Op.I32Const));
    }

    [Fact]
    public void EveryNonMemoryInstructionHasAReference()
    {
        var missing = SimdRows().Where(i => !IsMemory(i) && i.Op != Op.V128Const && !SimdReference.Table.ContainsKey(i.Op)).Select(i => i.Name).ToList();
        Assert.True(missing.Count == 0, "no reference for: " + string.Join(", ", missing));
    }

    // ---- random inputs against the scalar reference ----

    private static readonly float[] F32Specials =
    [
        0f, -0f, 1f, -1f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 3.5f, 0.49999997f, float.PositiveInfinity, float.NegativeInfinity,
        float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1.17549435e-38f, 2147483648f, -2147483648f, 2147483520f,
        -2147483904f, 4294967296f, 4294967040f, 8388608.5f, 16777217f, 1e10f, -1e10f,
        BitConverter.UInt32BitsToSingle(0x7FC0_0000), BitConverter.UInt32BitsToSingle(0xFFC0_0000),
        BitConverter.UInt32BitsToSingle(0x7F80_0001), BitConverter.UInt32BitsToSingle(0x7FC1_2345), BitConverter.UInt32BitsToSingle(0xFFA0_0000),
    ];

    private static readonly double[] F64Specials =
    [
        0d, -0d, 1d, -1d, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, double.PositiveInfinity, double.NegativeInfinity,
        double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 2147483647.0, 2147483647.5, 2147483648.0, -2147483648.0,
        -2147483648.9, -2147483649.0, 4294967295.0, 4294967295.5, 4294967296.0, -0.9, 4503599627370497.0, 1e300, 3.4028235677973366e38,
        3.4028235677973366e38 * 1.0000001, 1.401298464324817e-45, 7e-46,
        BitConverter.UInt64BitsToDouble(0x7FF8_0000_0000_0000), BitConverter.UInt64BitsToDouble(0xFFF8_0000_0000_0000),
        BitConverter.UInt64BitsToDouble(0x7FF0_0000_0000_0001), BitConverter.UInt64BitsToDouble(0x7FF8_1234_5678_9ABC),
    ];

    private static readonly long[] IntSpecials = [0, 1, -1, 2, -2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, 16, 31, 32, 63, 64];

    private static Vector128<byte> RandomVector(Random rng)
    {
        var v = Vector128<byte>.Zero;
        switch (rng.Next(5))
        {
            case 0:
            {
                var b = new byte[16];
                rng.NextBytes(b);
                return Vector128.Create(b);
            }
            case 1:
            {
                int bits = 8 << rng.Next(4);
                var lanes = new long[128 / bits];
                for (int i = 0; i < lanes.Length; i++) lanes[i] = rng.Next(3) == 0 ? rng.NextInt64() : IntSpecials[rng.Next(IntSpecials.Length)];
                return SimdReference.FromInts(lanes, bits);
            }
            case 2:
            {
                var f = new float[4];
                for (int i = 0; i < 4; i++) f[i] = RandomF32(rng);
                return SimdReference.FromF32(f);
            }
            case 3:
            {
                var d = new double[2];
                for (int i = 0; i < 2; i++) d[i] = RandomF64(rng);
                return SimdReference.FromF64(d);
            }
            default:
            {
                // small integers, common in narrow/saturation corner cases
                var lanes = new long[16];
                for (int i = 0; i < 16; i++) lanes[i] = rng.Next(-3, 4);
                return SimdReference.FromInts(lanes, 8);
            }
        }
    }

    private static float RandomF32(Random rng) => rng.Next(3) switch
    {
        0 => F32Specials[rng.Next(F32Specials.Length)],
        1 => (float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-10, 40))),
        _ => BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31)),
    };

    private static double RandomF64(Random rng) => rng.Next(3) switch
    {
        0 => F64Specials[rng.Next(F64Specials.Length)],
        1 => (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-10, 70)),
        _ => BitConverter.Int64BitsToDouble(rng.NextInt64()),
    };

    private static int LaneCount(OpInfo info) => info.Name[..5] switch
    {
        "i8x16" => 16, "i16x8" => 8, "i32x4" or "f32x4" => 4, _ => 2,
    };

    private static object[] RandomArgs(OpInfo info, Random rng)
    {
        var args = new List<object>();
        foreach (var p in info.Params)
        {
            args.Add(p.Type.Kind switch
            {
                ValKind.V128 => RandomVector(rng),
                ValKind.I32 => rng.Next(2) == 0 ? rng.Next(-70, 70) : (int)IntSpecials[rng.Next(IntSpecials.Length)],
                ValKind.I64 => rng.Next(2) == 0 ? rng.NextInt64() : IntSpecials[rng.Next(IntSpecials.Length)],
                ValKind.F32 => RandomF32(rng),
                _ => (object)RandomF64(rng),
            });
        }
        if (info.Imm == Imm.Lane) args.Add(rng.Next(LaneCount(info)));
        if (info.Imm == Imm.Shuffle)
        {
            var b = new byte[16];
            for (int i = 0; i < 16; i++) b[i] = (byte)rng.Next(32);
            args.Add(Vector128.Create(b));
        }
        return args.ToArray();
    }

    private static readonly string[] FlexibleNan =
        [".add", ".sub", ".mul", ".div", ".sqrt", ".min", ".max", ".ceil", ".floor", ".trunc", ".nearest", "relaxed_madd", "relaxed_nmadd", "demote", "promote", "relaxed_min", "relaxed_max"];

    private static bool HasFlexibleNans(OpInfo info) =>
        (info.Name.StartsWith("f32x4", StringComparison.Ordinal) || info.Name.StartsWith("f64x2", StringComparison.Ordinal))
        && FlexibleNan.Any(s => info.Name.Contains(s, StringComparison.Ordinal));

    private static bool Same(OpInfo info, object expected, object actual)
    {
        switch (expected)
        {
            case Vector128<byte> e:
            {
                var a = (Vector128<byte>)actual;
                if (!HasFlexibleNans(info)) return e == a;
                int bits = info.Name.StartsWith("f32x4", StringComparison.Ordinal) ? 32 : 64;
                var el = SimdReference.Ints(e, bits, false);
                var al = SimdReference.Ints(a, bits, false);
                for (int i = 0; i < el.Length; i++)
                {
                    ulong x = (ulong)el[i], y = (ulong)al[i];
                    if (bits == 32)
                    {
                        if (x == SimdReference.CanonF32) { if ((y & 0x7FFF_FFFF) != SimdReference.CanonF32) return false; }
                        else if (x == SimdReference.ArithF32) { if ((y & 0x7FC0_0000) != 0x7FC0_0000) return false; }
                        else if (x != y) return false;
                    }
                    else
                    {
                        if (x == SimdReference.CanonF64) { if ((y & 0x7FFF_FFFF_FFFF_FFFF) != SimdReference.CanonF64) return false; }
                        else if (x == SimdReference.ArithF64) { if ((y & 0x7FF8_0000_0000_0000) != 0x7FF8_0000_0000_0000) return false; }
                        else if (x != y) return false;
                    }
                }
                return true;
            }
            case float f: return BitConverter.SingleToUInt32Bits(f) == BitConverter.SingleToUInt32Bits((float)actual);
            case double d: return BitConverter.DoubleToUInt64Bits(d) == BitConverter.DoubleToUInt64Bits((double)actual);
            default: return expected.Equals(actual);
        }
    }

    private static string Show(object o) => o switch
    {
        Vector128<byte> v => "0x" + Convert.ToHexString(SimdReference.Ints(v, 8, false).Select(x => (byte)x).ToArray()),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " (0x" + BitConverter.SingleToUInt32Bits(f).ToString("X8", System.Globalization.CultureInfo.InvariantCulture) + ")",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " (0x" + BitConverter.DoubleToUInt64Bits(d).ToString("X16", System.Globalization.CultureInfo.InvariantCulture) + ")",
        _ => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };

    [Fact]
    public void EveryInstructionMatchesTheScalarReferenceOnRandomInputs()
    {
        var rng = new Random(20261127);
        var failures = new List<string>();
        int checks = 0;
        foreach (var info in SimdRows())
        {
            if (IsMemory(info) || info.Op == Op.V128Const) continue;
            var method = SimdOps.MethodFor(info.Op)!;
            var reference = SimdReference.Table[info.Op];
            int failed = 0;
            for (int iter = 0; iter < 800 && failed < 3; iter++)
            {
                var args = RandomArgs(info, rng);
                var expected = reference(args);
                var actual = method.Invoke(null, args)!;
                checks++;
                if (!Same(info, expected, actual))
                {
                    failed++;
                    failures.Add(info.Name + "(" + string.Join(", ", args.Select(Show)) + ") = " + Show(actual) + ", expected " + Show(expected));
                }
            }
        }
        output.WriteLine(checks + " checks; hardware: Sse2=" + System.Runtime.Intrinsics.X86.Sse2.IsSupported
            + " Ssse3=" + System.Runtime.Intrinsics.X86.Ssse3.IsSupported + " Sse41=" + System.Runtime.Intrinsics.X86.Sse41.IsSupported
            + " AdvSimd=" + System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported + " Vector128 accelerated=" + Vector128.IsHardwareAccelerated);
        Assert.True(failures.Count == 0, failures.Count + " failures:\n" + string.Join("\n", failures.Take(60)));
    }

    // ---- hand-picked edge cases ----

    private static Vector128<byte> F32(float a, float b, float c, float d) => Vector128.Create(a, b, c, d).AsByte();

    [Fact]
    public void MinMaxFollowTheSpecForZerosAndNans()
    {
        var min = SimdOps.F32x4Min(F32(-0f, 0f, float.NaN, 1f), F32(0f, -0f, 1f, BitConverter.UInt32BitsToSingle(0x7FA0_0000)));
        var r = min.AsUInt32();
        Assert.Equal(0x8000_0000u, r.GetElement(0));
        Assert.Equal(0x8000_0000u, r.GetElement(1));
        Assert.Equal(0x7FC0_0000u, r.GetElement(2) & 0x7FFF_FFFF);
        Assert.Equal(0x7FC0_0000u, r.GetElement(3) & 0x7FC0_0000);
        var max = SimdOps.F32x4Max(F32(-0f, 0f, 2f, -1f), F32(0f, -0f, float.NegativeInfinity, -2f)).AsSingle();
        Assert.Equal(0u, BitConverter.SingleToUInt32Bits(max.GetElement(0)));
        Assert.Equal(0u, BitConverter.SingleToUInt32Bits(max.GetElement(1)));
        Assert.Equal(2f, max.GetElement(2));
        Assert.Equal(-1f, max.GetElement(3));
    }

    [Fact]
    public void SwizzleZeroesOutOfRangeLanesAndShiftsWrap()
    {
        var a = Vector128.Create((byte)10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25);
        var s = Vector128.Create((byte)0, 15, 16, 17, 127, 128, 200, 255, 1, 2, 3, 4, 5, 6, 7, 8);
        var r = SimdOps.I8x16Swizzle(a, s);
        Assert.Equal(Vector128.Create((byte)10, 25, 0, 0, 0, 0, 0, 0, 11, 12, 13, 14, 15, 16, 17, 18), r);
        Assert.Equal(Vector128.Create((byte)2), SimdOps.I8x16Shl(Vector128.Create((byte)1), 9));
        Assert.Equal(Vector128.Create(-1), SimdOps.I32x4ShrS(Vector128.Create(int.MinValue).AsByte(), 63).AsInt32());
        Assert.Equal(Vector128.Create(1L), SimdOps.I64x2ShrU(Vector128.Create(long.MinValue).AsByte(), -1).AsInt64());
    }

    [Fact]
    public void SaturatingConversionsAndQ15()
    {
        var t = SimdOps.I32x4TruncSatF32x4U(F32(float.NaN, -5f, 5e9f, 3e9f)).AsUInt32();
        Assert.Equal(Vector128.Create(0u, 0u, uint.MaxValue, 3_000_000_000u), t);
        var s = SimdOps.I32x4TruncSatF64x2SZero(Vector128.Create(-1e10, double.NaN).AsByte()).AsInt32();
        Assert.Equal(Vector128.Create(int.MinValue, 0, 0, 0), s);
        var u = SimdOps.I32x4TruncSatF64x2UZero(Vector128.Create(4294967295.9, 1.9).AsByte()).AsUInt32();
        Assert.Equal(Vector128.Create(uint.MaxValue, 1u, 0u, 0u), u);
        var q = SimdOps.I16x8Q15mulrSatS(Vector128.Create(short.MinValue).AsByte(), Vector128.Create(short.MinValue).AsByte()).AsInt16();
        Assert.Equal(Vector128.Create(short.MaxValue), q);
        var c = SimdOps.F32x4ConvertI32x4U(Vector128.Create(uint.MaxValue, 16777217u, 0x8000_0081u, 1u).AsByte()).AsSingle();
        Assert.Equal(Vector128.Create(4294967296f, 16777216f, 2147483904f, 1f), c);
    }

    [Fact]
    public void RelaxedInstructionsHaveTheDocumentedDeterministicBehaviour()
    {
        // madd is not fused: (1 + 2^-12)^2 - 1 loses the 2^-24 term when the product is rounded first.
        float x = BitConverter.UInt32BitsToSingle(0x3F80_0800);
        var madd = SimdOps.F32x4RelaxedMadd(F32(x, 1, 1, 1), F32(x, 1, 1, 1), F32(-1f, 0, 0, 0)).AsSingle().GetElement(0);
        Assert.Equal(x * x - 1f, madd);
        Assert.NotEqual((float)((double)x * x - 1.0), madd);
        var nmadd = SimdOps.F32x4RelaxedNmadd(F32(x, 1, 1, 1), F32(x, 1, 1, 1), F32(1f, 0, 0, 0)).AsSingle().GetElement(0);
        Assert.Equal(1f - x * x, nmadd);
        // laneselect selects bit by bit.
        var sel = SimdOps.I32x4RelaxedLaneselect(Vector128.Create(-1).AsByte(), Vector128<byte>.Zero, Vector128.Create(0x0F0F_00FF).AsByte());
        Assert.Equal(Vector128.Create(0x0F0F_00FF), sel.AsInt32());
        // q15mulr saturates; dot multiplies signed lanes and wraps the 16-bit pair sum.
        Assert.Equal(Vector128.Create(short.MaxValue), SimdOps.I16x8RelaxedQ15mulrS(Vector128.Create(short.MinValue).AsByte(), Vector128.Create(short.MinValue).AsByte()).AsInt16());
        var dot = SimdOps.I16x8RelaxedDotI8x16I7x16S(Vector128.Create((sbyte)-128).AsByte(), Vector128.Create((sbyte)-128).AsByte()).AsInt16();
        Assert.Equal(Vector128.Create(short.MinValue), dot);
        var dotAdd = SimdOps.I32x4RelaxedDotI8x16I7x16AddS(Vector128.Create((sbyte)-128).AsByte(), Vector128.Create((sbyte)-127).AsByte(), Vector128.Create(1).AsByte()).AsInt32();
        Assert.Equal(Vector128.Create(65025), dotAdd);
        // swizzle, trunc and min/max behave as their non-relaxed counterparts.
        Assert.Equal(Vector128<byte>.Zero, SimdOps.I8x16RelaxedSwizzle(Vector128.Create((byte)7), Vector128.Create((byte)16)));
        Assert.Equal(Vector128.Create(0, int.MaxValue, int.MinValue, 1), SimdOps.I32x4RelaxedTruncF32x4S(F32(float.NaN, 3e9f, -3e9f, 1.9f)).AsInt32());
        Assert.Equal(0x8000_0000u, SimdOps.F32x4RelaxedMin(F32(0f, 0, 0, 0), F32(-0f, 0, 0, 0)).AsUInt32().GetElement(0));
    }

    // ---- memory instructions ----

    [Fact]
    public unsafe void MemoryInstructionsReadAndWriteLittleEndianUnaligned()
    {
        var buf = new byte[64];
        for (int i = 0; i < buf.Length; i++) buf[i] = (byte)(0x80 + i);
        fixed (byte* b = buf)
        {
            byte* p = b + 1;
            var all = SimdOps.V128Load(p);
            for (int i = 0; i < 16; i++) Assert.Equal(buf[1 + i], all.GetElement(i));
            Assert.Equal(Vector128.Create((short)-127, -126, -125, -124, -123, -122, -121, -120), SimdOps.V128Load8x8S(p).AsInt16());
            Assert.Equal(Vector128.Create((ushort)0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88), SimdOps.V128Load8x8U(p).AsUInt16());
            Assert.Equal(Vector128.Create(unchecked((int)0xFFFF8281), unchecked((int)0xFFFF8483), unchecked((int)0xFFFF8685), unchecked((int)0xFFFF8887)), SimdOps.V128Load16x4S(p).AsInt32());
            Assert.Equal(Vector128.Create(0x8281, 0x8483, 0x8685, 0x8887), SimdOps.V128Load16x4U(p).AsInt32());
            Assert.Equal(Vector128.Create(unchecked((long)0xFFFFFFFF_84838281), unchecked((long)0xFFFFFFFF_88878685)), SimdOps.V128Load32x2S(p).AsInt64());
            Assert.Equal(Vector128.Create(0x84838281L, 0x88878685L), SimdOps.V128Load32x2U(p).AsInt64());
            Assert.Equal(Vector128.Create((byte)0x81), SimdOps.V128Load8Splat(p));
            Assert.Equal(Vector128.Create((ushort)0x8281), SimdOps.V128Load16Splat(p).AsUInt16());
            Assert.Equal(Vector128.Create(0x84838281u), SimdOps.V128Load32Splat(p).AsUInt32());
            Assert.Equal(Vector128.Create(0x8887868584838281UL), SimdOps.V128Load64Splat(p).AsUInt64());
            Assert.Equal(Vector128.Create(0x84838281u, 0, 0, 0), SimdOps.V128Load32Zero(p).AsUInt32());
            Assert.Equal(Vector128.Create(0x8887868584838281UL, 0), SimdOps.V128Load64Zero(p).AsUInt64());
            var z = Vector128<byte>.Zero;
            Assert.Equal(z.WithElement(5, (byte)0x81), SimdOps.V128Load8Lane(p, z, 5));
            Assert.Equal(z.AsUInt16().WithElement(7, (ushort)0x8281), SimdOps.V128Load16Lane(p, z, 7).AsUInt16());
            Assert.Equal(z.AsUInt32().WithElement(2, 0x84838281u), SimdOps.V128Load32Lane(p, z, 2).AsUInt32());
            Assert.Equal(z.AsUInt64().WithElement(1, 0x8887868584838281UL), SimdOps.V128Load64Lane(p, z, 1).AsUInt64());

            var v = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            SimdOps.V128Store(b + 33, v);
            for (int i = 0; i < 16; i++) Assert.Equal((byte)i, buf[33 + i]);
            Assert.Equal((byte)(0x80 + 49), buf[49]);
            SimdOps.V128Store8Lane(b + 3, v, 9);
            Assert.Equal(9, buf[3]);
            SimdOps.V128Store16Lane(b + 5, v, 3);
            Assert.Equal(new byte[] { 6, 7 }, buf[5..7]);
            SimdOps.V128Store32Lane(b + 9, v, 1);
            Assert.Equal(new byte[] { 4, 5, 6, 7 }, buf[9..13]);
            SimdOps.V128Store64Lane(b + 17, v, 1);
            Assert.Equal(new byte[] { 8, 9, 10, 11, 12, 13, 14, 15 }, buf[17..25]);
            Assert.Equal((byte)(0x80 + 25), buf[25]);
        }
    }

    [Fact]
    public void ConstAndBoundaryConversionsRoundTrip()
    {
        var v = SimdOps.V128Const(0x0706050403020100, unchecked((long)0xFFEEDDCCBBAA9988));
        Assert.Equal(new V128(0x0706050403020100, 0xFFEEDDCCBBAA9988), SimdOps.FromVector(v));
        Assert.Equal(v, SimdOps.ToVector(SimdOps.FromVector(v)));
        Assert.Equal((byte)0, v.GetElement(0));
        Assert.Equal((byte)0xFF, v.GetElement(15));
    }
}
