using System.Reflection;
using System.Reflection.Emit;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Runtime.Gc;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Compiler;

using Instance = WasmKiln.Runtime.Instance;
using Store = WasmKiln.Runtime.Store;

/// <summary>GC instructions: calls into <see cref="GcOps"/> with typed operands (no boxing).</summary>
internal sealed partial class FunctionCompiler
{
    private static readonly FieldInfo InstData = typeof(Instance).GetField(nameof(Instance.DataSegments))!;
    private static readonly FieldInfo InstElems = typeof(Instance).GetField(nameof(Instance.ElemSegments))!;

    private static MethodInfo Gc(Op op, ValType storage) =>
        GcOps.MethodFor(op, storage) ?? throw new WasmException("not supported yet: " + OpTable.Info(op).Name);

    private static MethodInfo GcNamed(string name) =>
        typeof(GcOps).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException("missing GcOps." + name);

    private int CanonId(uint typeIndex) => _vm.CanonicalTypeIds[typeIndex];

    private FieldType[] Fields(uint typeIndex) => TypeRegistry.Get(CanonId(typeIndex)).Type.Fields;

    private void LoadSegment(FieldInfo field, uint idx)
    {
        _il.Emit(OpCodes.Ldloc, _inst);
        _il.Emit(OpCodes.Ldfld, field);
        _il.Emit(OpCodes.Ldc_I4, (int)idx);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    /// <summary>Emits a GC instruction; false when <paramref name="ins"/> is not one.</summary>
    private bool EmitGc(in Instruction ins)
    {
        var il = _il;
        switch (ins.Op)
        {
            case Op.StructNew:
            case Op.ArrayNewFixed:
            {
                var fields = Fields(ins.A);
                bool isStruct = ins.Op == Op.StructNew;
                int n = isStruct ? fields.Length : (int)ins.B;
                var obj = il.DeclareLocal(typeof(object));
                if (isStruct)
                {
                    il.Emit(OpCodes.Ldc_I4, CanonId(ins.A));
                    il.Emit(OpCodes.Call, GcNamed(nameof(GcOps.StructNewDefault)));
                }
                else
                {
                    il.Emit(OpCodes.Ldc_I4, n);
                    il.Emit(OpCodes.Ldc_I4, CanonId(ins.A));
                    il.Emit(OpCodes.Call, GcNamed(nameof(GcOps.ArrayNewDefault)));
                }
                il.Emit(OpCodes.Stloc, obj);
                for (int i = 0; i < n; i++)
                {
                    LoadAt(_sp - n + i);
                    il.Emit(OpCodes.Ldloc, obj);
                    il.Emit(OpCodes.Ldc_I4, i);
                    il.Emit(OpCodes.Call, Gc(ins.Op, isStruct ? fields[i].Type : fields[0].Type));
                    il.Emit(OpCodes.Pop);
                }
                _sp -= n;
                il.Emit(OpCodes.Ldloc, obj);
                Push(ValType.Ref(new HeapType(CanonId(ins.A)), false));
                return true;
            }
            case Op.StructNewDefault:
                il.Emit(OpCodes.Ldc_I4, CanonId(ins.A));
                il.Emit(OpCodes.Call, GcNamed(nameof(GcOps.StructNewDefault)));
                Push(ValType.Ref(new HeapType(CanonId(ins.A)), false));
                return true;
            case Op.StructGet:
            case Op.StructGetS:
            case Op.StructGetU:
            {
                var ft = Fields(ins.A)[ins.B].Type;
                LoadAt(_sp - 1);
                _sp--;
                il.Emit(OpCodes.Ldc_I4, (int)ins.B);
                il.Emit(OpCodes.Call, Gc(ins.Op, ft));
                Push(ft.Unpacked);
                return true;
            }
            case Op.StructSet:
            {
                var ft = Fields(ins.A)[ins.B].Type;
                LoadTop(2);
                _sp -= 2;
                il.Emit(OpCodes.Ldc_I4, (int)ins.B);
                il.Emit(OpCodes.Call, Gc(ins.Op, ft));
                return true;
            }
            case Op.ArrayNew:
            case Op.ArrayNewDefault:
            {
                var et = Fields(ins.A)[0].Type;
                int n = ins.Op == Op.ArrayNew ? 2 : 1;
                LoadTop(n);
                _sp -= n;
                il.Emit(OpCodes.Ldc_I4, CanonId(ins.A));
                il.Emit(OpCodes.Call, Gc(ins.Op, et));
                Push(ValType.Ref(new HeapType(CanonId(ins.A)), false));
                return true;
            }
            case Op.ArrayNewData:
            case Op.ArrayNewElem:
                LoadTop(2);
                _sp -= 2;
                LoadSegment(ins.Op == Op.ArrayNewData ? InstData : InstElems, ins.B);
                il.Emit(OpCodes.Ldc_I4, CanonId(ins.A));
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.Ref(new HeapType(CanonId(ins.A)), false));
                return true;
            case Op.ArrayGet:
            case Op.ArrayGetS:
            case Op.ArrayGetU:
            {
                var et = Fields(ins.A)[0].Type;
                LoadTop(2);
                _sp -= 2;
                il.Emit(OpCodes.Call, Gc(ins.Op, et));
                Push(et.Unpacked);
                return true;
            }
            case Op.ArraySet:
            case Op.ArrayFill:
            {
                var et = Fields(ins.A)[0].Type;
                int n = ins.Op == Op.ArraySet ? 3 : 4;
                LoadTop(n);
                _sp -= n;
                il.Emit(OpCodes.Call, Gc(ins.Op, et));
                return true;
            }
            case Op.ArrayLen:
                LoadTop(1);
                _sp--;
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.I32);
                return true;
            case Op.ArrayCopy:
                LoadTop(5);
                _sp -= 5;
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                return true;
            case Op.ArrayInitData:
            case Op.ArrayInitElem:
                LoadTop(4);
                _sp -= 4;
                LoadSegment(ins.Op == Op.ArrayInitData ? InstData : InstElems, ins.B);
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                return true;
            case Op.RefI31:
                LoadTop(1);
                _sp--;
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.Ref(HeapType.I31, false));
                return true;
            case Op.I31GetS:
            case Op.I31GetU:
                LoadTop(1);
                _sp--;
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.I32);
                return true;
            case Op.RefEq:
                LoadTop(2);
                _sp -= 2;
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.I32);
                return true;
            case Op.RefTest:
            case Op.RefTestNull:
                LoadTop(1);
                _sp--;
                il.Emit(OpCodes.Ldc_I4, _vm.Types.Canon(ins.Heap).Value);
                il.Emit(ins.Op == Op.RefTestNull ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.I32);
                return true;
            case Op.RefCast:
            case Op.RefCastNull:
            {
                var heap = _vm.Types.Canon(ins.Heap);
                LoadTop(1);
                _sp--;
                il.Emit(OpCodes.Ldc_I4, heap.Value);
                il.Emit(ins.Op == Op.RefCastNull ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.Ref(heap, ins.Op == Op.RefCastNull));
                return true;
            }
            case Op.BrOnCast:
            case Op.BrOnCastFail:
            {
                var from = _stack[_sp - 1];
                var target = ValType.Ref(_vm.Types.Canon(ins.Heap2), ins.Null2);
                var r = TopSlot();
                var skip = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, r);
                il.Emit(OpCodes.Ldc_I4, target.Heap.Value);
                il.Emit(ins.Null2 ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                il.Emit(ins.Op == Op.BrOnCast ? OpCodes.Brfalse : OpCodes.Brtrue, skip);
                // The branch carries the value with the type the target expects (same IL type).
                _stack[_sp - 1] = ins.Op == Op.BrOnCast ? target : from;
                Branch(Target(ins.A));
                il.MarkLabel(skip);
                _stack[_sp - 1] = ins.Op == Op.BrOnCast ? from : target;
                return true;
            }
            case Op.AnyConvertExtern:
            case Op.ExternConvertAny:
            {
                var t = _stack[_sp - 1];
                LoadTop(1);
                _sp--;
                il.Emit(OpCodes.Call, Gc(ins.Op, default));
                Push(ValType.Ref(ins.Op == Op.AnyConvertExtern ? HeapType.Any : HeapType.Extern, t.Nullable));
                return true;
            }
        }
        return false;
    }
}
