using WasmKiln.Runtime;
using WasmKiln.Script;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Compiler;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Small modules from text, compiled to IL and run.</summary>
public class CompilerTests
{
    private static Instance Instantiate(string wat, Func<WasmKiln.Model.Import, object?>? resolve = null)
    {
        var vm = Validator.Validate(WatParser.ParseText(wat));
        return Linker.Instantiate(vm, new Store(), resolve ?? (_ => null));
    }

    private static Value[] Call(Instance inst, string name, params Value[] args) =>
        ((FunctionInstance)inst.Exports[name].Value).Invoke(args);

    [Fact]
    public void ArithmeticAndRecursion()
    {
        var inst = Instantiate("""
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func $fac (export "fac") (param i64) (result i64)
                (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
                  (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1))))))))
            """);
        Assert.Equal(5, Call(inst, "add", Value.I32(2), Value.I32(3))[0].AsI32);
        Assert.Equal(-2, Call(inst, "add", Value.I32(int.MaxValue), Value.I32(int.MaxValue))[0].AsI32);
        Assert.Equal(2432902008176640000L, Call(inst, "fac", Value.I64(20))[0].AsI64);
    }

    [Fact]
    public void MultiValueResultsAndBlocks()
    {
        var inst = Instantiate("""
            (module
              (func $three (result i32 i64 f64) (i32.const 1) (i64.const 2) (f64.const 3.5))
              (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
              (func (export "three") (result i32 i64 f64) (call $three))
              (func (export "blk") (param i32) (result i32)
                local.get 0
                block (param i32) (result i32)
                  i32.const 10 i32.add local.get 0 br_if 0 drop i32.const 99
                end))
            """);
        var r = Call(inst, "three");
        Assert.Equal(1, r[0].AsI32);
        Assert.Equal(2L, r[1].AsI64);
        Assert.Equal(3.5, r[2].AsF64);
        var s = Call(inst, "swap", Value.I32(7), Value.I32(8));
        Assert.Equal(8, s[0].AsI32);
        Assert.Equal(7, s[1].AsI32);
        Assert.Equal(15, Call(inst, "blk", Value.I32(5))[0].AsI32);
        Assert.Equal(99, Call(inst, "blk", Value.I32(0))[0].AsI32);
    }

    [Fact]
    public void BrTableSelectsTargets()
    {
        var inst = Instantiate("""
            (module (func (export "sw") (param i32) (result i32)
              (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10))) (return (i32.const 11)))
              (i32.const 12)))
            """);
        Assert.Equal(10, Call(inst, "sw", Value.I32(0))[0].AsI32);
        Assert.Equal(11, Call(inst, "sw", Value.I32(1))[0].AsI32);
        Assert.Equal(12, Call(inst, "sw", Value.I32(2))[0].AsI32);
        Assert.Equal(12, Call(inst, "sw", Value.I32(100))[0].AsI32);
    }

    [Fact]
    public void MemoryBoundsAndGrow()
    {
        var inst = Instantiate("""
            (module (memory 1 3)
              (func (export "st") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
              (func (export "ld") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "size") (result i32) (memory.size)))
            """);
        Call(inst, "st", Value.I32(4), Value.I32(1234));
        Assert.Equal(1234, Call(inst, "ld", Value.I32(0))[0].AsI32);
        var trap = Assert.Throws<TrapException>(() => Call(inst, "ld", Value.I32(65532)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, trap.Kind);
        Assert.Throws<TrapException>(() => Call(inst, "ld", Value.I32(-1)));
        Assert.Equal(1, Call(inst, "grow", Value.I32(1))[0].AsI32);
        Assert.Equal(2, Call(inst, "size")[0].AsI32);
        Assert.Equal(0, Call(inst, "ld", Value.I32(65532))[0].AsI32);
        Assert.Equal(-1, Call(inst, "grow", Value.I32(5))[0].AsI32);
    }

    [Theory]
    [InlineData("i32.div_s", int.MinValue, -1, TrapKind.IntegerOverflow)]
    [InlineData("i32.div_s", 1, 0, TrapKind.IntegerDivideByZero)]
    [InlineData("i32.rem_u", 1, 0, TrapKind.IntegerDivideByZero)]
    public void IntegerTraps(string op, int a, int b, TrapKind kind)
    {
        var inst = Instantiate($"(module (func (export \"f\") (param i32 i32) (result i32) ({op} (local.get 0) (local.get 1))))");
        Assert.Equal(kind, Assert.Throws<TrapException>(() => Call(inst, "f", Value.I32(a), Value.I32(b))).Kind);
    }

    [Fact]
    public void RemSOfMinByMinusOneIsZero()
    {
        var inst = Instantiate("(module (func (export \"f\") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1))))");
        Assert.Equal(0, Call(inst, "f", Value.I32(int.MinValue), Value.I32(-1))[0].AsI32);
    }

    [Fact]
    public void FloatNaNPayloadsAndMinMax()
    {
        var inst = Instantiate("""
            (module
              (func (export "snan") (result i32) (i32.reinterpret_f32 (f32.const nan:0x200000)))
              (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
              (func (export "min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
              (func (export "u64") (param i64) (result f32) (f32.convert_i64_u (local.get 0))))
            """);
        Assert.Equal(0x7fa00000, Call(inst, "snan")[0].AsI32);
        Assert.Equal(0xffa00000u, Call(inst, "neg", Value.F32Bits(0x7fa00000))[0].AsF32Bits);
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(Call(inst, "min", Value.F64(0.0), Value.F64(-0.0))[0].AsF64));
        // 2^64 - 2^39 - 1 rounds down to 2^64 - 2^40 (single rounding), not up to 2^64.
        Assert.Equal(18446742974197923840f, Call(inst, "u64", Value.I64(unchecked((long)0xFFFFFF7FFFFFFFFFUL)))[0].AsF32);
    }

    [Fact]
    public void TailCallsDoNotGrowTheStack()
    {
        var inst = Instantiate("""
            (module (func $loop (export "loop") (param i64) (result i64)
              (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 42))
                (else (return_call $loop (i64.sub (local.get 0) (i64.const 1)))))))
            """);
        Assert.Equal(42L, Call(inst, "loop", Value.I64(10_000_000))[0].AsI64);
    }

    [Fact]
    public void DeepRecursionTrapsCallStackExhausted()
    {
        var inst = Instantiate("(module (func $r (export \"r\") (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1))))");
        var e = Assert.Throws<TrapException>(() => Call(inst, "r", Value.I32(0)));
        Assert.Equal(TrapKind.CallStackExhausted, e.Kind);
        // The guard's depth is restored: a normal call still works afterwards.
        var ok = Instantiate("(module (func (export \"f\") (result i32) (i32.const 1)))");
        Assert.Equal(1, Call(ok, "f")[0].AsI32);
    }

    [Fact]
    public void EndlessRecursionTrapsAHundredTimesAndTheProcessGoesOn()
    {
        var inst = Instantiate("(module (func $r (export \"r\") (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1))))");
        var r = (FunctionInstance)inst.Exports["r"].Value;
        int traps = 0;
        Exception? unexpected = null;
        // A 1 MiB thread: the real-stack check stops the recursion long before the depth limit.
        var thread = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 100; i++)
                {
                    try { r.Invoke([Value.I32(i)]); }
                    catch (TrapException e) when (e.Kind == TrapKind.CallStackExhausted) { traps++; }
                }
            }
            catch (Exception e) { unexpected = e; }
        }, 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(unexpected);
        Assert.Equal(100, traps);
    }

    [Fact]
    public void TrapsCarryAWasmBacktraceWithFunctionNames()
    {
        var inst = Instantiate("""
            (module
              (func $inner (unreachable))
              (func $middle (call $inner))
              (func (export "f") (call $middle)))
            """);
        var e = Assert.Throws<TrapException>(() => Call(inst, "f"));
        Assert.Equal(TrapKind.Unreachable, e.Kind);
        var frames = e.WasmBacktrace;
        Assert.Equal(3, frames.Count);
        Assert.Equal((0, "inner"), (frames[0].FunctionIndex, frames[0].FunctionName));
        Assert.Equal((1, "middle"), (frames[1].FunctionIndex, frames[1].FunctionName));
        Assert.Equal((2, (string?)null), (frames[2].FunctionIndex, frames[2].FunctionName));
        Assert.Contains("at inner", e.FormatBacktrace());

        // The typed-delegate path fills it too.
        var typed = ((FunctionInstance)inst.Exports["f"].Value).AsDelegate<Action>();
        var e2 = Assert.Throws<TrapException>(typed);
        Assert.Equal(3, e2.WasmBacktrace.Count);
        Assert.Equal("middle", e2.WasmBacktrace[1].FunctionName);
    }

    [Fact]
    public void CallIndirectChecksTypesAndBounds()
    {
        var inst = Instantiate("""
            (module
              (type $ii (func (param i32) (result i32)))
              (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
              (func $nop)
              (table 3 funcref) (elem (i32.const 0) $inc $nop)
              (func (export "ci") (param i32 i32) (result i32) (call_indirect (type $ii) (local.get 0) (local.get 1))))
            """);
        Assert.Equal(8, Call(inst, "ci", Value.I32(7), Value.I32(0))[0].AsI32);
        Assert.Equal(TrapKind.IndirectCallTypeMismatch, Assert.Throws<TrapException>(() => Call(inst, "ci", Value.I32(7), Value.I32(1))).Kind);
        Assert.Equal(TrapKind.UninitializedElement, Assert.Throws<TrapException>(() => Call(inst, "ci", Value.I32(7), Value.I32(2))).Kind);
        Assert.Equal(TrapKind.UndefinedElement, Assert.Throws<TrapException>(() => Call(inst, "ci", Value.I32(7), Value.I32(3))).Kind);
    }

    [Fact]
    public void ImportsHostFunctionsAndGlobals()
    {
        var exporter = Instantiate("(module (global (export \"g\") (mut i32) (i32.const 5)) (func (export \"get\") (result i32) (global.get 0)))");
        var seen = new List<int>();
        var vmImp = Validator.Validate(WatParser.ParseText("(module (type (func (param i32))))"));
        var hostType = vmImp.CanonicalTypeIds[0];
        var host = new FunctionInstance(new HostFunction(TypeRegistry.Get(hostType).Type, args => { seen.Add(args[0].AsI32); return []; }), hostType);
        var importer = Instantiate("""
            (module (import "m" "g" (global $g (mut i32))) (import "h" "log" (func $log (param i32)))
              (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 1))) (call $log (global.get $g))))
            """, imp => imp.Name == "g" ? exporter.Exports["g"].Value : host);
        Call(importer, "bump");
        Call(importer, "bump");
        Assert.Equal([6, 7], seen);
        Assert.Equal(7, Call(exporter, "get")[0].AsI32);
    }

    [Fact]
    public void MismatchedImportIsUnlinkable()
    {
        var exporter = Instantiate("(module (func (export \"f\") (param i64)))");
        var e = Assert.Throws<LinkException>(() => Instantiate("(module (import \"m\" \"f\" (func (param i32))))", _ => exporter.Exports["f"].Value));
        Assert.Contains("incompatible import type", e.Message);
        Assert.Contains("unknown import", Assert.Throws<LinkException>(() => Instantiate("(module (import \"m\" \"f\" (func)))")).Message);
    }

    [Fact]
    public void TypedDelegatesCallWithoutBoxing()
    {
        var inst = Instantiate("""
            (module (func (export "mad") (param i32 i64 f64) (result f64)
                      (f64.add (f64.convert_i32_s (local.get 0)) (f64.mul (f64.convert_i64_s (local.get 1)) (local.get 2))))
                    (func (export "boom") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))
            """);
        var mad = ((FunctionInstance)inst.Exports["mad"].Value).AsDelegate<Func<int, long, double, double>>();
        Assert.Equal(7.0, mad(1, 2, 3.0));
        var boom = ((FunctionInstance)inst.Exports["boom"].Value).AsDelegate<Func<int, int>>();
        Assert.Equal(1, boom(1));
        Assert.Equal(TrapKind.IntegerDivideByZero, Assert.Throws<TrapException>(() => boom(0)).Kind);
        Assert.Throws<WasmException>(() => ((FunctionInstance)inst.Exports["boom"].Value).AsDelegate<Func<long, int>>());
    }

    [Fact]
    public void ExceptionsAreCaughtByTagAndTrapsAreNot()
    {
        var inst = Instantiate("""
            (module
              (tag $e (param i32))
              (tag $f)
              (func $thrower (param i32) (if (local.get 0) (then (throw $e (local.get 0))) (else (throw $f))))
              (func (export "catch") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (call $thrower (local.get 0)))
                  (i32.const -1)))
              (func (export "legacy") (param i32) (result i32)
                (try (result i32) (do (call $thrower (local.get 0)) (i32.const 0))
                  (catch $e (i32.add (i32.const 100)))
                  (catch_all (i32.const 7))))
              (func (export "trap") (result i32)
                (try (result i32) (do unreachable) (catch_all (i32.const 1)))))
            """);
        Assert.Equal(5, Call(inst, "catch", Value.I32(5))[0].AsI32);
        Assert.Throws<WasmKiln.Runtime.Exceptions.WasmThrow>(() => Call(inst, "catch", Value.I32(0)));
        Assert.Equal(105, Call(inst, "legacy", Value.I32(5))[0].AsI32);
        Assert.Equal(7, Call(inst, "legacy", Value.I32(0))[0].AsI32);
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => Call(inst, "trap")).Kind);
    }

    [Fact]
    public void GcStructsArraysAndCasts()
    {
        var inst = Instantiate("""
            (module
              (type $p (struct (field $x (mut i32)) (field $y f64)))
              (type $a (array (mut i8)))
              (func (export "sum") (result f64) (local $s (ref $p))
                (local.set $s (struct.new $p (i32.const 3) (f64.const 0.5)))
                (struct.set $p $x (local.get $s) (i32.const 4))
                (f64.add (f64.convert_i32_s (struct.get $p $x (local.get $s))) (struct.get $p $y (local.get $s))))
              (func (export "arr") (result i32) (local $v (ref $a))
                (local.set $v (array.new $a (i32.const 255) (i32.const 4)))
                (i32.add (array.get_s $a (local.get $v) (i32.const 1)) (array.len (local.get $v))))
              (func (export "cast") (param i32) (result i32)
                (ref.test (ref $p) (if (result anyref) (local.get 0) (then (struct.new_default $p)) (else (ref.i31 (i32.const 1))))))
              (func (export "oob") (result i32) (array.get_u $a (array.new_default $a (i32.const 2)) (i32.const 2))))
            """);
        Assert.Equal(4.5, Call(inst, "sum")[0].AsF64);
        Assert.Equal(3, Call(inst, "arr")[0].AsI32);
        Assert.Equal(1, Call(inst, "cast", Value.I32(1))[0].AsI32);
        Assert.Equal(0, Call(inst, "cast", Value.I32(0))[0].AsI32);
        Assert.Equal(TrapKind.ArrayOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "oob")).Kind);
    }

    [Fact]
    public void ScriptEngineRunsAScript()
    {
        var result = new SpecRunner(CompilerScriptEngine.EngineName).RunText("""
            (module (func (export "f") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
                    (func (export "t") unreachable))
            (assert_return (invoke "f" (i32.const 9)) (i32.const 81))
            (assert_trap (invoke "t") "unreachable")
            (module (import "spectest" "print_i32" (func (param i32))) (func (export "p") (call 0 (i32.const 1))))
            (assert_return (invoke "p"))
            """, "inline.wast");
        Assert.Equal(0, result.Failed);
        Assert.Equal(5, result.Passed);
    }
}
