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
