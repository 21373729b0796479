using System.Diagnostics;
using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Runtime;

public class AtomicsTests
{
    private static TrapKind TrapOf(Action a) => Assert.Throws<TrapException>(a).Kind;

    [Fact]
    public void LoadsAndStoresOfEveryWidth()
    {
        using var m = new Memory(1, 1, shared: true);
        m.AtomicStore64(8, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, m.AtomicLoad64(8));
        Assert.Equal(0x55667788U, m.AtomicLoad32(8));
        Assert.Equal((ushort)0x7788, m.AtomicLoad16(8));
        Assert.Equal((byte)0x88, m.AtomicLoad8(8));
        m.AtomicStore8(9, 0xAA);
        m.AtomicStore16(10, 0xBBCC);
        m.AtomicStore32(12, 0xDDEEFF00);
        Assert.Equal(0xDDEEFF00_BBCCAA88UL, m.AtomicLoad64(8));
    }

    [Fact]
    public void UnalignedAccessesTrapBeforeBounds()
    {
        using var m = new Memory(1, 1, shared: true);
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.AtomicLoad16(1)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.AtomicLoad32(2)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.AtomicLoad64(4)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.AtomicStore32(1, 0)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.AtomicRmw64(AtomicRmwOp.Add, 12, 1)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.AtomicCmpxchg16(3, 0, 0)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.Notify(1, 1)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.Wait32(2, 0, 0)));
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.Wait64(4, 0, 0)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.AtomicLoad32(65536)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.AtomicLoad64(65536)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.AtomicLoad8(65536)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Notify(65536, 1)));
        Assert.Equal((byte)0, m.AtomicLoad8(65535)); // bytes are always aligned
    }

    [Theory]
    [InlineData((int)AtomicRmwOp.Add, 0xF0UL, 0x31UL, 0x21UL)]
    [InlineData((int)AtomicRmwOp.Sub, 0x10UL, 0x20UL, 0xF0UL)]
    [InlineData((int)AtomicRmwOp.And, 0xF0UL, 0x3CUL, 0x30UL)]
    [InlineData((int)AtomicRmwOp.Or, 0xF0UL, 0x0FUL, 0xFFUL)]
    [InlineData((int)AtomicRmwOp.Xor, 0xFFUL, 0x0FUL, 0xF0UL)]
    [InlineData((int)AtomicRmwOp.Xchg, 0x12UL, 0x34UL, 0x34UL)]
    public void ReadModifyWriteOfEveryWidthWrapsAndReturnsTheOldValue(int opCode, ulong initial, ulong operand, ulong result8)
    {
        var op = (AtomicRmwOp)opCode;
        using var m = new Memory(1);
        // 8 bits: neighbours untouched, result wrapped to 8 bits.
        m.WriteInt32(0, unchecked((int)0x5A5A5A00) | (int)initial);
        Assert.Equal((byte)initial, m.AtomicRmw8(op, 0, (byte)operand));
        Assert.Equal((byte)result8, m.ReadByte(0));
        Assert.Equal((byte)0x5A, m.ReadByte(1));

        // 16/32/64 bits: use the value in the top byte so that carries and borrows cross the width.
        ulong Top(int bits, ulong v) => v << (bits - 8);
        ulong Expect(int bits, ulong a, ulong b) => op switch
        {
            AtomicRmwOp.Add => a + b,
            AtomicRmwOp.Sub => a - b,
            AtomicRmwOp.And => a & b,
            AtomicRmwOp.Or => a | b,
            AtomicRmwOp.Xor => a ^ b,
            _ => b,
        } & (bits == 64 ? ulong.MaxValue : (1UL << bits) - 1);

        m.WriteInt64(16, -1);
        m.WriteInt16(16, (short)Top(16, initial));
        Assert.Equal((ushort)Top(16, initial), m.AtomicRmw16(op, 16, (ushort)Top(16, operand)));
        Assert.Equal((ushort)Expect(16, Top(16, initial), Top(16, operand)), (ushort)m.ReadInt16(16));
        Assert.Equal(-1, m.ReadInt16(18));

        m.WriteInt32(32, (int)Top(32, initial));
        Assert.Equal((uint)Top(32, initial), m.AtomicRmw32(op, 32, (uint)Top(32, operand)));
        Assert.Equal((uint)Expect(32, Top(32, initial), Top(32, operand)), (uint)m.ReadInt32(32));

        m.WriteInt64(64, (long)Top(64, initial));
        Assert.Equal(Top(64, initial), m.AtomicRmw64(op, 64, Top(64, operand)));
        Assert.Equal(Expect(64, Top(64, initial), Top(64, operand)), (ulong)m.ReadInt64(64));
    }

    [Fact]
    public void CompareExchangeOfEveryWidth()
    {
        using var m = new Memory(1, 1, shared: true);
        m.WriteInt64(0, 0x0102030405060708);
        Assert.Equal((byte)0x08, m.AtomicCmpxchg8(0, 0x09, 0xFF));   // mismatch: unchanged
        Assert.Equal((byte)0x08, m.ReadByte(0));
        Assert.Equal((byte)0x08, m.AtomicCmpxchg8(0, 0x08, 0xFF));
        Assert.Equal((byte)0xFF, m.ReadByte(0));
        Assert.Equal((ushort)0x0506, m.AtomicCmpxchg16(2, 0x0506, 0xABCD));
        Assert.Equal(0x01020304U, m.AtomicCmpxchg32(4, 0, 1));
        Assert.Equal(0x01020304U, m.AtomicCmpxchg32(4, 0x01020304, 7));
        Assert.Equal(0x00000007_ABCD07FFUL, m.AtomicCmpxchg64(0, 0, 1));
        Assert.Equal(0x00000007_ABCD07FFUL, m.AtomicCmpxchg64(0, 0x00000007_ABCD07FF, ulong.MaxValue));
        Assert.Equal(-1L, m.ReadInt64(0));
    }

    [Fact]
    public void ConcurrentAddsFromTwoThreadsAreNotLost()
    {
        using var m = new Memory(1, 1, shared: true);
        const int n = 200_000;
        void Work()
        {
            for (int i = 0; i < n; i++)
            {
                m.AtomicRmw32(AtomicRmwOp.Add, 0, 1);
                m.AtomicRmw16(AtomicRmwOp.Add, 8, 1);
                m.AtomicRmw64(AtomicRmwOp.Sub, 16, 1);
            }
        }
        var t = new TestThread(Work);
        Work();
        t.Join();
        Assert.Equal(2U * n, m.AtomicLoad32(0));
        Assert.Equal(unchecked((ushort)(2 * n)), m.AtomicLoad16(8));
        Assert.Equal(unchecked(0UL - 2 * n), m.AtomicLoad64(16));
    }

    [Fact]
    public void WaitOnUnsharedMemoryTrapsAndNotifyReturnsZero()
    {
        using var m = new Memory(1);
        Assert.Equal(TrapKind.ExpectedSharedMemory, TrapOf(() => m.Wait32(0, 0, 0)));
        Assert.Equal(TrapKind.ExpectedSharedMemory, TrapOf(() => m.Wait64(0, 0, -1)));
        Assert.Equal(TrapKind.ExpectedSharedMemory, TrapOf(() => m.Wait32(65536, 0, 0)));  // sharing before bounds
        Assert.Equal(TrapKind.UnalignedAtomic, TrapOf(() => m.Wait32(65537, 0, 0)));       // alignment first
        Assert.Equal(0U, m.Notify(0, 10));
    }

    [Fact]
    public void WaitReturnsNotEqualOrTimesOut()
    {
        using var m = new Memory(1, 1, shared: true);
        m.WriteInt64(0, 0xFFFFFFFFFFFF);
        Assert.Equal(Memory.WaitNotEqual, m.Wait32(0, 0, 0));
        Assert.Equal(Memory.WaitNotEqual, m.Wait64(0, 0, -1));
        Assert.Equal(Memory.WaitTimedOut, m.Wait32(0, 0xFFFFFFFF, 0));
        var sw = Stopwatch.StartNew();
        Assert.Equal(Memory.WaitTimedOut, m.Wait64(0, 0xFFFFFFFFFFFF, 30_000_000)); // 30 ms
        Assert.True(sw.ElapsedMilliseconds >= 29, "waited " + sw.ElapsedMilliseconds + " ms");
        Assert.Equal(0, m.WaiterCount(0));
        Assert.Equal(0U, m.Notify(0, 1));
    }

    [Fact]
    public void NotifyWakesAWaitingThread()
    {
        using var m = new Memory(1, 1, shared: true);
        int result = -1;
        var waiter = new TestThread(() => result = m.Wait32(64, 0, -1));
        WaitUntil(() => m.WaiterCount(64) == 1);
        Assert.Equal(0U, m.Notify(68, 1));   // another address wakes nobody
        Assert.Equal(1U, m.Notify(64, 5));
        waiter.Join(TimeSpan.FromSeconds(10));
        Assert.Equal(Memory.WaitOk, result);
        Assert.Equal(0, m.WaiterCount(64));
    }

    [Fact]
    public void NotifyWakesAtMostCountWaitersOldestFirst()
    {
        using var m = new Memory(1, 1, shared: true);
        var results = new int[3];
        var order = new List<int>();
        var threads = new TestThread[3];
        for (int i = 0; i < 3; i++)
        {
            int id = i;
            threads[i] = new TestThread(() =>
            {
                results[id] = m.Wait64(8, 0, 60_000_000_000);
                lock (order) order.Add(id);
            });
            WaitUntil(() => m.WaiterCount(8) == id + 1);
        }
        Assert.Equal(0U, m.Notify(8, 0));
        Assert.Equal(2U, m.Notify(8, 2));
        threads[0].Join(TimeSpan.FromSeconds(10));
        threads[1].Join(TimeSpan.FromSeconds(10));
        Assert.Equal(1, m.WaiterCount(8));
        Assert.True(threads[2].IsAlive);
        Assert.Equal(1U, m.Notify(8, uint.MaxValue));
        threads[2].Join(TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { 0, 0, 0 }, results);
        Assert.Equal(2, order[2]);
    }

    [Fact]
    public void ProducerConsumerWithWaitAndNotify()
    {
        // A classic handshake: the consumer waits while the flag is 0; the producer stores the
        // payload, sets the flag and notifies. Repeated to shake out lost wake-ups.
        using var m = new Memory(1, 1, shared: true);
        const int rounds = 200;
        var consumer = new TestThread(() =>
        {
            for (int r = 1; r <= rounds; r++)
            {
                while (m.AtomicLoad32(0) != (uint)r) m.Wait32(0, (uint)(r - 1), -1);
                Assert.Equal((ulong)r * 3, m.AtomicLoad64(8));
                m.AtomicStore32(4, (uint)r);
                m.Notify(4, 1);
            }
        });
        for (int r = 1; r <= rounds; r++)
        {
            m.AtomicStore64(8, (ulong)r * 3);
            m.AtomicStore32(0, (uint)r);
            m.Notify(0, 1);
            while (m.AtomicLoad32(4) != (uint)r) m.Wait32(4, (uint)(r - 1), -1);
        }
        consumer.Join(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void TimeoutsRacingNotifiesNeverLoseOrInventWakeUps()
    {
        // Waiters with tiny timeouts race a notifier: every wake-up the notifier reports must be
        // seen by exactly one waiter as "ok", and the others must time out.
        using var m = new Memory(1, 1, shared: true);
        const int perThread = 300;
        int ok = 0, timedOut = 0;
        long notified = 0;
        bool done = false;
        var waiters = new TestThread[2];
        for (int t = 0; t < waiters.Length; t++)
        {
            waiters[t] = new TestThread(() =>
            {
                for (int i = 0; i < perThread; i++)
                {
                    int r = m.Wait32(0, 0, (i % 3) * 100_000);   // 0, 0.1 or 0.2 ms
                    if (r == Memory.WaitOk) Interlocked.Increment(ref ok);
                    else if (r == Memory.WaitTimedOut) Interlocked.Increment(ref timedOut);
                    else throw new InvalidOperationException("unexpected wait result " + r);
                }
            });
        }
        var notifier = new TestThread(() =>
        {
            while (!Volatile.Read(ref done)) Interlocked.Add(ref notified, m.Notify(0, 1));
        });
        foreach (var w in waiters) w.Join(TimeSpan.FromSeconds(60));
        Volatile.Write(ref done, true);
        notifier.Join(TimeSpan.FromSeconds(10));
        Assert.Equal(2 * perThread, ok + timedOut);
        Assert.Equal(notified, (long)ok);
        Assert.Equal(0, m.WaiterCount(0));
    }

    [Fact]
    public void ConcurrentGrowsOfASharedMemoryEachGetTheirOwnPages()
    {
        using var m = new Memory(0, 100, shared: true);
        var results = new long[2][];
        var threads = new TestThread[2];
        for (int t = 0; t < 2; t++)
        {
            int id = t;
            results[id] = new long[60];
            threads[t] = new TestThread(() =>
            {
                for (int i = 0; i < 60; i++)
                {
                    long old = m.Grow(1);
                    results[id][i] = old;
                    if (old >= 0) m.AtomicStore32((ulong)old * 65536, (uint)old + 1); // the new page is usable at once
                }
            });
        }
        foreach (var t in threads) t.Join(TimeSpan.FromSeconds(30));
        var olds = new List<long>();
        foreach (var r in results) foreach (var v in r) if (v >= 0) olds.Add(v);
        olds.Sort();
        Assert.Equal(100, olds.Count);               // 120 attempts, 100 pages: 20 failed with -1
        for (int i = 0; i < 100; i++) Assert.Equal(i, olds[i]);
        Assert.Equal(100UL, m.SizeInPages);
        for (uint p = 0; p < 100; p++) Assert.Equal(p + 1, m.AtomicLoad32(p * 65536UL));
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException("condition not reached");
            Thread.Sleep(1);
        }
    }
}
