using System.Buffers.Binary;
using WasmKiln.Runtime;
using static WasmKiln.Wasi.GuestMemory;

namespace WasmKiln.Wasi;

internal sealed partial class WasiContext
{
    private const int SubscriptionSize = 48, EventSize = 32;

    /// <summary>
    /// poll_oneoff. File and stream descriptors are always ready (regular files per the
    /// specification; standard streams are reported ready, a following read or write may block).
    /// When some descriptor subscription is ready (or fails), those events are returned at once;
    /// otherwise the call sleeps until the earliest clock subscription expires and returns every
    /// clock subscription that has expired by then.
    /// </summary>
    public int PollOneoff(Memory? m, int inPtr, int outPtr, int nsubscriptions, int neventsPtr)
    {
        uint n = (uint)nsubscriptions;
        if (n == 0) return Errno.Inval;
        if (n > int.MaxValue / SubscriptionSize) return Errno.Fault;
        if (!TrySpan(m, (uint)inPtr, n * SubscriptionSize, out var subs)) return Errno.Fault;
        if (!TrySpan(m, (uint)outPtr, n * EventSize, out var events) || !InBounds(m, (uint)neventsPtr, 4)) return Errno.Fault;

        ulong now = MonotonicNow();
        ulong earliest = ulong.MaxValue;
        Span<ulong> deadlines = n <= 32 ? stackalloc ulong[32] : new ulong[n];
        int nevents = 0;
        // Pass 1: descriptor subscriptions and invalid ones produce events now; clocks get deadlines.
        for (int i = 0; i < (int)n; i++)
        {
            var sub = subs.Slice(i * SubscriptionSize, SubscriptionSize);
            ulong userdata = BinaryPrimitives.ReadUInt64LittleEndian(sub);
            byte tag = sub[8];
            deadlines[i] = ulong.MaxValue;
            switch (tag)
            {
                case WasiFlags.EventClock:
                {
                    int err = ClockDeadline(sub, now, out ulong deadline);
                    if (err != Errno.Success) WriteEvent(events, nevents++, userdata, err, tag, 0);
                    else
                    {
                        deadlines[i] = deadline;
                        if (deadline < earliest) earliest = deadline;
                    }
                    break;
                }
                case WasiFlags.EventFdRead:
                case WasiFlags.EventFdWrite:
                {
                    int fd = BinaryPrimitives.ReadInt32LittleEndian(sub.Slice(16));
                    int err = FdReadiness(Get(fd), tag, out ulong nbytes);
                    WriteEvent(events, nevents++, userdata, err, tag, nbytes);
                    break;
                }
                default:
                    WriteEvent(events, nevents++, userdata, Errno.Inval, tag, 0);
                    break;
            }
        }

        if (nevents == 0)
        {
            // Only clocks: wait for the earliest, then report every clock that has expired.
            SleepUntil(earliest);
            now = MonotonicNow();
            for (int i = 0; i < (int)n; i++)
            {
                if (deadlines[i] > now && deadlines[i] != earliest) continue;
                var sub = subs.Slice(i * SubscriptionSize, SubscriptionSize);
                WriteEvent(events, nevents++, BinaryPrimitives.ReadUInt64LittleEndian(sub), Errno.Success, WasiFlags.EventClock, 0);
            }
        }
        WriteU32(m, (uint)neventsPtr, (uint)nevents);
        return Errno.Success;
    }

    /// <summary>Readiness of a descriptor for an fd_read or fd_write subscription: the event's errno and nbytes.</summary>
    private static int FdReadiness(WasiFd? e, byte tag, out ulong nbytes)
    {
        nbytes = 0;
        if (e == null) return Errno.BadF;
        if (e.Kind == FdKind.Directory) return Errno.BadF;
        if (!e.Has(Rights.PollFdReadwrite)) return Errno.NotCapable;
        if (!e.Has(tag == WasiFlags.EventFdRead ? Rights.FdRead : Rights.FdWrite)) return Errno.BadF;
        if (e.Kind == FdKind.File && tag == WasiFlags.EventFdRead)
        {
            try
            {
                long len = RandomAccess.GetLength(e.File!.SafeFileHandle);
                nbytes = len > e.Position ? (ulong)(len - e.Position) : 0;
            }
            catch (IOException ex) { return WasiErrors.FromException(ex); }
        }
        return Errno.Success;
    }

    /// <summary>The monotonic deadline of a clock subscription (clock id at 16, timeout at 24, flags at 40).</summary>
    private int ClockDeadline(ReadOnlySpan<byte> sub, ulong now, out ulong deadline)
    {
        deadline = 0;
        int id = BinaryPrimitives.ReadInt32LittleEndian(sub.Slice(16));
        ulong timeout = BinaryPrimitives.ReadUInt64LittleEndian(sub.Slice(24));
        int flags = BinaryPrimitives.ReadUInt16LittleEndian(sub.Slice(40));
        if (!TryReadClock(id, out ulong clockNow)) return Errno.Inval;
        ulong remaining = (flags & WasiFlags.SubscriptionClockAbstime) != 0 ? (timeout > clockNow ? timeout - clockNow : 0) : timeout;
        deadline = remaining > ulong.MaxValue - now ? ulong.MaxValue : now + remaining;
        return Errno.Success;
    }

    private static void SleepUntil(ulong deadline)
    {
        while (true)
        {
            ulong now = MonotonicNow();
            if (now >= deadline) return;
            ulong remaining = deadline - now;
            if (remaining >= 2_000_000) Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(remaining / 1_000_000 - 1, int.MaxValue)));
            else Thread.Yield();
        }
    }

    private static void WriteEvent(Span<byte> events, int index, ulong userdata, int error, byte type, ulong nbytes)
    {
        var ev = events.Slice(index * EventSize, EventSize);
        ev.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(ev, userdata);
        BinaryPrimitives.WriteUInt16LittleEndian(ev.Slice(8), (ushort)error);
        ev[10] = type;
        BinaryPrimitives.WriteUInt64LittleEndian(ev.Slice(16), nbytes);
    }
}
