using WasmKiln.Wasi;
using Xunit;

namespace WasmKiln.Tests.Wasi;

/// <summary>args_*, environ_*, clock_*, random_get, sched_yield, proc_raise, sockets.</summary>
public class WasiArgsClockTests : WasiTestBase
{
    internal override WasiConfiguration Configure(WasiConfiguration c, bool readOnly) =>
        base.Configure(c, readOnly).WithArgs("prog", "α β", "").WithEnvironmentVariable("A", "1").WithEnvironmentVariable("EMPTY", "");

    [Fact]
    public void ArgsSizesAndContents()
    {
        Assert.Equal(Errno.Success, Ctx.ArgsSizesGet(Mem, 0, 4));
        Assert.Equal(3, U32(0));
        Assert.Equal(5 + 6 + 1, U32(4)); // "prog\0" "α β\0" (α is 2 bytes) "\0"
        int argv = Alloc(12), buf = Alloc(12);
        Assert.Equal(Errno.Success, Ctx.ArgsGet(Mem, argv, buf));
        Assert.Equal(buf, U32(argv));
        Assert.Equal("prog\0", ReadString(U32(argv), 5));
        Assert.Equal("α β\0", ReadString(U32(argv + 4), 6));
        Assert.Equal(0, Mem.ReadByte((uint)U32(argv + 8)));
        Assert.Equal(U32(argv + 8), buf + 11);
    }

    [Fact]
    public void EnvironSizesAndContents()
    {
        Assert.Equal(Errno.Success, Ctx.EnvironSizesGet(Mem, 0, 4));
        Assert.Equal(2, U32(0));
        Assert.Equal(4 + 7, U32(4));
        int envp = Alloc(8), buf = Alloc(11);
        Assert.Equal(Errno.Success, Ctx.EnvironGet(Mem, envp, buf));
        Assert.Equal("A=1\0", ReadString(U32(envp), 4));
        Assert.Equal("EMPTY=\0", ReadString(U32(envp + 4), 7));
    }

    [Fact]
    public void OutOfBoundsPointersAreFault()
    {
        Assert.Equal(Errno.Fault, Ctx.ArgsSizesGet(Mem, 65534, 0));
        Assert.Equal(Errno.Fault, Ctx.ArgsGet(Mem, 0, 65530));
        Assert.Equal(Errno.Fault, Ctx.EnvironGet(Mem, -4, 0));
        Assert.Equal(Errno.Fault, Ctx.ClockTimeGet(Mem, 0, 0, 65532));
        Assert.Equal(Errno.Fault, Ctx.RandomGet(Mem, 65000, 1000));
        Assert.Equal(Errno.Fault, Ctx.ArgsSizesGet(null, 0, 4));
    }

    [Fact]
    public void ClocksAdvanceAndHaveResolutions()
    {
        for (int id = 0; id <= 3; id++)
        {
            Assert.Equal(Errno.Success, Ctx.ClockResGet(Mem, id, 0));
            Assert.True(U64(0) > 0);
            Assert.Equal(Errno.Success, Ctx.ClockTimeGet(Mem, id, 1, 8));
            Assert.True(U64(8) > 0, "clock " + id);
        }
        Assert.Equal(Errno.Inval, Ctx.ClockResGet(Mem, 4, 0));
        Assert.Equal(Errno.Inval, Ctx.ClockTimeGet(Mem, 99, 0, 0));

        Ctx.ClockTimeGet(Mem, 0, 0, 0);
        long real = U64(0);
        long unixNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Assert.InRange(real, unixNs - 10_000_000_000, unixNs + 10_000_000_000);

        Ctx.ClockTimeGet(Mem, 1, 0, 0);
        long m1 = U64(0);
        Thread.Sleep(5);
        Ctx.ClockTimeGet(Mem, 1, 0, 0);
        Assert.True(U64(0) - m1 >= 4_000_000);

        Ctx.ClockTimeGet(Mem, 3, 0, 0);
        long t1 = U64(0);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        double x = 0;
        while (sw.ElapsedMilliseconds < 30) x += Math.Sqrt(x + 1);
        Ctx.ClockTimeGet(Mem, 3, 0, 0);
        Assert.True(U64(0) > t1, "thread cpu time advances while busy " + x);
    }

    [Fact]
    public void RandomFillsTheBuffer()
    {
        int a = Alloc(64), b = Alloc(64);
        Assert.Equal(Errno.Success, Ctx.RandomGet(Mem, a, 64));
        Assert.Equal(Errno.Success, Ctx.RandomGet(Mem, b, 64));
        Assert.NotEqual(ReadString(a, 64), ReadString(b, 64));
        Assert.Equal(Errno.Success, Ctx.RandomGet(Mem, 0, 0));
    }

    [Fact]
    public void SchedYieldAndProcRaise()
    {
        Assert.Equal(Errno.Success, WasiContext.SchedYield());
        Assert.Equal(Errno.NotSup, WasiContext.ProcRaise(15));
        Assert.Equal(Errno.Inval, WasiContext.ProcRaise(99));
    }

    [Fact]
    public void ProcExitFlushesAndThrows()
    {
        Write(1, "bye");
        var e = Assert.Throws<WasiExitException>(() => Ctx.ProcExit(42));
        Assert.Equal(42, e.ExitCode);
        Assert.Equal("bye", System.Text.Encoding.UTF8.GetString(StdoutStream.ToArray()));
    }

    [Fact]
    public void SocketsAreNeverPreopened()
    {
        Assert.Equal(Errno.NotSock, Ctx.SockAccept(Mem, 1, 0, 0));
        Assert.Equal(Errno.NotSock, Ctx.SockRecv(Mem, Preopen, 0, 0, 0, 0, 0));
        Assert.Equal(Errno.NotSock, Ctx.SockSend(Mem, 0, 0, 0, 0, 0));
        Assert.Equal(Errno.NotSock, Ctx.SockShutdown(2, 3));
        Assert.Equal(Errno.BadF, Ctx.SockAccept(Mem, 77, 0, 0));
        Assert.Equal(Errno.BadF, Ctx.SockRecv(Mem, 77, 0, 0, 0, 0, 0));
        Assert.Equal(Errno.BadF, Ctx.SockSend(Mem, -1, 0, 0, 0, 0));
        Assert.Equal(Errno.BadF, Ctx.SockShutdown(77, 1));
    }
}
