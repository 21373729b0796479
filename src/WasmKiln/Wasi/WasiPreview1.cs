using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln.Wasi;

/// <summary>
/// One function of wasi_snapshot_preview1: its import name and a factory making the typed host
/// function (exact wasm type: i32 for pointers, sizes, descriptors and flags, i64 for 64-bit
/// values; the i32 errno as result, none for proc_exit) bound to a store's WASI state.
/// </summary>
/// <param name="Name">The import name.</param>
/// <param name="Create">
/// Makes the host function for a <see cref="WasiContext"/>. The function reads the memory the
/// importing instance exports as "memory" (through its <see cref="Caller"/>); the second argument
/// gives a memory for calls without an importing instance (may be null).
/// </param>
internal sealed record WasiFunction(string Name, Func<WasiContext, Func<Memory?>?, HostFunction> Create);

/// <summary>
/// The registration table of wasi_snapshot_preview1: every function with its exact wasm type,
/// implemented by <see cref="WasiContext"/> as typed host functions (compiled code calls the
/// delegates directly: no boxing, no allocation per call).
/// </summary>
internal static class WasiPreview1
{
    /// <summary>The import module name.</summary>
    public const string ModuleName = "wasi_snapshot_preview1";

    private static string N(string name) => "`" + ModuleName + "`.`" + name + "`";

    /// <summary>The memory of a call: the importing instance's, else the fallback.</summary>
    private static Memory? M(Caller c, Func<Memory?>? fallback) => c.GetMemory() ?? fallback?.Invoke();

    private static WasiFunction W(string name, Func<WasiContext, Func<Memory?>?, HostFunction> create) => new(name, create);

    /// <summary>Every function, in the order of the witx specification.</summary>
    public static readonly WasiFunction[] Functions =
    [
        W("args_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.ArgsGet(M(c, f), a, b), N("args_get"))),
        W("args_sizes_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.ArgsSizesGet(M(c, f), a, b), N("args_sizes_get"))),
        W("environ_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.EnvironGet(M(c, f), a, b), N("environ_get"))),
        W("environ_sizes_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.EnvironSizesGet(M(c, f), a, b), N("environ_sizes_get"))),
        W("clock_res_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.ClockResGet(M(c, f), a, b), N("clock_res_get"))),
        W("clock_time_get", static (x, f) => HostFunctions.From<int, long, int, int>((c, a, b, d) => x.ClockTimeGet(M(c, f), a, b, d), N("clock_time_get"))),
        W("fd_advise", static (x, f) => HostFunctions.From<int, long, long, int, int>((a, b, d, e) => x.FdAdvise(a, b, d, e), N("fd_advise"))),
        W("fd_allocate", static (x, f) => HostFunctions.From<int, long, long, int>((a, b, d) => x.FdAllocate(a, b, d), N("fd_allocate"))),
        W("fd_close", static (x, f) => HostFunctions.From<int, int>(a => x.FdClose(a), N("fd_close"))),
        W("fd_datasync", static (x, f) => HostFunctions.From<int, int>(a => x.FdDatasync(a), N("fd_datasync"))),
        W("fd_fdstat_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.FdFdstatGet(M(c, f), a, b), N("fd_fdstat_get"))),
        W("fd_fdstat_set_flags", static (x, f) => HostFunctions.From<int, int, int>((a, b) => x.FdFdstatSetFlags(a, b), N("fd_fdstat_set_flags"))),
        W("fd_fdstat_set_rights", static (x, f) => HostFunctions.From<int, long, long, int>((a, b, d) => x.FdFdstatSetRights(a, b, d), N("fd_fdstat_set_rights"))),
        W("fd_filestat_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.FdFilestatGet(M(c, f), a, b), N("fd_filestat_get"))),
        W("fd_filestat_set_size", static (x, f) => HostFunctions.From<int, long, int>((a, b) => x.FdFilestatSetSize(a, b), N("fd_filestat_set_size"))),
        W("fd_filestat_set_times", static (x, f) => HostFunctions.From<int, long, long, int, int>((a, b, d, e) => x.FdFilestatSetTimes(a, b, d, e), N("fd_filestat_set_times"))),
        W("fd_pread", static (x, f) => HostFunctions.From<int, int, int, long, int, int>((c, a, b, d, e, g) => x.FdPread(M(c, f), a, b, d, e, g), N("fd_pread"))),
        W("fd_prestat_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.FdPrestatGet(M(c, f), a, b), N("fd_prestat_get"))),
        W("fd_prestat_dir_name", static (x, f) => HostFunctions.From<int, int, int, int>((c, a, b, d) => x.FdPrestatDirName(M(c, f), a, b, d), N("fd_prestat_dir_name"))),
        W("fd_pwrite", static (x, f) => HostFunctions.From<int, int, int, long, int, int>((c, a, b, d, e, g) => x.FdPwrite(M(c, f), a, b, d, e, g), N("fd_pwrite"))),
        W("fd_read", static (x, f) => HostFunctions.From<int, int, int, int, int>((c, a, b, d, e) => x.FdRead(M(c, f), a, b, d, e), N("fd_read"))),
        W("fd_readdir", static (x, f) => HostFunctions.From<int, int, int, long, int, int>((c, a, b, d, e, g) => x.FdReaddir(M(c, f), a, b, d, e, g), N("fd_readdir"))),
        W("fd_renumber", static (x, f) => HostFunctions.From<int, int, int>((a, b) => x.FdRenumber(a, b), N("fd_renumber"))),
        W("fd_seek", static (x, f) => HostFunctions.From<int, long, int, int, int>((c, a, b, d, e) => x.FdSeek(M(c, f), a, b, d, e), N("fd_seek"))),
        W("fd_sync", static (x, f) => HostFunctions.From<int, int>(a => x.FdSync(a), N("fd_sync"))),
        W("fd_tell", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.FdTell(M(c, f), a, b), N("fd_tell"))),
        W("fd_write", static (x, f) => HostFunctions.From<int, int, int, int, int>((c, a, b, d, e) => x.FdWrite(M(c, f), a, b, d, e), N("fd_write"))),
        W("path_create_directory", static (x, f) => HostFunctions.From<int, int, int, int>((c, a, b, d) => x.PathCreateDirectory(M(c, f), a, b, d), N("path_create_directory"))),
        W("path_filestat_get", static (x, f) => HostFunctions.From<int, int, int, int, int, int>((c, a, b, d, e, g) => x.PathFilestatGet(M(c, f), a, b, d, e, g), N("path_filestat_get"))),
        W("path_filestat_set_times", static (x, f) => HostFunctions.From<int, int, int, int, long, long, int, int>(
            (c, a, b, d, e, g, h, i) => x.PathFilestatSetTimes(M(c, f), a, b, d, e, g, h, i), N("path_filestat_set_times"))),
        W("path_link", static (x, f) => HostFunctions.From<int, int, int, int, int, int, int, int>(
            (c, a, b, d, e, g, h, i) => x.PathLink(M(c, f), a, b, d, e, g, h, i), N("path_link"))),
        W("path_open", static (x, f) => HostFunction.Create(new PathOpenThunk((c, a, b, d, e, g, h, i, j, k) => x.PathOpen(M(c, f), a, b, d, e, g, h, i, j, k)),
            [typeof(int), typeof(int), typeof(int), typeof(int), typeof(int), typeof(long), typeof(long), typeof(int), typeof(int)], typeof(int), N("path_open"))),
        W("path_readlink", static (x, f) => HostFunctions.From<int, int, int, int, int, int, int>((c, a, b, d, e, g, h) => x.PathReadlink(M(c, f), a, b, d, e, g, h), N("path_readlink"))),
        W("path_remove_directory", static (x, f) => HostFunctions.From<int, int, int, int>((c, a, b, d) => x.PathRemoveDirectory(M(c, f), a, b, d), N("path_remove_directory"))),
        W("path_rename", static (x, f) => HostFunctions.From<int, int, int, int, int, int, int>((c, a, b, d, e, g, h) => x.PathRename(M(c, f), a, b, d, e, g, h), N("path_rename"))),
        W("path_symlink", static (x, f) => HostFunctions.From<int, int, int, int, int, int>((c, a, b, d, e, g) => x.PathSymlink(M(c, f), a, b, d, e, g), N("path_symlink"))),
        W("path_unlink_file", static (x, f) => HostFunctions.From<int, int, int, int>((c, a, b, d) => x.PathUnlinkFile(M(c, f), a, b, d), N("path_unlink_file"))),
        W("poll_oneoff", static (x, f) => HostFunctions.From<int, int, int, int, int>((c, a, b, d, e) => x.PollOneoff(M(c, f), a, b, d, e), N("poll_oneoff"))),
        W("proc_exit", static (x, f) => HostFunctions.From<int>(a => x.ProcExit(a), N("proc_exit"))),
        W("proc_raise", static (x, f) => HostFunctions.From<int, int>(a => WasiContext.ProcRaise(a), N("proc_raise"))),
        W("sched_yield", static (x, f) => HostFunctions.From(() => WasiContext.SchedYield(), N("sched_yield"))),
        W("random_get", static (x, f) => HostFunctions.From<int, int, int>((c, a, b) => x.RandomGet(M(c, f), a, b), N("random_get"))),
        W("sock_accept", static (x, f) => HostFunctions.From<int, int, int, int>((c, a, b, d) => x.SockAccept(M(c, f), a, b, d), N("sock_accept"))),
        W("sock_recv", static (x, f) => HostFunctions.From<int, int, int, int, int, int, int>((c, a, b, d, e, g, h) => x.SockRecv(M(c, f), a, b, d, e, g, h), N("sock_recv"))),
        W("sock_send", static (x, f) => HostFunctions.From<int, int, int, int, int, int>((c, a, b, d, e, g) => x.SockSend(M(c, f), a, b, d, e, g), N("sock_send"))),
        W("sock_shutdown", static (x, f) => HostFunctions.From<int, int, int>((a, b) => x.SockShutdown(a, b), N("sock_shutdown"))),
    ];

    private static readonly Dictionary<string, WasiFunction> ByName = CreateIndex();

    private static Dictionary<string, WasiFunction> CreateIndex()
    {
        var d = new Dictionary<string, WasiFunction>(StringComparer.Ordinal);
        foreach (var f in Functions) d.Add(f.Name, f);
        return d;
    }

    /// <summary>The function named <paramref name="name"/>, or null when WASI preview1 has none.</summary>
    public static WasiFunction? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// A runtime function for <paramref name="function"/> bound to <paramref name="context"/>
    /// (see <see cref="WasiFunction.Create"/> for <paramref name="fallbackMemory"/>).
    /// </summary>
    public static FunctionInstance CreateFunction(WasiFunction function, WasiContext context, Func<Memory?>? fallbackMemory = null) =>
        new(function.Create(context, fallbackMemory));

    /// <summary>
    /// An import resolver for <see cref="Runtime.Linker.Instantiate"/>: wasi_snapshot_preview1
    /// functions bound to <paramref name="context"/> (<paramref name="memory"/> is the fallback
    /// memory of <see cref="WasiFunction.Create"/>), <paramref name="other"/>'s answer for any
    /// other import, null for an unknown WASI name.
    /// </summary>
    public static Func<Import, object?> Resolver(WasiContext context, Func<Memory?>? memory = null, Func<Import, object?>? other = null)
    {
        var made = new Dictionary<string, FunctionInstance>(StringComparer.Ordinal);
        return imp =>
        {
            if (imp.Module != ModuleName || imp.Kind != ExternKind.Func) return other?.Invoke(imp);
            if (made.TryGetValue(imp.Name, out var fi)) return fi;
            var f = Find(imp.Name);
            if (f == null) return null;
            fi = CreateFunction(f, context, memory);
            made.Add(imp.Name, fi);
            return fi;
        };
    }
}

/// <summary>The delegate of path_open (nine wasm parameters, one more than the generic host thunks take).</summary>
internal delegate int PathOpenFunc(Caller caller, int fd, int dirFlags, int path, int pathLen, int oflags, long rightsBase, long rightsInheriting, int fdFlags, int openedFd);

/// <summary>The typed host thunk of path_open.</summary>
internal sealed class PathOpenThunk(PathOpenFunc f) : HostThunk
{
    /// <inheritdoc/>
    public override Delegate Target => f;

    /// <inheritdoc/>
    public override bool TakesCaller => true;

    /// <inheritdoc/>
    public override void Invoke(ValueSlot[] slots, Caller caller) =>
        SlotConvert.WriteResult(slots, f(caller, slots[0].I32, slots[1].I32, slots[2].I32, slots[3].I32, slots[4].I32,
            slots[5].I64, slots[6].I64, slots[7].I32, slots[8].I32));
}
