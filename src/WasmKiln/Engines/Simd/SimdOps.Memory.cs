using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WasmKiln.Engines.Simd;

internal static unsafe partial class SimdOps
{
    // Memory instructions. The caller has bounds-checked the effective address and passes the
    // host pointer; accesses are unaligned and little-endian (the byte order of every platform
    // .NET's hardware intrinsics run on).

    /// <summary><c>v128.load</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load(byte* p) => Unsafe.ReadUnaligned<Vector128<byte>>(p);

    /// <summary><c>v128.store</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store(byte* p, Vector128<byte> v) => Unsafe.WriteUnaligned(p, v);

    /// <summary><c>v128.load8x8_s</c>: 8 bytes sign-extended to i16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8x8S(byte* p) =>
        Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(p)).AsSByte()).AsByte();

    /// <summary><c>v128.load8x8_u</c>: 8 bytes zero-extended to i16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8x8U(byte* p) =>
        Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(p)).AsByte()).AsByte();

    /// <summary><c>v128.load16x4_s</c>: 4 i16 sign-extended to i32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16x4S(byte* p) =>
        Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(p)).AsInt16()).AsByte();

    /// <summary><c>v128.load16x4_u</c>: 4 i16 zero-extended to i32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16x4U(byte* p) =>
        Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(p)).AsUInt16()).AsByte();

    /// <summary><c>v128.load32x2_s</c>: 2 i32 sign-extended to i64 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32x2S(byte* p) =>
        Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(p)).AsInt32()).AsByte();

    /// <summary><c>v128.load32x2_u</c>: 2 i32 zero-extended to i64 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32x2U(byte* p) =>
        Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(p)).AsUInt32()).AsByte();

    /// <summary><c>v128.load8_splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8Splat(byte* p) => Vector128.Create(*p);

    /// <summary><c>v128.load16_splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16Splat(byte* p) => Vector128.Create(Unsafe.ReadUnaligned<ushort>(p)).AsByte();

    /// <summary><c>v128.load32_splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32Splat(byte* p) => Vector128.Create(Unsafe.ReadUnaligned<uint>(p)).AsByte();

    /// <summary><c>v128.load64_splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load64Splat(byte* p) => Vector128.Create(Unsafe.ReadUnaligned<ulong>(p)).AsByte();

    /// <summary><c>v128.load32_zero</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32Zero(byte* p) => Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(p)).AsByte();

    /// <summary><c>v128.load64_zero</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load64Zero(byte* p) => Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(p)).AsByte();

    /// <summary><c>v128.load8_lane</c>: <paramref name="v"/> with lane <paramref name="lane"/> loaded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8Lane(byte* p, Vector128<byte> v, int lane) => v.WithElement(lane, *p);

    /// <summary><c>v128.load16_lane</c>: <paramref name="v"/> with lane <paramref name="lane"/> loaded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16Lane(byte* p, Vector128<byte> v, int lane) =>
        v.AsUInt16().WithElement(lane, Unsafe.ReadUnaligned<ushort>(p)).AsByte();

    /// <summary><c>v128.load32_lane</c>: <paramref name="v"/> with lane <paramref name="lane"/> loaded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32Lane(byte* p, Vector128<byte> v, int lane) =>
        v.AsUInt32().WithElement(lane, Unsafe.ReadUnaligned<uint>(p)).AsByte();

    /// <summary><c>v128.load64_lane</c>: <paramref name="v"/> with lane <paramref name="lane"/> loaded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load64Lane(byte* p, Vector128<byte> v, int lane) =>
        v.AsUInt64().WithElement(lane, Unsafe.ReadUnaligned<ulong>(p)).AsByte();

    /// <summary><c>v128.store8_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store8Lane(byte* p, Vector128<byte> v, int lane) => *p = v.GetElement(lane);

    /// <summary><c>v128.store16_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store16Lane(byte* p, Vector128<byte> v, int lane) => Unsafe.WriteUnaligned(p, v.AsUInt16().GetElement(lane));

    /// <summary><c>v128.store32_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store32Lane(byte* p, Vector128<byte> v, int lane) => Unsafe.WriteUnaligned(p, v.AsUInt32().GetElement(lane));

    /// <summary><c>v128.store64_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store64Lane(byte* p, Vector128<byte> v, int lane) => Unsafe.WriteUnaligned(p, v.AsUInt64().GetElement(lane));
}
