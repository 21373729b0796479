using WasmKiln.Runtime;
using Xunit;
using static WasmKiln.Tests.Interpreter.InterpreterTestKit;

namespace WasmKiln.Tests.Interpreter;

/// <summary>Exception handling on the interpreter: try_table, throw_ref, unwinding across calls, legacy try/catch/delegate/rethrow.</summary>
public class InterpreterExceptionTests
{
    private const string Wat = """
        (module
          (tag $e (param i32 i64))
          (tag $f)
          (func $thrower (param i32)
            (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e (i32.const 7) (i64.const 8))))
            (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $f))))
          (func $deep (param i32) (param i32)
            (if (local.get 1) (then (call $deep (local.get 0) (i32.sub (local.get 1) (i32.const 1)))) (else (call $thrower (local.get 0)))))
          (func (export "catch") (param i32) (result i64)
            (local $l i64)
            (block $h (result i32 i64)
              (block $all
                (try_table (catch $e $h) (catch_all $all)
                  (call $deep (local.get 0) (i32.const 50)))
                (return (i64.const 0)))
              (return (i64.const -1)))
            (local.set $l)
            (i64.add (i64.extend_i32_u) (local.get $l)))
          (func (export "rethrow_ref") (result i32)
            (block $h (result i32 i64 exnref)
              (try_table (catch_ref $e $h)
                (block $inner (result exnref)
                  (try_table (catch_all_ref $inner) (call $thrower (i32.const 1)))
                  (unreachable))
                (throw_ref))
              (unreachable))
            (drop) (drop))
          (func (export "uncaught") (call $thrower (i32.const 2)))
          (func (export "legacy") (param i32) (result i32)
            (try (result i32)
              (do
                (try (result i32)
                  (do (call $thrower (local.get 0)) (i32.const 0))
                  (delegate 0)))
              (catch $e (drop) (i32.const 10) (i32.add))
              (catch_all (i32.const 20))))
          (func (export "legacy_rethrow") (result i32)
            (try (result i32)
              (do
                (try (result i32)
                  (do (call $thrower (i32.const 2)) (i32.const 0))
                  (catch_all (rethrow 0))))
              (catch $f (i32.const 30)))))
        """;

    [Fact]
    public void TryTableCatchesAcrossInterpretedFrames()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(15L, I64(inst, "catch", Value.I32(1)));
        Assert.Equal(-1L, I64(inst, "catch", Value.I32(2)));
        Assert.Equal(0L, I64(inst, "catch", Value.I32(0)));
        Assert.Equal(7, I32(inst, "rethrow_ref"));
    }

    [Fact]
    public void UncaughtExceptionsLeaveTheInterpreterAndItGoesOn()
    {
        var inst = Instantiate(Wat);
        var e = Assert.ThrowsAny<WasmException>(() => Call(inst, "uncaught"));
        Assert.IsNotType<TrapException>(e);
        Assert.Equal(15L, I64(inst, "catch", Value.I32(1)));
    }

    [Fact]
    public void LegacyTryCatchDelegateRethrow()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(17, I32(inst, "legacy", Value.I32(1)));
        Assert.Equal(20, I32(inst, "legacy", Value.I32(2)));
        Assert.Equal(0, I32(inst, "legacy", Value.I32(0)));
        Assert.Equal(30, I32(inst, "legacy_rethrow"));
    }

    [Fact]
    public void ExceptionThrownThroughAHostFunctionIsCaughtByTheInterpretedCaller()
    {
        const string wat = """
            (module
              (import "env" "h" (func $h (param i32)))
              (tag $e (param i32))
              (func (export "inner") (param i32) (throw $e (local.get 0)))
              (func $tail (param i32) (return_call $h (local.get 0)))
              (func (export "outer") (param i32) (result i32)
                (block $c (result i32)
                  (try_table (catch $e $c) (call $h (local.get 0)))
                  (i32.const -1)))
              (func (export "outer_tail") (param i32) (result i32)
                (block $c (result i32)
                  (try_table (catch $e $c) (call $tail (local.get 0)))
                  (i32.const -1)))
              (func (export "uncaught") (param i32) (return_call $h (local.get 0))))
            """;
        WasmKiln.Runtime.Instance? inst = null;
        var host = Host("(func (param i32))", args => Call(inst!, "inner", args));
        inst = Instantiate(wat, _ => host);
        Assert.Equal(5, I32(inst, "outer", Value.I32(5)));
        Assert.Equal(6, I32(inst, "outer_tail", Value.I32(6)));
        Assert.Equal(7, I32(inst, "outer", Value.I32(7)));
        Assert.ThrowsAny<WasmException>(() => Call(inst, "uncaught", Value.I32(8)));
    }
}
