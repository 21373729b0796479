using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// SIMD handlers, one per signature shape; K is the <see cref="Simd.SimdOps"/> method to call.
/// A v128 operand occupies slots B, B+1 (and so on); scalars are single slots.
/// </summary>
internal static unsafe partial class Handlers
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> V(ulong* fp, int slot) => Unsafe.ReadUnaligned<Vector128<byte>>(fp + slot);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutV(ulong* fp, int slot, Vector128<byte> v) => Unsafe.WriteUnaligned(fp + slot, v);

    /// <summary>Slot A = op(slot B) (v128).</summary>
    public static Inst* SimdUn(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<Vector128<byte>, Vector128<byte>>)ip->K)(V(fp, ip->B)));
        return ip + 1;
    }

    /// <summary>Slot A = op(slot B, slot C) (v128).</summary>
    public static Inst* SimdBin(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<Vector128<byte>, Vector128<byte>, Vector128<byte>>)ip->K)(V(fp, ip->B), V(fp, ip->C)));
        return ip + 1;
    }

    /// <summary>Slot A = op(slot B, slot C, slot D) (v128).</summary>
    public static Inst* SimdTern(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<Vector128<byte>, Vector128<byte>, Vector128<byte>, Vector128<byte>>)ip->K)(V(fp, ip->B), V(fp, ip->C), V(fp, ip->D)));
        return ip + 1;
    }

    /// <summary>Slot A = op(v128 slot B, i32 slot C) (shifts).</summary>
    public static Inst* SimdShift(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<Vector128<byte>, int, Vector128<byte>>)ip->K)(V(fp, ip->B), *(int*)(fp + ip->C)));
        return ip + 1;
    }

    /// <summary>i32 slot A = op(v128 slot B) (any_true, all_true, bitmask).</summary>
    public static Inst* SimdTest(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        *(int*)(fp + ip->A) = ((delegate*<Vector128<byte>, int>)ip->K)(V(fp, ip->B));
        return ip + 1;
    }

    /// <summary>Slot A = splat(slot B).</summary>
    public static Inst* SimdSplat<T>(Inst* ip, ref Machine m) where T : unmanaged
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<T, Vector128<byte>>)ip->K)(*(T*)(fp + ip->B)));
        return ip + 1;
    }

    /// <summary>Slot A = lane C of v128 slot B.</summary>
    public static Inst* SimdExtract<T>(Inst* ip, ref Machine m) where T : unmanaged
    {
        ulong* fp = m.Fp;
        T r = ((delegate*<Vector128<byte>, int, T>)ip->K)(V(fp, ip->B), ip->C);
        fp[ip->A] = 0;
        *(T*)(fp + ip->A) = r;
        return ip + 1;
    }

    /// <summary>Slot A = v128 slot B with lane D replaced by slot C.</summary>
    public static Inst* SimdReplace<T>(Inst* ip, ref Machine m) where T : unmanaged
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<Vector128<byte>, T, int, Vector128<byte>>)ip->K)(V(fp, ip->B), *(T*)(fp + ip->C), ip->D));
        return ip + 1;
    }

    /// <summary>Slot A = pointer to D bytes at memory C, address slot B (32-bit) + offset K; traps when out of bounds.</summary>
    public static Inst* SimdAddress32(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        ulong ea = *(uint*)(fp + ip->B) + (ulong)ip->K;
        *(byte**)(fp + ip->A) = m.Instance.Memories[ip->C].Ptr(ea, (ulong)ip->D);
        return ip + 1;
    }

    /// <summary>As <see cref="SimdAddress32"/> with a 64-bit address.</summary>
    public static Inst* SimdAddress64(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        ulong ea = Memory.EffectiveAddress(fp[ip->B], (ulong)ip->K);
        *(byte**)(fp + ip->A) = m.Instance.Memories[ip->C].Ptr(ea, (ulong)ip->D);
        return ip + 1;
    }

    /// <summary>Slot A = load(pointer in slot B).</summary>
    public static Inst* SimdLoad(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<byte*, Vector128<byte>>)ip->K)(*(byte**)(fp + ip->B)));
        return ip + 1;
    }

    /// <summary>Slot A = load lane D at pointer slot B into v128 slot C.</summary>
    public static Inst* SimdLoadLane(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        PutV(fp, ip->A, ((delegate*<byte*, Vector128<byte>, int, Vector128<byte>>)ip->K)(*(byte**)(fp + ip->B), V(fp, ip->C), ip->D));
        return ip + 1;
    }

    /// <summary>Store v128 slot A at the pointer in slot B.</summary>
    public static Inst* SimdStore(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        ((delegate*<byte*, Vector128<byte>, void>)ip->K)(*(byte**)(fp + ip->B), V(fp, ip->A));
        return ip + 1;
    }

    /// <summary>Store lane C of v128 slot A at the pointer in slot B.</summary>
    public static Inst* SimdStoreLane(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        ((delegate*<byte*, Vector128<byte>, int, void>)ip->K)(*(byte**)(fp + ip->B), V(fp, ip->A), ip->C);
        return ip + 1;
    }
}
