using WasmKiln.Wasi;
using Xunit;

namespace WasmKiln.Tests.Wasi;

/// <summary>The registration table: exact wasm types of every function, and calls from compiled wasm code.</summary>
public class WasiRegistrationTests
{
    // The signatures of wasi_snapshot_preview1.witx, lowered to core wasm types, written out
    // independently of the table under test.
    private const string AllImports = """
        (import "wasi_snapshot_preview1" "args_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "args_sizes_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_sizes_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "clock_res_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_advise" (func (param i32 i64 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_allocate" (func (param i32 i64 i64) (result i32)))
        (import "wasi_snapshot_preview1" "fd_close" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_datasync" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_fdstat_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func (param i32 i64 i64) (result i32)))
        (import "wasi_snapshot_preview1" "fd_filestat_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func (param i32 i64) (result i32)))
        (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func (param i32 i64 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_pread" (func (param i32 i32 i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_pwrite" (func (param i32 i32 i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_readdir" (func (param i32 i32 i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_renumber" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_seek" (func (param i32 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_sync" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_tell" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_create_directory" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_filestat_get" (func (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_filestat_set_times" (func (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_link" (func (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_readlink" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_remove_directory" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_rename" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_symlink" (func (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_unlink_file" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (import "wasi_snapshot_preview1" "proc_raise" (func (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
        (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_recv" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_shutdown" (func (param i32 i32) (result i32)))
        """;

    [Fact]
    public void EveryFunctionLinksWithItsSpecifiedType()
    {
        Assert.Equal(46, WasiPreview1.Functions.Length);
        using var host = WasiHost.FromText("(module " + AllImports + " (memory (export \"memory\") 1))");
        Assert.NotNull(host.Instance);
    }

    [Fact]
    public void AWrongTypeDoesNotLink()
    {
        var e = Assert.ThrowsAny<WasmException>(() => WasiHost.FromText(
            "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32 i32 i32) (result i32))))"));
        Assert.Contains("fd_write", e.Message);
        Assert.ThrowsAny<WasmException>(() => WasiHost.FromText("(module (import \"wasi_snapshot_preview1\" \"no_such_function\" (func)))"));
    }

    private const string Program = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hello from wasm\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 16))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $proc_exit (i32.load (i32.const 8))))
          (func (export "fault") (result i32)
            (i32.store (i32.const 0) (i32.const 65530))
            (i32.store (i32.const 4) (i32.const 100))
            (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (func (export "clock") (result i32)
            (call $clock (i32.const 1) (i64.const 0) (i32.const 65535))))
        """;

    [Fact]
    public void CompiledCodeWritesAndExits()
    {
        using var host = WasiHost.FromText(Program);
        // proc_exit's code is the byte count fd_write stored: 16.
        Assert.Equal(16, host.Run());
        Assert.Equal("hello from wasm\n", host.StdoutText);
    }

    [Fact]
    public void OutOfBoundsGuestPointersReturnFaultInsteadOfTrapping()
    {
        using var host = WasiHost.FromText(Program);
        var fault = (WasmKiln.Runtime.FunctionInstance)host.Instance.Exports["fault"].Value;
        Assert.Equal(Errno.Fault, fault.Invoke([])[0].AsI32);
        var clock = (WasmKiln.Runtime.FunctionInstance)host.Instance.Exports["clock"].Value;
        Assert.Equal(Errno.Fault, clock.Invoke([])[0].AsI32);
        Assert.Equal("", host.StdoutText);
    }
}
