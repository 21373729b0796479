using System.Runtime.InteropServices;

namespace WasmKiln.Runtime;

/// <summary>
/// The native storage of a linear memory: a block of address space reserved once for the
/// memory's whole capacity, so that its base address never moves, and committed (made
/// readable, writable and zero-filled) as the memory grows. Uses mmap/mprotect on Unix-like
/// systems and VirtualAlloc on Windows; elsewhere (or when the platform calls are unavailable)
/// the whole capacity is allocated zeroed up front with <see cref="NativeMemory.AllocZeroed(nuint)"/>.
/// Being a <see cref="SafeHandle"/>, the block is released exactly once, by Dispose or by the
/// finalizer, and never while a <see cref="SafeHandle.DangerousAddRef"/> lease is held.
/// </summary>
internal sealed unsafe partial class MemoryBuffer : SafeHandle
{
    private enum Backing : byte { None, Unix, Windows, Native }

    private readonly Backing _backing;
    private readonly nuint _reserved;
    private nuint _committed;

    private MemoryBuffer(Backing backing, void* address, nuint reserved, nuint committed) : base(IntPtr.Zero, ownsHandle: true)
    {
        _backing = backing;
        _reserved = reserved;
        _committed = committed;
        SetHandle((IntPtr)address);
    }

    /// <summary>The first byte of the block (null for an empty capacity).</summary>
    public byte* Address => (byte*)handle;

    /// <summary>Bytes of address space the block reserves (its capacity, rounded up to OS pages).</summary>
    public ulong Reserved => _reserved;

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>
    /// Reserves <paramref name="capacity"/> bytes and commits the first <paramref name="initial"/>.
    /// Returns null when the address space or the memory is not available.
    /// </summary>
    public static MemoryBuffer? TryCreate(ulong capacity, ulong initial)
    {
        if (initial > capacity) throw new ArgumentOutOfRangeException(nameof(initial));
        if (capacity == 0) return new MemoryBuffer(Backing.None, null, 0, 0);
        ulong page = (ulong)Environment.SystemPageSize;
        ulong reserve = RoundUp(capacity, page);
        if (reserve < capacity || reserve > (ulong)nint.MaxValue) return null;
        MemoryBuffer? buffer = null;
        if (OperatingSystem.IsWindows())
        {
            void* p = Win32.VirtualAlloc(null, (nuint)reserve, Win32.MEM_RESERVE, Win32.PAGE_NOACCESS);
            if (p != null) buffer = new MemoryBuffer(Backing.Windows, p, (nuint)reserve, 0);
        }
        else if (Posix.Available)
        {
            void* p = Posix.Reserve((nuint)reserve);
            if (p != null) buffer = new MemoryBuffer(Backing.Unix, p, (nuint)reserve, 0);
        }
        else
        {
            void* p;
            try { p = NativeMemory.AllocZeroed((nuint)reserve); }
            catch (OutOfMemoryException) { return null; }
            return new MemoryBuffer(Backing.Native, p, (nuint)reserve, (nuint)reserve);
        }
        if (buffer == null) return null;
        if (!buffer.TryCommit(initial))
        {
            buffer.Dispose();
            return null;
        }
        return buffer;
    }

    /// <summary>Makes the first <paramref name="bytes"/> bytes usable; false when the OS refuses.</summary>
    /// <remarks>Callers serialize calls (the memory's grow lock).</remarks>
    public bool TryCommit(ulong bytes)
    {
        if (bytes <= _committed) return true;
        if (bytes > _reserved) return false;
        nuint target = (nuint)Math.Min(RoundUp(bytes, (ulong)Environment.SystemPageSize), _reserved);
        byte* start = (byte*)handle + _committed;
        nuint size = target - _committed;
        bool ok = _backing switch
        {
            Backing.Windows => OperatingSystem.IsWindows() && Win32.VirtualAlloc(start, size, Win32.MEM_COMMIT, Win32.PAGE_READWRITE) != null,
            Backing.Unix => Posix.Commit(start, size),
            _ => true,
        };
        if (ok) _committed = target;
        return ok;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        void* p = (void*)handle;
        switch (_backing)
        {
            case Backing.Windows:
                return OperatingSystem.IsWindows() && Win32.VirtualFree(p, 0, Win32.MEM_RELEASE) != 0;
            case Backing.Unix:
                return Posix.Release(p, _reserved);
            case Backing.Native:
                NativeMemory.Free(p);
                return true;
            default:
                return true;
        }
    }

    private static ulong RoundUp(ulong value, ulong multiple)
    {
        ulong r = value % multiple;
        return r == 0 ? value : value + (multiple - r);
    }

    /// <summary>mmap/mprotect/munmap looked up in the process's global symbol scope (libc).</summary>
    private static class Posix
    {
        private const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
        private const int MAP_PRIVATE = 0x02;
        private static readonly delegate* unmanaged<void*, nuint, int, int, int, nint, void*> s_mmap;
        private static readonly delegate* unmanaged<void*, nuint, int, int> s_mprotect;
        private static readonly delegate* unmanaged<void*, nuint, int> s_munmap;
        private static readonly int s_mapFlags;

        public static bool Available => s_mmap != null;

        static Posix()
        {
            int anon, noReserve;
            if (OperatingSystem.IsLinux() || OperatingSystem.IsAndroid()) { anon = 0x20; noReserve = 0x4000; }
            else if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsMacCatalyst() || OperatingSystem.IsTvOS()) { anon = 0x1000; noReserve = 0x40; }
            else if (OperatingSystem.IsFreeBSD()) { anon = 0x1000; noReserve = 0; }
            else return;
            IntPtr self;
            try { self = NativeLibrary.GetMainProgramHandle(); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException) { return; }
            if (!NativeLibrary.TryGetExport(self, "mmap", out var mmap)
                || !NativeLibrary.TryGetExport(self, "mprotect", out var mprotect)
                || !NativeLibrary.TryGetExport(self, "munmap", out var munmap))
                return;
            s_mapFlags = MAP_PRIVATE | anon | noReserve;
            s_mprotect = (delegate* unmanaged<void*, nuint, int, int>)mprotect;
            s_munmap = (delegate* unmanaged<void*, nuint, int>)munmap;
            s_mmap = (delegate* unmanaged<void*, nuint, int, int, int, nint, void*>)mmap;
        }

        public static void* Reserve(nuint size)
        {
            void* p = s_mmap(null, size, PROT_NONE, s_mapFlags, -1, 0);
            return p == (void*)-1 ? null : p;
        }

        public static bool Commit(void* start, nuint size) => s_mprotect(start, size, PROT_READ | PROT_WRITE) == 0;

        public static bool Release(void* start, nuint size) => s_munmap(start, size) == 0;
    }

    /// <summary>The Windows virtual memory API.</summary>
    private static partial class Win32
    {
        public const uint MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000, MEM_RELEASE = 0x8000;
        public const uint PAGE_NOACCESS = 0x01, PAGE_READWRITE = 0x04;

        [LibraryImport("kernel32.dll")]
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
        public static partial void* VirtualAlloc(void* address, nuint size, uint allocationType, uint protect);

        [LibraryImport("kernel32.dll")]
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
        public static partial int VirtualFree(void* address, nuint size, uint freeType);
    }
}
