using System.Runtime.CompilerServices;

namespace WasmKiln.Runtime;

/// <summary>
/// Guards WebAssembly calls against exhausting the .NET stack: engines call
/// <see cref="CallStack.Enter"/> on function entry and <see cref="CallStack.Exit"/> on return,
/// and it traps with <see cref="TrapKind.CallStackExhausted"/> before the process's stack
/// would overflow. This static class is the convenient form, working on the current thread's
/// <see cref="CallStack"/>; engines that pass a context through their calls should fetch
/// <see cref="CallStack.Current"/> once at the host boundary and call its instance methods
/// (no thread-local lookup per call).
/// </summary>
/// <remarks>
/// Two limits apply, whichever comes first: the call depth (<see cref="MaxDepth"/>, default
/// <see cref="DefaultMaxDepth"/>), which makes exhaustion deterministic, and the real stack:
/// whenever the stack pointer gets lower than the last point checked, by
/// <see cref="CheckInterval"/> bytes, <see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/>
/// is asked whether enough stack remains (it guarantees about 128 KiB on 64-bit hosts, or half of
/// a small thread stack). So every frame between two checks must be smaller than the remaining
/// margin; engines should keep very large frames (thousands of locals) off the stack.
/// <para>When a trap (or any exception) unwinds through guarded frames without running their
/// <c>Exit</c>, the boundary where the host called into WebAssembly must restore the depth:
/// <c>int saved = CallDepthGuard.Depth; try { ... } finally { CallDepthGuard.Depth = saved; }</c>.</para>
/// </remarks>
internal static class CallDepthGuard
{
    /// <summary>The default maximum call depth per thread: 100,000 nested WebAssembly calls.</summary>
    public const int DefaultMaxDepth = 100_000;

    /// <summary>Bytes of stack consumed between two checks of the real stack.</summary>
    public static readonly nuint CheckInterval = (nuint)(IntPtr.Size == 8 ? 32 * 1024 : 16 * 1024);

    /// <summary>The limit read by <see cref="CallStack.Enter"/> (a plain static field: cheap to read).</summary>
    internal static int s_maxDepth = DefaultMaxDepth;

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
        get => CallStack.Current.Depth;
        set => CallStack.Current.Depth = value;
    }

    /// <summary>Enters a call on the current thread; see <see cref="CallStack.Enter"/>.</summary>
    /// <exception cref="TrapException">Call stack exhausted (the depth is left unchanged).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Enter() => CallStack.Current.Enter();

    /// <summary>Leaves a call entered with <see cref="Enter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit() => CallStack.Current.Exit();
}

/// <summary>
/// The call depth and stack check state of one thread (see <see cref="CallDepthGuard"/>).
/// An instance belongs to its thread: only use the one from <see cref="Current"/> on that thread.
/// </summary>
internal sealed unsafe class CallStack
{
    [ThreadStatic] private static CallStack? t_current;

    // The lowest stack address known to have enough stack below it; the first Enter checks.
    private nuint _checkedLimit = nuint.MaxValue;

    private CallStack()
    {
    }

    /// <summary>The current thread's call stack state.</summary>
    public static CallStack Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? CreateCurrent();
    }

    /// <summary>Number of guarded calls active on the thread (settable to restore it at a host boundary).</summary>
    public int Depth;

    /// <summary>Enters a call; traps when the depth limit or the stack would be exceeded.</summary>
    /// <exception cref="TrapException">Call stack exhausted (the depth is left unchanged).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        int depth = Depth + 1;
        byte marker;
        if (depth > CallDepthGuard.s_maxDepth || (nuint)(&marker) < _checkedLimit)
            EnterSlow(depth, (nuint)(&marker));
        Depth = depth;
    }

    /// <summary>Leaves a call entered with <see cref="Enter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Depth--;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterSlow(int depth, nuint stackPointer)
    {
        if (depth > CallDepthGuard.s_maxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            Trap.CallStackExhausted();
        // Enough stack below this point: the next check happens CheckInterval bytes deeper.
        nuint interval = CallDepthGuard.CheckInterval;
        _checkedLimit = stackPointer > interval ? stackPointer - interval : 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CallStack CreateCurrent() => t_current = new CallStack();
}
