using System.Runtime.CompilerServices;

namespace WasmKiln.Runtime;

/// <summary>
/// Guards WebAssembly calls against exhausting the .NET stack: engines call <see cref="Enter"/>
/// on function entry and <see cref="Exit"/> on return, and it traps with
/// <see cref="TrapKind.CallStackExhausted"/> before the process's stack would overflow.
/// </summary>
/// <remarks>
/// Two limits apply, whichever comes first: a per-thread call depth (<see cref="MaxDepth"/>,
/// default <see cref="DefaultMaxDepth"/>), which makes exhaustion deterministic, and the real
/// stack: whenever the stack pointer gets lower than the last point checked, by
/// <see cref="CheckInterval"/> bytes, <see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/>
/// is asked whether enough stack remains (it guarantees about 128 KiB on 64-bit hosts, or half of
/// a small thread stack). So every frame between two checks must be smaller than the remaining
/// margin; engines should keep very large frames (thousands of locals) off the stack.
/// <para>The fast path is allocation-free: one thread-static increment, a compare, and a stack
/// address compare.</para>
/// <para>When a trap (or any exception) unwinds through guarded frames without running their
/// <see cref="Exit"/>, the boundary where the host called into WebAssembly must restore the depth:
/// <c>int saved = CallDepthGuard.Depth; try { ... } finally { CallDepthGuard.Depth = saved; }</c>.</para>
/// </remarks>
internal static unsafe class CallDepthGuard
{
    /// <summary>The default maximum call depth per thread: 100,000 nested WebAssembly calls.</summary>
    public const int DefaultMaxDepth = 100_000;

    /// <summary>Bytes of stack consumed between two checks of the real stack.</summary>
    public static readonly nuint CheckInterval = (nuint)(IntPtr.Size == 8 ? 32 * 1024 : 16 * 1024);

    private static int s_maxDepth = DefaultMaxDepth;

    [ThreadStatic] private static int t_depth;
    // Bitwise complement of the lowest stack address known to have enough stack below it (0 on a
    // fresh thread means "none known", so the first call checks).
    [ThreadStatic] private static nuint t_checkedLimitInverted;

    /// <summary>The maximum call depth per thread (process-wide setting; at least 1).</summary>
    public static int MaxDepth
    {
        get => Volatile.Read(ref s_maxDepth);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxDepth, value);
        }
    }

    /// <summary>The current thread's call depth (settable to restore it at a host boundary).</summary>
    public static int Depth
    {
        get => t_depth;
        set => t_depth = value;
    }

    /// <summary>Enters a call; traps when the depth limit or the stack would be exceeded.</summary>
    /// <exception cref="TrapException">Call stack exhausted (the depth is left unchanged).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Enter()
    {
        int depth = t_depth + 1;
        byte marker;
        if (depth > s_maxDepth || (nuint)(&marker) < ~t_checkedLimitInverted)
            EnterSlow(depth, (nuint)(&marker));
        t_depth = depth;
    }

    /// <summary>Leaves a call entered with <see cref="Enter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit() => t_depth--;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EnterSlow(int depth, nuint stackPointer)
    {
        if (depth > s_maxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            Trap.CallStackExhausted();
        // Enough stack below this point: the next check happens CheckInterval bytes deeper.
        nuint limit = stackPointer > CheckInterval ? stackPointer - CheckInterval : 0;
        t_checkedLimitInverted = ~limit;
    }
}
