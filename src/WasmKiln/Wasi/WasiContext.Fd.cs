using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using WasmKiln.Runtime;
using static WasmKiln.Wasi.GuestMemory;

namespace WasmKiln.Wasi;

internal sealed partial class WasiContext
{
    // ---- descriptors ----

    public int FdClose(int fd)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        _fds[fd] = null;
        if (e.Kind == FdKind.Stream)
        {
            // The stream belongs to the embedder (or the console): flush, never close it.
            try { e.Stream!.Flush(); } catch (IOException) { } catch (ObjectDisposedException) { }
        }
        else
        {
            e.File?.Dispose();
        }
        return Errno.Success;
    }

    public int FdRenumber(int from, int to)
    {
        var src = Get(from);
        var dst = Get(to);
        if (src == null || dst == null) return Errno.BadF;
        if (from == to) return Errno.Success;
        if (dst.Kind != FdKind.Stream) dst.File?.Dispose();
        _fds[to] = src;
        _fds[from] = null;
        return Errno.Success;
    }

    public int FdFdstatGet(Memory? m, int fd, int statPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (!TrySpan(m, (uint)statPtr, 24, out var s)) return Errno.Fault;
        s.Clear();
        s[0] = e.FileType;
        BinaryPrimitives.WriteUInt16LittleEndian(s.Slice(2), (ushort)e.Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(8), e.RightsBase);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(16), e.RightsInheriting);
        return Errno.Success;
    }

    public int FdFdstatSetFlags(int fd, int flags)
    {
        int err = Lookup(fd, Rights.FdFdstatSetFlags, out var e);
        if (err != Errno.Success) return err;
        if ((flags & ~0x1F) != 0) return Errno.Inval;
        e.Flags = flags;
        return Errno.Success;
    }

    public int FdFdstatSetRights(int fd, long rightsBase, long rightsInheriting)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        ulong b = (ulong)rightsBase, i = (ulong)rightsInheriting;
        if ((b & ~e.RightsBase) != 0 || (i & ~e.RightsInheriting) != 0) return Errno.NotCapable;
        e.RightsBase = b;
        e.RightsInheriting = i;
        return Errno.Success;
    }

    public int FdPrestatGet(Memory? m, int fd, int prestatPtr)
    {
        var e = Get(fd);
        if (e?.PreopenName == null) return Errno.BadF;
        if (!TrySpan(m, (uint)prestatPtr, 8, out var s)) return Errno.Fault;
        s.Clear();
        s[0] = WasiFlags.PreopenDir;
        BinaryPrimitives.WriteUInt32LittleEndian(s.Slice(4), (uint)e.PreopenName.Length);
        return Errno.Success;
    }

    public int FdPrestatDirName(Memory? m, int fd, int pathPtr, int pathLen)
    {
        var e = Get(fd);
        if (e?.PreopenName == null) return Errno.BadF;
        if ((uint)pathLen < (uint)e.PreopenName.Length) return Errno.NameTooLong;
        if (!TrySpan(m, (uint)pathPtr, (uint)e.PreopenName.Length, out var s)) return Errno.Fault;
        e.PreopenName.CopyTo(s);
        return Errno.Success;
    }

    // ---- reading and writing ----

    public int FdRead(Memory? m, int fd, int iovs, int iovsLen, int nreadPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (e.Kind == FdKind.Directory) return Errno.IsDir;
        if (!e.Has(Rights.FdRead)) return Errno.NotCapable;
        if (!CheckIovecs(m, (uint)iovs, (uint)iovsLen) || !InBounds(m, (uint)nreadPtr, 4)) return Errno.Fault;
        long total = 0;
        try
        {
            if (e.Kind == FdKind.Stream)
            {
                // One read on the first non-empty buffer: a stream (a console, a pipe) gives what it
                // has, and asking for more could block although data was read.
                for (int i = 0; i < iovsLen; i++)
                {
                    var buf = Iovec(m!, (uint)iovs, i);
                    if (buf.Length == 0) continue;
                    total = e.Stream!.Read(buf);
                    break;
                }
            }
            else
            {
                total = ReadFile(e, m!, (uint)iovs, iovsLen, e.Position);
                e.Position += total;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return WasiErrors.FromException(ex);
        }
        WriteU32(m, (uint)nreadPtr, (uint)total);
        return Errno.Success;
    }

    public int FdPread(Memory? m, int fd, int iovs, int iovsLen, long offset, int nreadPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (e.Kind == FdKind.Directory) return Errno.IsDir;
        if (e.Kind == FdKind.Stream) return Errno.SPipe;
        if (!e.Has(Rights.FdRead | Rights.FdSeek)) return Errno.NotCapable;
        if (offset < 0) return Errno.Inval;
        if (!CheckIovecs(m, (uint)iovs, (uint)iovsLen) || !InBounds(m, (uint)nreadPtr, 4)) return Errno.Fault;
        long total;
        try { total = ReadFile(e, m!, (uint)iovs, iovsLen, offset); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return WasiErrors.FromException(ex);
        }
        WriteU32(m, (uint)nreadPtr, (uint)total);
        return Errno.Success;
    }

    private static long ReadFile(WasiFd e, Memory m, uint iovs, int iovsLen, long offset)
    {
        SafeFileHandle h = e.File!.SafeFileHandle;
        long total = 0;
        for (int i = 0; i < iovsLen; i++)
        {
            var buf = Iovec(m, iovs, i);
            if (buf.Length == 0) continue;
            int n = RandomAccess.Read(h, buf, offset + total);
            total += n;
            if (n < buf.Length) break;
        }
        return total;
    }

    public int FdWrite(Memory? m, int fd, int iovs, int iovsLen, int nwrittenPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (e.Kind == FdKind.Directory) return Errno.IsDir;
        if (!e.Has(Rights.FdWrite)) return Errno.NotCapable;
        if (!CheckIovecs(m, (uint)iovs, (uint)iovsLen) || !InBounds(m, (uint)nwrittenPtr, 4)) return Errno.Fault;
        long total = 0;
        try
        {
            if (e.Kind == FdKind.Stream)
            {
                var s = e.Stream!;
                for (int i = 0; i < iovsLen; i++)
                {
                    var buf = Iovec(m!, (uint)iovs, i);
                    if (buf.Length == 0) continue;
                    s.Write(buf);
                    total += buf.Length;
                }
                s.Flush();
            }
            else
            {
                long at = (e.Flags & WasiFlags.FdAppend) != 0 ? RandomAccess.GetLength(e.File!.SafeFileHandle) : e.Position;
                total = WriteFile(e, m!, (uint)iovs, iovsLen, at);
                e.Position = at + total;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return WasiErrors.FromException(ex);
        }
        WriteU32(m, (uint)nwrittenPtr, (uint)total);
        return Errno.Success;
    }

    public int FdPwrite(Memory? m, int fd, int iovs, int iovsLen, long offset, int nwrittenPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (e.Kind == FdKind.Directory) return Errno.IsDir;
        if (e.Kind == FdKind.Stream) return Errno.SPipe;
        if (!e.Has(Rights.FdWrite | Rights.FdSeek)) return Errno.NotCapable;
        if (offset < 0) return Errno.Inval;
        if (!CheckIovecs(m, (uint)iovs, (uint)iovsLen) || !InBounds(m, (uint)nwrittenPtr, 4)) return Errno.Fault;
        long total;
        try { total = WriteFile(e, m!, (uint)iovs, iovsLen, offset); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return WasiErrors.FromException(ex);
        }
        WriteU32(m, (uint)nwrittenPtr, (uint)total);
        return Errno.Success;
    }

    private static long WriteFile(WasiFd e, Memory m, uint iovs, int iovsLen, long offset)
    {
        var f = e.File!;
        long total = 0;
        for (int i = 0; i < iovsLen; i++)
        {
            var buf = Iovec(m, iovs, i);
            if (buf.Length == 0) continue;
            RandomAccess.Write(f.SafeFileHandle, buf, offset + total);
            total += buf.Length;
        }
        if ((e.Flags & (WasiFlags.FdSync | WasiFlags.FdDsync | WasiFlags.FdRsync)) != 0) f.Flush(flushToDisk: true);
        return total;
    }

    public int FdSeek(Memory? m, int fd, long offset, int whence, int newOffsetPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (e.Kind == FdKind.Stream) return Errno.SPipe;
        ulong needed = whence == WasiFlags.WhenceCur && offset == 0 ? Rights.FdTell : Rights.FdSeek;
        if (!e.Has(needed) && !e.Has(Rights.FdSeek)) return Errno.NotCapable;
        if (e.Kind != FdKind.File) return Errno.BadF;
        long basePos;
        switch (whence)
        {
            case WasiFlags.WhenceSet: basePos = 0; break;
            case WasiFlags.WhenceCur: basePos = e.Position; break;
            case WasiFlags.WhenceEnd:
                try { basePos = RandomAccess.GetLength(e.File!.SafeFileHandle); }
                catch (IOException ex) { return WasiErrors.FromException(ex); }
                break;
            default: return Errno.Inval;
        }
        long pos = basePos + offset;
        if ((offset > 0 && pos < basePos) || pos < 0) return Errno.Inval;
        if (!InBounds(m, (uint)newOffsetPtr, 8)) return Errno.Fault;
        e.Position = pos;
        WriteU64(m, (uint)newOffsetPtr, (ulong)pos);
        return Errno.Success;
    }

    public int FdTell(Memory? m, int fd, int offsetPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (e.Kind == FdKind.Stream) return Errno.SPipe;
        if (!e.Has(Rights.FdTell)) return Errno.NotCapable;
        if (e.Kind != FdKind.File) return Errno.BadF;
        return WriteU64(m, (uint)offsetPtr, (ulong)e.Position) ? Errno.Success : Errno.Fault;
    }

    // ---- file attributes and data ----

    public int FdAdvise(int fd, long offset, long len, int advice)
    {
        int err = Lookup(fd, Rights.FdAdvise, out var e);
        if (err != Errno.Success) return err;
        if ((uint)advice > 5 || offset < 0 || len < 0) return Errno.Inval;
        // Advice is a hint; .NET offers no way to pass it on, and ignoring it is correct.
        return e.Kind == FdKind.File ? Errno.Success : Errno.BadF;
    }

    public int FdAllocate(int fd, long offset, long len)
    {
        int err = Lookup(fd, Rights.FdAllocate, out var e);
        if (err != Errno.Success) return err;
        if (e.Kind != FdKind.File) return Errno.BadF;
        if (offset < 0 || len <= 0) return Errno.Inval;
        long end = offset + len;
        if (end < offset) return Errno.FBig;
        try
        {
            var h = e.File!.SafeFileHandle;
            if (RandomAccess.GetLength(h) < end) RandomAccess.SetLength(h, end);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return WasiErrors.FromException(ex);
        }
        return Errno.Success;
    }

    public int FdDatasync(int fd) => Sync(fd, Rights.FdDatasync);

    public int FdSync(int fd) => Sync(fd, Rights.FdSync);

    private int Sync(int fd, ulong right)
    {
        int err = Lookup(fd, right, out var e);
        if (err != Errno.Success) return err;
        try
        {
            if (e.Kind == FdKind.File) e.File!.Flush(flushToDisk: true);
            else if (e.Kind == FdKind.Stream) e.Stream!.Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            return WasiErrors.FromException(ex);
        }
        return Errno.Success;
    }

    public int FdFilestatGet(Memory? m, int fd, int bufPtr)
    {
        int err = Lookup(fd, Rights.FdFilestatGet, out var e);
        if (err != Errno.Success) return err;
        if (!InBounds(m, (uint)bufPtr, 64)) return Errno.Fault;
        if (e.Kind == FdKind.Stream)
        {
            WriteFilestat(m!, (uint)bufPtr, 0, 0, e.FileType, 1, 0, 0, 0, 0);
            return Errno.Success;
        }
        bool known = e.Kind == FdKind.File ? WasiNative.TryStat(e.File!.SafeFileHandle, out var st) : WasiNative.TryStat(e.HostPath, true, out st);
        if (known)
        {
            WriteFilestat(m!, (uint)bufPtr, st);
            return Errno.Success;
        }
        try
        {
            FileSystemInfo info = e.Kind == FdKind.Directory ? new DirectoryInfo(e.HostPath) : new FileInfo(e.HostPath);
            long size = e.Kind == FdKind.File ? RandomAccess.GetLength(e.File!.SafeFileHandle) : 0;
            WriteFilestat(m!, (uint)bufPtr, info, e.FileType, size);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return WasiErrors.FromException(ex);
        }
        return Errno.Success;
    }

    public int FdFilestatSetSize(int fd, long size)
    {
        int err = Lookup(fd, Rights.FdFilestatSetSize, out var e);
        if (err != Errno.Success) return err;
        if (e.Kind != FdKind.File) return Errno.BadF;
        if (size < 0) return Errno.Inval;
        try { RandomAccess.SetLength(e.File!.SafeFileHandle, size); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return WasiErrors.FromException(ex);
        }
        return Errno.Success;
    }

    public int FdFilestatSetTimes(int fd, long atim, long mtim, int fstFlags)
    {
        int err = Lookup(fd, Rights.FdFilestatSetTimes, out var e);
        if (err != Errno.Success) return err;
        if (e.Kind == FdKind.Stream) return Errno.BadF;
        return SetTimes(e.HostPath, e.Kind == FdKind.Directory, e.File?.SafeFileHandle, atim, mtim, fstFlags);
    }

    /// <summary>Sets access and modification times per the fstflags; errno inval for contradictory flags.</summary>
    private static int SetTimes(string hostPath, bool isDirectory, SafeFileHandle? handle, long atim, long mtim, int fstFlags)
    {
        if ((fstFlags & ~0xF) != 0) return Errno.Inval;
        if ((fstFlags & (WasiFlags.SetAtim | WasiFlags.SetAtimNow)) == (WasiFlags.SetAtim | WasiFlags.SetAtimNow)) return Errno.Inval;
        if ((fstFlags & (WasiFlags.SetMtim | WasiFlags.SetMtimNow)) == (WasiFlags.SetMtim | WasiFlags.SetMtimNow)) return Errno.Inval;
        var now = DateTime.UtcNow;
        try
        {
            if ((fstFlags & (WasiFlags.SetAtim | WasiFlags.SetAtimNow)) != 0)
            {
                var t = (fstFlags & WasiFlags.SetAtimNow) != 0 ? now : FromNanoseconds(atim);
                if (handle != null) File.SetLastAccessTimeUtc(handle, t);
                else if (isDirectory) Directory.SetLastAccessTimeUtc(hostPath, t);
                else File.SetLastAccessTimeUtc(hostPath, t);
            }
            if ((fstFlags & (WasiFlags.SetMtim | WasiFlags.SetMtimNow)) != 0)
            {
                var t = (fstFlags & WasiFlags.SetMtimNow) != 0 ? now : FromNanoseconds(mtim);
                if (handle != null) File.SetLastWriteTimeUtc(handle, t);
                else if (isDirectory) Directory.SetLastWriteTimeUtc(hostPath, t);
                else File.SetLastWriteTimeUtc(hostPath, t);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return WasiErrors.FromException(ex);
        }
        return Errno.Success;
    }

    private static DateTime FromNanoseconds(long ns) => DateTime.UnixEpoch.AddTicks((long)((ulong)ns / 100));

    private static ulong ToNanoseconds(DateTime utc)
    {
        long ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        return ticks <= 0 ? 0 : (ulong)ticks * 100;
    }

    /// <summary>
    /// A stable inode number for a host path where the host's cannot be read (see
    /// <see cref="WasiNative.TryStat(string, bool, out HostStat)"/>): a 64-bit FNV-1a hash of the
    /// full host path, so the same path always has the same number (hard links to one file get
    /// different numbers there, and the link count is reported as 1).
    /// </summary>
    internal static ulong InodeOf(string hostPath)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in hostPath)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    private static void WriteFilestat(Memory m, uint ptr, in HostStat st) =>
        WriteFilestat(m, ptr, st.Device, st.Inode, st.FileType, st.LinkCount, (ulong)st.Size, st.AccessTime, st.ModifyTime, st.ChangeTime);

    /// <summary>The inode of a host path: the host's own number where it can be read, else <see cref="InodeOf"/>.</summary>
    private static ulong HostInode(string hostPath) => WasiNative.TryStat(hostPath, false, out var st) ? st.Inode : InodeOf(hostPath);

    private static void WriteFilestat(Memory m, uint ptr, FileSystemInfo info, byte fileType, long size)
    {
        ulong atim = ToNanoseconds(info.LastAccessTimeUtc), mtim = ToNanoseconds(info.LastWriteTimeUtc);
        // .NET has no status-change time; the later of the two times stands in for it.
        WriteFilestat(m, ptr, 0, InodeOf(info.FullName), fileType, 1, (ulong)size, atim, mtim, Math.Max(atim, mtim));
    }

    private static void WriteFilestat(Memory m, uint ptr, ulong dev, ulong ino, byte fileType, ulong nlink, ulong size, ulong atim, ulong mtim, ulong ctim)
    {
        TrySpan(m, ptr, 64, out var s);
        s.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(s, dev);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(8), ino);
        s[16] = fileType;
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(24), nlink);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(32), size);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(40), atim);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(48), mtim);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(56), ctim);
    }

    /// <summary>The WASI filetype of host attributes (links first: they carry the directory bit of their target).</summary>
    internal static byte FileTypeOf(FileAttributes a)
    {
        if (WasiPathResolver.IsLink(a)) return WasiFlags.TypeSymbolicLink;
        if ((a & FileAttributes.Directory) != 0) return WasiFlags.TypeDirectory;
        if ((a & FileAttributes.Device) != 0) return WasiFlags.TypeCharacterDevice;
        return WasiFlags.TypeRegularFile;
    }

    // ---- directories ----

    public int FdReaddir(Memory? m, int fd, int buf, int bufLen, long cookie, int bufUsedPtr)
    {
        var e = Get(fd);
        if (e == null) return Errno.BadF;
        if (e.Kind != FdKind.Directory) return Errno.NotDir;
        if (!e.Has(Rights.FdReaddir)) return Errno.NotCapable;
        if (!TrySpan(m, (uint)buf, (uint)bufLen, out var dst) || !InBounds(m, (uint)bufUsedPtr, 4)) return Errno.Fault;
        if (cookie == 0 || e.DirEntries == null)
        {
            try { e.DirEntries = ListDirectory(e); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return WasiErrors.FromException(ex);
            }
        }
        var entries = e.DirEntries;
        int used = 0;
        Span<byte> header = stackalloc byte[24];
        for (long i = cookie; i < entries.Count && used < dst.Length; i++)
        {
            var entry = entries[(int)i];
            header.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)(i + 1));
            BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(8), entry.Inode);
            BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(16), (uint)entry.Name.Length);
            header[20] = entry.FileType;
            // Entries are packed; the last one is cut at the end of the buffer, which tells the
            // guest (bufused == buf_len) to read again with a larger buffer.
            int n = Math.Min(24, dst.Length - used);
            header.Slice(0, n).CopyTo(dst.Slice(used));
            used += n;
            n = Math.Min(entry.Name.Length, dst.Length - used);
            entry.Name.AsSpan(0, n).CopyTo(dst.Slice(used));
            used += n;
        }
        WriteU32(m, (uint)bufUsedPtr, (uint)used);
        return Errno.Success;
    }

    private static readonly EnumerationOptions AllEntries = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private static List<WasiDirEntry> ListDirectory(WasiFd dir)
    {
        var list = new List<WasiDirEntry>();
        list.Add(new WasiDirEntry("."u8.ToArray(), HostInode(dir.HostPath), WasiFlags.TypeDirectory));
        string parent = dir.Components.Count == 0 ? dir.HostPath : Path.GetDirectoryName(dir.HostPath) ?? dir.HostPath;
        list.Add(new WasiDirEntry(".."u8.ToArray(), HostInode(parent), WasiFlags.TypeDirectory));
        foreach (var info in new DirectoryInfo(dir.HostPath).EnumerateFileSystemInfos("*", AllEntries))
            list.Add(new WasiDirEntry(System.Text.Encoding.UTF8.GetBytes(info.Name), HostInode(info.FullName), FileTypeOf(info.Attributes)));
        return list;
    }
}
