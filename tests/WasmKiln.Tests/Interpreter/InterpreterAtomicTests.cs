using WasmKiln.Runtime;
using Xunit;
using static WasmKiln.Tests.Interpreter.InterpreterTestKit;

namespace WasmKiln.Tests.Interpreter;

/// <summary>Threads on the interpreter: atomic accesses, read-modify-write, compare-exchange, wait/notify, alignment.</summary>
public class InterpreterAtomicTests
{
    private const string Wat = """
        (module
          (memory 1 1 shared)
          (func (export "rmw") (param i32) (result i32)
            (i32.atomic.store (local.get 0) (i32.const 40))
            (drop (i32.atomic.rmw.add (local.get 0) (i32.const 2)))
            (i32.atomic.load (local.get 0)))
          (func (export "old") (result i64)
            (i64.atomic.store (i32.const 8) (i64.const 0x1_0000_00FF))
            (i64.atomic.rmw8.xchg_u (i32.const 8) (i64.const 0x1234)))
          (func (export "cmpxchg") (param i32) (result i32)
            (i32.atomic.store (i32.const 16) (i32.const 5))
            (drop (i32.atomic.rmw.cmpxchg (i32.const 16) (local.get 0) (i32.const 9)))
            (i32.atomic.load (i32.const 16)))
          (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1)))
          (func (export "wait_ne") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 12345) (i64.const -1)))
          (func (export "wait_timeout") (result i32) (memory.atomic.wait64 (i32.const 8) (i64.const 0x1_0000_0034) (i64.const 1000)))
          (func (export "fence") (atomic.fence)))
        """;

    [Fact]
    public void ReadModifyWriteAndCompareExchange()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(42, I32(inst, "rmw", Value.I32(4)));
        Assert.Equal(0xFFL, I64(inst, "old"));
        Assert.Equal(9, I32(inst, "cmpxchg", Value.I32(5)));
        Assert.Equal(5, I32(inst, "cmpxchg", Value.I32(6)));
        Call(inst, "fence");
    }

    [Fact]
    public void WaitNotifyAndAlignment()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(0, I32(inst, "notify"));
        I32(inst, "rmw", Value.I32(0));
        Assert.Equal(1, I32(inst, "wait_ne"));
        I64(inst, "old");
        Assert.Equal(2, I32(inst, "wait_timeout"));
        Assert.Equal(TrapKind.UnalignedAtomic, Trap(inst, "rmw", Value.I32(2)).Kind);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Trap(inst, "rmw", Value.I32(65536)).Kind);
    }
}
