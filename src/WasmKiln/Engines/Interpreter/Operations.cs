using System.Runtime.CompilerServices;
using WasmKiln.Engines.Compiler;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>A binary operation (the handlers are generic over it, so each one is a specialized method).</summary>
internal interface IBin<TA, TR> where TA : unmanaged where TR : unmanaged
{
    /// <summary>Computes the result.</summary>
    static abstract TR Op(TA a, TA b);
}

/// <summary>A unary operation or conversion.</summary>
internal interface IUn<TA, TR> where TA : unmanaged where TR : unmanaged
{
    /// <summary>Computes the result.</summary>
    static abstract TR Op(TA a);
}

#pragma warning disable CS1591 // The operation structs are named after their instruction.
// ---- i32 ----
internal struct I32Add : IBin<int, int> { public static int Op(int a, int b) => a + b; }
internal struct I32Sub : IBin<int, int> { public static int Op(int a, int b) => a - b; }
internal struct I32Mul : IBin<int, int> { public static int Op(int a, int b) => a * b; }
internal struct I32DivS : IBin<int, int> { public static int Op(int a, int b) => Ops.I32DivS(a, b); }
internal struct I32DivU : IBin<int, int> { public static int Op(int a, int b) => Ops.I32DivU(a, b); }
internal struct I32RemS : IBin<int, int> { public static int Op(int a, int b) => Ops.I32RemS(a, b); }
internal struct I32RemU : IBin<int, int> { public static int Op(int a, int b) => Ops.I32RemU(a, b); }
internal struct I32And : IBin<int, int> { public static int Op(int a, int b) => a & b; }
internal struct I32Or : IBin<int, int> { public static int Op(int a, int b) => a | b; }
internal struct I32Xor : IBin<int, int> { public static int Op(int a, int b) => a ^ b; }
internal struct I32Shl : IBin<int, int> { public static int Op(int a, int b) => a << b; }
internal struct I32ShrS : IBin<int, int> { public static int Op(int a, int b) => a >> b; }
internal struct I32ShrU : IBin<int, int> { public static int Op(int a, int b) => (int)((uint)a >> b); }
internal struct I32Rotl : IBin<int, int> { public static int Op(int a, int b) => Ops.I32Rotl(a, b); }
internal struct I32Rotr : IBin<int, int> { public static int Op(int a, int b) => Ops.I32Rotr(a, b); }
internal struct I32Eq : IBin<int, int> { public static int Op(int a, int b) => a == b ? 1 : 0; }
internal struct I32Ne : IBin<int, int> { public static int Op(int a, int b) => a != b ? 1 : 0; }
internal struct I32LtS : IBin<int, int> { public static int Op(int a, int b) => a < b ? 1 : 0; }
internal struct I32LtU : IBin<int, int> { public static int Op(int a, int b) => (uint)a < (uint)b ? 1 : 0; }
internal struct I32GtS : IBin<int, int> { public static int Op(int a, int b) => a > b ? 1 : 0; }
internal struct I32GtU : IBin<int, int> { public static int Op(int a, int b) => (uint)a > (uint)b ? 1 : 0; }
internal struct I32LeS : IBin<int, int> { public static int Op(int a, int b) => a <= b ? 1 : 0; }
internal struct I32LeU : IBin<int, int> { public static int Op(int a, int b) => (uint)a <= (uint)b ? 1 : 0; }
internal struct I32GeS : IBin<int, int> { public static int Op(int a, int b) => a >= b ? 1 : 0; }
internal struct I32GeU : IBin<int, int> { public static int Op(int a, int b) => (uint)a >= (uint)b ? 1 : 0; }
internal struct I32Eqz : IUn<int, int> { public static int Op(int a) => a == 0 ? 1 : 0; }
internal struct I32Clz : IUn<int, int> { public static int Op(int a) => Ops.I32Clz(a); }
internal struct I32Ctz : IUn<int, int> { public static int Op(int a) => Ops.I32Ctz(a); }
internal struct I32Popcnt : IUn<int, int> { public static int Op(int a) => Ops.I32Popcnt(a); }
internal struct I32Extend8S : IUn<int, int> { public static int Op(int a) => (sbyte)a; }
internal struct I32Extend16S : IUn<int, int> { public static int Op(int a) => (short)a; }

// ---- i64 ----
internal struct I64Add : IBin<long, long> { public static long Op(long a, long b) => a + b; }
internal struct I64Sub : IBin<long, long> { public static long Op(long a, long b) => a - b; }
internal struct I64Mul : IBin<long, long> { public static long Op(long a, long b) => a * b; }
internal struct I64DivS : IBin<long, long> { public static long Op(long a, long b) => Ops.I64DivS(a, b); }
internal struct I64DivU : IBin<long, long> { public static long Op(long a, long b) => Ops.I64DivU(a, b); }
internal struct I64RemS : IBin<long, long> { public static long Op(long a, long b) => Ops.I64RemS(a, b); }
internal struct I64RemU : IBin<long, long> { public static long Op(long a, long b) => Ops.I64RemU(a, b); }
internal struct I64And : IBin<long, long> { public static long Op(long a, long b) => a & b; }
internal struct I64Or : IBin<long, long> { public static long Op(long a, long b) => a | b; }
internal struct I64Xor : IBin<long, long> { public static long Op(long a, long b) => a ^ b; }
internal struct I64Shl : IBin<long, long> { public static long Op(long a, long b) => a << (int)b; }
internal struct I64ShrS : IBin<long, long> { public static long Op(long a, long b) => a >> (int)b; }
internal struct I64ShrU : IBin<long, long> { public static long Op(long a, long b) => (long)((ulong)a >> (int)b); }
internal struct I64Rotl : IBin<long, long> { public static long Op(long a, long b) => Ops.I64Rotl(a, b); }
internal struct I64Rotr : IBin<long, long> { public static long Op(long a, long b) => Ops.I64Rotr(a, b); }
internal struct I64Eq : IBin<long, int> { public static int Op(long a, long b) => a == b ? 1 : 0; }
internal struct I64Ne : IBin<long, int> { public static int Op(long a, long b) => a != b ? 1 : 0; }
internal struct I64LtS : IBin<long, int> { public static int Op(long a, long b) => a < b ? 1 : 0; }
internal struct I64LtU : IBin<long, int> { public static int Op(long a, long b) => (ulong)a < (ulong)b ? 1 : 0; }
internal struct I64GtS : IBin<long, int> { public static int Op(long a, long b) => a > b ? 1 : 0; }
internal struct I64GtU : IBin<long, int> { public static int Op(long a, long b) => (ulong)a > (ulong)b ? 1 : 0; }
internal struct I64LeS : IBin<long, int> { public static int Op(long a, long b) => a <= b ? 1 : 0; }
internal struct I64LeU : IBin<long, int> { public static int Op(long a, long b) => (ulong)a <= (ulong)b ? 1 : 0; }
internal struct I64GeS : IBin<long, int> { public static int Op(long a, long b) => a >= b ? 1 : 0; }
internal struct I64GeU : IBin<long, int> { public static int Op(long a, long b) => (ulong)a >= (ulong)b ? 1 : 0; }
internal struct I64Eqz : IUn<long, int> { public static int Op(long a) => a == 0 ? 1 : 0; }
internal struct I64Clz : IUn<long, long> { public static long Op(long a) => Ops.I64Clz(a); }
internal struct I64Ctz : IUn<long, long> { public static long Op(long a) => Ops.I64Ctz(a); }
internal struct I64Popcnt : IUn<long, long> { public static long Op(long a) => Ops.I64Popcnt(a); }
internal struct I64Extend8S : IUn<long, long> { public static long Op(long a) => (sbyte)a; }
internal struct I64Extend16S : IUn<long, long> { public static long Op(long a) => (short)a; }
internal struct I64Extend32S : IUn<long, long> { public static long Op(long a) => (int)a; }

// ---- f32 ----
internal struct F32Add : IBin<float, float> { public static float Op(float a, float b) => a + b; }
internal struct F32Sub : IBin<float, float> { public static float Op(float a, float b) => a - b; }
internal struct F32Mul : IBin<float, float> { public static float Op(float a, float b) => a * b; }
internal struct F32Div : IBin<float, float> { public static float Op(float a, float b) => a / b; }
internal struct F32Min : IBin<float, float> { public static float Op(float a, float b) => Ops.F32Min(a, b); }
internal struct F32Max : IBin<float, float> { public static float Op(float a, float b) => Ops.F32Max(a, b); }
internal struct F32Copysign : IBin<float, float> { public static float Op(float a, float b) => Ops.F32Copysign(a, b); }
internal struct F32Eq : IBin<float, int> { public static int Op(float a, float b) => a == b ? 1 : 0; }
internal struct F32Ne : IBin<float, int> { public static int Op(float a, float b) => a != b ? 1 : 0; }
internal struct F32Lt : IBin<float, int> { public static int Op(float a, float b) => a < b ? 1 : 0; }
internal struct F32Gt : IBin<float, int> { public static int Op(float a, float b) => a > b ? 1 : 0; }
internal struct F32Le : IBin<float, int> { public static int Op(float a, float b) => a <= b ? 1 : 0; }
internal struct F32Ge : IBin<float, int> { public static int Op(float a, float b) => a >= b ? 1 : 0; }
internal struct F32Abs : IUn<float, float> { public static float Op(float a) => Ops.F32Abs(a); }
internal struct F32Neg : IUn<float, float> { public static float Op(float a) => Ops.F32Neg(a); }
internal struct F32Ceil : IUn<float, float> { public static float Op(float a) => Ops.F32Ceil(a); }
internal struct F32Floor : IUn<float, float> { public static float Op(float a) => Ops.F32Floor(a); }
internal struct F32Trunc : IUn<float, float> { public static float Op(float a) => Ops.F32Trunc(a); }
internal struct F32Nearest : IUn<float, float> { public static float Op(float a) => Ops.F32Nearest(a); }
internal struct F32Sqrt : IUn<float, float> { public static float Op(float a) => Ops.F32Sqrt(a); }

// ---- f64 ----
internal struct F64Add : IBin<double, double> { public static double Op(double a, double b) => a + b; }
internal struct F64Sub : IBin<double, double> { public static double Op(double a, double b) => a - b; }
internal struct F64Mul : IBin<double, double> { public static double Op(double a, double b) => a * b; }
internal struct F64Div : IBin<double, double> { public static double Op(double a, double b) => a / b; }
internal struct F64Min : IBin<double, double> { public static double Op(double a, double b) => Ops.F64Min(a, b); }
internal struct F64Max : IBin<double, double> { public static double Op(double a, double b) => Ops.F64Max(a, b); }
internal struct F64Copysign : IBin<double, double> { public static double Op(double a, double b) => Ops.F64Copysign(a, b); }
internal struct F64Eq : IBin<double, int> { public static int Op(double a, double b) => a == b ? 1 : 0; }
internal struct F64Ne : IBin<double, int> { public static int Op(double a, double b) => a != b ? 1 : 0; }
internal struct F64Lt : IBin<double, int> { public static int Op(double a, double b) => a < b ? 1 : 0; }
internal struct F64Gt : IBin<double, int> { public static int Op(double a, double b) => a > b ? 1 : 0; }
internal struct F64Le : IBin<double, int> { public static int Op(double a, double b) => a <= b ? 1 : 0; }
internal struct F64Ge : IBin<double, int> { public static int Op(double a, double b) => a >= b ? 1 : 0; }
internal struct F64Abs : IUn<double, double> { public static double Op(double a) => Ops.F64Abs(a); }
internal struct F64Neg : IUn<double, double> { public static double Op(double a) => Ops.F64Neg(a); }
internal struct F64Ceil : IUn<double, double> { public static double Op(double a) => Ops.F64Ceil(a); }
internal struct F64Floor : IUn<double, double> { public static double Op(double a) => Ops.F64Floor(a); }
internal struct F64Trunc : IUn<double, double> { public static double Op(double a) => Ops.F64Trunc(a); }
internal struct F64Nearest : IUn<double, double> { public static double Op(double a) => Ops.F64Nearest(a); }
internal struct F64Sqrt : IUn<double, double> { public static double Op(double a) => Ops.F64Sqrt(a); }

// ---- conversions ----
internal struct I32WrapI64 : IUn<long, int> { public static int Op(long a) => (int)a; }
internal struct I64ExtendI32S : IUn<int, long> { public static long Op(int a) => a; }
internal struct I64ExtendI32U : IUn<int, long> { public static long Op(int a) => (uint)a; }
internal struct I32TruncF32S : IUn<float, int> { public static int Op(float a) => Ops.I32TruncF32S(a); }
internal struct I32TruncF32U : IUn<float, int> { public static int Op(float a) => Ops.I32TruncF32U(a); }
internal struct I32TruncF64S : IUn<double, int> { public static int Op(double a) => Ops.I32TruncF64S(a); }
internal struct I32TruncF64U : IUn<double, int> { public static int Op(double a) => Ops.I32TruncF64U(a); }
internal struct I64TruncF32S : IUn<float, long> { public static long Op(float a) => Ops.I64TruncF32S(a); }
internal struct I64TruncF32U : IUn<float, long> { public static long Op(float a) => Ops.I64TruncF32U(a); }
internal struct I64TruncF64S : IUn<double, long> { public static long Op(double a) => Ops.I64TruncF64S(a); }
internal struct I64TruncF64U : IUn<double, long> { public static long Op(double a) => Ops.I64TruncF64U(a); }
internal struct I32TruncSatF32S : IUn<float, int> { public static int Op(float a) => Ops.I32TruncSatF32S(a); }
internal struct I32TruncSatF32U : IUn<float, int> { public static int Op(float a) => Ops.I32TruncSatF32U(a); }
internal struct I32TruncSatF64S : IUn<double, int> { public static int Op(double a) => Ops.I32TruncSatF64S(a); }
internal struct I32TruncSatF64U : IUn<double, int> { public static int Op(double a) => Ops.I32TruncSatF64U(a); }
internal struct I64TruncSatF32S : IUn<float, long> { public static long Op(float a) => Ops.I64TruncSatF32S(a); }
internal struct I64TruncSatF32U : IUn<float, long> { public static long Op(float a) => Ops.I64TruncSatF32U(a); }
internal struct I64TruncSatF64S : IUn<double, long> { public static long Op(double a) => Ops.I64TruncSatF64S(a); }
internal struct I64TruncSatF64U : IUn<double, long> { public static long Op(double a) => Ops.I64TruncSatF64U(a); }
internal struct F32ConvertI32S : IUn<int, float> { public static float Op(int a) => a; }
internal struct F32ConvertI32U : IUn<int, float> { public static float Op(int a) => Ops.F32ConvertI32U(a); }
internal struct F32ConvertI64S : IUn<long, float> { public static float Op(long a) => Ops.F32ConvertI64S(a); }
internal struct F32ConvertI64U : IUn<long, float> { public static float Op(long a) => Ops.F32ConvertI64U(a); }
internal struct F64ConvertI32S : IUn<int, double> { public static double Op(int a) => a; }
internal struct F64ConvertI32U : IUn<int, double> { public static double Op(int a) => Ops.F64ConvertI32U(a); }
internal struct F64ConvertI64S : IUn<long, double> { public static double Op(long a) => a; }
internal struct F64ConvertI64U : IUn<long, double> { public static double Op(long a) => Ops.F64ConvertI64U(a); }
internal struct F32DemoteF64 : IUn<double, float> { public static float Op(double a) => Ops.F32DemoteF64(a); }
internal struct F64PromoteF32 : IUn<float, double> { public static double Op(float a) => Ops.F64PromoteF32(a); }
internal struct Reinterpret32 : IUn<int, int> { public static int Op(int a) => a; }
internal struct Reinterpret64 : IUn<long, long> { public static long Op(long a) => a; }
#pragma warning restore CS1591

/// <summary>
/// How a memory-0 access (32-bit addresses) computes its effective address from the instruction:
/// the address operand plus the static offset K, with the address operand possibly folded from
/// the <c>i32.add</c> that computed it (the add wraps at 32 bits, the offset does not).
/// </summary>
internal unsafe interface IAddr
{
    /// <summary>The effective address (up to 2^33).</summary>
    static abstract ulong Ea(Inst* ip, ulong* fp);
}

#pragma warning disable CS1591
/// <summary>Slot B + K.</summary>
internal unsafe struct AddrSlot : IAddr { public static ulong Ea(Inst* ip, ulong* fp) => *(uint*)(fp + ip->B) + (ulong)ip->K; }
/// <summary>(slot B + D) mod 2^32 + K: an <c>i32.add</c> of a constant folded in.</summary>
internal unsafe struct AddrSlotImm : IAddr { public static ulong Ea(Inst* ip, ulong* fp) => (uint)(*(int*)(fp + ip->B) + ip->D) + (ulong)ip->K; }
/// <summary>(slot B + slot C) mod 2^32 + K: an <c>i32.add</c> of two values folded in.</summary>
internal unsafe struct AddrSlotSlot : IAddr { public static ulong Ea(Inst* ip, ulong* fp) => (uint)(*(int*)(fp + ip->B) + *(int*)(fp + ip->C)) + (ulong)ip->K; }
/// <summary>K: a constant address plus the offset.</summary>
internal unsafe struct AddrConst : IAddr { public static ulong Ea(Inst* ip, ulong* fp) => (ulong)ip->K; }
#pragma warning restore CS1591

/// <summary>A memory load: size in bytes and how the loaded bytes become a slot value.</summary>
internal unsafe interface ILoad
{
    /// <summary>Bytes read.</summary>
    static abstract int Size { get; }
    /// <summary>Reads at <paramref name="p"/> (bounds already checked) and writes the slot <paramref name="dst"/>.</summary>
    static abstract void Load(byte* p, ulong* dst);
}

/// <summary>A memory store: size in bytes and how a slot value becomes bytes.</summary>
internal unsafe interface IStore
{
    /// <summary>Bytes written.</summary>
    static abstract int Size { get; }
    /// <summary>Writes the slot <paramref name="src"/> at <paramref name="p"/> (bounds already checked).</summary>
    static abstract void Store(byte* p, ulong* src);
}

#pragma warning disable CS1591
internal unsafe struct LdI32 : ILoad { public static int Size => 4; public static void Load(byte* p, ulong* d) => *(int*)d = Unsafe.ReadUnaligned<int>(p); }
internal unsafe struct LdI64 : ILoad { public static int Size => 8; public static void Load(byte* p, ulong* d) => *d = Unsafe.ReadUnaligned<ulong>(p); }
internal unsafe struct LdI32S8 : ILoad { public static int Size => 1; public static void Load(byte* p, ulong* d) => *(int*)d = *(sbyte*)p; }
internal unsafe struct LdI32U8 : ILoad { public static int Size => 1; public static void Load(byte* p, ulong* d) => *(int*)d = *p; }
internal unsafe struct LdI32S16 : ILoad { public static int Size => 2; public static void Load(byte* p, ulong* d) => *(int*)d = Unsafe.ReadUnaligned<short>(p); }
internal unsafe struct LdI32U16 : ILoad { public static int Size => 2; public static void Load(byte* p, ulong* d) => *(int*)d = Unsafe.ReadUnaligned<ushort>(p); }
internal unsafe struct LdI64S8 : ILoad { public static int Size => 1; public static void Load(byte* p, ulong* d) => *(long*)d = *(sbyte*)p; }
internal unsafe struct LdI64U8 : ILoad { public static int Size => 1; public static void Load(byte* p, ulong* d) => *d = *p; }
internal unsafe struct LdI64S16 : ILoad { public static int Size => 2; public static void Load(byte* p, ulong* d) => *(long*)d = Unsafe.ReadUnaligned<short>(p); }
internal unsafe struct LdI64U16 : ILoad { public static int Size => 2; public static void Load(byte* p, ulong* d) => *d = Unsafe.ReadUnaligned<ushort>(p); }
internal unsafe struct LdI64S32 : ILoad { public static int Size => 4; public static void Load(byte* p, ulong* d) => *(long*)d = Unsafe.ReadUnaligned<int>(p); }
internal unsafe struct LdI64U32 : ILoad { public static int Size => 4; public static void Load(byte* p, ulong* d) => *d = Unsafe.ReadUnaligned<uint>(p); }
internal unsafe struct St8 : IStore { public static int Size => 1; public static void Store(byte* p, ulong* s) => *p = *(byte*)s; }
internal unsafe struct St16 : IStore { public static int Size => 2; public static void Store(byte* p, ulong* s) => Unsafe.WriteUnaligned(p, *(ushort*)s); }
internal unsafe struct St32 : IStore { public static int Size => 4; public static void Store(byte* p, ulong* s) => Unsafe.WriteUnaligned(p, *(uint*)s); }
internal unsafe struct St64 : IStore { public static int Size => 8; public static void Store(byte* p, ulong* s) => Unsafe.WriteUnaligned(p, *s); }
#pragma warning restore CS1591
