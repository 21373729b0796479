using WasmKiln.Wasi;
using Xunit;

namespace WasmKiln.Tests.Wasi;

/// <summary>path_* functions and the sandbox: escapes through "..", absolute paths, symbolic links, rename and link.</summary>
public class WasiPathTests : WasiTestBase
{
    private int Mkdir(string path, int dir = Preopen) => PathCall((p, l) => Ctx.PathCreateDirectory(Mem, dir, p, l), path);
    private int Rmdir(string path) => PathCall((p, l) => Ctx.PathRemoveDirectory(Mem, Preopen, p, l), path);
    private int Unlink(string path) => PathCall((p, l) => Ctx.PathUnlinkFile(Mem, Preopen, p, l), path);

    private int Stat(string path, bool follow, int buf = 0, int dir = Preopen) =>
        PathCall((p, l) => Ctx.PathFilestatGet(Mem, dir, follow ? 1 : 0, p, l, buf), path);

    private int Rename(string from, string to)
    {
        var (fp, fl) = Str(from);
        var (tp, tl) = Str(to);
        return Ctx.PathRename(Mem, Preopen, fp, fl, Preopen, tp, tl);
    }

    private int Link(string from, string to, bool follow = false)
    {
        var (fp, fl) = Str(from);
        var (tp, tl) = Str(to);
        return Ctx.PathLink(Mem, Preopen, follow ? 1 : 0, fp, fl, Preopen, tp, tl);
    }

    private int Symlink(string target, string at)
    {
        var (fp, fl) = Str(target);
        var (tp, tl) = Str(at);
        return Ctx.PathSymlink(Mem, fp, fl, Preopen, tp, tl);
    }

    private (int Errno, string Target) Readlink(string path, int bufLen = 100)
    {
        int buf = Alloc(bufLen), used = Alloc(4);
        int err = PathCall((p, l) => Ctx.PathReadlink(Mem, Preopen, p, l, buf, bufLen, used), path);
        return (err, err == 0 ? ReadString(buf, U32(used)) : "");
    }

    [Fact]
    public void CreateAndRemoveDirectories()
    {
        Assert.Equal(Errno.Success, Mkdir("a"));
        Assert.Equal(Errno.Success, Mkdir("a/b"));
        Assert.True(Directory.Exists(HostPath("a/b")));
        Assert.Equal(Errno.Exist, Mkdir("a"));
        Assert.Equal(Errno.Exist, Mkdir("."));
        Assert.Equal(Errno.NoEnt, Mkdir("x/y"));
        File.WriteAllText(HostPath("a/f"), "");
        Assert.Equal(Errno.NotDir, Mkdir("a/f/g"));

        Assert.Equal(Errno.NotEmpty, Rmdir("a"));
        Assert.Equal(Errno.NotDir, Rmdir("a/f"));
        Assert.Equal(Errno.NoEnt, Rmdir("nothing"));
        Assert.Equal(Errno.Inval, Rmdir("a/b/."));
        Assert.Equal(Errno.Success, Rmdir("a/b"));
        Assert.False(Directory.Exists(HostPath("a/b")));
        Assert.Equal(Errno.IsDir, Unlink("a"));
        Assert.Equal(Errno.Success, Unlink("a/f"));
        Assert.Equal(Errno.NoEnt, Unlink("a/f"));
        Assert.Equal(Errno.Success, Rmdir("a"));
    }

    [Fact]
    public void OpenFlags()
    {
        Assert.Equal(Errno.NoEnt, Open("missing").Errno);
        var (err, fd) = Open("new.txt", WasiFlags.OCreat | WasiFlags.OExcl);
        Assert.Equal(Errno.Success, err);
        Assert.True(File.Exists(HostPath("new.txt")));
        Assert.Equal(Errno.Exist, Open("new.txt", WasiFlags.OCreat | WasiFlags.OExcl).Errno);
        Assert.Equal(Errno.NotDir, Open("new.txt", WasiFlags.ODirectory).Errno);
        Assert.Equal(Errno.NotDir, Open("new.txt/").Errno);
        Assert.Equal(Errno.NotDir, Open("new.txt/x").Errno);
        Assert.Equal(Errno.Inval, Open("new.txt", 0x10).Errno);
        Mkdir("dir");
        Assert.Equal(Errno.IsDir, Open("dir", rights: Rights.FdWrite).Errno);
        Assert.Equal(Errno.Success, Open("dir", rights: Rights.FdRead | Rights.FdReaddir).Errno);
        // O_CREAT of a file opened only for reading creates it.
        Assert.Equal(Errno.Success, Open("ro-created", WasiFlags.OCreat, Rights.FdRead).Errno);
        Assert.True(File.Exists(HostPath("ro-created")));
        Assert.Equal(Errno.Success, Ctx.FdClose(fd));
    }

    [Fact]
    public void InvalidUtf8AndEmptyPaths()
    {
        int p = Put([0x61, 0xFF, 0x62]);
        Assert.Equal(Errno.IlSeq, Ctx.PathCreateDirectory(Mem, Preopen, p, 3));
        Assert.Equal(Errno.NoEnt, Ctx.PathCreateDirectory(Mem, Preopen, p, 0));
        Assert.Equal(Errno.Fault, Ctx.PathCreateDirectory(Mem, Preopen, 65530, 100));
        Assert.Equal(Errno.NotDir, Mkdir("x", dir: 1));
        Assert.Equal(Errno.BadF, Mkdir("x", dir: 42));
    }

    [Fact]
    public void FilestatFollowsLinksOnlyWhenAsked()
    {
        File.WriteAllText(HostPath("target.txt"), "0123456789");
        Assert.Equal(Errno.Success, Symlink("target.txt", "link"));
        Assert.Equal(Errno.Success, Stat("link", follow: true));
        Assert.Equal(WasiFlags.TypeRegularFile, Mem.ReadByte(16));
        Assert.Equal(10, U64(32));
        Assert.Equal(Errno.Success, Stat("link", follow: false));
        Assert.Equal(WasiFlags.TypeSymbolicLink, Mem.ReadByte(16));
        Assert.Equal("target.txt".Length, U64(32));
        Assert.Equal(Errno.NoEnt, Stat("nothing", true));
        Assert.Equal(Errno.Success, Stat(".", true));
        Assert.Equal(WasiFlags.TypeDirectory, Mem.ReadByte(16));
        Assert.Equal(Errno.Fault, Stat(".", true, buf: 65500));
    }

    [Fact]
    public void SymlinksAndReadlink()
    {
        Mkdir("d");
        File.WriteAllText(HostPath("d/f.txt"), "in d");
        Assert.Equal(Errno.Success, Symlink("d", "dlink"));
        Assert.Equal(Errno.Success, Symlink("d/f.txt", "flink"));
        Assert.Equal(Errno.Exist, Symlink("d", "flink"));
        Assert.Equal(Errno.Success, Symlink("nowhere", "dangling"));
        Assert.Equal((0, "d/f.txt"), Readlink("flink"));
        Assert.Equal((0, "d/f"), Readlink("flink", bufLen: 3)); // truncated to the buffer
        Assert.Equal(Errno.Inval, Readlink("d").Errno);
        Assert.Equal(Errno.NoEnt, Readlink("none").Errno);

        // Following links in the middle and at the end of paths.
        int fd = OpenOk("dlink/f.txt");
        Assert.Equal((0, "in d"), Read(fd));
        fd = OpenOk("flink");
        Assert.Equal((0, "in d"), Read(fd));
        // Without symlink_follow a final link is not opened (O_NOFOLLOW semantics).
        Assert.Equal(Errno.Loop, Open("flink", lookup: 0).Errno);
        Assert.Equal(Errno.NoEnt, Open("dangling").Errno);
        // Creating through a dangling link with O_EXCL fails: the link itself exists.
        Assert.Equal(Errno.Exist, Open("dangling", WasiFlags.OCreat | WasiFlags.OExcl).Errno);

        // Unlinking a link removes the link, not its target.
        Assert.Equal(Errno.Success, Unlink("dlink"));
        Assert.True(Directory.Exists(HostPath("d")));

        // A cycle of links.
        Symlink("loop2", "loop1");
        Symlink("loop1", "loop2");
        Assert.Equal(Errno.Loop, Open("loop1").Errno);
    }

    [Fact]
    public void RenameFilesAndDirectories()
    {
        File.WriteAllText(HostPath("a.txt"), "A");
        File.WriteAllText(HostPath("b.txt"), "B");
        Assert.Equal(Errno.Success, Rename("a.txt", "b.txt"));
        Assert.False(File.Exists(HostPath("a.txt")));
        Assert.Equal("A", File.ReadAllText(HostPath("b.txt")));
        Assert.Equal(Errno.NoEnt, Rename("a.txt", "c.txt"));

        Mkdir("d1");
        Mkdir("d2");
        Mkdir("d3");
        File.WriteAllText(HostPath("d3/x"), "");
        Assert.Equal(Errno.Success, Rename("d1", "d2")); // onto an empty directory
        Assert.True(Directory.Exists(HostPath("d2")) && !Directory.Exists(HostPath("d1")));
        Assert.Equal(Errno.NotEmpty, Rename("d2", "d3"));
        Assert.Equal(Errno.Inval, Rename("d3", "d3/sub"));
        Assert.Equal(Errno.IsDir, Rename("b.txt", "d2"));
        Assert.Equal(Errno.NotDir, Rename("d2", "b.txt"));
        Assert.Equal(Errno.Success, Rename("b.txt", "d3/moved.txt"));
        Assert.Equal("A", File.ReadAllText(HostPath("d3/moved.txt")));
    }

    [Fact]
    public void HardLinks()
    {
        File.WriteAllText(HostPath("orig"), "data");
        Assert.Equal(Errno.Success, Link("orig", "copy"));
        File.AppendAllText(HostPath("orig"), "+more");
        Assert.Equal("data+more", File.ReadAllText(HostPath("copy")));
        Assert.Equal(Errno.Exist, Link("orig", "copy"));
        Assert.Equal(Errno.NoEnt, Link("none", "x"));
        Mkdir("dir");
        Assert.Equal(Errno.Perm, Link("dir", "dir2"));
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(Errno.Success, Stat("copy", false));
            Assert.Equal(2, U64(24));
        }
    }

    [Fact]
    public void SetTimesThroughAPath()
    {
        File.WriteAllText(HostPath("t"), "");
        Assert.Equal(Errno.Success, PathCall((p, l) => Ctx.PathFilestatSetTimes(Mem, Preopen, 1, p, l, 2_000_000_000_000_000_000, 1_234_567_890_500_000_000, WasiFlags.SetAtim | WasiFlags.SetMtim), "t"));
        Stat("t", true);
        Assert.Equal(2_000_000_000_000_000_000, U64(40));
        Assert.Equal(1_234_567_890_500_000_000, U64(48));
        Assert.Equal(Errno.NoEnt, PathCall((p, l) => Ctx.PathFilestatSetTimes(Mem, Preopen, 1, p, l, 0, 0, WasiFlags.SetMtimNow), "none"));
        Assert.Equal(Errno.Inval, PathCall((p, l) => Ctx.PathFilestatSetTimes(Mem, Preopen, 1, p, l, 0, 0, WasiFlags.SetMtimNow | WasiFlags.SetMtim), "t"));
    }

    // ---- sandbox escapes ----

    [Fact]
    public void DotDotCannotLeaveThePreopen()
    {
        Mkdir("a");
        Assert.Equal(Errno.NotCapable, Open("../outside/secret.txt").Errno);
        Assert.Equal(Errno.NotCapable, Open("a/../../outside/secret.txt").Errno);
        Assert.Equal(Errno.NotCapable, Open("..").Errno);
        Assert.Equal(Errno.NotCapable, Mkdir("../escaped"));
        Assert.False(Directory.Exists(Path.Combine(Outside.FullName, "..", "escaped")));
        Assert.Equal(Errno.NotCapable, Stat("../outside", true));
        // ".." inside stays allowed.
        File.WriteAllText(HostPath("top.txt"), "top");
        Assert.Equal((0, "top"), Read(OpenOk("a/../top.txt")));

        // From a directory opened under the preopen, ".." reaches up to the preopen but not beyond.
        int a = OpenOk("a", WasiFlags.ODirectory, Rights.Directory);
        Assert.Equal((0, "top"), Read(OpenOk("../top.txt", dirFd: a)));
        Assert.Equal(Errno.NotCapable, Open("../../outside/secret.txt", dirFd: a).Errno);
    }

    [Fact]
    public void AbsolutePathsAreRefused()
    {
        Assert.Equal(Errno.NotCapable, Open("/etc/passwd").Errno);
        Assert.Equal(Errno.NotCapable, Open(Path.Combine(Outside.FullName, "secret.txt")).Errno);
        Assert.Equal(Errno.NotCapable, Open("/sandbox/x", WasiFlags.OCreat).Errno);
        Assert.Equal(Errno.NotCapable, Mkdir("/tmp/escape"));
        Assert.Equal(Errno.NotCapable, Symlink("/etc/passwd", "abs-link"));
    }

    [Fact]
    public void SymlinksCannotLeadOutside()
    {
        // A guest-made link whose target climbs out: it can be made and read, never followed.
        Assert.Equal(Errno.Success, Symlink("../outside/secret.txt", "out"));
        Assert.Equal((0, "../outside/secret.txt"), Readlink("out"));
        Assert.Equal(Errno.NotCapable, Open("out").Errno);
        Assert.Equal(Errno.NotCapable, Stat("out", follow: true));
        Assert.Equal(Errno.Success, Stat("out", follow: false));
        Assert.Equal(Errno.Success, Symlink("..", "up"));
        Assert.Equal(Errno.NotCapable, Open("up/outside/secret.txt").Errno);
        Assert.Equal(Errno.NotCapable, Mkdir("up/made-outside"));

        // Host-made absolute links: outside is refused, inside is followed within the root.
        File.CreateSymbolicLink(HostPath("abs-out"), Path.Combine(Outside.FullName, "secret.txt"));
        Assert.Equal(Errno.NotCapable, Open("abs-out").Errno);
        File.WriteAllText(HostPath("inside.txt"), "inside");
        File.CreateSymbolicLink(HostPath("abs-in"), HostPath("inside.txt"));
        Assert.Equal((0, "inside"), Read(OpenOk("abs-in")));

        // Unlinking an escaping link removes only the link.
        Assert.Equal(Errno.Success, Unlink("out"));
        Assert.True(File.Exists(Path.Combine(Outside.FullName, "secret.txt")));
    }

    [Fact]
    public void RenameAndLinkCannotLeaveThePreopen()
    {
        File.WriteAllText(HostPath("mine.txt"), "mine");
        Assert.Equal(Errno.NotCapable, Rename("mine.txt", "../outside/stolen.txt"));
        Assert.Equal(Errno.NotCapable, Rename("../outside/secret.txt", "got.txt"));
        Assert.Equal(Errno.NotCapable, Link("mine.txt", "../outside/linked.txt"));
        Assert.Equal(Errno.NotCapable, Link("../outside/secret.txt", "linked.txt"));
        Symlink("../outside", "outdir");
        Assert.Equal(Errno.NotCapable, Rename("mine.txt", "outdir/stolen.txt"));
        Assert.Equal(Errno.NotCapable, Link("mine.txt", "outdir/linked.txt"));
        Assert.Equal(Errno.NotCapable, Link("outdir/secret.txt", "linked.txt", follow: true));
        Assert.False(File.Exists(Path.Combine(Outside.FullName, "stolen.txt")));
        Assert.False(File.Exists(Path.Combine(Outside.FullName, "linked.txt")));
        Assert.False(File.Exists(HostPath("linked.txt")));
        Assert.True(File.Exists(HostPath("mine.txt")));
    }

    [Fact]
    public void PollSleepsForClockSubscriptions()
    {
        var subs = new byte[96];
        subs[0] = 1;
        subs[8] = WasiFlags.EventClock;
        BitConverter.TryWriteBytes(subs.AsSpan(16), WasiFlags.ClockMonotonic);
        BitConverter.TryWriteBytes(subs.AsSpan(24), 30_000_000UL); // 30 ms, relative
        subs[48] = 2;
        subs[56] = WasiFlags.EventClock;
        BitConverter.TryWriteBytes(subs.AsSpan(64), WasiFlags.ClockMonotonic);
        BitConverter.TryWriteBytes(subs.AsSpan(72), 60_000_000_000UL); // 60 s: not reached
        int inPtr = Put(subs), outPtr = Alloc(64);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(Errno.Success, Ctx.PollOneoff(Mem, inPtr, outPtr, 2, 0));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(29), "slept " + sw.Elapsed);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Equal(1, U32(0));
        Assert.Equal(1, U64(outPtr));
        Assert.Equal(WasiFlags.EventClock, Mem.ReadByte((uint)outPtr + 10));

        // An absolute realtime deadline already in the past returns at once.
        Ctx.ClockTimeGet(Mem, WasiFlags.ClockRealtime, 0, 0);
        BitConverter.TryWriteBytes(subs.AsSpan(16), WasiFlags.ClockRealtime);
        BitConverter.TryWriteBytes(subs.AsSpan(24), (ulong)U64(0) - 1_000_000);
        BitConverter.TryWriteBytes(subs.AsSpan(40), (ushort)WasiFlags.SubscriptionClockAbstime);
        inPtr = Put(subs);
        Assert.Equal(Errno.Success, Ctx.PollOneoff(Mem, inPtr, outPtr, 1, 0));
        Assert.Equal(1, U32(0));

        // Errors: no subscriptions, bad clock, bad descriptor, out of bounds.
        Assert.Equal(Errno.Inval, Ctx.PollOneoff(Mem, inPtr, outPtr, 0, 0));
        BitConverter.TryWriteBytes(subs.AsSpan(16), 42);
        inPtr = Put(subs);
        Assert.Equal(Errno.Success, Ctx.PollOneoff(Mem, inPtr, outPtr, 1, 0));
        Assert.Equal(Errno.Inval, Mem.ReadInt16((uint)outPtr + 8));
        subs[8] = WasiFlags.EventFdRead;
        BitConverter.TryWriteBytes(subs.AsSpan(16), 99);
        inPtr = Put(subs);
        Assert.Equal(Errno.Success, Ctx.PollOneoff(Mem, inPtr, outPtr, 1, 0));
        Assert.Equal(Errno.BadF, Mem.ReadInt16((uint)outPtr + 8));
        Assert.Equal(Errno.Fault, Ctx.PollOneoff(Mem, 65500, outPtr, 2, 0));
    }
}

/// <summary>A read-only preopen: reading works, nothing can be created, changed or removed.</summary>
public class WasiReadOnlyTests() : WasiTestBase(readOnly: true)
{
    [Fact]
    public void NothingChangesUnderAReadOnlyPreopen()
    {
        File.WriteAllText(HostPath("r.txt"), "read me");
        Directory.CreateDirectory(HostPath("d"));
        Assert.Equal((0, "read me"), Read(OpenOk("r.txt", rights: Rights.FdRead | Rights.FdSeek)));
        Assert.Equal(Errno.NotCapable, Open("r.txt", rights: Rights.FdRead | Rights.FdWrite).Errno);
        Assert.Equal(Errno.NotCapable, Open("new.txt", WasiFlags.OCreat, Rights.FdRead).Errno);
        Assert.Equal(Errno.NotCapable, Open("r.txt", WasiFlags.OTrunc, Rights.FdRead).Errno);
        Assert.Equal(Errno.NotCapable, Open("r.txt", 0, Rights.FdRead, WasiFlags.FdAppend).Errno);
        Assert.Equal(Errno.NotCapable, PathCall((p, l) => Ctx.PathCreateDirectory(Mem, Preopen, p, l), "x"));
        Assert.Equal(Errno.NotCapable, PathCall((p, l) => Ctx.PathUnlinkFile(Mem, Preopen, p, l), "r.txt"));
        Assert.Equal(Errno.NotCapable, PathCall((p, l) => Ctx.PathRemoveDirectory(Mem, Preopen, p, l), "d"));
        var (a, al) = Str("r.txt");
        var (b, bl) = Str("s.txt");
        Assert.Equal(Errno.NotCapable, Ctx.PathRename(Mem, Preopen, a, al, Preopen, b, bl));
        Assert.Equal(Errno.NotCapable, Ctx.PathSymlink(Mem, a, al, Preopen, b, bl));
        Assert.Equal(Errno.NotCapable, Ctx.PathLink(Mem, Preopen, 0, a, al, Preopen, b, bl));
        Assert.Equal(Errno.NotCapable, Ctx.PathFilestatSetTimes(Mem, Preopen, 0, a, al, 0, 0, WasiFlags.SetMtimNow));
        Assert.True(File.Exists(HostPath("r.txt")) && !File.Exists(HostPath("s.txt")));
        Assert.Equal("read me", File.ReadAllText(HostPath("r.txt")));

        // A directory opened under it cannot regain write rights.
        int d = OpenOk("d", WasiFlags.ODirectory, Rights.Directory);
        Assert.Equal(Errno.Success, Ctx.FdFdstatGet(Mem, d, 0));
        Assert.Equal(0UL, (ulong)U64(8) & Rights.PathCreateFile);
        Assert.Equal(0UL, (ulong)U64(16) & Rights.FdWrite);
    }
}
