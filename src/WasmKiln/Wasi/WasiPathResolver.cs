using System.Text;

namespace WasmKiln.Wasi;

/// <summary>A guest path resolved inside its preopen: the host path and its components from the root.</summary>
internal readonly struct WasiPath(WasiRoot root, List<string> components, bool trailingSlash)
{
    public WasiRoot Root { get; } = root;

    /// <summary>Components from the root; no symbolic link except possibly the last one (when not followed).</summary>
    public List<string> Components { get; } = components;

    /// <summary>The host path.</summary>
    public string HostPath { get; } = root.HostPathOf(components);

    /// <summary>Whether the guest path ended with '/', which requires a directory.</summary>
    public bool TrailingSlash { get; } = trailingSlash;

    /// <summary>Whether the path names the preopen itself (no component).</summary>
    public bool IsRoot => Components.Count == 0;

    /// <summary>The attributes of the host path without following a link, or null when nothing is there.</summary>
    public FileAttributes? Attributes => WasiPathResolver.GetAttributes(HostPath);
}

/// <summary>
/// The sandbox: resolves a guest path relative to a directory descriptor component by component
/// inside the descriptor's preopen. ".." may not go above the preopen, absolute paths are refused,
/// and symbolic links are expanded here (their target re-resolved by the same rules), so a link
/// whose target leads outside yields errno notcapable; at most 40 links per path (errno loop).
/// </summary>
internal static class WasiPathResolver
{
    private const int MaxSymlinks = 40;
    private static readonly UTF8Encoding Strict = new(false, true);

    /// <summary>Decodes a guest path (strict UTF-8); errno ilseq when it is not UTF-8, inval when it holds NUL.</summary>
    public static int Decode(ReadOnlySpan<byte> raw, out string path)
    {
        path = "";
        try { path = Strict.GetString(raw); }
        catch (DecoderFallbackException) { return Errno.IlSeq; }
        return path.Contains('\0') ? Errno.Inval : Errno.Success;
    }

    /// <summary>The attributes of <paramref name="hostPath"/> without following a final link, or null when it does not exist.</summary>
    public static FileAttributes? GetAttributes(string hostPath)
    {
        var a = new FileInfo(hostPath).Attributes;
        return (int)a == -1 ? null : a;
    }

    public static bool IsLink(FileAttributes a) => (a & FileAttributes.ReparsePoint) != 0;

    public static bool IsDirectory(FileAttributes a) => (a & FileAttributes.Directory) != 0 && !IsLink(a);

    /// <summary>
    /// Resolves <paramref name="raw"/> relative to directory descriptor <paramref name="dir"/>.
    /// A final symbolic link is followed only when <paramref name="followFinal"/> is set or the
    /// path ends with '/'. Returns the errno (success when resolved; the final component need not exist).
    /// </summary>
    public static int Resolve(WasiFd dir, ReadOnlySpan<byte> raw, bool followFinal, out WasiPath result)
    {
        result = default;
        if (dir.Kind != FdKind.Directory || dir.Root == null) return Errno.NotDir;
        int err = Decode(raw, out var path);
        if (err != Errno.Success) return err;
        return Resolve(dir.Root, dir.Components, path, followFinal, out result);
    }

    /// <summary>Resolves <paramref name="path"/> (already decoded) relative to <paramref name="start"/> under <paramref name="root"/>.</summary>
    public static int Resolve(WasiRoot root, List<string> start, string path, bool followFinal, out WasiPath result)
    {
        result = default;
        if (path.Length == 0) return Errno.NoEnt;
        if (path[0] == '/' || (OperatingSystem.IsWindows() && (path[0] == '\\' || path.Contains(':')))) return Errno.NotCapable;
        bool trailingSlash = path[^1] == '/';
        var comps = new List<string>(start);
        var pending = new Stack<string>();
        Push(pending, path);
        int links = 0;
        while (pending.Count > 0)
        {
            string c = pending.Pop();
            bool last = pending.Count == 0;
            if (c == ".") continue;
            if (c == "..")
            {
                if (comps.Count == 0) return Errno.NotCapable;
                comps.RemoveAt(comps.Count - 1);
                continue;
            }
            if (OperatingSystem.IsWindows() && c.IndexOfAny(['\\', ':']) >= 0) return Errno.NotCapable;
            comps.Add(c);
            var attrs = GetAttributes(root.HostPathOf(comps));
            if (attrs == null)
            {
                if (!last) return Errno.NoEnt;
                break;
            }
            var a = attrs.Value;
            if (IsLink(a))
            {
                if (last && !followFinal && !trailingSlash) break;
                if (++links > MaxSymlinks) return Errno.Loop;
                string? target = new FileInfo(root.HostPathOf(comps)).LinkTarget;
                comps.RemoveAt(comps.Count - 1);
                if (string.IsNullOrEmpty(target)) return Errno.NoEnt;
                if (Path.IsPathRooted(target))
                {
                    // A host-made absolute link is usable only when it points inside the root.
                    string rootPrefix = Path.EndsInDirectorySeparator(root.HostRoot) ? root.HostRoot : root.HostRoot + Path.DirectorySeparatorChar;
                    if (target == root.HostRoot || target + Path.DirectorySeparatorChar == rootPrefix) comps.Clear();
                    else if (target.StartsWith(rootPrefix, StringComparison.Ordinal))
                    {
                        comps.Clear();
                        target = target.Substring(rootPrefix.Length).Replace(Path.DirectorySeparatorChar, '/');
                        Push(pending, target);
                    }
                    else return Errno.NotCapable;
                }
                else
                {
                    Push(pending, OperatingSystem.IsWindows() ? target.Replace('\\', '/') : target);
                }
                continue;
            }
            if (!last && !IsDirectory(a)) return Errno.NotDir;
        }
        result = new WasiPath(root, comps, trailingSlash);
        return Errno.Success;
    }

    /// <summary>Pushes the components of <paramref name="path"/> so that the first is popped first.</summary>
    private static void Push(Stack<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }
}
