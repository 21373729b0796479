using System.Diagnostics;

namespace WasmKiln.Runtime;

/// <summary>
/// The threads waiting in <c>memory.atomic.wait</c> on one shared memory, in a FIFO queue per
/// address. Lock order: the table's lock, then a waiter's monitor (never the reverse).
/// </summary>
internal sealed unsafe class WaiterTable
{
    private sealed class Waiter
    {
        public bool Notified;
        public LinkedListNode<Waiter>? Node;
    }

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, LinkedList<Waiter>> _queues = [];

    /// <summary>
    /// Compares the <paramref name="width"/>-byte value at <paramref name="p"/> (address
    /// <paramref name="ea"/>) with <paramref name="expected"/> and, when equal, waits for a notify
    /// or the timeout. Returns 0 (woken), 1 (not equal) or 2 (timed out).
    /// </summary>
    public int Wait(ulong ea, byte* p, int width, ulong expected, long timeoutNs)
    {
        var waiter = new Waiter();
        lock (_lock)
        {
            ulong current = width == 4 ? Volatile.Read(ref *(uint*)p) : Memory.Load64(p);
            if (current != expected) return Memory.WaitNotEqual;
            if (timeoutNs == 0) return Memory.WaitTimedOut;
            if (!_queues.TryGetValue(ea, out var queue))
                _queues[ea] = queue = new LinkedList<Waiter>();
            waiter.Node = queue.AddLast(waiter);
        }

        long deadline = timeoutNs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + NsToTicks(timeoutNs);
        lock (waiter)
        {
            while (!waiter.Notified)
            {
                if (timeoutNs < 0)
                {
                    Monitor.Wait(waiter);
                    continue;
                }
                long remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0) break;
                // Round up to whole milliseconds so that the timeout is never shortened.
                double ms = Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency);
                Monitor.Wait(waiter, ms >= int.MaxValue ? int.MaxValue : (int)ms);
            }
            if (waiter.Notified) return Memory.WaitOk;
        }

        lock (_lock)
        {
            // A notify may have dequeued the waiter after its timeout expired: it counts as woken.
            if (waiter.Notified) return Memory.WaitOk;
            var node = waiter.Node!;
            var queue = node.List!;
            queue.Remove(node);
            if (queue.Count == 0) _queues.Remove(ea);
            return Memory.WaitTimedOut;
        }
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="ea"/>; returns how many.</summary>
    public uint Notify(ulong ea, uint count)
    {
        lock (_lock)
        {
            if (count == 0 || !_queues.TryGetValue(ea, out var queue)) return 0;
            uint woken = 0;
            while (woken < count && queue.First is { } node)
            {
                queue.RemoveFirst();
                var waiter = node.Value;
                lock (waiter)
                {
                    waiter.Notified = true;
                    Monitor.Pulse(waiter);
                }
                woken++;
            }
            if (queue.Count == 0) _queues.Remove(ea);
            return woken;
        }
    }

    /// <summary>Number of threads waiting on <paramref name="ea"/> (for tests and diagnostics).</summary>
    public int WaiterCount(ulong ea)
    {
        lock (_lock) return _queues.TryGetValue(ea, out var q) ? q.Count : 0;
    }

    private static long NsToTicks(long ns)
    {
        double ticks = ns * (double)Stopwatch.Frequency / 1e9;
        return ticks >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)Math.Ceiling(ticks);
    }
}
