using WasmKiln.Runtime;
using Xunit;
using static WasmKiln.Tests.Interpreter.InterpreterTestKit;

namespace WasmKiln.Tests.Interpreter;

/// <summary>GC on the interpreter: structs with packed fields, arrays, i31, casts and br_on_cast.</summary>
public class InterpreterGcTests
{
    private const string Wat = """
        (module
          (type $s (struct (field (mut i8)) (field (mut i64)) (field (mut anyref))))
          (type $a (array (mut i16)))
          (type $r (array (mut anyref)))
          (func (export "struct") (param i32) (result i32)
            (local $x (ref $s))
            (local.set $x (struct.new $s (local.get 0) (i64.const 5) (ref.i31 (i32.const 9))))
            (struct.set $s 1 (local.get $x) (i64.add (struct.get $s 1 (local.get $x)) (i64.const 1)))
            (i32.add
              (i32.add (struct.get_s $s 0 (local.get $x)) (i32.wrap_i64 (struct.get $s 1 (local.get $x))))
              (i31.get_s (ref.cast (ref i31) (struct.get $s 2 (local.get $x))))))
          (func (export "struct_u") (param i32) (result i32)
            (struct.get_u $s 0 (struct.new $s (local.get 0) (i64.const 0) (ref.null any))))
          (func (export "array") (param i32) (result i32)
            (local $a (ref $a))
            (local.set $a (array.new $a (i32.const -1) (local.get 0)))
            (array.fill $a (local.get $a) (i32.const 1) (i32.const 7) (i32.const 2))
            (array.copy $a $a (local.get $a) (i32.const 0) (local.get $a) (i32.const 1) (i32.const 1))
            (i32.add (i32.add (array.get_u $a (local.get $a) (i32.const 0)) (array.get_s $a (local.get $a) (i32.const 3)))
              (array.len (local.get $a))))
          (func (export "fixed") (result i32)
            (i31.get_u (ref.cast (ref i31) (array.get $r (array.new_fixed $r 3 (ref.null any) (ref.i31 (i32.const 42)) (ref.null any)) (i32.const 1)))))
          (func (export "classify") (param i32) (result i32)
            (local $v anyref)
            (local.set $v (if (result anyref) (local.get 0)
              (then (ref.i31 (i32.const 1)))
              (else (struct.new_default $s))))
            (block $is_i31 (result (ref i31))
              (br_on_cast $is_i31 anyref (ref i31) (local.get $v))
              (drop)
              (return (i32.const 100)))
            (i31.get_u))
          (func (export "bad_cast") (result i32)
            (array.len (ref.cast (ref $a) (struct.new_default $s))))
          (func (export "oob") (result i32)
            (array.get_u $a (array.new_default $a (i32.const 2)) (i32.const 2))))
        """;

    [Fact]
    public void StructsAndPackedFields()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(-1 + 6 + 9, I32(inst, "struct", Value.I32(0xFF)));
        Assert.Equal(0xFF, I32(inst, "struct_u", Value.I32(-1)));
    }

    [Fact]
    public void ArraysAndI31()
    {
        var inst = Instantiate(Wat);
        // [0xFFFF, 7, 7, -1, -1] after fill; copy moves element 1 to 0: [7, 7, 7, -1, -1].
        Assert.Equal(7 + -1 + 5, I32(inst, "array", Value.I32(5)));
        Assert.Equal(42, I32(inst, "fixed"));
    }

    [Fact]
    public void CastsBranchAndTrap()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(1, I32(inst, "classify", Value.I32(1)));
        Assert.Equal(100, I32(inst, "classify", Value.I32(0)));
        Assert.Equal(TrapKind.CastFailure, Trap(inst, "bad_cast").Kind);
        Assert.Equal(TrapKind.ArrayOutOfBounds, Trap(inst, "oob").Kind);
    }
}
