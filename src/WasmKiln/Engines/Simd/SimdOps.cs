using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using WasmKiln.Instructions;

namespace WasmKiln.Engines.Simd;

/// <summary>
/// The semantics of every SIMD and relaxed-SIMD instruction, one static method per instruction
/// named after its <see cref="Op"/> member. Operands come in stack order (first pushed first);
/// v128 values are <see cref="Vector128{T}"/> of <see cref="byte"/>; lane immediates are a
/// trailing <c>int lane</c>; the shuffle immediate is a trailing vector of lane indices.
/// Memory instructions take the already bounds-checked effective address as <c>byte*</c>.
/// </summary>
/// <remarks>
/// Hardware paths (SSE2/SSSE3/SSE4.1 or AdvSimd) are used only where the instruction's result
/// is exactly the specification's; everything else is written with portable vector operations
/// or per-lane scalar code. Float results that are NaN are always arithmetic NaNs, and
/// canonical NaNs where the specification requires them.
/// <para>Relaxed SIMD: every relaxed instruction has one fixed behaviour on every machine, one of
/// those the specification allows:</para>
/// <list type="bullet">
/// <item><c>relaxed_swizzle</c>: as <c>i8x16.swizzle</c> (indices 16 and up give 0).</item>
/// <item><c>relaxed_trunc_*</c>: as the saturating <c>trunc_sat_*</c> (NaN gives 0).</item>
/// <item><c>relaxed_madd</c>/<c>relaxed_nmadd</c>: not fused: <c>a*b+c</c> and <c>-(a*b)+c</c>,
/// each step rounded.</item>
/// <item><c>relaxed_laneselect</c>: as <c>v128.bitselect</c> (every mask bit selects).</item>
/// <item><c>relaxed_min</c>/<c>relaxed_max</c>: as <c>min</c>/<c>max</c> (NaN propagates, -0 &lt; +0).</item>
/// <item><c>relaxed_q15mulr_s</c>: as <c>q15mulr_sat_s</c> (saturates -1 * -1 to 0x7fff).</item>
/// <item><c>relaxed_dot_i8x16_i7x16_s</c>: both operands signed; the pairwise sum wraps to 16 bits.</item>
/// <item><c>relaxed_dot_i8x16_i7x16_add_s</c>: the 16-bit result of <c>relaxed_dot_i8x16_i7x16_s</c>
/// (as above), then <c>i32x4.extadd_pairwise_i16x8_s</c>, then <c>i32x4.add</c> of the accumulator.</item>
/// </list>
/// </remarks>
internal static unsafe partial class SimdOps
{
    private static readonly MethodInfo?[] Methods = BuildMethods();

    /// <summary>
    /// The method implementing <paramref name="op"/>, or null when <paramref name="op"/> is not a
    /// SIMD instruction (<c>v128.const</c> is included: it takes the constant's two halves).
    /// </summary>
    public static MethodInfo? MethodFor(Op op)
    {
        int i = (int)op;
        return (uint)i < (uint)Methods.Length ? Methods[i] : null;
    }

    private static MethodInfo?[] BuildMethods()
    {
        var all = OpTable.All;
        int max = 0;
        foreach (var info in all) max = Math.Max(max, (int)info.Op);
        var result = new MethodInfo?[max + 1];
        var byName = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        foreach (var m in typeof(SimdOps).GetMethods(BindingFlags.Public | BindingFlags.Static))
            byName.TryAdd(m.Name, m);
        foreach (var info in all)
        {
            if (info.Feature is not (Feature.Simd or Feature.RelaxedSimd)) continue;
            if (byName.TryGetValue(info.Op.ToString(), out var method)) result[(int)info.Op] = method;
        }
        return result;
    }

    // ---- conversions at the boundary with Runtime.Value / Instructions.V128 ----

    /// <summary>The vector with the bits of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> ToVector(V128 v) => Vector128.Create(v.Lo, v.Hi).AsByte();

    /// <summary>The <see cref="V128"/> with the bits of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 FromVector(Vector128<byte> v)
    {
        var u = v.AsUInt64();
        return new V128(u.GetElement(0), u.GetElement(1));
    }

    /// <summary><c>v128.const</c>: the vector whose low and high 64 bits are given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Const(long lo, long hi) => Vector128.Create(lo, hi).AsByte();

    // ---- splat ----

    /// <summary><c>i8x16.splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Splat(int x) => Vector128.Create((byte)x);

    /// <summary><c>i16x8.splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Splat(int x) => Vector128.Create((short)x).AsByte();

    /// <summary><c>i32x4.splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Splat(int x) => Vector128.Create(x).AsByte();

    /// <summary><c>i64x2.splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Splat(long x) => Vector128.Create(x).AsByte();

    /// <summary><c>f32x4.splat</c> (bit-exact, NaN payloads kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Splat(float x) => Vector128.Create(BitConverter.SingleToInt32Bits(x)).AsByte();

    /// <summary><c>f64x2.splat</c> (bit-exact, NaN payloads kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Splat(double x) => Vector128.Create(BitConverter.DoubleToInt64Bits(x)).AsByte();

    // ---- lanes ----

    /// <summary><c>i8x16.extract_lane_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16ExtractLaneS(Vector128<byte> v, int lane) => v.AsSByte().GetElement(lane);

    /// <summary><c>i8x16.extract_lane_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16ExtractLaneU(Vector128<byte> v, int lane) => v.GetElement(lane);

    /// <summary><c>i8x16.replace_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16ReplaceLane(Vector128<byte> v, int x, int lane) => v.WithElement(lane, (byte)x);

    /// <summary><c>i16x8.extract_lane_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8ExtractLaneS(Vector128<byte> v, int lane) => v.AsInt16().GetElement(lane);

    /// <summary><c>i16x8.extract_lane_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8ExtractLaneU(Vector128<byte> v, int lane) => v.AsUInt16().GetElement(lane);

    /// <summary><c>i16x8.replace_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ReplaceLane(Vector128<byte> v, int x, int lane) => v.AsInt16().WithElement(lane, (short)x).AsByte();

    /// <summary><c>i32x4.extract_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4ExtractLane(Vector128<byte> v, int lane) => v.AsInt32().GetElement(lane);

    /// <summary><c>i32x4.replace_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ReplaceLane(Vector128<byte> v, int x, int lane) => v.AsInt32().WithElement(lane, x).AsByte();

    /// <summary><c>i64x2.extract_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64x2ExtractLane(Vector128<byte> v, int lane) => v.AsInt64().GetElement(lane);

    /// <summary><c>i64x2.replace_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ReplaceLane(Vector128<byte> v, long x, int lane) => v.AsInt64().WithElement(lane, x).AsByte();

    /// <summary><c>f32x4.extract_lane</c> (bit-exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32x4ExtractLane(Vector128<byte> v, int lane) => BitConverter.Int32BitsToSingle(v.AsInt32().GetElement(lane));

    /// <summary><c>f32x4.replace_lane</c> (bit-exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4ReplaceLane(Vector128<byte> v, float x, int lane) =>
        v.AsInt32().WithElement(lane, BitConverter.SingleToInt32Bits(x)).AsByte();

    /// <summary><c>f64x2.extract_lane</c> (bit-exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64x2ExtractLane(Vector128<byte> v, int lane) => BitConverter.Int64BitsToDouble(v.AsInt64().GetElement(lane));

    /// <summary><c>f64x2.replace_lane</c> (bit-exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2ReplaceLane(Vector128<byte> v, double x, int lane) =>
        v.AsInt64().WithElement(lane, BitConverter.DoubleToInt64Bits(x)).AsByte();

    // ---- shuffles ----

    /// <summary><c>i8x16.swizzle</c>: lane i is <c>a[s[i]]</c>, or 0 when <c>s[i]</c> &gt;= 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Swizzle(Vector128<byte> a, Vector128<byte> s)
    {
        if (Ssse3.IsSupported)
        {
            // pshufb zeroes lanes whose index has the top bit set; push 16..127 up there.
            return Ssse3.Shuffle(a, Sse2.AddSaturate(s, Vector128.Create((byte)0x70)));
        }
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.VectorTableLookup(a, s);
        return SwizzleScalar(a, s);
    }

    private static Vector128<byte> SwizzleScalar(Vector128<byte> a, Vector128<byte> s)
    {
        Vector128<byte> r = default;
        for (int i = 0; i < 16; i++)
        {
            int k = s.GetElement(i);
            r = r.WithElement(i, k < 16 ? a.GetElement(k) : (byte)0);
        }
        return r;
    }

    /// <summary><c>i8x16.shuffle</c>: lane i is lane <c>lanes[i]</c> (0..31) of the concatenation a ++ b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Shuffle(Vector128<byte> a, Vector128<byte> b, Vector128<byte> lanes)
    {
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.VectorTableLookup((a, b), lanes);
        // Indices below 16 wrap to 240.. in the second lookup, 16.. are out of range in the first.
        return I8x16Swizzle(a, lanes) | I8x16Swizzle(b, lanes - Vector128.Create((byte)16));
    }

    // ---- bitwise ----

    /// <summary><c>v128.not</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Not(Vector128<byte> a) => ~a;

    /// <summary><c>v128.and</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128And(Vector128<byte> a, Vector128<byte> b) => a & b;

    /// <summary><c>v128.andnot</c>: <c>a &amp; ~b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Andnot(Vector128<byte> a, Vector128<byte> b) => Vector128.AndNot(a, b);

    /// <summary><c>v128.or</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Or(Vector128<byte> a, Vector128<byte> b) => a | b;

    /// <summary><c>v128.xor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Xor(Vector128<byte> a, Vector128<byte> b) => a ^ b;

    /// <summary><c>v128.bitselect</c>: bits of a where c is 1, of b where c is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Bitselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) => Vector128.ConditionalSelect(c, a, b);

    /// <summary><c>v128.any_true</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int V128AnyTrue(Vector128<byte> a) => a != Vector128<byte>.Zero ? 1 : 0;
}
