using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln.Wasi;

/// <summary>
/// How a WASI function is called: the store's WASI state, the caller's memory (null when the
/// module exports none) and the wasm arguments (i32 sign-extended, i64 as is). Returns the errno
/// (ignored for proc_exit, which has no result and throws).
/// </summary>
internal delegate int WasiInvoker(WasiContext context, Memory? memory, ReadOnlySpan<long> args);

/// <summary>One function of wasi_snapshot_preview1 with its exact wasm type.</summary>
/// <param name="Name">The import name.</param>
/// <param name="Params">Parameter types (i32 and i64 only).</param>
/// <param name="Results">Result types: one i32 (the errno) except for proc_exit, which has none.</param>
/// <param name="Invoke">The implementation.</param>
internal sealed record WasiFunction(string Name, ValType[] Params, ValType[] Results, WasiInvoker Invoke)
{
    private int _typeId = -1;

    /// <summary>The canonical type id of the function's type (registered on first use).</summary>
    public int TypeId
    {
        get
        {
            if (_typeId < 0)
            {
                var types = new List<SubType> { new(CompositeType.Func(Params, Results), true, []) };
                _typeId = TypeRegistry.RegisterGroup(types, 0, 1, []);
            }
            return _typeId;
        }
    }
}

/// <summary>
/// The registration table of wasi_snapshot_preview1: every function with its exact wasm type,
/// implemented by <see cref="WasiContext"/>. Embedders' linkers define each entry under
/// <see cref="ModuleName"/>; <see cref="CreateFunction"/> makes a runtime function of an entry.
/// </summary>
internal static class WasiPreview1
{
    /// <summary>The import module name.</summary>
    public const string ModuleName = "wasi_snapshot_preview1";

    private static WasiFunction F(string name, string sig, WasiInvoker invoke) => new(name, Types(sig), [ValType.I32], invoke);

    private static ValType[] Types(string sig)
    {
        var t = new ValType[sig.Length];
        for (int i = 0; i < sig.Length; i++) t[i] = sig[i] == 'I' ? ValType.I64 : ValType.I32;
        return t;
    }

    private static int I(ReadOnlySpan<long> a, int i) => (int)a[i];

    /// <summary>Every function, in the order of the witx specification.</summary>
    public static readonly WasiFunction[] Functions =
    [
        F("args_get", "ii", static (c, m, a) => c.ArgsGet(m, I(a, 0), I(a, 1))),
        F("args_sizes_get", "ii", static (c, m, a) => c.ArgsSizesGet(m, I(a, 0), I(a, 1))),
        F("environ_get", "ii", static (c, m, a) => c.EnvironGet(m, I(a, 0), I(a, 1))),
        F("environ_sizes_get", "ii", static (c, m, a) => c.EnvironSizesGet(m, I(a, 0), I(a, 1))),
        F("clock_res_get", "ii", static (c, m, a) => c.ClockResGet(m, I(a, 0), I(a, 1))),
        F("clock_time_get", "iIi", static (c, m, a) => c.ClockTimeGet(m, I(a, 0), a[1], I(a, 2))),
        F("fd_advise", "iIIi", static (c, m, a) => c.FdAdvise(I(a, 0), a[1], a[2], I(a, 3))),
        F("fd_allocate", "iII", static (c, m, a) => c.FdAllocate(I(a, 0), a[1], a[2])),
        F("fd_close", "i", static (c, m, a) => c.FdClose(I(a, 0))),
        F("fd_datasync", "i", static (c, m, a) => c.FdDatasync(I(a, 0))),
        F("fd_fdstat_get", "ii", static (c, m, a) => c.FdFdstatGet(m, I(a, 0), I(a, 1))),
        F("fd_fdstat_set_flags", "ii", static (c, m, a) => c.FdFdstatSetFlags(I(a, 0), I(a, 1))),
        F("fd_fdstat_set_rights", "iII", static (c, m, a) => c.FdFdstatSetRights(I(a, 0), a[1], a[2])),
        F("fd_filestat_get", "ii", static (c, m, a) => c.FdFilestatGet(m, I(a, 0), I(a, 1))),
        F("fd_filestat_set_size", "iI", static (c, m, a) => c.FdFilestatSetSize(I(a, 0), a[1])),
        F("fd_filestat_set_times", "iIIi", static (c, m, a) => c.FdFilestatSetTimes(I(a, 0), a[1], a[2], I(a, 3))),
        F("fd_pread", "iiiIi", static (c, m, a) => c.FdPread(m, I(a, 0), I(a, 1), I(a, 2), a[3], I(a, 4))),
        F("fd_prestat_get", "ii", static (c, m, a) => c.FdPrestatGet(m, I(a, 0), I(a, 1))),
        F("fd_prestat_dir_name", "iii", static (c, m, a) => c.FdPrestatDirName(m, I(a, 0), I(a, 1), I(a, 2))),
        F("fd_pwrite", "iiiIi", static (c, m, a) => c.FdPwrite(m, I(a, 0), I(a, 1), I(a, 2), a[3], I(a, 4))),
        F("fd_read", "iiii", static (c, m, a) => c.FdRead(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3))),
        F("fd_readdir", "iiiIi", static (c, m, a) => c.FdReaddir(m, I(a, 0), I(a, 1), I(a, 2), a[3], I(a, 4))),
        F("fd_renumber", "ii", static (c, m, a) => c.FdRenumber(I(a, 0), I(a, 1))),
        F("fd_seek", "iIii", static (c, m, a) => c.FdSeek(m, I(a, 0), a[1], I(a, 2), I(a, 3))),
        F("fd_sync", "i", static (c, m, a) => c.FdSync(I(a, 0))),
        F("fd_tell", "ii", static (c, m, a) => c.FdTell(m, I(a, 0), I(a, 1))),
        F("fd_write", "iiii", static (c, m, a) => c.FdWrite(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3))),
        F("path_create_directory", "iii", static (c, m, a) => c.PathCreateDirectory(m, I(a, 0), I(a, 1), I(a, 2))),
        F("path_filestat_get", "iiiii", static (c, m, a) => c.PathFilestatGet(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4))),
        F("path_filestat_set_times", "iiiiIIi", static (c, m, a) => c.PathFilestatSetTimes(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), a[4], a[5], I(a, 6))),
        F("path_link", "iiiiiii", static (c, m, a) => c.PathLink(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4), I(a, 5), I(a, 6))),
        F("path_open", "iiiiiIIii", static (c, m, a) => c.PathOpen(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4), a[5], a[6], I(a, 7), I(a, 8))),
        F("path_readlink", "iiiiii", static (c, m, a) => c.PathReadlink(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4), I(a, 5))),
        F("path_remove_directory", "iii", static (c, m, a) => c.PathRemoveDirectory(m, I(a, 0), I(a, 1), I(a, 2))),
        F("path_rename", "iiiiii", static (c, m, a) => c.PathRename(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4), I(a, 5))),
        F("path_symlink", "iiiii", static (c, m, a) => c.PathSymlink(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4))),
        F("path_unlink_file", "iii", static (c, m, a) => c.PathUnlinkFile(m, I(a, 0), I(a, 1), I(a, 2))),
        F("poll_oneoff", "iiii", static (c, m, a) => c.PollOneoff(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3))),
        new("proc_exit", [ValType.I32], [], static (c, m, a) => { c.ProcExit(I(a, 0)); return 0; }),
        F("proc_raise", "i", static (c, m, a) => WasiContext.ProcRaise(I(a, 0))),
        F("sched_yield", "", static (c, m, a) => WasiContext.SchedYield()),
        F("random_get", "ii", static (c, m, a) => c.RandomGet(m, I(a, 0), I(a, 1))),
        F("sock_accept", "iii", static (c, m, a) => c.SockAccept(m, I(a, 0), I(a, 1), I(a, 2))),
        F("sock_recv", "iiiiii", static (c, m, a) => c.SockRecv(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4), I(a, 5))),
        F("sock_send", "iiiii", static (c, m, a) => c.SockSend(m, I(a, 0), I(a, 1), I(a, 2), I(a, 3), I(a, 4))),
        F("sock_shutdown", "ii", static (c, m, a) => c.SockShutdown(I(a, 0), I(a, 1))),
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
    /// A runtime function for <paramref name="function"/> bound to <paramref name="context"/>;
    /// <paramref name="memory"/> gives the caller's memory at call time.
    /// </summary>
    public static FunctionInstance CreateFunction(WasiFunction function, WasiContext context, Func<Memory?> memory)
    {
        var invoke = function.Invoke;
        bool hasResult = function.Results.Length == 1;
        var type = TypeRegistry.Get(function.TypeId).Type;
        var host = new HostFunction(type, args =>
        {
            Span<long> raw = stackalloc long[args.Length];
            for (int i = 0; i < args.Length; i++) raw[i] = args[i].Type.Kind == ValKind.I64 ? args[i].AsI64 : args[i].AsI32;
            int errno = invoke(context, memory(), raw);
            return hasResult ? [Value.I32(errno)] : [];
        }, ModuleName + "." + function.Name);
        return new FunctionInstance(host, function.TypeId);
    }

    /// <summary>
    /// An import resolver for <see cref="Linker.Instantiate"/>: wasi_snapshot_preview1 functions
    /// bound to <paramref name="context"/>, null for any other import (or an unknown name).
    /// </summary>
    public static Func<Import, object?> Resolver(WasiContext context, Func<Memory?> memory, Func<Import, object?>? other = null)
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
