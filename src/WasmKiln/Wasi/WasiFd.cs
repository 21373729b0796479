namespace WasmKiln.Wasi;

/// <summary>What a WASI file descriptor refers to.</summary>
internal enum FdKind
{
    /// <summary>A .NET stream (standard input, output or error).</summary>
    Stream,

    /// <summary>A host file opened through a preopened directory.</summary>
    File,

    /// <summary>A host directory (a preopen or one opened under it).</summary>
    Directory,
}

/// <summary>A preopened host directory: the root that paths under it may never leave.</summary>
internal sealed class WasiRoot(string hostRoot, bool readOnly)
{
    /// <summary>The full host path of the directory.</summary>
    public string HostRoot { get; } = hostRoot;

    /// <summary>Whether nothing under it may be changed.</summary>
    public bool ReadOnly { get; } = readOnly;

    /// <summary>The host path of <paramref name="components"/> under the root.</summary>
    public string HostPathOf(List<string> components)
    {
        if (components.Count == 0) return HostRoot;
        var parts = new string[components.Count + 1];
        parts[0] = HostRoot;
        for (int i = 0; i < components.Count; i++) parts[i + 1] = components[i];
        return Path.Combine(parts);
    }
}

/// <summary>One directory entry as fd_readdir returns it.</summary>
internal readonly record struct WasiDirEntry(byte[] Name, ulong Inode, byte FileType);

/// <summary>An open WASI file descriptor: what it refers to, its rights, flags and position.</summary>
internal sealed class WasiFd
{
    public FdKind Kind;

    /// <summary>The WASI filetype reported by fd_fdstat_get.</summary>
    public byte FileType;

    /// <summary>The stream of a standard stream descriptor.</summary>
    public Stream? Stream;

    /// <summary>The open host file of a file descriptor (unbuffered).</summary>
    public FileStream? File;

    /// <summary>Host path of a file or directory descriptor.</summary>
    public string HostPath = "";

    /// <summary>The preopen this descriptor lives under (null for streams).</summary>
    public WasiRoot? Root;

    /// <summary>Path components from the root to this file or directory (resolved, no links).</summary>
    public List<string> Components = [];

    /// <summary>Current offset of a file descriptor.</summary>
    public long Position;

    /// <summary>fdflags (append, dsync, nonblock, rsync, sync).</summary>
    public int Flags;

    public ulong RightsBase;
    public ulong RightsInheriting;

    /// <summary>The guest name of a preopened directory, UTF-8; null for other descriptors.</summary>
    public byte[]? PreopenName;

    /// <summary>The entries fd_readdir reads, taken when it starts at cookie 0.</summary>
    public List<WasiDirEntry>? DirEntries;

    public bool Has(ulong rights) => (RightsBase & rights) == rights;
}
