using System.Runtime.InteropServices;

namespace WasmKiln.Wasi;

/// <summary>
/// The few host calls .NET has no API for: hard links and the calling thread's CPU time. Each
/// is used only on the platforms it is declared for; elsewhere the caller gets errno notsup or
/// a documented fallback.
/// </summary>
internal static unsafe partial class WasiNative
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkUnix(string oldPath, string newPath);

    [LibraryImport("kernel32", EntryPoint = "CreateHardLinkW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CreateHardLinkWindows(string newPath, string existingPath, nint securityAttributes);

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clockId, TimeSpec* ts);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatUnix(string path, byte* buf);

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LstatUnix(string path, byte* buf);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int FstatUnix(int fd, byte* buf);

    /// <summary>
    /// Whether <c>struct stat</c> of this platform has a layout known here: Linux on x86-64
    /// (the kernel's layout, shared by glibc and musl) and on arm64 (the generic layout).
    /// Elsewhere the file-system calls fall back to what .NET reports.
    /// </summary>
    private static readonly bool HasStat = ProbeStat();

    private static bool ProbeStat()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return false;
        try
        {
            byte* buf = stackalloc byte[StatBufferSize];
            return StatUnix("/", buf) == 0;
        }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }

    private const int StatBufferSize = 256;

    /// <summary>
    /// Reads the host's status of <paramref name="path"/> (following a final link when
    /// <paramref name="follow"/>). False when this platform's layout is unknown or the call failed.
    /// </summary>
    public static bool TryStat(string path, bool follow, out HostStat stat)
    {
        stat = default;
        if (!HasStat) return false;
        byte* buf = stackalloc byte[StatBufferSize];
        if ((follow ? StatUnix(path, buf) : LstatUnix(path, buf)) != 0) return false;
        stat = Decode(buf);
        return true;
    }

    /// <summary>Reads the host's status of an open file (see <see cref="TryStat(string, bool, out HostStat)"/>).</summary>
    public static bool TryStat(Microsoft.Win32.SafeHandles.SafeFileHandle handle, out HostStat stat)
    {
        stat = default;
        if (!HasStat || handle.IsInvalid || handle.IsClosed) return false;
        byte* buf = stackalloc byte[StatBufferSize];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (FstatUnix((int)handle.DangerousGetHandle(), buf) != 0) return false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        stat = Decode(buf);
        return true;
    }

    private static HostStat Decode(byte* b)
    {
        // x86-64: dev@0 ino@8 nlink(u64)@16 mode@24 ... size@48 atim@72 mtim@88 ctim@104.
        // arm64 (generic): dev@0 ino@8 mode@16 nlink(u32)@20 ... size@48 atim@72 mtim@88 ctim@104.
        bool x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        ulong nlink = x64 ? *(ulong*)(b + 16) : *(uint*)(b + 20);
        uint mode = x64 ? *(uint*)(b + 24) : *(uint*)(b + 16);
        return new HostStat(*(ulong*)b, *(ulong*)(b + 8), mode, nlink, *(long*)(b + 48),
            Nanoseconds(b + 72), Nanoseconds(b + 88), Nanoseconds(b + 104));
    }

    private static ulong Nanoseconds(byte* timespec)
    {
        long sec = *(long*)timespec, nsec = *(long*)(timespec + 8);
        return sec < 0 ? 0 : (ulong)sec * 1_000_000_000UL + (ulong)nsec;
    }

    /// <summary>Creates a hard link <paramref name="newPath"/> to <paramref name="oldPath"/>; returns the WASI errno.</summary>
    public static int Link(string oldPath, string newPath)
    {
        try
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
            {
                if (LinkUnix(oldPath, newPath) == 0) return Errno.Success;
                return WasiErrors.FromHostErrno(Marshal.GetLastPInvokeError());
            }
            if (OperatingSystem.IsWindows())
            {
                if (CreateHardLinkWindows(newPath, oldPath, 0)) return Errno.Success;
                return WasiErrors.FromHResult(Marshal.GetHRForLastWin32Error());
            }
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
        return Errno.NotSup;
    }

    private static int ThreadClockId => OperatingSystem.IsMacOS() ? 16 : 3; // CLOCK_THREAD_CPUTIME_ID

    private static readonly bool HasThreadClock = ProbeThreadClock();

    private static bool ProbeThreadClock()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return false;
        try
        {
            TimeSpec ts;
            return ClockGetTime(ThreadClockId, &ts) == 0;
        }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }

    /// <summary>Resolution of <see cref="ThreadCpuTime"/> in nanoseconds.</summary>
    public static ulong ThreadCpuTimeResolution => HasThreadClock ? 1UL : 100UL;

    /// <summary>
    /// CPU time of the calling thread in nanoseconds. Where the platform offers no thread clock
    /// (Windows and others) this is the process's CPU time, the nearest measure .NET gives.
    /// </summary>
    public static ulong ThreadCpuTime()
    {
        if (HasThreadClock)
        {
            TimeSpec ts;
            if (ClockGetTime(ThreadClockId, &ts) == 0) return (ulong)ts.Seconds * 1_000_000_000UL + (ulong)ts.Nanoseconds;
        }
        return (ulong)Environment.CpuUsage.TotalTime.Ticks * 100;
    }
}

/// <summary>The parts of a host <c>struct stat</c> that WASI reports.</summary>
internal readonly record struct HostStat(ulong Device, ulong Inode, uint Mode, ulong LinkCount, long Size, ulong AccessTime, ulong ModifyTime, ulong ChangeTime)
{
    /// <summary>The WASI filetype of the mode's file-type bits.</summary>
    public byte FileType => (Mode & 0xF000) switch
    {
        0x4000 => WasiFlags.TypeDirectory,
        0x8000 => WasiFlags.TypeRegularFile,
        0xA000 => WasiFlags.TypeSymbolicLink,
        0x2000 => WasiFlags.TypeCharacterDevice,
        0x6000 => WasiFlags.TypeBlockDevice,
        0xC000 => WasiFlags.TypeSocketStream,
        _ => WasiFlags.TypeUnknown,
    };
}
