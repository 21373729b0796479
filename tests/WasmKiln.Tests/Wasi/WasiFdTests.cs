using System.Text;
using WasmKiln.Wasi;
using Xunit;

namespace WasmKiln.Tests.Wasi;

/// <summary>fd_* functions: standard streams, file I/O, seek/tell, pread/pwrite, stat, flags, rights, readdir, prestat.</summary>
public class WasiFdTests : WasiTestBase
{
    private readonly MemoryStream _stdin = new(Encoding.UTF8.GetBytes("line one\nline two\n"));

    internal override WasiConfiguration Configure(WasiConfiguration c, bool readOnly) => base.Configure(c, readOnly).WithStandardInput(_stdin);

    [Fact]
    public void StandardStreamsReadAndWrite()
    {
        Assert.Equal((0, 6), Write(1, "hello\n"));
        Assert.Equal((0, 4), Write(2, "err!"));
        Assert.Equal("hello\n", Encoding.UTF8.GetString(StdoutStream.ToArray()));
        Assert.Equal("err!", Encoding.UTF8.GetString(StderrStream.ToArray()));

        // Gather write: two buffers in one call.
        int iov = Iovecs(Str("ab"), Str("cd"));
        Assert.Equal(Errno.Success, Ctx.FdWrite(Mem, 1, iov, 2, 0));
        Assert.Equal(4, U32(0));
        Assert.EndsWith("abcd", Encoding.UTF8.GetString(StdoutStream.ToArray()));

        Assert.Equal((0, "line one\nline two\n"), Read(0));
        Assert.Equal((0, ""), Read(0)); // end of input
        Assert.Equal(Errno.NotCapable, Write(0, "x").Errno);
        Assert.Equal(Errno.NotCapable, Read(1).Errno);
        Assert.Equal(Errno.SPipe, Ctx.FdSeek(Mem, 1, 0, 0, 0));
        Assert.Equal(Errno.SPipe, Ctx.FdTell(Mem, 0, 0));
    }

    [Fact]
    public void StandardStreamFdstat()
    {
        Assert.Equal(Errno.Success, Ctx.FdFdstatGet(Mem, 1, 0));
        Assert.Equal(0, Mem.ReadByte(0)); // redirected to a .NET stream: filetype unknown
        ulong rights = (ulong)U64(8);
        Assert.NotEqual(0UL, rights & Rights.FdWrite);
        Assert.Equal(0UL, rights & (Rights.FdSeek | Rights.FdTell));
        Assert.Equal(Errno.BadF, Ctx.FdFdstatGet(Mem, 99, 0));
        Assert.Equal(Errno.Fault, Ctx.FdFdstatGet(Mem, 1, 65530));
    }

    [Fact]
    public void BadDescriptorsAreBadf()
    {
        foreach (int fd in new[] { -1, 4, 100 })
        {
            Assert.Equal(Errno.BadF, Write(fd, "x").Errno);
            Assert.Equal(Errno.BadF, Read(fd).Errno);
            Assert.Equal(Errno.BadF, Ctx.FdClose(fd));
            Assert.Equal(Errno.BadF, Ctx.FdSeek(Mem, fd, 0, 0, 0));
            Assert.Equal(Errno.BadF, Ctx.FdFilestatGet(Mem, fd, 0));
            Assert.Equal(Errno.BadF, Ctx.FdSync(fd));
            Assert.Equal(Errno.BadF, Ctx.FdPrestatGet(Mem, fd, 0));
        }
    }

    [Fact]
    public void CreateWriteSeekRead()
    {
        int fd = OpenOk("f.txt", WasiFlags.OCreat);
        Assert.Equal((0, 11), Write(fd, "hello world"));
        Assert.Equal("hello world", File.ReadAllText(HostPath("f.txt")));

        Assert.Equal(Errno.Success, Ctx.FdSeek(Mem, fd, 6, WasiFlags.WhenceSet, 0));
        Assert.Equal(6, U64(0));
        Assert.Equal((0, "world"), Read(fd));
        Assert.Equal(Errno.Success, Ctx.FdTell(Mem, fd, 0));
        Assert.Equal(11, U64(0));
        Assert.Equal(Errno.Success, Ctx.FdSeek(Mem, fd, -5, WasiFlags.WhenceCur, 0));
        Assert.Equal(6, U64(0));
        Assert.Equal(Errno.Success, Ctx.FdSeek(Mem, fd, -2, WasiFlags.WhenceEnd, 0));
        Assert.Equal(9, U64(0));
        Assert.Equal((0, "ld"), Read(fd));
        Assert.Equal(Errno.Inval, Ctx.FdSeek(Mem, fd, -1, WasiFlags.WhenceSet, 0));
        Assert.Equal(Errno.Inval, Ctx.FdSeek(Mem, fd, 0, 3, 0));
        Assert.Equal(Errno.Success, Ctx.FdSeek(Mem, fd, 20, WasiFlags.WhenceSet, 0));
        Assert.Equal((0, ""), Read(fd)); // past the end
        Assert.Equal(Errno.Success, Ctx.FdClose(fd));
        Assert.Equal(Errno.BadF, Ctx.FdClose(fd));
    }

    [Fact]
    public void ScatterReadFillsBuffersInOrder()
    {
        File.WriteAllText(HostPath("s.txt"), "abcdefgh");
        int fd = OpenOk("s.txt");
        int a = Alloc(3), b = Alloc(10);
        int iov = Iovecs((a, 3), (b, 10));
        Assert.Equal(Errno.Success, Ctx.FdRead(Mem, fd, iov, 2, 0));
        Assert.Equal(8, U32(0));
        Assert.Equal("abc", ReadString(a, 3));
        Assert.Equal("defgh", ReadString(b, 5));
    }

    [Fact]
    public void PreadAndPwriteLeaveThePositionAlone()
    {
        File.WriteAllText(HostPath("p.txt"), "0123456789");
        int fd = OpenOk("p.txt");
        int buf = Alloc(4);
        Assert.Equal(Errno.Success, Ctx.FdPread(Mem, fd, Iovecs((buf, 4)), 1, 3, 0));
        Assert.Equal(4, U32(0));
        Assert.Equal("3456", ReadString(buf, 4));
        Assert.Equal(Errno.Success, Ctx.FdPwrite(Mem, fd, Iovecs(Str("XY")), 1, 8, 0));
        Assert.Equal(2, U32(0));
        Assert.Equal(Errno.Success, Ctx.FdTell(Mem, fd, 0));
        Assert.Equal(0, U64(0));
        Assert.Equal("01234567XY", File.ReadAllText(HostPath("p.txt")));
        Assert.Equal(Errno.SPipe, Ctx.FdPread(Mem, 0, Iovecs((buf, 4)), 1, 0, 0));
        Assert.Equal(Errno.Inval, Ctx.FdPread(Mem, fd, Iovecs((buf, 4)), 1, -1, 0));
    }

    [Fact]
    public void AppendFlagWritesAtTheEndAndCanBeCleared()
    {
        File.WriteAllText(HostPath("a.txt"), "start");
        int fd = OpenOk("a.txt", fdflags: WasiFlags.FdAppend);
        Assert.Equal(Errno.Success, Ctx.FdSeek(Mem, fd, 0, WasiFlags.WhenceSet, 0));
        Write(fd, "+end");
        Assert.Equal("start+end", File.ReadAllText(HostPath("a.txt")));
        Assert.Equal(Errno.Success, Ctx.FdFdstatGet(Mem, fd, 0));
        Assert.Equal(WasiFlags.FdAppend, Mem.ReadInt16(2));

        Assert.Equal(Errno.Success, Ctx.FdFdstatSetFlags(fd, 0));
        Assert.Equal(Errno.Success, Ctx.FdSeek(Mem, fd, 0, WasiFlags.WhenceSet, 0));
        Write(fd, "S");
        Assert.Equal("Start+end", File.ReadAllText(HostPath("a.txt")));
        Assert.Equal(Errno.Inval, Ctx.FdFdstatSetFlags(fd, 0x40));
    }

    [Fact]
    public void TruncateAllocateAndSetSize()
    {
        File.WriteAllText(HostPath("t.txt"), "some content");
        int fd = OpenOk("t.txt", WasiFlags.OTrunc);
        Assert.Equal(0, new FileInfo(HostPath("t.txt")).Length);
        Assert.Equal(Errno.Success, Ctx.FdAllocate(fd, 0, 100));
        Assert.Equal(100, new FileInfo(HostPath("t.txt")).Length);
        Assert.Equal(Errno.Success, Ctx.FdAllocate(fd, 10, 20)); // inside: no change
        Assert.Equal(100, new FileInfo(HostPath("t.txt")).Length);
        Assert.Equal(Errno.Success, Ctx.FdFilestatSetSize(fd, 7));
        Assert.Equal(7, new FileInfo(HostPath("t.txt")).Length);
        Assert.Equal(Errno.Inval, Ctx.FdFilestatSetSize(fd, -1));
        Assert.Equal(Errno.Success, Ctx.FdAdvise(fd, 0, 7, 2));
        Assert.Equal(Errno.Inval, Ctx.FdAdvise(fd, 0, 7, 6));
        Assert.Equal(Errno.Success, Ctx.FdDatasync(fd));
        Assert.Equal(Errno.Success, Ctx.FdSync(fd));
    }

    [Fact]
    public void FileStatOfAnOpenFile()
    {
        File.WriteAllText(HostPath("st.txt"), "12345");
        var when = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(HostPath("st.txt"), when);
        int fd = OpenOk("st.txt");
        Assert.Equal(Errno.Success, Ctx.FdFilestatGet(Mem, fd, 0));
        Assert.Equal(WasiFlags.TypeRegularFile, Mem.ReadByte(16));
        Assert.Equal(1, U64(24)); // nlink
        Assert.Equal(5, U64(32)); // size
        Assert.Equal((when - DateTime.UnixEpoch).Ticks * 100, U64(48));

        Assert.Equal(Errno.Success, Ctx.FdFilestatGet(Mem, Preopen, 0));
        Assert.Equal(WasiFlags.TypeDirectory, Mem.ReadByte(16));

        Assert.Equal(Errno.Success, Ctx.FdFilestatSetTimes(fd, 1_000_000_000_000_000_000, 1_500_000_000_250_000_000, WasiFlags.SetAtim | WasiFlags.SetMtim));
        Assert.Equal(Errno.Success, Ctx.FdFilestatGet(Mem, fd, 0));
        Assert.Equal(1_000_000_000_000_000_000, U64(40));
        Assert.Equal(1_500_000_000_250_000_000, U64(48));
        Assert.Equal(Errno.Inval, Ctx.FdFilestatSetTimes(fd, 0, 0, WasiFlags.SetAtim | WasiFlags.SetAtimNow));
        Assert.Equal(Errno.Success, Ctx.FdFilestatSetTimes(fd, 0, 0, WasiFlags.SetMtimNow));
        Ctx.FdFilestatGet(Mem, fd, 0);
        Assert.Equal(1_000_000_000_000_000_000, U64(40)); // atime untouched
        Assert.True(U64(48) > 1_600_000_000_000_000_000);
    }

    [Fact]
    public void RightsCanOnlyShrinkAndAreEnforced()
    {
        File.WriteAllText(HostPath("r.txt"), "data");
        int fd = OpenOk("r.txt", rights: Rights.FdRead | Rights.FdWrite | Rights.FdSeek | Rights.FdTell | Rights.FdFilestatGet);
        Assert.Equal(Errno.Success, Ctx.FdFdstatGet(Mem, fd, 0));
        Assert.Equal(Rights.FdRead | Rights.FdWrite | Rights.FdSeek | Rights.FdTell | Rights.FdFilestatGet, (ulong)U64(8));
        Assert.Equal(Errno.Success, Ctx.FdFdstatSetRights(fd, (long)(Rights.FdRead | Rights.FdSeek), 0));
        Assert.Equal(Errno.NotCapable, Write(fd, "x").Errno);
        Assert.Equal(Errno.NotCapable, Ctx.FdTell(Mem, fd, 0));
        Assert.Equal(Errno.NotCapable, Ctx.FdFdstatSetRights(fd, (long)(Rights.FdRead | Rights.FdWrite), 0));
        Assert.Equal((0, "data"), Read(fd));

        // Opened for reading only: no write right, and the host file is not writable through it.
        int ro = OpenOk("r.txt", rights: Rights.FdRead);
        Assert.Equal(Errno.NotCapable, Write(ro, "x").Errno);
        Assert.Equal(Errno.NotCapable, Ctx.FdFilestatSetSize(ro, 0));
    }

    [Fact]
    public void RenumberMovesADescriptor()
    {
        File.WriteAllText(HostPath("n.txt"), "N");
        int a = OpenOk("n.txt");
        int b = OpenOk("n.txt");
        Assert.Equal(Errno.Success, Ctx.FdSeek(Mem, a, 1, 0, 0));
        Assert.Equal(Errno.Success, Ctx.FdRenumber(a, b));
        Assert.Equal(Errno.BadF, Ctx.FdTell(Mem, a, 0));
        Assert.Equal(Errno.Success, Ctx.FdTell(Mem, b, 0));
        Assert.Equal(1, U64(0));
        Assert.Equal(Errno.BadF, Ctx.FdRenumber(a, b));
        Assert.Equal(Errno.BadF, Ctx.FdRenumber(b, 50));
        // The lowest free number is reused.
        Assert.Equal(a, OpenOk("n.txt"));
    }

    [Fact]
    public void PrestatNamesThePreopen()
    {
        Assert.Equal(Errno.Success, Ctx.FdPrestatGet(Mem, Preopen, 0));
        Assert.Equal(0, Mem.ReadByte(0));
        Assert.Equal(8, U32(4));
        int buf = Alloc(8);
        Assert.Equal(Errno.Success, Ctx.FdPrestatDirName(Mem, Preopen, buf, 8));
        Assert.Equal("/sandbox", ReadString(buf, 8));
        Assert.Equal(Errno.NameTooLong, Ctx.FdPrestatDirName(Mem, Preopen, buf, 3));
        Assert.Equal(Errno.BadF, Ctx.FdPrestatGet(Mem, 1, 0));
        Assert.Equal(Errno.BadF, Ctx.FdPrestatGet(Mem, Preopen + 1, 0));
        int fd = OpenOk(".", WasiFlags.ODirectory, Rights.Directory);
        Assert.Equal(Errno.BadF, Ctx.FdPrestatGet(Mem, fd, 0));
    }

    [Fact]
    public void OutOfBoundsIovecsAreFaultAndWriteNothing()
    {
        int fd = OpenOk("f.txt", WasiFlags.OCreat);
        int bad = Iovecs((65530, 100));
        Assert.Equal(Errno.Fault, Ctx.FdWrite(Mem, fd, bad, 1, 0));
        Assert.Equal(Errno.Fault, Ctx.FdWrite(Mem, fd, 65532, 1, 0));
        Assert.Equal(Errno.Fault, Ctx.FdWrite(Mem, fd, Iovecs(Str("ok")), 1, 65534));
        Assert.Equal(0, new FileInfo(HostPath("f.txt")).Length);
        Assert.Equal(Errno.Fault, Ctx.FdRead(Mem, fd, bad, 1, 0));
        Assert.Equal(Errno.Fault, Ctx.FdWrite(Mem, 1, Iovecs((0, 10)), 1_000_000, 0));
    }

    private List<(long Next, string Name, byte Type)> ParseDirents(int buf, int used)
    {
        var list = new List<(long, string, byte)>();
        int p = buf;
        while (p + 24 <= buf + used)
        {
            long next = U64(p);
            int len = U32(p + 16);
            byte type = Mem.ReadByte((uint)p + 20);
            if (p + 24 + len > buf + used) break;
            list.Add((next, ReadString(p + 24, len), type));
            p += 24 + len;
        }
        return list;
    }

    [Fact]
    public void ReaddirListsEverythingWithCookies()
    {
        Directory.CreateDirectory(HostPath("d"));
        Directory.CreateDirectory(HostPath("d/sub"));
        File.WriteAllText(HostPath("d/.hidden"), "");
        for (int i = 0; i < 30; i++) File.WriteAllText(HostPath("d/file-with-a-long-name-" + i.ToString("D2")), "");
        int dir = OpenOk("d", WasiFlags.ODirectory, Rights.Directory);

        // Read with a small buffer, continuing from the last complete entry's cookie.
        var names = new List<string>();
        long cookie = 0;
        int buf = Alloc(200);
        for (int round = 0; round < 100; round++)
        {
            Assert.Equal(Errno.Success, Ctx.FdReaddir(Mem, dir, buf, 200, cookie, 0));
            int used = U32(0);
            var entries = ParseDirents(buf, used);
            foreach (var e in entries)
            {
                names.Add(e.Name);
                if (e.Name == "sub") Assert.Equal(WasiFlags.TypeDirectory, e.Type);
                if (e.Name == ".hidden") Assert.Equal(WasiFlags.TypeRegularFile, e.Type);
            }
            if (used < 200) break;
            Assert.NotEmpty(entries);
            cookie = entries[^1].Next;
        }
        names.Sort(StringComparer.Ordinal);
        Assert.Equal(34, names.Count);
        Assert.Equal(".", names[0]);
        Assert.Equal("..", names[1]);
        Assert.Equal(".hidden", names[2]);
        Assert.Contains("sub", names);
        Assert.Contains("file-with-a-long-name-29", names);

        // A cookie past the end reads nothing; a file is not a directory.
        Assert.Equal(Errno.Success, Ctx.FdReaddir(Mem, dir, buf, 200, 1000, 0));
        Assert.Equal(0, U32(0));
        int file = OpenOk("d/.hidden");
        Assert.Equal(Errno.NotDir, Ctx.FdReaddir(Mem, file, buf, 200, 0, 0));
    }

    [Fact]
    public void PollOnFilesAndStreamsIsReadyAtOnce()
    {
        File.WriteAllText(HostPath("poll.txt"), "0123456789");
        int fd = OpenOk("poll.txt");
        var subs = new byte[48 * 3];
        void Sub(int i, ulong userdata, byte type, int fdOrClock, ulong timeout = 0)
        {
            BitConverter.TryWriteBytes(subs.AsSpan(i * 48), userdata);
            subs[i * 48 + 8] = type;
            BitConverter.TryWriteBytes(subs.AsSpan(i * 48 + 16), fdOrClock);
            BitConverter.TryWriteBytes(subs.AsSpan(i * 48 + 24), timeout);
        }
        Sub(0, 11, WasiFlags.EventFdRead, fd);
        Sub(1, 22, WasiFlags.EventFdWrite, 1);
        Sub(2, 33, WasiFlags.EventClock, WasiFlags.ClockMonotonic, 10_000_000_000); // 10 s: must not wait
        int inPtr = Put(subs), outPtr = Alloc(32 * 3);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(Errno.Success, Ctx.PollOneoff(Mem, inPtr, outPtr, 3, 0));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(2, U32(0));
        Assert.Equal(11, U64(outPtr));
        Assert.Equal(0, Mem.ReadInt16((uint)outPtr + 8));
        Assert.Equal(WasiFlags.EventFdRead, Mem.ReadByte((uint)outPtr + 10));
        Assert.Equal(10, U64(outPtr + 16)); // bytes available
        Assert.Equal(22, U64(outPtr + 32));
        Assert.Equal(WasiFlags.EventFdWrite, Mem.ReadByte((uint)outPtr + 42));
    }
}
