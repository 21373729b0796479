using System.Runtime.CompilerServices;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// Atomic handlers. B is the slot holding the effective address (from <see cref="AtomicAddress"/>),
/// C the memory index; results are written zero-extended to the full slot.
/// </summary>
internal static unsafe partial class Handlers
{
    /// <summary>atomic.fence.</summary>
    public static Inst* AtomicFence(Inst* ip, ref Machine m)
    {
        Interlocked.MemoryBarrier();
        return ip + 1;
    }

    /// <summary>Slot A = effective address of address slot B (64-bit when D != 0) + offset K.</summary>
    public static Inst* AtomicAddress(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        ulong a = ip->D != 0 ? fp[ip->B] : *(uint*)(fp + ip->B);
        fp[ip->A] = Memory.EffectiveAddress(a, (ulong)ip->K);
        return ip + 1;
    }

    /// <summary>An operand of <paramref name="size"/> bytes from a slot (i32 slots have undefined high bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Operand(ulong* fp, int slot, int size) => size switch
    {
        1 => *(byte*)(fp + slot),
        2 => *(ushort*)(fp + slot),
        4 => *(uint*)(fp + slot),
        _ => fp[slot],
    };

    /// <summary>Slot A = atomic load of K bytes.</summary>
    public static Inst* AtomicLoad(Inst* ip, ref Machine m)
    {
        var mem = m.Instance.Memories[ip->C];
        ulong ea = m.Fp[ip->B];
        m.Fp[ip->A] = (int)ip->K switch
        {
            1 => mem.AtomicLoad8(ea),
            2 => mem.AtomicLoad16(ea),
            4 => mem.AtomicLoad32(ea),
            _ => mem.AtomicLoad64(ea),
        };
        return ip + 1;
    }

    /// <summary>Atomic store of K bytes of slot A.</summary>
    public static Inst* AtomicStore(Inst* ip, ref Machine m)
    {
        var mem = m.Instance.Memories[ip->C];
        ulong* fp = m.Fp;
        ulong ea = fp[ip->B];
        switch ((int)ip->K)
        {
            case 1: mem.AtomicStore8(ea, *(byte*)(fp + ip->A)); break;
            case 2: mem.AtomicStore16(ea, *(ushort*)(fp + ip->A)); break;
            case 4: mem.AtomicStore32(ea, *(uint*)(fp + ip->A)); break;
            default: mem.AtomicStore64(ea, fp[ip->A]); break;
        }
        return ip + 1;
    }

    /// <summary>Slot A = atomic read-modify-write (K = size | operation &lt;&lt; 8) with operand slot D.</summary>
    public static Inst* AtomicRmw(Inst* ip, ref Machine m)
    {
        var mem = m.Instance.Memories[ip->C];
        ulong* fp = m.Fp;
        ulong ea = fp[ip->B];
        int size = (int)(ip->K & 0xFF);
        var op = (AtomicRmwOp)(ip->K >> 8);
        ulong v = Operand(fp, ip->D, size);
        fp[ip->A] = size switch
        {
            1 => mem.AtomicRmw8(op, ea, (byte)v),
            2 => mem.AtomicRmw16(op, ea, (ushort)v),
            4 => mem.AtomicRmw32(op, ea, (uint)v),
            _ => mem.AtomicRmw64(op, ea, v),
        };
        return ip + 1;
    }

    /// <summary>Slot A = atomic compare-exchange (K = size | replacement slot &lt;&lt; 8) with expected slot D.</summary>
    public static Inst* AtomicCmpxchg(Inst* ip, ref Machine m)
    {
        var mem = m.Instance.Memories[ip->C];
        ulong* fp = m.Fp;
        ulong ea = fp[ip->B];
        int size = (int)(ip->K & 0xFF);
        ulong expected = Operand(fp, ip->D, size);
        ulong replacement = Operand(fp, (int)(ip->K >> 8), size);
        fp[ip->A] = size switch
        {
            1 => mem.AtomicCmpxchg8(ea, (byte)expected, (byte)replacement),
            2 => mem.AtomicCmpxchg16(ea, (ushort)expected, (ushort)replacement),
            4 => mem.AtomicCmpxchg32(ea, (uint)expected, (uint)replacement),
            _ => mem.AtomicCmpxchg64(ea, expected, replacement),
        };
        return ip + 1;
    }

    /// <summary>Slot A = memory.atomic.notify with count slot D.</summary>
    public static Inst* AtomicNotify(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        fp[ip->A] = m.Instance.Memories[ip->C].Notify(fp[ip->B], *(uint*)(fp + ip->D));
        return ip + 1;
    }

    /// <summary>Slot A = memory.atomic.wait32 with expected slot D and timeout slot K.</summary>
    public static Inst* AtomicWait32(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        fp[ip->A] = (uint)m.Instance.Memories[ip->C].Wait32(fp[ip->B], *(uint*)(fp + ip->D), *(long*)(fp + (int)ip->K));
        return ip + 1;
    }

    /// <summary>Slot A = memory.atomic.wait64 with expected slot D and timeout slot K.</summary>
    public static Inst* AtomicWait64(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        fp[ip->A] = (uint)m.Instance.Memories[ip->C].Wait64(fp[ip->B], fp[ip->D], *(long*)(fp + (int)ip->K));
        return ip + 1;
    }
}
