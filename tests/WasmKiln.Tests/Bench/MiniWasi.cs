using System.Text;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln.Tests.Bench;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Thrown by <c>proc_exit</c> to end a run with an exit code.</summary>
internal sealed class WasiExitException(int code) : Exception("proc_exit(" + code + ")")
{
    /// <summary>The exit code passed to proc_exit.</summary>
    public int Code { get; } = code;
}

/// <summary>
/// A minimal WASI preview1 shim for test programs: arguments, stdout/stderr into string builders,
/// fd_fdstat_get/fd_seek/fd_close for the standard descriptors, and proc_exit.
/// </summary>
internal sealed class MiniWasi
{
    private const string ModuleName = "wasi_snapshot_preview1";
    private const int ESuccess = 0, EBadF = 8, ESPipe = 70;

    private readonly byte[][] _args;
    private Memory? _memory;

    /// <summary>Creates a shim whose argv is <paramref name="args"/> (argv[0] included).</summary>
    public MiniWasi(params string[] args) => _args = args.Select(a => Encoding.UTF8.GetBytes(a)).ToArray();

    /// <summary>What the program wrote to fd 1.</summary>
    public StringBuilder Stdout { get; } = new();

    /// <summary>What the program wrote to fd 2.</summary>
    public StringBuilder Stderr { get; } = new();

    private Memory Mem => _memory ?? throw new InvalidOperationException("memory not bound");

    /// <summary>
    /// Instantiates <paramref name="vm"/> with this shim as its wasi_snapshot_preview1 imports and
    /// binds the shim to the module's exported memory.
    /// </summary>
    public Instance Instantiate(ValidatedModule vm, Store store)
    {
        var inst = Linker.Instantiate(vm, store, imp => Resolve(vm, imp));
        _memory = inst.Exports.TryGetValue("memory", out var m) && m.Value is Memory mem ? mem
            : inst.Memories.Length > 0 ? inst.Memories[0] : null;
        return inst;
    }

    /// <summary>Runs the <c>_start</c> export; returns the exit code (0 when it returns normally).</summary>
    public int RunStart(Instance inst)
    {
        var start = (FunctionInstance)inst.Exports["_start"].Value;
        try
        {
            start.Invoke([]);
            return 0;
        }
        catch (WasiExitException e)
        {
            return e.Code;
        }
    }

    private object? Resolve(ValidatedModule vm, Import imp)
    {
        if (imp.Module != ModuleName || imp.Kind != ExternKind.Func) return null;
        Func<Value[], int>? impl = imp.Name switch
        {
            "args_sizes_get" => a => ArgsSizesGet(a[0].AsI32, a[1].AsI32),
            "args_get" => a => ArgsGet(a[0].AsI32, a[1].AsI32),
            "fd_write" => a => FdWrite(a[0].AsI32, a[1].AsI32, a[2].AsI32, a[3].AsI32),
            "fd_fdstat_get" => a => FdFdstatGet(a[0].AsI32, a[1].AsI32),
            "fd_seek" => a => a[0].AsI32 is >= 0 and <= 2 ? ESPipe : EBadF,
            "fd_close" => a => a[0].AsI32 is >= 0 and <= 2 ? ESuccess : EBadF,
            "proc_exit" => a => throw new WasiExitException(a[0].AsI32),
            _ => null,
        };
        if (impl == null) return null;
        int typeId = vm.CanonicalTypeIds[imp.TypeIndex];
        var type = TypeRegistry.Get(typeId).Type;
        bool hasResult = type.Results.Length == 1;
        var host = new HostFunction(type, args =>
        {
            int errno = impl(args);
            return hasResult ? [Value.I32(errno)] : [];
        }, imp.Name);
        return new FunctionInstance(host, typeId);
    }

    private int ArgsSizesGet(int argcPtr, int bufSizePtr)
    {
        Mem.WriteInt32((uint)argcPtr, _args.Length);
        Mem.WriteInt32((uint)bufSizePtr, _args.Sum(a => a.Length + 1));
        return ESuccess;
    }

    private int ArgsGet(int argvPtr, int bufPtr)
    {
        uint p = (uint)bufPtr;
        for (int i = 0; i < _args.Length; i++)
        {
            Mem.WriteInt32((uint)argvPtr + (uint)(4 * i), (int)p);
            Mem.Write(p, _args[i]);
            Mem.WriteByte(p + (uint)_args[i].Length, 0);
            p += (uint)_args[i].Length + 1;
        }
        return ESuccess;
    }

    private int FdWrite(int fd, int iovs, int iovsLen, int nwrittenPtr)
    {
        var sink = fd switch { 1 => Stdout, 2 => Stderr, _ => null };
        if (sink == null) return EBadF;
        var bytes = new List<byte>();
        for (int i = 0; i < iovsLen; i++)
        {
            uint iov = (uint)iovs + (uint)(8 * i);
            uint ptr = (uint)Mem.ReadInt32(iov);
            int len = Mem.ReadInt32(iov + 4);
            var buf = new byte[len];
            Mem.Read(ptr, buf);
            bytes.AddRange(buf);
        }
        sink.Append(Encoding.UTF8.GetString(bytes.ToArray()));
        Mem.WriteInt32((uint)nwrittenPtr, bytes.Count);
        return ESuccess;
    }

    private int FdFdstatGet(int fd, int statPtr)
    {
        if (fd is < 0 or > 2) return EBadF;
        uint p = (uint)statPtr;
        Mem.Write(p, new byte[24]);
        Mem.WriteByte(p, 2); // filetype: character_device
        Mem.WriteInt16(p + 2, 0); // fdflags
        Mem.WriteInt64(p + 8, fd == 0 ? 0x2 : 0x40); // rights_base: fd_read / fd_write
        Mem.WriteInt64(p + 16, 0);
        return ESuccess;
    }

    /// <summary>The import names this shim provides.</summary>
    public static readonly IReadOnlySet<string> Provided = new HashSet<string>
    {
        "args_sizes_get", "args_get", "fd_write", "fd_fdstat_get", "fd_seek", "fd_close", "proc_exit",
    };
}
