using WasmKiln.Engines.Interpreter;
using WasmKiln.Runtime;
using Xunit;
using static WasmKiln.Tests.Interpreter.InterpreterTestKit;

namespace WasmKiln.Tests.Interpreter;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Instruction groups run by the interpreter, compared with known results.</summary>
public class InterpreterTests
{
    [Fact]
    public void IntegerArithmeticRegisterAndImmediateForms()
    {
        var inst = Instantiate("""
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "addk") (param i32) (result i32) (i32.add (local.get 0) (i32.const 7)))
              (func (export "kadd") (param i32) (result i32) (i32.add (i32.const 7) (local.get 0)))
              (func (export "ksub") (param i32) (result i32) (i32.sub (i32.const 7) (local.get 0)))
              (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1)))
              (func (export "shru") (param i32) (result i32) (i32.shr_u (local.get 0) (i32.const 33)))
              (func (export "rotl64") (param i64 i64) (result i64) (i64.rotl (local.get 0) (local.get 1)))
              (func (export "divs") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "remu64") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
              (func (export "clz") (param i64) (result i64) (i64.clz (local.get 0)))
              (func (export "ext8") (param i32) (result i32) (i32.extend8_s (local.get 0)))
              (func (export "ext32") (param i64) (result i64) (i64.extend32_s (local.get 0)))
              (func (export "ltu") (param i32 i32) (result i32) (i32.lt_u (local.get 0) (local.get 1)))
              (func (export "eqz64") (param i64) (result i32) (i64.eqz (local.get 0))))
            """);
        Assert.Equal(-2, I32(inst, "add", Value.I32(int.MaxValue), Value.I32(int.MaxValue)));
        Assert.Equal(10, I32(inst, "addk", Value.I32(3)));
        Assert.Equal(10, I32(inst, "kadd", Value.I32(3)));
        Assert.Equal(4, I32(inst, "ksub", Value.I32(3)));
        Assert.Equal(2, I32(inst, "shl", Value.I32(1), Value.I32(33)));
        Assert.Equal(0x7FFFFFFF, I32(inst, "shru", Value.I32(-1)));
        Assert.Equal(1L, I64(inst, "rotl64", Value.I64(long.MinValue), Value.I64(1)));
        Assert.Equal(-3, I32(inst, "divs", Value.I32(-7), Value.I32(2)));
        Assert.Equal(1L, I64(inst, "remu64", Value.I64(-1), Value.I64(2)));
        Assert.Equal(63L, I64(inst, "clz", Value.I64(1)));
        Assert.Equal(-128, I32(inst, "ext8", Value.I32(0x80)));
        Assert.Equal(-1L, I64(inst, "ext32", Value.I64(0xFFFFFFFF)));
        Assert.Equal(1, I32(inst, "ltu", Value.I32(1), Value.I32(-1)));
        Assert.Equal(1, I32(inst, "eqz64", Value.I64(0)));
        Assert.Equal(0, I32(inst, "eqz64", Value.I64(1L << 40)));
    }

    [Fact]
    public void FloatOperationsAndConversions()
    {
        var inst = Instantiate("""
            (module
              (func (export "fma") (param f64 f64 f64) (result f64) (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
              (func (export "min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
              (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
              (func (export "near") (param f64) (result f64) (f64.nearest (local.get 0)))
              (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
              (func (export "sat") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
              (func (export "cvt") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
              (func (export "bits") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
              (func (export "promote") (param f32) (result f64) (f64.promote_f32 (local.get 0)))
              (func (export "flt") (param f64 f64) (result i32) (f64.lt (local.get 0) (local.get 1))))
            """);
        Assert.Equal(7.5, Call(inst, "fma", Value.F64(2), Value.F64(3), Value.F64(1.5))[0].AsF64);
        Assert.Equal(-0f, Call(inst, "min", Value.F32(0f), Value.F32(-0f))[0].AsF32);
        Assert.True(float.IsNegative(Call(inst, "min", Value.F32(0f), Value.F32(-0f))[0].AsF32));
        Assert.Equal(0xFFC00000u, Call(inst, "neg", Value.F32Bits(0x7FC00000))[0].AsF32Bits);
        Assert.Equal(2.0, Call(inst, "near", Value.F64(2.5))[0].AsF64);
        Assert.Equal(-3, I32(inst, "trunc", Value.F64(-3.9)));
        Assert.Equal(0L, I64(inst, "sat", Value.F32(-5f)));
        Assert.Equal(-1L, I64(inst, "sat", Value.F32(1e30f)));
        Assert.Equal(1.8446744e19f, Call(inst, "cvt", Value.I64(-1))[0].AsF32);
        Assert.Equal(0x3F800000, I32(inst, "bits", Value.F32(1f)));
        Assert.Equal(0.5, Call(inst, "promote", Value.F32(0.5f))[0].AsF64);
        Assert.Equal(0, I32(inst, "flt", Value.F64(double.NaN), Value.F64(1)));
        Assert.Equal(1, I32(inst, "flt", Value.F64(-1), Value.F64(1)));
    }

    [Fact]
    public void ControlFlowBlocksLoopsBranchTablesAndMultiValue()
    {
        var inst = Instantiate("""
            (module
              (func (export "sum") (param i32) (result i32) (local i32)
                (block (loop
                  (br_if 1 (i32.eqz (local.get 0)))
                  (local.set 1 (i32.add (local.get 1) (local.get 0)))
                  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                  (br 0)))
                (local.get 1))
              (func (export "sw") (param i32) (result i32)
                (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10))) (return (i32.const 11)))
                (i32.const 12))
              (func (export "swv") (param i32) (result i32)
                (block (result i32) (block (result i32) (br_table 0 1 (i32.const 5) (local.get 0))) (i32.add (i32.const 100))))
              (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
              (func (export "pair") (param i32) (result i32 i32)
                (local.get 0) (local.get 0) (i32.const 1) (i32.add) (if (param i32 i32) (result i32 i32) (local.get 0)
                  (then (i32.add (i32.const 10)) (return)) (else (drop) (i32.const 0))))
              (func (export "blk") (param i32) (result i32)
                local.get 0
                block (param i32) (result i32)
                  i32.const 10 i32.add local.get 0 br_if 0 drop i32.const 99
                end)
              (func (export "stale") (param i32) (result i32)
                (local.get 0) (local.set 0 (i32.const 5)) (local.get 0) (i32.sub))
              (func (export "loopv") (param i32) (result i32)
                (i32.const 0) (loop (param i32) (result i32)
                  (i32.add (local.get 0))
                  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                  (br_if 0 (local.get 0)) )))
            """);
        Assert.Equal(5050, I32(inst, "sum", Value.I32(100)));
        Assert.Equal(10, I32(inst, "sw", Value.I32(0)));
        Assert.Equal(11, I32(inst, "sw", Value.I32(1)));
        Assert.Equal(12, I32(inst, "sw", Value.I32(2)));
        Assert.Equal(12, I32(inst, "sw", Value.I32(-1)));
        Assert.Equal(105, I32(inst, "swv", Value.I32(0)));
        Assert.Equal(5, I32(inst, "swv", Value.I32(1)));
        Assert.Equal(5, I32(inst, "swv", Value.I32(9)));
        var s = Call(inst, "swap", Value.I32(7), Value.I32(8));
        Assert.Equal([8, 7], [s[0].AsI32, s[1].AsI32]);
        var p = Call(inst, "pair", Value.I32(3));
        Assert.Equal([3, 14], [p[0].AsI32, p[1].AsI32]);
        p = Call(inst, "pair", Value.I32(0));
        Assert.Equal([0, 0], [p[0].AsI32, p[1].AsI32]);
        Assert.Equal(15, I32(inst, "blk", Value.I32(5)));
        Assert.Equal(99, I32(inst, "blk", Value.I32(0)));
        Assert.Equal(3, I32(inst, "stale", Value.I32(8)));
        Assert.Equal(6, I32(inst, "loopv", Value.I32(3)));
    }

    [Fact]
    public void MemoryLoadsStoresBoundsGrowAndBulk()
    {
        var inst = Instantiate("""
            (module (memory 1 3) (data (i32.const 0) "\01\02\03\04")
              (func (export "ld8s") (param i32) (result i32) (i32.load8_s offset=1 (local.get 0)))
              (func (export "ld") (param i32) (result i32) (i32.load (local.get 0)))
              (func (export "ld64u") (param i32) (result i64) (i64.load32_u (local.get 0)))
              (func (export "st") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
              (func (export "st16") (param i32 i64) (i64.store16 offset=2 (local.get 0) (local.get 1)))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "size") (result i32) (memory.size))
              (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
              (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))
            """);
        Assert.Equal(0x04030201, I32(inst, "ld", Value.I32(0)));
        Assert.Equal(2, I32(inst, "ld8s", Value.I32(0)));
        Call(inst, "st", Value.I32(8), Value.I32(-1));
        Assert.Equal(0xFFFFFFFFL, I64(inst, "ld64u", Value.I32(8)));
        Call(inst, "st16", Value.I32(8), Value.I64(0x1234));
        Assert.Equal(0x1234FFFF, I32(inst, "ld", Value.I32(8)));
        Assert.Equal("out of bounds memory access", Trap(inst, "ld", Value.I32(65533)).Message);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Trap(inst, "ld", Value.I32(-1)).Kind);
        Assert.Equal(1, I32(inst, "grow", Value.I32(1)));
        Assert.Equal(2, I32(inst, "size"));
        Assert.Equal(0, I32(inst, "ld", Value.I32(65533)));
        Assert.Equal(-1, I32(inst, "grow", Value.I32(5)));
        Call(inst, "fill", Value.I32(100), Value.I32(0xAB), Value.I32(4));
        Assert.Equal(unchecked((int)0xABABABAB), I32(inst, "ld", Value.I32(100)));
        Call(inst, "copy", Value.I32(101), Value.I32(0), Value.I32(4));
        Assert.Equal(0x030201AB, I32(inst, "ld", Value.I32(100)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, Trap(inst, "fill", Value.I32(131070), Value.I32(0), Value.I32(3)).Kind);
    }

    [Fact]
    public void Memory64AndMultipleMemories()
    {
        var inst = Instantiate("""
            (module (memory $a 1) (memory $b i64 1)
              (func (export "put") (param i64 i64) (i64.store $b (local.get 0) (local.get 1)))
              (func (export "get") (param i64) (result i64) (i64.load $b offset=4 (local.get 0)))
              (func (export "geta") (param i32) (result i32) (i32.load $a (local.get 0)))
              (func (export "size") (result i64) (memory.size $b))
              (func (export "cp") (memory.copy $a $b (i32.const 0) (i64.const 16) (i32.const 8))))
            """);
        Call(inst, "put", Value.I64(16), Value.I64(0x1122334455667788));
        Assert.Equal(0x11223344L, I64(inst, "get", Value.I64(16)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, Trap(inst, "get", Value.I64(-2)).Kind);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Trap(inst, "get", Value.I64(65532)).Kind);
        Assert.Equal(1L, I64(inst, "size"));
        Call(inst, "cp");
        Assert.Equal(0x55667788, I32(inst, "geta", Value.I32(0)));
    }

    [Fact]
    public void GlobalsTablesReferencesAndIndirectCalls()
    {
        var inst = Instantiate("""
            (module
              (type $ii (func (param i32) (result i32)))
              (global $g (mut i64) (i64.const 5))
              (global $r (mut funcref) (ref.null func))
              (table $t 4 funcref)
              (elem (table $t) (i32.const 0) func $inc $dbl)
              (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
              (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
              (func (export "bump") (result i64) (global.set $g (i64.add (global.get $g) (i64.const 1))) (global.get $g))
              (func (export "ci") (param i32 i32) (result i32) (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
              (func (export "cr") (param i32) (result i32) (global.set $r (ref.func $dbl)) (call_ref $ii (local.get 0) (ref.cast (ref $ii) (global.get $r))))
              (func (export "size") (result i32) (table.size $t))
              (func (export "grow") (result i32) (table.grow $t (ref.func $inc) (i32.const 2)))
              (func (export "isnull") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
              (func (export "nn") (param i32) (result i32)
                (block $l (result i32)
                  (br_on_null $l (i32.const -1) (table.get $t (local.get 0)))
                  (drop) (drop) (i32.const 1)))
              (func (export "set") (table.set $t (i32.const 3) (ref.func $dbl)))
              (func (export "cref") (param i32) (result i32) (call_ref $ii (local.get 0) (ref.func $inc))))
            """);
        Assert.Equal(6L, I64(inst, "bump"));
        Assert.Equal(7L, I64(inst, "bump"));
        Assert.Equal(11, I32(inst, "ci", Value.I32(0), Value.I32(10)));
        Assert.Equal(20, I32(inst, "ci", Value.I32(1), Value.I32(10)));
        Assert.Equal("uninitialized element 2", Trap(inst, "ci", Value.I32(2), Value.I32(10)).Message);
        Assert.Equal(TrapKind.UndefinedElement, Trap(inst, "ci", Value.I32(9), Value.I32(10)).Kind);
        Assert.Equal(4, I32(inst, "size"));
        Assert.Equal(4, I32(inst, "grow"));
        Assert.Equal(6, I32(inst, "size"));
        Assert.Equal(0, I32(inst, "isnull", Value.I32(5)));
        Assert.Equal(1, I32(inst, "isnull", Value.I32(3)));
        Assert.Equal(-1, I32(inst, "nn", Value.I32(3)));
        Assert.Equal(1, I32(inst, "nn", Value.I32(0)));
        Call(inst, "set");
        Assert.Equal(14, I32(inst, "ci", Value.I32(3), Value.I32(7)));
        Assert.Equal(8, I32(inst, "cref", Value.I32(7)));
        Assert.Equal(TrapKind.TableOutOfBounds, Trap(inst, "isnull", Value.I32(6)).Kind);
    }

    [Fact]
    public void TrapsHaveTheSpecMessagesAndABacktrace()
    {
        var inst = Instantiate("""
            (module
              (func $boom (unreachable))
              (func $mid (call $boom))
              (func (export "outer") (call $mid))
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_u (local.get 0))))
            """);
        var t = Trap(inst, "outer");
        Assert.Equal("unreachable", t.Message);
        Assert.Equal(3, t.WasmBacktrace.Count);
        Assert.Equal(0, t.WasmBacktrace[0].FunctionIndex);
        Assert.Equal(1, t.WasmBacktrace[1].FunctionIndex);
        Assert.Equal(2, t.WasmBacktrace[2].FunctionIndex);
        Assert.Equal("integer divide by zero", Trap(inst, "div", Value.I32(1), Value.I32(0)).Message);
        Assert.Equal("integer overflow", Trap(inst, "div", Value.I32(int.MinValue), Value.I32(-1)).Message);
        Assert.Equal("invalid conversion to integer", Trap(inst, "trunc", Value.F32(float.NaN)).Message);
        Assert.Equal("integer overflow", Trap(inst, "trunc", Value.F32(-1f)).Message);
        // The interpreter is usable after a trap.
        Assert.Equal(3, I32(inst, "div", Value.I32(7), Value.I32(2)));
    }

    [Fact]
    public void HostFunctionsAreCalledWithTheirArgumentsAndResults()
    {
        var log = new List<int>();
        var host = Host("(func (param i32 i64) (result i32))", a => { log.Add(a[0].AsI32); return [Value.I32(a[0].AsI32 + (int)a[1].AsI64)]; });
        var inst = Instantiate("""
            (module (import "env" "f" (func $f (param i32 i64) (result i32)))
              (func (export "run") (param i32) (result i32)
                (i32.mul (call $f (local.get 0) (i64.const 100)) (i32.const 2))))
            """, imp => imp.Name == "f" ? host : null);
        Assert.Equal(210, I32(inst, "run", Value.I32(5)));
        Assert.Equal([5], log);
    }

    [Fact]
    public void FunctionsAreLoweredLazilyOnFirstCall()
    {
        var inst = Instantiate("""
            (module (func (export "a") (result i32) (i32.const 1)) (func (export "b") (result i32) (i32.const 2)))
            """);
        Assert.False(IsLowered(Func(inst, "a")));
        Assert.Equal(1, I32(inst, "a"));
        Assert.True(IsLowered(Func(inst, "a")));
        Assert.False(IsLowered(Func(inst, "b")));
        Assert.Equal(1, LoweredModule.For(inst.Module).LoweredCount);
    }
}
