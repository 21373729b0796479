using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using WasmKiln.Runtime;
using static WasmKiln.Wasi.GuestMemory;

namespace WasmKiln.Wasi;

/// <summary>
/// The WASI state of one store: arguments, environment, and the file-descriptor table (0-2 the
/// standard streams, then the preopened directories, then what the guest opens). Each
/// wasi_snapshot_preview1 function is a method here that takes the caller's memory and the raw
/// wasm arguments and returns the errno; guest pointers are bounds-checked (errno fault).
/// </summary>
internal sealed partial class WasiContext : IDisposable
{
    private readonly List<WasiFd?> _fds = [];
    private readonly byte[][] _args;
    private readonly byte[][] _env;

    /// <summary>Creates the state for <paramref name="config"/>; the preopens become fds 3, 4, ...</summary>
    public WasiContext(WasiConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _args = new byte[config.Args.Count][];
        for (int i = 0; i < _args.Length; i++) _args[i] = Encoding.UTF8.GetBytes(config.Args[i]);
        _env = new byte[config.EnvironmentVariables.Count][];
        for (int i = 0; i < _env.Length; i++)
        {
            var kv = config.EnvironmentVariables[i];
            _env[i] = Encoding.UTF8.GetBytes(kv.Key + "=" + kv.Value);
        }

        const ulong streamRights = Rights.FdFdstatSetFlags | Rights.FdFilestatGet | Rights.PollFdReadwrite;
        _fds.Add(StreamFd(config.InheritsStandardInput ? Console.OpenStandardInput() : config.StandardInput ?? Stream.Null,
            config.InheritsStandardInput, streamRights | Rights.FdRead));
        _fds.Add(StreamFd(config.InheritsStandardOutput ? Console.OpenStandardOutput() : config.StandardOutput ?? Stream.Null,
            config.InheritsStandardOutput, streamRights | Rights.FdWrite));
        _fds.Add(StreamFd(config.InheritsStandardError ? Console.OpenStandardError() : config.StandardError ?? Stream.Null,
            config.InheritsStandardError, streamRights | Rights.FdWrite));

        foreach (var p in config.PreopenedDirectories)
        {
            var root = new WasiRoot(p.HostPath, p.ReadOnly);
            ulong mask = p.ReadOnly ? ~Rights.Mutating : ulong.MaxValue;
            _fds.Add(new WasiFd
            {
                Kind = FdKind.Directory,
                FileType = WasiFlags.TypeDirectory,
                HostPath = p.HostPath,
                Root = root,
                RightsBase = Rights.Directory & mask,
                RightsInheriting = (Rights.Directory | Rights.File) & mask,
                PreopenName = Encoding.UTF8.GetBytes(p.GuestPath),
            });
        }
    }

    private static WasiFd StreamFd(Stream stream, bool console, ulong rights) => new()
    {
        Kind = FdKind.Stream,
        // The console is reported as a character device (a terminal to the guest's libc);
        // a redirected stream as an unknown file type, so the guest buffers its output fully.
        FileType = console ? WasiFlags.TypeCharacterDevice : WasiFlags.TypeUnknown,
        Stream = stream,
        RightsBase = rights,
        RightsInheriting = 0,
    };

    /// <summary>The open descriptor <paramref name="fd"/>, or null when it is not open.</summary>
    internal WasiFd? Get(int fd) => (uint)fd < (uint)_fds.Count ? _fds[fd] : null;

    /// <summary>
    /// Looks up <paramref name="fd"/> and checks it has <paramref name="rights"/>: errno badf when
    /// it is not open, notcapable when a right is missing.
    /// </summary>
    private int Lookup(int fd, ulong rights, out WasiFd entry)
    {
        var e = Get(fd);
        entry = e!;
        if (e == null) return Errno.BadF;
        return e.Has(rights) ? Errno.Success : Errno.NotCapable;
    }

    /// <summary>Adds <paramref name="entry"/> at the lowest free descriptor number above the standard streams.</summary>
    private int Allocate(WasiFd entry)
    {
        for (int i = 3; i < _fds.Count; i++)
        {
            if (_fds[i] == null)
            {
                _fds[i] = entry;
                return i;
            }
        }
        _fds.Add(entry);
        return _fds.Count - 1;
    }

    /// <summary>Flushes the standard output and error streams (called when the guest exits).</summary>
    public void FlushStandardStreams()
    {
        for (int i = 0; i < _fds.Count; i++)
        {
            var e = _fds[i];
            if (e is { Kind: FdKind.Stream, Stream: { CanWrite: true } s })
            {
                try { s.Flush(); }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
            }
        }
    }

    /// <summary>Closes every file and directory the guest opened (not the standard streams).</summary>
    public void Dispose()
    {
        FlushStandardStreams();
        for (int i = 0; i < _fds.Count; i++)
        {
            _fds[i]?.File?.Dispose();
            if (i > 2) _fds[i] = null;
        }
    }

    // ---- args / environ ----

    public int ArgsSizesGet(Memory? m, int argcPtr, int bufSizePtr) => SizesGet(m, _args, argcPtr, bufSizePtr);

    public int ArgsGet(Memory? m, int argvPtr, int bufPtr) => StringsGet(m, _args, argvPtr, bufPtr);

    public int EnvironSizesGet(Memory? m, int countPtr, int bufSizePtr) => SizesGet(m, _env, countPtr, bufSizePtr);

    public int EnvironGet(Memory? m, int environPtr, int bufPtr) => StringsGet(m, _env, environPtr, bufPtr);

    private static int SizesGet(Memory? m, byte[][] strings, int countPtr, int bufSizePtr)
    {
        uint total = 0;
        foreach (var s in strings) total += (uint)s.Length + 1;
        if (!InBounds(m, (uint)countPtr, 4) || !InBounds(m, (uint)bufSizePtr, 4)) return Errno.Fault;
        WriteU32(m, (uint)countPtr, (uint)strings.Length);
        WriteU32(m, (uint)bufSizePtr, total);
        return Errno.Success;
    }

    private static int StringsGet(Memory? m, byte[][] strings, int ptrsPtr, int bufPtr)
    {
        uint total = 0;
        foreach (var s in strings) total += (uint)s.Length + 1;
        if (!InBounds(m, (uint)ptrsPtr, 4UL * (ulong)strings.Length) || !InBounds(m, (uint)bufPtr, total)) return Errno.Fault;
        uint p = (uint)bufPtr;
        for (int i = 0; i < strings.Length; i++)
        {
            WriteU32(m, (uint)ptrsPtr + (uint)(4 * i), p);
            TrySpan(m, p, (uint)strings[i].Length + 1, out var dst);
            strings[i].CopyTo(dst);
            dst[^1] = 0;
            p += (uint)strings[i].Length + 1;
        }
        return Errno.Success;
    }

    // ---- clocks, random, process, scheduling ----

    public int ClockResGet(Memory? m, int clockId, int resultPtr)
    {
        ulong res;
        switch (clockId)
        {
            case WasiFlags.ClockRealtime: res = 100; break; // DateTime ticks
            case WasiFlags.ClockMonotonic: res = Math.Max(1UL, (ulong)(1_000_000_000L / Stopwatch.Frequency)); break;
            case WasiFlags.ClockProcessCpu: res = 100; break; // TimeSpan ticks
            case WasiFlags.ClockThreadCpu: res = WasiNative.ThreadCpuTimeResolution; break;
            default: return Errno.Inval;
        }
        return WriteU64(m, (uint)resultPtr, res) ? Errno.Success : Errno.Fault;
    }

    public int ClockTimeGet(Memory? m, int clockId, long precision, int resultPtr)
    {
        _ = precision; // every clock is read at its best resolution
        if (!TryReadClock(clockId, out ulong now)) return Errno.Inval;
        return WriteU64(m, (uint)resultPtr, now) ? Errno.Success : Errno.Fault;
    }

    /// <summary>Reads clock <paramref name="clockId"/> in nanoseconds; false for an unknown clock.</summary>
    internal bool TryReadClock(int clockId, out ulong nanoseconds)
    {
        switch (clockId)
        {
            case WasiFlags.ClockRealtime:
                nanoseconds = (ulong)(DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
                return true;
            case WasiFlags.ClockMonotonic:
                nanoseconds = MonotonicNow();
                return true;
            case WasiFlags.ClockProcessCpu:
                nanoseconds = (ulong)Environment.CpuUsage.TotalTime.Ticks * 100;
                return true;
            case WasiFlags.ClockThreadCpu:
                nanoseconds = WasiNative.ThreadCpuTime();
                return true;
            default:
                nanoseconds = 0;
                return false;
        }
    }

    private static ulong MonotonicNow()
    {
        long ts = Stopwatch.GetTimestamp();
        long f = Stopwatch.Frequency;
        return (ulong)(ts / f) * 1_000_000_000UL + (ulong)(ts % f) * 1_000_000_000UL / (ulong)f;
    }

    public int RandomGet(Memory? m, int buf, int len)
    {
        if (!TrySpan(m, (uint)buf, (uint)len, out var span)) return Errno.Fault;
        RandomNumberGenerator.Fill(span);
        return Errno.Success;
    }

    /// <summary>proc_exit: flushes the standard streams and throws <see cref="WasiExitException"/>.</summary>
    public void ProcExit(int code)
    {
        FlushStandardStreams();
        throw new WasiExitException(code);
    }

    /// <summary>
    /// proc_raise: signals are not delivered to WebAssembly guests (the host has no process to
    /// signal for them), so this returns errno notsup, as WASI hosts commonly do.
    /// </summary>
    public static int ProcRaise(int signal) => signal is < 0 or > 30 ? Errno.Inval : Errno.NotSup;

    public static int SchedYield()
    {
        Thread.Yield();
        return Errno.Success;
    }

    // ---- sockets: none is ever preopened, so every descriptor is either closed or not a socket ----

    private int NotASocket(int fd) => Get(fd) == null ? Errno.BadF : Errno.NotSock;

    public int SockAccept(Memory? m, int fd, int flags, int resultFdPtr)
    {
        _ = m; _ = flags; _ = resultFdPtr;
        return NotASocket(fd);
    }

    public int SockRecv(Memory? m, int fd, int riData, int riDataLen, int riFlags, int roDataLenPtr, int roFlagsPtr)
    {
        _ = m; _ = riData; _ = riDataLen; _ = riFlags; _ = roDataLenPtr; _ = roFlagsPtr;
        return NotASocket(fd);
    }

    public int SockSend(Memory? m, int fd, int siData, int siDataLen, int siFlags, int soDataLenPtr)
    {
        _ = m; _ = siData; _ = siDataLen; _ = siFlags; _ = soDataLenPtr;
        return NotASocket(fd);
    }

    public int SockShutdown(int fd, int how)
    {
        _ = how;
        return NotASocket(fd);
    }
}
