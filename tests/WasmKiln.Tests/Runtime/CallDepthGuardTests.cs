using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Runtime;

public class CallDepthGuardTests
{
    // A deliberately unbounded recursion, guarded like an engine's function entry. The padding
    // gives the frame a realistic size.
    private static long Recurse(long n)
    {
        CallDepthGuard.Enter();
        Span<long> pad = stackalloc long[16];
        pad[(int)(n & 15)] = n;
        long r = Recurse(n + 1) + pad[(int)(n & 15)];
        CallDepthGuard.Exit();
        return r;
    }

    private static void RunOnThread(int stackSize, Action action) =>
        new TestThread(action, stackSize).Join(TimeSpan.FromMinutes(5));

    [Fact]
    public void RunawayRecursionTrapsHundredTimesInARow()
    {
        // On a thread with a common 1 MiB stack (unwinding a deep .NET stack is slow, so the
        // test thread itself only does a few rounds below).
        RunOnThread(1024 * 1024, () =>
        {
            for (int i = 0; i < 100; i++)
            {
                var e = Assert.Throws<TrapException>(() => Recurse(0));
                Assert.Equal(TrapKind.CallStackExhausted, e.Kind);
                Assert.Equal("call stack exhausted", e.Message);
                CallDepthGuard.Depth = 0;
            }
        });
    }

    [Fact]
    public void RunawayRecursionTrapsOnTheTestThread()
    {
        for (int i = 0; i < 5; i++)
        {
            int saved = CallDepthGuard.Depth;
            var e = Assert.Throws<TrapException>(() => Recurse(0));
            Assert.Equal(TrapKind.CallStackExhausted, e.Kind);
            Assert.Equal("call stack exhausted", e.Message);
            // The trap unwound frames without their Exit: the boundary restores the depth.
            CallDepthGuard.Depth = saved;
        }
        Assert.Equal(0, CallDepthGuard.Depth);
    }

    [Fact]
    public void SmallThreadStacksAreProtected()
    {
        // 256 KiB of stack is far below what the depth limit would allow: the stack check must
        // catch it before the process overflows.
        RunOnThread(256 * 1024, () =>
        {
            for (int i = 0; i < 100; i++)
            {
                var e = Assert.Throws<TrapException>(() => Recurse(0));
                Assert.Equal(TrapKind.CallStackExhausted, e.Kind);
                CallDepthGuard.Depth = 0;
            }
        });
    }

    [Fact]
    public void DepthLimitIsDeterministicOnALargeStack()
    {
        // With 512 MiB of stack the depth limit is reached first, always at the same depth.
        RunOnThread(512 * 1024 * 1024, () =>
        {
            int max = CallDepthGuard.MaxDepth;
            for (int i = 0; i < 3; i++)
            {
                int reached = 0;
                void Deep(int n)
                {
                    CallDepthGuard.Enter();
                    reached = n;
                    Deep(n + 1);
                }
                Assert.Equal(TrapKind.CallStackExhausted, Assert.Throws<TrapException>(() => Deep(1)).Kind);
                Assert.Equal(max, reached);
                Assert.Equal(max, CallDepthGuard.Depth);
                CallDepthGuard.Depth = 0;
            }
        });
    }

    [Fact]
    public void InstanceGuardSharesTheThreadsDepth()
    {
        RunOnThread(256 * 1024, () =>
        {
            var stack = CallStack.Current;
            Assert.Same(stack, CallStack.Current);
            stack.Enter();
            CallDepthGuard.Enter();
            Assert.Equal(2, stack.Depth);
            Assert.Equal(2, CallDepthGuard.Depth);
            stack.Exit();
            stack.Exit();
            long Deep(long n) { stack.Enter(); long r = Deep(n + 1) + 1; stack.Exit(); return r; }
            for (int i = 0; i < 20; i++)
            {
                Assert.Equal(TrapKind.CallStackExhausted, Assert.Throws<TrapException>(() => Deep(0)).Kind);
                stack.Depth = 0;
            }
        });
        RunOnThread(0, () => Assert.Equal(0, CallStack.Current.Depth)); // each thread has its own
    }

    [Fact]
    public void BalancedCallsLeaveTheDepthUnchanged()
    {
        int before = CallDepthGuard.Depth;
        static int Fib(int n)
        {
            CallDepthGuard.Enter();
            try { return n < 2 ? n : Fib(n - 1) + Fib(n - 2); }
            finally { CallDepthGuard.Exit(); }
        }
        Assert.Equal(6765, Fib(20));
        Assert.Equal(before, CallDepthGuard.Depth);
        Assert.Equal(CallDepthGuard.DefaultMaxDepth, CallDepthGuard.MaxDepth);
        Assert.Throws<ArgumentOutOfRangeException>(() => CallDepthGuard.MaxDepth = 0);
    }
}
