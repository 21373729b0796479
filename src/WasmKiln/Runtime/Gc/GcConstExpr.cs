using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Runtime.Gc;

/// <summary>
/// The GC instructions allowed in constant expressions (global initializers, element items,
/// table initializers), on an evaluation stack of <see cref="Value"/>s: <c>struct.new</c>,
/// <c>struct.new_default</c>, <c>array.new</c>, <c>array.new_default</c>, <c>array.new_fixed</c>,
/// <c>ref.i31</c>, <c>any.convert_extern</c> and <c>extern.convert_any</c>.
/// </summary>
internal static class GcConstExpr
{
    /// <summary>
    /// Applies <paramref name="ins"/> to <paramref name="stack"/> when it is one of the GC
    /// constant instructions and returns true; returns false (stack untouched) otherwise.
    /// <paramref name="canonicalTypeIds"/> maps the module's type indices to canonical ids.
    /// </summary>
    public static bool TryEval(in Instruction ins, Stack<Value> stack, int[] canonicalTypeIds)
    {
        switch (ins.Op)
        {
            case Op.StructNew:
            {
                int id = canonicalTypeIds[ins.A];
                var fields = new Value[Rtt.For(id).Fields.Length];
                for (int i = fields.Length - 1; i >= 0; i--) fields[i] = stack.Pop();
                stack.Push(Ref(id, GcOps.StructNew(id, fields)));
                return true;
            }
            case Op.StructNewDefault:
            {
                int id = canonicalTypeIds[ins.A];
                stack.Push(Ref(id, GcOps.StructNewDefault(id)));
                return true;
            }
            case Op.ArrayNew:
            {
                int id = canonicalTypeIds[ins.A];
                int n = stack.Pop().AsI32;
                var init = stack.Pop();
                stack.Push(Ref(id, GcOps.ArrayNew(id, init, n)));
                return true;
            }
            case Op.ArrayNewDefault:
            {
                int id = canonicalTypeIds[ins.A];
                int n = stack.Pop().AsI32;
                stack.Push(Ref(id, GcOps.ArrayNewDefault(n, id)));
                return true;
            }
            case Op.ArrayNewFixed:
            {
                int id = canonicalTypeIds[ins.A];
                var elems = new Value[ins.B];
                for (int i = elems.Length - 1; i >= 0; i--) elems[i] = stack.Pop();
                stack.Push(Ref(id, GcOps.ArrayNewFixed(id, elems)));
                return true;
            }
            case Op.RefI31:
                stack.Push(Value.Reference(ValType.Ref(HeapType.I31, false), GcOps.RefI31(stack.Pop().AsI32)));
                return true;
            case Op.AnyConvertExtern:
            {
                var v = stack.Pop();
                stack.Push(Value.Reference(ValType.Ref(HeapType.Any, v.Type.Nullable || v.Ref is null), GcOps.AnyConvertExtern(v.Ref)));
                return true;
            }
            case Op.ExternConvertAny:
            {
                var v = stack.Pop();
                stack.Push(Value.Reference(ValType.Ref(HeapType.Extern, v.Type.Nullable || v.Ref is null), GcOps.ExternConvertAny(v.Ref)));
                return true;
            }
            default:
                return false;
        }
    }

    private static Value Ref(int typeId, object obj) => Value.Reference(ValType.Ref(new HeapType(typeId), false), obj);
}
