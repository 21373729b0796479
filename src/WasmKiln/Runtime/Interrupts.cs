using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using WasmKiln.Instructions;

namespace WasmKiln.Runtime;

/// <summary>
/// Fuel and interruption state of one store, read by compiled code at function entry and at
/// every loop header (only when the store was created with fuel or interruption enabled).
/// </summary>
/// <remarks>
/// <para><b>Fuel unit:</b> one unit per WebAssembly instruction, charged per straight-line run.
/// A run is a maximal sequence of instructions that executes in order: it ends with the first
/// instruction that opens, splits or closes a block (<c>block</c>, <c>loop</c>, <c>if</c>,
/// <c>else</c>, <c>end</c>, <c>try</c>, <c>try_table</c>, <c>catch</c>, <c>catch_all</c>,
/// <c>delegate</c>) or that branches (<c>br</c>, <c>br_if</c>, <c>br_table</c>,
/// <c>br_on_*</c>, <c>return</c>, <c>return_call*</c>, <c>throw*</c>, <c>rethrow</c>,
/// <c>unreachable</c>); that instruction is counted in the run it ends. The whole run is charged
/// when it starts, so a run that traps half way has still been charged completely. A call's
/// instruction is charged in the caller's run; the callee's instructions in its own runs.</para>
/// <para>Fuel is charged at the start of every run but only <i>checked</i> at function entry and
/// at loop headers, so a computation stops at the first such point after its fuel went below
/// zero, with <see cref="TrapKind.OutOfFuel"/>. The remaining fuel may then be negative (by at
/// most the runs executed since the last check); <see cref="Fuel"/> reports it as 0.</para>
/// <para>Interruption: <see cref="RequestInterrupt"/> (from any thread, directly or through a
/// watched <see cref="CancellationToken"/> or a deadline) sets a flag that compiled code checks
/// at the same points, trapping with <see cref="TrapKind.Interrupted"/>. The flag stays set until
/// <see cref="Reset"/> (or a new <see cref="Watch"/>/<see cref="SetDeadline"/>) clears it, so
/// every call made meanwhile is interrupted too.</para>
/// </remarks>
internal sealed class InterruptState
{
    /// <summary>Whether <paramref name="op"/> ends a straight-line run, the fuel unit described above (both engines charge by it, so fuel counts agree).</summary>
    internal static bool EndsRun(Op op) => op switch
    {
        Op.Block or Op.Loop or Op.If or Op.Else or Op.End or Op.Try or Op.TryTable or Op.Catch or Op.CatchAll or Op.Delegate
            or Op.Br or Op.BrIf or Op.BrTable or Op.BrOnNull or Op.BrOnNonNull or Op.BrOnCast or Op.BrOnCastFail
            or Op.Return or Op.ReturnCall or Op.ReturnCallIndirect or Op.ReturnCallRef
            or Op.Throw or Op.ThrowRef or Op.Rethrow or Op.Unreachable => true,
        _ => false,
    };

    /// <summary>The number of instructions of the run that starts where <paramref name="probe"/> is (a copy of the reader; the instruction that ends the run is counted).</summary>
    internal static long RunLength(InstructionReader probe)
    {
        long n = 0;
        while (!probe.AtEnd)
        {
            probe.Read(out var next);
            n++;
            if (EndsRun(next.Op)) break;
        }
        return n;
    }

    /// <summary>Remaining fuel; compiled code subtracts from it directly. Negative when exhausted.</summary>
    internal long Remaining = long.MaxValue;

    /// <summary>Nonzero when an interrupt was requested; compiled code reads it with volatile semantics.</summary>
    internal volatile int Requested;

    private readonly Lock _gate = new();
    private CancellationTokenRegistration _registration;
    private Timer? _deadline;

    /// <summary>The fuel left (0 when exhausted).</summary>
    public ulong Fuel
    {
        get
        {
            long r = Volatile.Read(ref Remaining);
            return r <= 0 ? 0 : (ulong)r;
        }
    }

    /// <summary>Sets the fuel left to <paramref name="fuel"/> (values above <see cref="long.MaxValue"/> are clamped).</summary>
    public void SetFuel(ulong fuel) => Volatile.Write(ref Remaining, fuel > long.MaxValue ? long.MaxValue : (long)fuel);

    /// <summary>Whether an interrupt is pending.</summary>
    public bool IsInterruptRequested => Requested != 0;

    /// <summary>Requests interruption of the computation running in the store (callable from any thread).</summary>
    public void RequestInterrupt() => Requested = 1;

    /// <summary>
    /// Interrupts when <paramref name="token"/> is cancelled. Replaces any previous token or
    /// deadline and clears a pending request first (an already cancelled token sets it again).
    /// </summary>
    public void Watch(CancellationToken token)
    {
        lock (_gate)
        {
            ClearLocked();
            if (token.CanBeCanceled)
                _registration = token.Register(static s => ((InterruptState)s!).RequestInterrupt(), this);
        }
    }

    /// <summary>
    /// Interrupts once <paramref name="timeout"/> has passed. Replaces any previous token or
    /// deadline and clears a pending request first.
    /// </summary>
    public void SetDeadline(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        lock (_gate)
        {
            ClearLocked();
            _deadline = new Timer(static s => ((InterruptState)s!).RequestInterrupt(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Clears a pending interrupt request and stops watching any token or deadline.</summary>
    public void Reset()
    {
        lock (_gate) ClearLocked();
    }

    private void ClearLocked()
    {
        _registration.Dispose();
        _registration = default;
        _deadline?.Dispose();
        _deadline = null;
        Requested = 0;
    }

    /// <summary>Throws the out-of-fuel trap (called by compiled code on the cold path).</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowOutOfFuel() => throw new TrapException(TrapKind.OutOfFuel);

    /// <summary>Throws the interrupted trap (called by compiled code on the cold path).</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInterrupted() => throw new TrapException(TrapKind.Interrupted);
}
