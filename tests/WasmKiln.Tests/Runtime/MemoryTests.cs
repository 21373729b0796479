using System.Runtime.Intrinsics;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Runtime;

public unsafe class MemoryTests
{
    private static TrapKind TrapOf(Action a) => Assert.Throws<TrapException>(a).Kind;

    [Fact]
    public void NewMemoryIsZeroedAndSized()
    {
        using var m = new Memory(2, 5);
        Assert.Equal(2UL, m.SizeInPages);
        Assert.Equal(2 * 65536UL, m.SizeInBytes);
        Assert.Equal(m.SizeInBytes, m.ByteLength);
        Assert.Equal(65536UL, m.PageSize);
        Assert.Equal(5UL, m.CapacityPages);
        Assert.True(m.GetSpan(0, 65536).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(m.GetSpan(65536, 65536).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void AccessesAreBoundsChecked()
    {
        using var m = new Memory(1);
        m.WriteInt32(65532, 0x11223344);
        Assert.Equal(0x11223344, m.ReadInt32(65532));
        Assert.Equal((byte)0x44, m.ReadByte(65532));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadInt32(65533)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.WriteInt64(65529, 1)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadByte(65536)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadInt64(ulong.MaxValue - 3)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Ptr(ulong.MaxValue, 2)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.GetSpan(65000, 1000)));
        // A zero-length access at the very end is in bounds.
        Assert.Equal(0, m.GetSpan(65536, 0).Length);
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.GetSpan(65537, 0)));
    }

    [Fact]
    public void EffectiveAddressOverflowTraps()
    {
        Assert.Equal(10UL, Memory.EffectiveAddress(4, 6));
        Assert.Equal(ulong.MaxValue, Memory.EffectiveAddress(ulong.MaxValue, 0));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => Memory.EffectiveAddress(ulong.MaxValue, 1)));
    }

    [Fact]
    public void ValuesAreLittleEndianAndBitExact()
    {
        using var m = new Memory(1);
        m.WriteInt64(8, 0x0102030405060708);
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, m.GetSpan(8, 8).ToArray());
        Assert.Equal((short)0x0708, m.ReadInt16(8));
        float nan = SingleFromBits(0x7FA00001); // signalling NaN with a payload
        m.WriteSingle(100, nan);
        Assert.Equal(0x7FA00001, m.ReadInt32(100));
        Assert.Equal(0x7FA00001, BitConverter.SingleToInt32Bits(m.ReadSingle(100)));
        double dnan = DoubleFromBits(unchecked((long)0xFFF4000000000123));
        m.WriteDouble(200, dnan);
        Assert.Equal(unchecked((long)0xFFF4000000000123), m.ReadInt64(200));
        Assert.Equal(unchecked((long)0xFFF4000000000123), BitConverter.DoubleToInt64Bits(m.ReadDouble(200)));
        var v = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        m.WriteVector128(300, v);
        Assert.Equal(v, m.ReadVector128(300));
        Assert.Equal((byte)15, m.ReadByte(315));
        var w = m.LoadV128(300);
        Assert.Equal(0x0706050403020100UL, w.Lo);
        Assert.Equal(0x0F0E0D0C0B0A0908UL, w.Hi);
        m.StoreV128(400, new V128(1, 2));
        Assert.Equal(2L, m.ReadInt64(408));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.LoadV128(65521)));
        Span<byte> buf = stackalloc byte[4];
        m.Read(8, buf);
        Assert.Equal(new byte[] { 8, 7, 6, 5 }, buf.ToArray());
        m.Write(65534, [0xAA, 0xBB]);
        Assert.Equal(unchecked((short)0xBBAA), m.ReadInt16(65534));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Write(65535, [1, 2])));
    }

    // Not inlined: the JIT folds constant float conversions through double, which would quiet
    // a signalling NaN before it reaches the code under test.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float SingleFromBits(int bits) => BitConverter.Int32BitsToSingle(bits);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double DoubleFromBits(long bits) => BitConverter.Int64BitsToDouble(bits);

    [Fact]
    public void GrowFollowsTheSpec()
    {
        using var m = new Memory(1, 4);
        byte* baseBefore = m.Base;
        m.WriteByte(65535, 7);
        Assert.Equal(1L, m.Grow(0));
        Assert.Equal(1L, m.Grow(2));
        Assert.Equal(3UL, m.SizeInPages);
        Assert.True(m.Base == baseBefore, "the base address must not move");
        Assert.Equal((byte)7, m.ReadByte(65535));
        Assert.True(m.GetSpan(65536, 2 * 65536).IndexOfAnyExcept((byte)0) < 0, "new pages are zero");
        m.WriteInt32(3 * 65536 - 4, -1);
        Assert.Equal(-1L, m.Grow(2));              // beyond the maximum
        Assert.Equal(-1L, m.Grow(ulong.MaxValue)); // overflowing delta
        Assert.Equal(3L, m.Grow(1));
        Assert.Equal(-1L, m.Grow(1));
        Assert.Equal(4L, m.Grow(0));
        Assert.Equal(4 * 65536UL, m.ByteLength);
    }

    [Fact]
    public void MemoryWithoutMaximumGrowsToTheHostLimit()
    {
        using var m = new Memory(0, null, hostMaxPages: 3);
        Assert.Equal(0UL, m.SizeInBytes);
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadByte(0)));
        Assert.Equal(0L, m.Grow(1));
        Assert.Equal(1L, m.Grow(2));
        Assert.Equal(-1L, m.Grow(1));
        m.WriteByte(3 * 65536 - 1, 1);
        Assert.Equal(3UL, m.SizeInPages);
    }

    [Fact]
    public void DefaultMemoryCanReachFourGiB()
    {
        using var m = new Memory(0);
        Assert.Equal(65536UL, m.CapacityPages);
        Assert.Equal(0L, m.Grow(65536));
        Assert.Equal(-1L, m.Grow(1));
        m.WriteInt32(0xFFFF_FFFC, 42);
        Assert.Equal(42, m.ReadInt32(0xFFFF_FFFC));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadInt32(0xFFFF_FFFD)));
    }

    [Fact]
    public void Memory64AddressesBeyondFourGiBAndHostLimit()
    {
        using var m = new Memory(1, 1UL << 48, is64Bit: true, hostMaxPages: 65536 + 2);
        Assert.True(m.Is64Bit);
        Assert.Equal(65538UL, m.CapacityPages);
        Assert.Equal(1L, m.Grow(65536));
        ulong high = 65537UL * 65536 - 8;  // above 4 GiB
        m.WriteInt64(high, long.MinValue);
        Assert.Equal(long.MinValue, m.ReadInt64(high));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadInt64(high + 1)));
        Assert.Equal(-1L, m.Grow(2));             // beyond the host limit, below the declared maximum
        Assert.Equal(65537L, m.Grow(1));
        Assert.Equal(-1L, m.Grow(1));
        Assert.Equal(-1L, m.Grow(1UL << 47));
    }

    [Fact]
    public void Memory64TypeAllowsTwoToThe48Pages()
    {
        Assert.Throws<WasmException>(() => new Memory(0, (1UL << 48) + 1, is64Bit: true));
        Assert.Throws<WasmException>(() => new Memory(0, 65537));
        Assert.Throws<WasmException>(() => new Memory(65537));
        Assert.Throws<WasmException>(() => new Memory(3, 2));
        Assert.Throws<WasmException>(() => new Memory(1, null, shared: true));
        var e = Assert.Throws<WasmException>(() => new Memory(10, null, hostMaxPages: 5));
        Assert.Contains("host limit", e.Message);
    }

    [Fact]
    public void CustomPageSizeOfOneByte()
    {
        using var m = new Memory(new MemoryType(new Limits(3, 10), 0));
        Assert.Equal(1UL, m.PageSize);
        Assert.Equal(3UL, m.SizeInBytes);
        m.WriteByte(2, 9);
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadInt32(0)));
        Assert.Equal(3L, m.Grow(5));
        Assert.Equal(8UL, m.SizeInBytes);
        Assert.Equal(0x0009_0000, m.ReadInt32(0) & 0x00FF_0000);
        Assert.Equal(0, m.ReadInt32(4));
        Assert.Equal(-1L, m.Grow(3));
    }

    [Fact]
    public void FillCopyAndInit()
    {
        using var m = new Memory(1);
        m.Fill(10, 0xAB, 5);
        Assert.Equal(new byte[] { 0, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0 }, m.GetSpan(9, 7).ToArray());
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Fill(65530, 1, 7)));
        Assert.Equal((byte)0, m.ReadByte(65530)); // nothing written by the trapping fill
        m.Fill(65536, 1, 0);                       // empty at the end: fine
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Fill(65537, 1, 0)));

        for (int i = 0; i < 8; i++) m.WriteByte((ulong)(100 + i), (byte)(i + 1));
        m.Copy(102, 100, 6);                       // overlapping, forward
        Assert.Equal(new byte[] { 1, 2, 1, 2, 3, 4, 5, 6 }, m.GetSpan(100, 8).ToArray());
        m.Copy(100, 102, 6);                       // overlapping, backward
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 5, 6 }, m.GetSpan(100, 8).ToArray());
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Copy(65530, 100, 7)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Copy(100, 65530, 7)));
        Assert.Equal((byte)0, m.ReadByte(65530));

        using var other = new Memory(1);
        Memory.Copy(other, 0, m, 100, 4);
        Assert.Equal(0x04030201, other.ReadInt32(0));

        byte[] data = [10, 20, 30, 40];
        m.Init(500, data, 1, 3);
        Assert.Equal(new byte[] { 20, 30, 40 }, m.GetSpan(500, 3).ToArray());
        m.Init(65536, data, 4, 0);                 // both ranges empty at their ends
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Init(0, data, 5, 0)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Init(0, data, 2, 3)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Init(65535, data, 0, 2)));
    }

    [Fact]
    public void AccessGivesAScopedSpanWithoutCopying()
    {
        using var m = new Memory(1);
        m.Access(100, 4, 0x2A, static (span, v) => span[3] = (byte)v);
        Assert.Equal(0x2A000000, m.ReadInt32(100));
        int sum = 0;
        m.Access(100, 4, 0, (span, _) => { foreach (var b in span) sum += b; });
        Assert.Equal(0x2A, sum);
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Access(65535, 2, 0, static (_, _) => { })));
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => m.Access(0, 1, 0, static (_, _) => { }));
    }

    [Fact]
    public void DisposeWaitsForARunningAccess()
    {
        var m = new Memory(1);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int seen = 0;
        var t = new TestThread(() => m.Access(0, 4, 0, (span, _) =>
        {
            inside.Set();
            release.Wait();
            span[0] = 7;             // still valid: Dispose has not released the bytes yet
            seen = span[0];
        }));
        inside.Wait();
        m.Dispose();                 // marks the memory disposed; the release is deferred
        Assert.Equal(0UL, m.SizeInBytes);
        release.Set();
        t.Join(TimeSpan.FromSeconds(10));
        Assert.Equal(7, seen);
    }

    [Fact]
    public void DisposeReleasesAndLaterAccessesFailSafely()
    {
        var m = new Memory(1, 2);
        m.WriteInt32(0, 5);
        m.Dispose();
        m.Dispose(); // idempotent
        Assert.Equal(0UL, m.ByteLength);
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.Ptr(0, 4)));
        Assert.Equal(-1L, m.Grow(1));
        Assert.Throws<ObjectDisposedException>(() => m.ReadInt32(0));
        Assert.Throws<ObjectDisposedException>(() => m.WriteInt32(0, 1));
    }

    [Fact]
    public void DisposeRacingHostAccessesNeverTouchesReleasedMemory()
    {
        for (int round = 0; round < 50; round++)
        {
            var m = new Memory(1);
            m.WriteInt32(0, 42);
            int reads = 0;
            var reader = new TestThread(() =>
            {
                try
                {
                    while (true)
                    {
                        Assert.Equal(42, m.ReadInt32(0));
                        reads++;
                    }
                }
                catch (ObjectDisposedException) { }
                catch (TrapException e) when (e.Kind == TrapKind.MemoryOutOfBounds) { }
            });
            Thread.Sleep(1);
            m.Dispose();
            reader.Join(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void ManyLargeReservationsCanBeCreatedAndReleased()
    {
        // Each memory reserves 4 GiB of address space but commits only what it uses.
        for (int i = 0; i < 200; i++)
        {
            using var m = new Memory(1);
            m.WriteInt32(0, i);
            Assert.Equal(i, m.ReadInt32(0));
        }
    }

    [Fact]
    public void UndisposedMemoriesAreReclaimedByFinalizers()
    {
        // More 4 GiB reservations than the address space (or the OS mapping limit) holds at
        // once: creation succeeds because unreachable memories are finalized on demand.
        for (int i = 0; i < 40_000; i++)
        {
            var m = new Memory(1);
            m.WriteByte(0, 1);
            Assert.Equal(65536UL, m.CapacityPages);
        }
    }

    [Fact]
    public void EmptyCapacityMemoryWorks()
    {
        using var m = new Memory(0, 0);
        Assert.Equal(0UL, m.SizeInBytes);
        Assert.Equal(0L, m.Grow(0));
        Assert.Equal(-1L, m.Grow(1));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => m.ReadByte(0)));
    }
}
