using System.Runtime.CompilerServices;

namespace WasmKiln.Runtime;

/// <summary>The read-modify-write operation of an atomic <c>rmw</c> instruction.</summary>
internal enum AtomicRmwOp : byte { Add, Sub, And, Or, Xor, Xchg }

/// <summary>Atomic accesses and wait/notify (threads proposal). All are sequentially consistent.</summary>
public sealed unsafe partial class Memory
{
    /// <summary>Result of <c>memory.atomic.wait</c>: woken by a notify.</summary>
    internal const int WaitOk = 0;
    /// <summary>Result of <c>memory.atomic.wait</c>: the loaded value differed from the expected one.</summary>
    internal const int WaitNotEqual = 1;
    /// <summary>Result of <c>memory.atomic.wait</c>: the timeout expired.</summary>
    internal const int WaitTimedOut = 2;

    /// <summary>
    /// Pointer for an atomic access of <paramref name="size"/> bytes: traps "unaligned atomic"
    /// when <paramref name="ea"/> is not a multiple of the size, then checks bounds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* AtomicPtr(ulong ea, uint size)
    {
        if ((ea & (size - 1)) != 0) Trap.UnalignedAtomic();
        return Ptr(ea, size);
    }

    /// <summary>Atomic 8-bit load.</summary>
    internal byte AtomicLoad8(ulong ea) => Volatile.Read(ref *AtomicPtr(ea, 1));

    /// <summary>Atomic 16-bit load.</summary>
    internal ushort AtomicLoad16(ulong ea) => Volatile.Read(ref *(ushort*)AtomicPtr(ea, 2));

    /// <summary>Atomic 32-bit load.</summary>
    internal uint AtomicLoad32(ulong ea) => Volatile.Read(ref *(uint*)AtomicPtr(ea, 4));

    /// <summary>Atomic 64-bit load.</summary>
    internal ulong AtomicLoad64(ulong ea) => Load64(AtomicPtr(ea, 8));

    /// <summary>Atomic 8-bit store.</summary>
    internal void AtomicStore8(ulong ea, byte value) => Interlocked.Exchange(ref *AtomicPtr(ea, 1), value);

    /// <summary>Atomic 16-bit store.</summary>
    internal void AtomicStore16(ulong ea, ushort value) => Interlocked.Exchange(ref *(ushort*)AtomicPtr(ea, 2), value);

    /// <summary>Atomic 32-bit store.</summary>
    internal void AtomicStore32(ulong ea, uint value) => Interlocked.Exchange(ref *(uint*)AtomicPtr(ea, 4), value);

    /// <summary>Atomic 64-bit store.</summary>
    internal void AtomicStore64(ulong ea, ulong value) => Interlocked.Exchange(ref *(ulong*)AtomicPtr(ea, 8), value);

    /// <summary>Atomic 8-bit read-modify-write; returns the old value.</summary>
    internal byte AtomicRmw8(AtomicRmwOp op, ulong ea, byte operand)
    {
        ref byte cell = ref *AtomicPtr(ea, 1);
        if (op == AtomicRmwOp.Xchg) return Interlocked.Exchange(ref cell, operand);
        byte old = Volatile.Read(ref cell);
        while (true)
        {
            byte seen = Interlocked.CompareExchange(ref cell, (byte)Apply(op, old, operand), old);
            if (seen == old) return old;
            old = seen;
        }
    }

    /// <summary>Atomic 16-bit read-modify-write; returns the old value.</summary>
    internal ushort AtomicRmw16(AtomicRmwOp op, ulong ea, ushort operand)
    {
        ref ushort cell = ref *(ushort*)AtomicPtr(ea, 2);
        if (op == AtomicRmwOp.Xchg) return Interlocked.Exchange(ref cell, operand);
        ushort old = Volatile.Read(ref cell);
        while (true)
        {
            ushort seen = Interlocked.CompareExchange(ref cell, (ushort)Apply(op, old, operand), old);
            if (seen == old) return old;
            old = seen;
        }
    }

    /// <summary>Atomic 32-bit read-modify-write; returns the old value.</summary>
    internal uint AtomicRmw32(AtomicRmwOp op, ulong ea, uint operand)
    {
        ref uint cell = ref *(uint*)AtomicPtr(ea, 4);
        switch (op)
        {
            case AtomicRmwOp.Add: return Interlocked.Add(ref cell, operand) - operand;
            case AtomicRmwOp.Sub: return Interlocked.Add(ref cell, 0u - operand) + operand;
            case AtomicRmwOp.And: return Interlocked.And(ref cell, operand);
            case AtomicRmwOp.Or: return Interlocked.Or(ref cell, operand);
            case AtomicRmwOp.Xchg: return Interlocked.Exchange(ref cell, operand);
        }
        uint old = Volatile.Read(ref cell);
        while (true)
        {
            uint seen = Interlocked.CompareExchange(ref cell, (uint)Apply(op, old, operand), old);
            if (seen == old) return old;
            old = seen;
        }
    }

    /// <summary>Atomic 64-bit read-modify-write; returns the old value.</summary>
    internal ulong AtomicRmw64(AtomicRmwOp op, ulong ea, ulong operand)
    {
        ref ulong cell = ref *(ulong*)AtomicPtr(ea, 8);
        switch (op)
        {
            case AtomicRmwOp.Add: return Interlocked.Add(ref cell, operand) - operand;
            case AtomicRmwOp.Sub: return Interlocked.Add(ref cell, 0UL - operand) + operand;
            case AtomicRmwOp.And: return Interlocked.And(ref cell, operand);
            case AtomicRmwOp.Or: return Interlocked.Or(ref cell, operand);
            case AtomicRmwOp.Xchg: return Interlocked.Exchange(ref cell, operand);
        }
        ulong old = Interlocked.CompareExchange(ref cell, 0, 0);
        while (true)
        {
            ulong seen = Interlocked.CompareExchange(ref cell, Apply(op, old, operand), old);
            if (seen == old) return old;
            old = seen;
        }
    }

    /// <summary>Atomic 8-bit compare-exchange; returns the old value.</summary>
    internal byte AtomicCmpxchg8(ulong ea, byte expected, byte replacement) =>
        Interlocked.CompareExchange(ref *AtomicPtr(ea, 1), replacement, expected);

    /// <summary>Atomic 16-bit compare-exchange; returns the old value.</summary>
    internal ushort AtomicCmpxchg16(ulong ea, ushort expected, ushort replacement) =>
        Interlocked.CompareExchange(ref *(ushort*)AtomicPtr(ea, 2), replacement, expected);

    /// <summary>Atomic 32-bit compare-exchange; returns the old value.</summary>
    internal uint AtomicCmpxchg32(ulong ea, uint expected, uint replacement) =>
        Interlocked.CompareExchange(ref *(uint*)AtomicPtr(ea, 4), replacement, expected);

    /// <summary>Atomic 64-bit compare-exchange; returns the old value.</summary>
    internal ulong AtomicCmpxchg64(ulong ea, ulong expected, ulong replacement) =>
        Interlocked.CompareExchange(ref *(ulong*)AtomicPtr(ea, 8), replacement, expected);

    /// <summary>
    /// <c>memory.atomic.wait32</c>: if the 32-bit value at <paramref name="ea"/> equals
    /// <paramref name="expected"/>, blocks until notified or until <paramref name="timeoutNs"/>
    /// nanoseconds pass (negative: no timeout).
    /// </summary>
    /// <returns>0 when woken, 1 when the value differed, 2 on timeout.</returns>
    /// <exception cref="TrapException">Unaligned, the memory is not shared, or out of bounds (checked in that order).</exception>
    internal int Wait32(ulong ea, uint expected, long timeoutNs)
    {
        // Order of the checks as in the reference interpreter: alignment, sharing, bounds.
        if ((ea & 3) != 0) Trap.UnalignedAtomic();
        if (!IsShared) Trap.ExpectedSharedMemory();
        byte* p = Ptr(ea, 4);
        return Waiters.Wait(ea, p, 4, expected, timeoutNs);
    }

    /// <summary><c>memory.atomic.wait64</c>; see <see cref="Wait32"/>.</summary>
    internal int Wait64(ulong ea, ulong expected, long timeoutNs)
    {
        // Order of the checks as in the reference interpreter: alignment, sharing, bounds.
        if ((ea & 7) != 0) Trap.UnalignedAtomic();
        if (!IsShared) Trap.ExpectedSharedMemory();
        byte* p = Ptr(ea, 8);
        return Waiters.Wait(ea, p, 8, expected, timeoutNs);
    }

    /// <summary>
    /// <c>memory.atomic.notify</c>: wakes up to <paramref name="count"/> threads waiting on
    /// <paramref name="ea"/>, oldest first. Returns how many were woken (always 0 for a memory
    /// that is not shared, on which nobody can wait).
    /// </summary>
    internal uint Notify(ulong ea, uint count)
    {
        AtomicPtr(ea, 4);
        if (!IsShared) return 0;
        var waiters = Volatile.Read(ref _waiters);
        return waiters == null ? 0 : waiters.Notify(ea, count);
    }

    /// <summary>Number of threads waiting on <paramref name="ea"/> (for tests and diagnostics).</summary>
    internal int WaiterCount(ulong ea) => Volatile.Read(ref _waiters)?.WaiterCount(ea) ?? 0;

    private WaiterTable Waiters
    {
        get
        {
            var w = Volatile.Read(ref _waiters);
            if (w != null) return w;
            Interlocked.CompareExchange(ref _waiters, new WaiterTable(), null);
            return _waiters!;
        }
    }

    /// <summary>An atomic 64-bit read of <paramref name="p"/> (8-byte aligned).</summary>
    internal static ulong Load64(byte* p) =>
        Environment.Is64BitProcess ? Volatile.Read(ref *(ulong*)p) : Interlocked.Read(ref *(ulong*)p);

    private static ulong Apply(AtomicRmwOp op, ulong old, ulong operand) => op switch
    {
        AtomicRmwOp.Add => old + operand,
        AtomicRmwOp.Sub => old - operand,
        AtomicRmwOp.And => old & operand,
        AtomicRmwOp.Or => old | operand,
        AtomicRmwOp.Xor => old ^ operand,
        _ => operand,
    };
}
