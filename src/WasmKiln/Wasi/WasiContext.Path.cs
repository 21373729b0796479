using WasmKiln.Runtime;
using static WasmKiln.Wasi.GuestMemory;
using static WasmKiln.Wasi.WasiPathResolver;

namespace WasmKiln.Wasi;

internal sealed partial class WasiContext
{
    private const FileShare ShareAll = FileShare.ReadWrite | FileShare.Delete;

    /// <summary>
    /// Looks up directory descriptor <paramref name="fd"/> (with <paramref name="rights"/>) and
    /// resolves the guest path at <paramref name="pathPtr"/> inside its preopen.
    /// </summary>
    private int ResolveAt(Memory? m, int fd, ulong rights, int pathPtr, int pathLen, bool follow, out WasiPath path)
    {
        path = default;
        var dir = Get(fd);
        if (dir == null) return Errno.BadF;
        if (dir.Kind != FdKind.Directory) return Errno.NotDir;
        if (!dir.Has(rights)) return Errno.NotCapable;
        if (!TrySpan(m, (uint)pathPtr, (uint)pathLen, out var raw)) return Errno.Fault;
        return Resolve(dir, raw, follow, out path);
    }

    private static int Fail(Exception ex) => WasiErrors.FromException(ex);

    private static bool IsHostError(Exception ex) => ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    public int PathOpen(Memory? m, int fd, int dirFlags, int pathPtr, int pathLen, int oflags, long rightsBase, long rightsInheriting, int fdFlags, int openedFdPtr)
    {
        var dir = Get(fd);
        if (dir == null) return Errno.BadF;
        if (dir.Kind != FdKind.Directory) return Errno.NotDir;
        if (!dir.Has(Rights.PathOpen)) return Errno.NotCapable;
        if ((oflags & ~0xF) != 0 || (fdFlags & ~0x1F) != 0) return Errno.Inval;
        if (!InBounds(m, (uint)openedFdPtr, 4)) return Errno.Fault;
        bool creat = (oflags & WasiFlags.OCreat) != 0, excl = (oflags & WasiFlags.OExcl) != 0;
        bool trunc = (oflags & WasiFlags.OTrunc) != 0, directory = (oflags & WasiFlags.ODirectory) != 0;
        ulong reqBase = (ulong)rightsBase, reqInheriting = (ulong)rightsInheriting;
        if (creat && !dir.Has(Rights.PathCreateFile)) return Errno.NotCapable;
        if (trunc && !dir.Has(Rights.PathFilestatSetSize)) return Errno.NotCapable;
        bool wantWrite = (reqBase & (Rights.FdWrite | Rights.FdAllocate | Rights.FdFilestatSetSize)) != 0
            || (fdFlags & WasiFlags.FdAppend) != 0 || trunc;
        if (wantWrite && (dir.RightsInheriting & Rights.FdWrite) == 0) return Errno.NotCapable;

        bool follow = (dirFlags & WasiFlags.LookupSymlinkFollow) != 0 && !(creat && excl);
        if (!TrySpan(m, (uint)pathPtr, (uint)pathLen, out var raw)) return Errno.Fault;
        int err = Resolve(dir, raw, follow, out var p);
        if (err != Errno.Success) return err;

        var attrs = p.Attributes;
        if (attrs != null && creat && excl) return Errno.Exist;
        if (attrs is { } la && IsLink(la)) return Errno.Loop; // a final link not followed (O_NOFOLLOW)
        if (attrs == null)
        {
            if (!creat) return Errno.NoEnt;
            if (directory) return Errno.Inval;
            if (p.TrailingSlash) return Errno.IsDir;
        }
        bool isDir = attrs is { } a && IsDirectory(a);
        if ((directory || p.TrailingSlash) && attrs != null && !isDir) return Errno.NotDir;

        WasiFd entry;
        if (isDir)
        {
            if (wantWrite) return Errno.IsDir;
            entry = new WasiFd
            {
                Kind = FdKind.Directory,
                FileType = WasiFlags.TypeDirectory,
                HostPath = p.HostPath,
                Root = p.Root,
                Components = p.Components,
                Flags = fdFlags,
                RightsBase = reqBase & dir.RightsInheriting & Rights.Directory,
                RightsInheriting = reqInheriting & dir.RightsInheriting,
            };
        }
        else
        {
            bool wantRead = (reqBase & Rights.FdRead) != 0 || !wantWrite;
            var access = wantWrite ? (wantRead ? FileAccess.ReadWrite : FileAccess.Write) : FileAccess.Read;
            FileStream file;
            try
            {
                if (attrs == null)
                {
                    // O_CREAT of a new file. .NET cannot create a file opened read-only, so a
                    // read-only open creates the file first and then opens it.
                    if (access == FileAccess.Read)
                    {
                        new FileStream(p.HostPath, FileMode.CreateNew, FileAccess.Write, ShareAll, 1).Dispose();
                        file = new FileStream(p.HostPath, FileMode.Open, access, ShareAll, 0);
                    }
                    else
                    {
                        file = new FileStream(p.HostPath, FileMode.CreateNew, access, ShareAll, 0);
                    }
                }
                else
                {
                    file = new FileStream(p.HostPath, trunc ? FileMode.Truncate : FileMode.Open, access, ShareAll, 0);
                }
            }
            catch (Exception ex) when (IsHostError(ex))
            {
                return Fail(ex);
            }
            entry = new WasiFd
            {
                Kind = FdKind.File,
                FileType = attrs is { } fa ? FileTypeOf(fa) : WasiFlags.TypeRegularFile,
                File = file,
                HostPath = p.HostPath,
                Root = p.Root,
                Components = p.Components,
                Flags = fdFlags,
                RightsBase = reqBase & dir.RightsInheriting & Rights.File,
                RightsInheriting = reqInheriting & dir.RightsInheriting,
            };
        }
        WriteU32(m, (uint)openedFdPtr, (uint)Allocate(entry));
        return Errno.Success;
    }

    public int PathCreateDirectory(Memory? m, int fd, int pathPtr, int pathLen)
    {
        int err = ResolveAt(m, fd, Rights.PathCreateDirectory, pathPtr, pathLen, false, out var p);
        if (err != Errno.Success) return err;
        if (p.IsRoot || p.Attributes != null) return Errno.Exist;
        try { Directory.CreateDirectory(p.HostPath); }
        catch (Exception ex) when (IsHostError(ex)) { return Fail(ex); }
        return Errno.Success;
    }

    public int PathFilestatGet(Memory? m, int fd, int flags, int pathPtr, int pathLen, int bufPtr)
    {
        int err = ResolveAt(m, fd, Rights.PathFilestatGet, pathPtr, pathLen, (flags & WasiFlags.LookupSymlinkFollow) != 0, out var p);
        if (err != Errno.Success) return err;
        if (!InBounds(m, (uint)bufPtr, 64)) return Errno.Fault;
        if (p.Attributes is not { } a) return Errno.NoEnt;
        if (p.TrailingSlash && !IsDirectory(a)) return Errno.NotDir;
        if (WasiNative.TryStat(p.HostPath, false, out var st))
        {
            WriteFilestat(m!, (uint)bufPtr, st);
            return Errno.Success;
        }
        try
        {
            byte type = FileTypeOf(a);
            FileSystemInfo info = type == WasiFlags.TypeDirectory ? new DirectoryInfo(p.HostPath) : new FileInfo(p.HostPath);
            long size = info is FileInfo fi ? fi.Length : 0;
            WriteFilestat(m!, (uint)bufPtr, info, type, size);
        }
        catch (Exception ex) when (IsHostError(ex)) { return Fail(ex); }
        return Errno.Success;
    }

    public int PathFilestatSetTimes(Memory? m, int fd, int flags, int pathPtr, int pathLen, long atim, long mtim, int fstFlags)
    {
        int err = ResolveAt(m, fd, Rights.PathFilestatSetTimes, pathPtr, pathLen, (flags & WasiFlags.LookupSymlinkFollow) != 0, out var p);
        if (err != Errno.Success) return err;
        if (p.Attributes is not { } a) return Errno.NoEnt;
        return SetTimes(p.HostPath, IsDirectory(a), null, atim, mtim, fstFlags);
    }

    public int PathLink(Memory? m, int oldFd, int oldFlags, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen)
    {
        int err = ResolveAt(m, oldFd, Rights.PathLinkSource, oldPathPtr, oldPathLen, (oldFlags & WasiFlags.LookupSymlinkFollow) != 0, out var from);
        if (err != Errno.Success) return err;
        err = ResolveAt(m, newFd, Rights.PathLinkTarget, newPathPtr, newPathLen, false, out var to);
        if (err != Errno.Success) return err;
        if (from.Attributes is not { } a) return Errno.NoEnt;
        if (IsDirectory(a)) return Errno.Perm;
        if (to.IsRoot || to.Attributes != null) return Errno.Exist;
        if (to.TrailingSlash) return Errno.NoEnt;
        return WasiNative.Link(from.HostPath, to.HostPath);
    }

    public int PathReadlink(Memory? m, int fd, int pathPtr, int pathLen, int buf, int bufLen, int bufUsedPtr)
    {
        int err = ResolveAt(m, fd, Rights.PathReadlink, pathPtr, pathLen, false, out var p);
        if (err != Errno.Success) return err;
        if (!TrySpan(m, (uint)buf, (uint)bufLen, out var dst) || !InBounds(m, (uint)bufUsedPtr, 4)) return Errno.Fault;
        if (p.Attributes is not { } a) return Errno.NoEnt;
        if (!IsLink(a)) return Errno.Inval;
        string? target;
        try { target = new FileInfo(p.HostPath).LinkTarget; }
        catch (Exception ex) when (IsHostError(ex)) { return Fail(ex); }
        if (target == null) return Errno.Inval;
        var bytes = System.Text.Encoding.UTF8.GetBytes(target);
        int n = Math.Min(bytes.Length, dst.Length);
        bytes.AsSpan(0, n).CopyTo(dst);
        WriteU32(m, (uint)bufUsedPtr, (uint)n);
        return Errno.Success;
    }

    public int PathRemoveDirectory(Memory? m, int fd, int pathPtr, int pathLen)
    {
        int err = ResolveAt(m, fd, Rights.PathRemoveDirectory, pathPtr, pathLen, false, out var p);
        if (err != Errno.Success) return err;
        if (EndsWithDot(m, pathPtr, pathLen)) return Errno.Inval;
        if (p.IsRoot) return Errno.Busy;
        if (p.Attributes is not { } a) return Errno.NoEnt;
        if (!IsDirectory(a)) return Errno.NotDir;
        try { Directory.Delete(p.HostPath, recursive: false); }
        catch (Exception ex) when (IsHostError(ex)) { return Fail(ex); }
        return Errno.Success;
    }

    /// <summary>Whether the guest path's last component is "." (rmdir of "." is invalid).</summary>
    private static bool EndsWithDot(Memory? m, int pathPtr, int pathLen)
    {
        if (!TrySpan(m, (uint)pathPtr, (uint)pathLen, out var raw)) return false;
        var t = raw.TrimEnd((byte)'/');
        return t.Length > 0 && t[^1] == (byte)'.' && (t.Length == 1 || t[^2] == (byte)'/');
    }

    public int PathRename(Memory? m, int fd, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen)
    {
        int err = ResolveAt(m, fd, Rights.PathRenameSource, oldPathPtr, oldPathLen, false, out var from);
        if (err != Errno.Success) return err;
        err = ResolveAt(m, newFd, Rights.PathRenameTarget, newPathPtr, newPathLen, false, out var to);
        if (err != Errno.Success) return err;
        if (from.Attributes is not { } fa) return Errno.NoEnt;
        if (from.IsRoot || to.IsRoot) return Errno.Busy;
        var ta = to.Attributes;
        try
        {
            if (IsDirectory(fa))
            {
                if (from.HostPath == to.HostPath) return Errno.Success;
                if (ReferenceEquals(from.Root, to.Root) && IsPrefix(from.Components, to.Components)) return Errno.Inval;
                if (ta is { } t)
                {
                    if (!IsDirectory(t)) return Errno.NotDir;
                    using (var entries = Directory.EnumerateFileSystemEntries(to.HostPath, "*", AllEntries).GetEnumerator())
                        if (entries.MoveNext()) return Errno.NotEmpty;
                    Directory.Delete(to.HostPath);
                }
                Directory.Move(from.HostPath, to.HostPath);
            }
            else
            {
                if (from.TrailingSlash || to.TrailingSlash) return Errno.NotDir;
                if (ta is { } t && IsDirectory(t)) return Errno.IsDir;
                if (from.HostPath == to.HostPath) return Errno.Success;
                File.Move(from.HostPath, to.HostPath, overwrite: true);
            }
        }
        catch (Exception ex) when (IsHostError(ex)) { return Fail(ex); }
        return Errno.Success;
    }

    private static bool IsPrefix(List<string> prefix, List<string> path)
    {
        if (prefix.Count > path.Count) return false;
        for (int i = 0; i < prefix.Count; i++)
            if (prefix[i] != path[i]) return false;
        return true;
    }

    public int PathSymlink(Memory? m, int oldPathPtr, int oldPathLen, int fd, int newPathPtr, int newPathLen)
    {
        if (!TrySpan(m, (uint)oldPathPtr, (uint)oldPathLen, out var rawTarget)) return Errno.Fault;
        int err = Decode(rawTarget, out var target);
        if (err != Errno.Success) return err;
        err = ResolveAt(m, fd, Rights.PathSymlink, newPathPtr, newPathLen, false, out var p);
        if (err != Errno.Success) return err;
        if (target.Length == 0) return Errno.NoEnt;
        // An absolute target names nothing the guest can reach: refused, as a capability violation.
        if (target[0] == '/') return Errno.NotCapable;
        if (p.IsRoot || p.Attributes != null) return Errno.Exist;
        if (p.TrailingSlash) return Errno.NoEnt;
        try { File.CreateSymbolicLink(p.HostPath, target); }
        catch (Exception ex) when (IsHostError(ex)) { return Fail(ex); }
        return Errno.Success;
    }

    public int PathUnlinkFile(Memory? m, int fd, int pathPtr, int pathLen)
    {
        int err = ResolveAt(m, fd, Rights.PathUnlinkFile, pathPtr, pathLen, false, out var p);
        if (err != Errno.Success) return err;
        if (p.Attributes is not { } a) return Errno.NoEnt;
        if (IsDirectory(a)) return Errno.IsDir;
        if (p.TrailingSlash) return Errno.NotDir;
        try { File.Delete(p.HostPath); }
        catch (Exception ex) when (IsHostError(ex)) { return Fail(ex); }
        return Errno.Success;
    }
}
