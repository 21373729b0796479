using System.Runtime.CompilerServices;
using WasmKiln.Engines.Compiler;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

internal static unsafe partial class Handlers
{
    /// <summary>Pointer to <paramref name="size"/> bytes at <paramref name="ea"/> of memory 0 when the cached length says no: re-checks against the memory (it may have grown) and traps when really out of bounds.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* Mem0Slow(ref Machine m, ulong ea, int size)
    {
        var mem = m.Mem0Object;
        if (mem == null) Trap.MemoryOutOfBounds();
        byte* p = mem.Ptr(ea, (ulong)size);
        m.Mem0Len = mem.ByteLength;
        return p;
    }

    /// <summary>Load from memory 0 (32-bit addresses): slot A = load(address), the address as <typeparamref name="TA"/> computes it.</summary>
    public static Inst* Load0<TL, TA>(Inst* ip, ref Machine m) where TL : ILoad where TA : IAddr
    {
        ulong* fp = m.Fp;
        ulong ea = TA.Ea(ip, fp);
        byte* p = ea + (ulong)TL.Size <= m.Mem0Len ? m.Mem0 + ea : Mem0Slow(ref m, ea, TL.Size);
        TL.Load(p, fp + ip->A);
        return ip + 1;
    }

    /// <summary>Store to memory 0 (32-bit addresses): store(address) = slot A.</summary>
    public static Inst* Store0<TS, TA>(Inst* ip, ref Machine m) where TS : IStore where TA : IAddr
    {
        ulong* fp = m.Fp;
        ulong ea = TA.Ea(ip, fp);
        byte* p = ea + (ulong)TS.Size <= m.Mem0Len ? m.Mem0 + ea : Mem0Slow(ref m, ea, TS.Size);
        TS.Store(p, fp + ip->A);
        return ip + 1;
    }

    /// <summary>Store of a constant to memory 0 (32-bit addresses): store(address) = A (sign-extended to 64 bits).</summary>
    public static Inst* Store0Imm<TS, TA>(Inst* ip, ref Machine m) where TS : IStore where TA : IAddr
    {
        ulong ea = TA.Ea(ip, m.Fp);
        byte* p = ea + (ulong)TS.Size <= m.Mem0Len ? m.Mem0 + ea : Mem0Slow(ref m, ea, TS.Size);
        ulong v = (ulong)(long)ip->A;
        TS.Store(p, &v);
        return ip + 1;
    }

    /// <summary>Load from memory C with 32-bit addresses.</summary>
    public static Inst* LoadM32<TL>(Inst* ip, ref Machine m) where TL : ILoad
    {
        ulong* fp = m.Fp;
        ulong ea = *(uint*)(fp + ip->B) + (ulong)ip->K;
        TL.Load(m.Instance.Memories[ip->C].Ptr(ea, (ulong)TL.Size), fp + ip->A);
        return ip + 1;
    }

    /// <summary>Load from memory C with 64-bit addresses.</summary>
    public static Inst* LoadM64<TL>(Inst* ip, ref Machine m) where TL : ILoad
    {
        ulong* fp = m.Fp;
        ulong ea = Memory.EffectiveAddress(fp[ip->B], (ulong)ip->K);
        TL.Load(m.Instance.Memories[ip->C].Ptr(ea, (ulong)TL.Size), fp + ip->A);
        return ip + 1;
    }

    /// <summary>Store to memory C with 32-bit addresses.</summary>
    public static Inst* StoreM32<TS>(Inst* ip, ref Machine m) where TS : IStore
    {
        ulong* fp = m.Fp;
        ulong ea = *(uint*)(fp + ip->B) + (ulong)ip->K;
        TS.Store(m.Instance.Memories[ip->C].Ptr(ea, (ulong)TS.Size), fp + ip->A);
        return ip + 1;
    }

    /// <summary>Store to memory C with 64-bit addresses.</summary>
    public static Inst* StoreM64<TS>(Inst* ip, ref Machine m) where TS : IStore
    {
        ulong* fp = m.Fp;
        ulong ea = Memory.EffectiveAddress(fp[ip->B], (ulong)ip->K);
        TS.Store(m.Instance.Memories[ip->C].Ptr(ea, (ulong)TS.Size), fp + ip->A);
        return ip + 1;
    }

    /// <summary>An address or length operand: 64-bit when <paramref name="is64"/>, else a zero-extended i32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Addr(ulong* fp, int slot, bool is64) => is64 ? fp[slot] : *(uint*)(fp + slot);

    /// <summary>Writes an address-typed result (i64 or i32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutAddr(ulong* fp, int slot, long value, bool is64)
    {
        if (is64) *(long*)(fp + slot) = value;
        else *(int*)(fp + slot) = (int)value;
    }

    /// <summary>memory.size of memory D into slot A (K = 1 for memory64).</summary>
    public static Inst* MemorySize(Inst* ip, ref Machine m)
    {
        PutAddr(m.Fp, ip->A, (long)m.Instance.Memories[ip->D].SizeInPages, ip->K != 0);
        return ip + 1;
    }

    /// <summary>memory.grow of memory D by slot B into slot A (K = 1 for memory64).</summary>
    public static Inst* MemoryGrow(Inst* ip, ref Machine m)
    {
        bool is64 = ip->K != 0;
        long r = m.Instance.Memories[ip->D].Grow(Addr(m.Fp, ip->B, is64));
        PutAddr(m.Fp, ip->A, r, is64);
        m.LoadMemory();
        return ip + 1;
    }

    /// <summary>memory.fill of memory D: destination A, value B, length C (K bit 0: 64-bit).</summary>
    public static Inst* MemoryFill(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        bool is64 = (ip->K & 1) != 0;
        m.Instance.Memories[ip->D].Fill(Addr(fp, ip->A, is64), (byte)*(int*)(fp + ip->B), Addr(fp, ip->C, is64));
        return ip + 1;
    }

    /// <summary>memory.copy from memory K&gt;&gt;32 to memory D: destination A, source B, length C (K bits 0/1/2: 64-bit destination/source/length).</summary>
    public static Inst* MemoryCopy(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        long k = ip->K;
        var mems = m.Instance.Memories;
        Memory.Copy(mems[ip->D], Addr(fp, ip->A, (k & 1) != 0), mems[(int)(k >> 32)], Addr(fp, ip->B, (k & 2) != 0), Addr(fp, ip->C, (k & 4) != 0));
        return ip + 1;
    }

    /// <summary>memory.init of data segment K (low 32 bits) into memory D: destination A, source B, length C (K bit 32: 64-bit destination).</summary>
    public static Inst* MemoryInit(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        long k = ip->K;
        InstanceOps.MemoryInit(m.Instance, (int)(uint)k, m.Instance.Memories[ip->D], Addr(fp, ip->A, (k >> 32) != 0), *(uint*)(fp + ip->B), *(uint*)(fp + ip->C));
        return ip + 1;
    }

    /// <summary>data.drop of segment B.</summary>
    public static Inst* DataDrop(Inst* ip, ref Machine m)
    {
        InstanceOps.DataDrop(m.Instance, ip->B);
        return ip + 1;
    }

    // ---- tables ----

    /// <summary>table.get of table D at index slot B (K = 1: 64-bit) into reference slot A.</summary>
    public static Inst* TableGet(Inst* ip, ref Machine m)
    {
        m.Refs[m.FpIndex + ip->A] = m.Instance.Tables[ip->D].Get(Addr(m.Fp, ip->B, ip->K != 0));
        return ip + 1;
    }

    /// <summary>table.set of table D at index slot A to reference slot B.</summary>
    public static Inst* TableSet(Inst* ip, ref Machine m)
    {
        m.Instance.Tables[ip->D].Set(Addr(m.Fp, ip->A, ip->K != 0), m.Refs[m.FpIndex + ip->B]);
        return ip + 1;
    }

    /// <summary>table.size of table D into slot A.</summary>
    public static Inst* TableSize(Inst* ip, ref Machine m)
    {
        PutAddr(m.Fp, ip->A, (long)m.Instance.Tables[ip->D].Size, ip->K != 0);
        return ip + 1;
    }

    /// <summary>table.grow of table D by slot C with reference slot B into slot A.</summary>
    public static Inst* TableGrow(Inst* ip, ref Machine m)
    {
        bool is64 = ip->K != 0;
        long r = m.Instance.Tables[ip->D].Grow(Addr(m.Fp, ip->C, is64), m.Refs[m.FpIndex + ip->B]);
        PutAddr(m.Fp, ip->A, r, is64);
        return ip + 1;
    }

    /// <summary>table.fill of table D: destination A, reference slot B, length C.</summary>
    public static Inst* TableFill(Inst* ip, ref Machine m)
    {
        bool is64 = ip->K != 0;
        m.Instance.Tables[ip->D].Fill(Addr(m.Fp, ip->A, is64), m.Refs[m.FpIndex + ip->B], Addr(m.Fp, ip->C, is64));
        return ip + 1;
    }

    /// <summary>table.copy from table K&gt;&gt;32 to table D (flags as memory.copy).</summary>
    public static Inst* TableCopy(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        long k = ip->K;
        var tables = m.Instance.Tables;
        Table.Copy(tables[ip->D], Addr(fp, ip->A, (k & 1) != 0), tables[(int)(k >> 32)], Addr(fp, ip->B, (k & 2) != 0), Addr(fp, ip->C, (k & 4) != 0));
        return ip + 1;
    }

    /// <summary>table.init of element segment K (low 32 bits) into table D (K bit 32: 64-bit destination).</summary>
    public static Inst* TableInit(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        long k = ip->K;
        InstanceOps.TableInit(m.Instance, (int)(uint)k, m.Instance.Tables[ip->D], Addr(fp, ip->A, (k >> 32) != 0), *(uint*)(fp + ip->B), *(uint*)(fp + ip->C));
        return ip + 1;
    }

    /// <summary>elem.drop of segment B.</summary>
    public static Inst* ElemDrop(Inst* ip, ref Machine m)
    {
        InstanceOps.ElemDrop(m.Instance, ip->B);
        return ip + 1;
    }
}
