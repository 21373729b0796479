using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Runtime.Gc;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Gc;

/// <summary>GC instructions in constant expressions.</summary>
public class GcConstExprTests
{
    /// <summary>Evaluates the initializer of every global (numeric constants and GC instructions only).</summary>
    private static (Value[] Globals, int[] Ids) EvalGlobals(string wat)
    {
        var vm = Validator.Validate(WatParser.ParseText(wat));
        var ids = vm.CanonicalTypeIds;
        var m = vm.Module;
        var results = new Value[m.Globals.Count];
        for (int g = 0; g < results.Length; g++)
        {
            var stack = new Stack<Value>();
            var r = new InstructionReader(m.Globals[g].Init.Code.Span, m.Globals[g].Init.Offset);
            while (!r.AtEnd)
            {
                r.Read(out var ins);
                if (GcConstExpr.TryEval(ins, stack, ids)) continue;
                switch (ins.Op)
                {
                    case Op.End: break;
                    case Op.I32Const: stack.Push(Value.I32((int)ins.Int)); break;
                    case Op.I64Const: stack.Push(Value.I64(ins.Int)); break;
                    case Op.RefNull: stack.Push(Value.Null(vm.Types.Canon(ins.Heap))); break;
                    case Op.GlobalGet: stack.Push(results[ins.A]); break;
                    default: throw new InvalidOperationException("test evaluator: " + ins.Op);
                }
            }
            results[g] = stack.Pop();
            Assert.Empty(stack);
        }
        return (results, ids);
    }

    [Fact]
    public void GcConstantExpressions()
    {
        var (g, ids) = EvalGlobals("""
            (module
              (type $s (struct (field i32) (field (mut i8)) (field i64) (field anyref)))
              (type $a (array (mut i16)))
              (type $r (array anyref))
              (global $i31 (ref i31) (ref.i31 (i32.const -1)))
              (global $s (ref $s) (struct.new $s (i32.const 1) (i32.const 0x1ff) (i64.const 3) (global.get $i31)))
              (global $d (ref $s) (struct.new_default $s))
              (global $a (ref $a) (array.new $a (i32.const 0x12345) (i32.const 3)))
              (global $ad (ref $a) (array.new_default $a (i32.const 2)))
              (global $af (ref $r) (array.new_fixed $r 3 (ref.null any) (global.get $i31) (global.get $s)))
              (global $x externref (extern.convert_any (global.get $s)))
              (global $y anyref (any.convert_extern (global.get $x)))
              (global $n externref (extern.convert_any (ref.null any))))
            """);
        Assert.Equal(0x7FFF_FFFF, GcOps.I31GetU(g[0].Ref));
        Assert.Equal(ValType.Ref(HeapType.I31, false), g[0].Type);

        object s = g[1].Ref!;
        Assert.Equal(ValType.Ref(new HeapType(ids[0]), false), g[1].Type);
        Assert.Equal(1, GcOps.StructGetI32(s, 0));
        Assert.Equal(-1, GcOps.StructGetI8S(s, 1));
        Assert.Equal(3L, GcOps.StructGetI64(s, 2));
        Assert.Equal(1, GcOps.RefEq(GcOps.StructGetRef(s, 3), g[0].Ref));
        Assert.Equal(0, GcOps.StructGetI32(g[2].Ref, 0));

        Assert.Equal(3, GcOps.ArrayLen(g[3].Ref));
        Assert.Equal(0x2345, GcOps.ArrayGetI16U(g[3].Ref, 2));
        Assert.Equal(2, GcOps.ArrayLen(g[4].Ref));
        Assert.Equal(0, GcOps.ArrayGetI16S(g[4].Ref, 1));

        object f = g[5].Ref!;
        Assert.Null(GcOps.ArrayGetRef(f, 0));
        Assert.Same(g[0].Ref, GcOps.ArrayGetRef(f, 1));
        Assert.Same(s, GcOps.ArrayGetRef(f, 2));

        Assert.Same(s, g[6].Ref);
        Assert.Equal(HeapType.Extern, g[6].Type.Heap);
        Assert.Same(s, g[7].Ref);
        Assert.Equal(HeapType.Any, g[7].Type.Heap);
        Assert.True(g[8].IsNull);
        Assert.True(g[8].Type.Nullable);
    }

    [Fact]
    public void OtherInstructionsAreLeftAlone()
    {
        var stack = new Stack<Value>();
        stack.Push(Value.I32(1));
        var ins = new Instruction { Op = Op.I32Add };
        Assert.False(GcConstExpr.TryEval(ins, stack, []));
        Assert.Single(stack);
    }
}
