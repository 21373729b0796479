using WasmKiln.Engines.Interpreter;
using WasmKiln.Runtime;
using Xunit;
using static WasmKiln.Tests.Interpreter.InterpreterTestKit;

namespace WasmKiln.Tests.Interpreter;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Calls: depth limits, tail calls, allocation.</summary>
public class InterpreterCallTests
{
    private const string Recursion = """
        (module
          (func $down (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
          (func $forever (export "forever") (param i32) (result i32) (call $forever (i32.add (local.get 0) (i32.const 1))))
          (func $even (export "even") (param i64) (result i32)
            (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1)) (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
          (func $odd (param i64) (result i32)
            (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0)) (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
          (type $t (func (param i64 i64) (result i64)))
          (table funcref (elem $acc))
          (func $acc (type $t)
            (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
              (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (local.get 0)) (i32.const 0)))))
          (func (export "acc") (param i64) (result i64) (call $acc (local.get 0) (i64.const 0))))
        """;

    [Fact]
    public void DeepRecursionUsesHeapFramesNotTheDotNetStack()
    {
        var inst = Instantiate(Recursion);
        // Deeper than a 1 MiB .NET stack would allow with recursive frames, below the depth limit.
        int result = 0;
        var thread = new Thread(() => result = I32(inst, "down", Value.I32(90_000)), 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Equal(90_000, result);
    }

    [Fact]
    public void EndlessRecursionTrapsCallStackExhaustedAndTheThreadGoesOn()
    {
        var inst = Instantiate(Recursion);
        int depthBefore = CallDepthGuard.Depth;
        for (int i = 0; i < 3; i++)
        {
            var t = Trap(inst, "forever", Value.I32(0));
            Assert.Equal(TrapKind.CallStackExhausted, t.Kind);
            Assert.Equal("call stack exhausted", t.Message);
            Assert.Equal(depthBefore, CallDepthGuard.Depth);
        }
        Assert.Equal(10, I32(inst, "down", Value.I32(10)));
    }

    [Fact]
    public void TheDepthLimitIsTheSharedSetting()
    {
        var inst = Instantiate(Recursion);
        int saved = CallDepthGuard.MaxDepth;
        int result = -1;
        TrapException? trap = null;
        // The limit is process-wide: change it only on a thread where nothing else runs wasm concurrently in this test.
        var thread = new Thread(() =>
        {
            try
            {
                CallDepthGuard.MaxDepth = 1000;
                result = I32(inst, "down", Value.I32(990));
                trap = Assert.Throws<TrapException>(() => Call(inst, "down", Value.I32(1001)));
            }
            finally
            {
                CallDepthGuard.MaxDepth = saved;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Equal(990, result);
        Assert.Equal(TrapKind.CallStackExhausted, trap!.Kind);
    }

    [Fact]
    public void TailCallsRunTenMillionIterationsInConstantSpace()
    {
        var inst = Instantiate(Recursion);
        Assert.Equal(1, I32(inst, "even", Value.I64(10_000_000)));
        Assert.Equal(0, I32(inst, "even", Value.I64(10_000_001)));
        Assert.Equal(50_000_005_000_000L, I64(inst, "acc", Value.I64(10_000_000)));
    }

    [Fact]
    public void CallsDoNotAllocate()
    {
        var inst = Instantiate("""
            (module
              (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "loop") (param i32) (result i32) (local i32)
                (block (loop
                  (br_if 1 (i32.eqz (local.get 0)))
                  (local.set 1 (call $add (local.get 1) (local.get 0)))
                  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                  (br 0)))
                (local.get 1))
              (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1))))
            """);
        var loop = Func(inst, "loop");
        var add = Func(inst, "add");
        var slots = new ValueSlot[2];
        // Warm up (lowering, thread state, JIT).
        slots[0].I32 = 10;
        WasmKiln.Engines.Interpreter.Interpreter.Invoke(loop, slots);
        slots[0].I32 = 1;
        slots[1].I32 = 2;
        WasmKiln.Engines.Interpreter.Interpreter.Invoke(add, slots);

        long before = GC.GetAllocatedBytesForCurrentThread();
        slots[0].I32 = 100_000;
        WasmKiln.Engines.Interpreter.Interpreter.Invoke(loop, slots);
        int sum = slots[0].I32;
        for (int i = 0; i < 10_000; i++)
        {
            slots[0].I32 = i;
            slots[1].I32 = 1;
            WasmKiln.Engines.Interpreter.Interpreter.Invoke(add, slots);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(705082704, sum);
        Assert.Equal(10_000, slots[0].I32);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ReentrantCallsFromAHostFunctionWork()
    {
        Instance? inst = null;
        var host = Host("(func (param i32) (result i32))", a => [Value.I32(I32(inst!, "down", Value.I32(a[0].AsI32)) * 10)]);
        inst = Instantiate("""
            (module (import "env" "h" (func $h (param i32) (result i32)))
              (func $down (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
              (func (export "viaHost") (param i32) (result i32) (local i32)
                (local.set 1 (i32.const 7))
                (i32.add (call $h (local.get 0)) (local.get 1))))
            """, imp => imp.Name == "h" ? host : null);
        Assert.Equal(20_007, I32(inst, "viaHost", Value.I32(2000)));
    }
}
