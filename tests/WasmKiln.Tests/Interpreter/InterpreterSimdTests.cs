using WasmKiln.Runtime;
using Xunit;
using static WasmKiln.Tests.Interpreter.InterpreterTestKit;

namespace WasmKiln.Tests.Interpreter;

/// <summary>SIMD on the interpreter: arithmetic, lanes, shuffles, memory, locals and traps.</summary>
public class InterpreterSimdTests
{
    private const string Wat = """
        (module
          (memory 1)
          (func (export "add_lane") (param i32 i32) (result i32)
            (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0)) (i32x4.splat (local.get 1)))))
          (func (export "const_lane") (result i32)
            (i32x4.extract_lane 3 (v128.const i32x4 1 2 3 4)))
          (func (export "shuffle") (result i32)
            (i8x16.extract_lane_u 0
              (i8x16.shuffle 31 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14
                (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
                (v128.const i8x16 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 99))))
          (func (export "store_load") (param i32 i64) (result i64)
            (v128.store offset=16 (local.get 0) (i64x2.splat (local.get 1)))
            (i64x2.extract_lane 1 (v128.load offset=16 (local.get 0))))
          (func (export "load_lane") (param i32) (result i32)
            (i32.store (i32.const 100) (i32.const 77))
            (i32x4.extract_lane 1 (v128.load32_lane 1 (local.get 0) (v128.const i32x4 1 2 3 4))))
          (func (export "via_locals") (param f32) (result f32)
            (local v128 v128)
            (local.set 1 (f32x4.splat (local.get 0)))
            (local.set 2 (f32x4.mul (local.get 1) (local.get 1)))
            (f32x4.extract_lane 3 (local.get 2)))
          (func (export "bitmask") (result i32)
            (i8x16.bitmask (i8x16.lt_s (v128.const i8x16 -1 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 -5) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))))
          (func (export "shift") (param i32) (result i32)
            (i32x4.extract_lane 0 (i32x4.shl (v128.const i32x4 1 1 1 1) (local.get 0)))))
        """;

    [Fact]
    public void ArithmeticAndLanes()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(7, I32(inst, "add_lane", Value.I32(3), Value.I32(4)));
        Assert.Equal(4, I32(inst, "const_lane"));
        Assert.Equal(99, I32(inst, "shuffle"));
        Assert.Equal(0x8005, I32(inst, "bitmask"));
        Assert.Equal(1 << 5, I32(inst, "shift", Value.I32(37)));
        Assert.Equal(6.25f, Call(inst, "via_locals", Value.F32(2.5f))[0].AsF32);
    }

    [Fact]
    public void MemoryAccessesAndBounds()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(-5L, I64(inst, "store_load", Value.I32(0), Value.I64(-5)));
        Assert.Equal(77, I32(inst, "load_lane", Value.I32(100)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, Trap(inst, "store_load", Value.I32(65536 - 20), Value.I64(1)).Kind);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Trap(inst, "load_lane", Value.I32(-1)).Kind);
    }
}
