using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// GC lowering: structs, arrays, i31, ref.eq, casts. Handlers call <see cref="Runtime.Gc.GcOps"/>;
/// a field's or element's storage kind (<see cref="ValKind"/>) is an operand, so one handler
/// serves every storage type.
/// </summary>
internal sealed unsafe partial class Lowerer
{
    private int CanonId(uint typeIndex) => _vm.CanonicalTypeIds[typeIndex];

    private FieldType[] GcFields(uint typeIndex) => TypeRegistry.Get(CanonId(typeIndex)).Type.Fields;

    private ValType NewRefType(uint typeIndex) => ValType.Ref(new HeapType(CanonId(typeIndex)), false);

    partial void LowerGc(in Instruction ins, OpInfo info, ref bool handled)
    {
        handled = true;
        switch (ins.Op)
        {
            case Op.StructNew:
            case Op.ArrayNewFixed:
            {
                var fields = GcFields(ins.A);
                bool isStruct = ins.Op == Op.StructNew;
                int n = isStruct ? fields.Length : (int)ins.B;
                int obj = ScratchSlot();
                Span<int> src = n <= 64 ? stackalloc int[n] : new int[n];
                for (int i = 0; i < n; i++) src[i] = Use(n - 1 - i);
                if (isStruct) Emit(&Handlers.GcStructNewDefault, obj, k: CanonId(ins.A));
                else Emit(&Handlers.GcArrayNewFixed, obj, n, k: CanonId(ins.A));
                for (int i = 0; i < n; i++)
                {
                    var t = isStruct ? fields[i].Type : fields[0].Type;
                    Emit(isStruct ? &Handlers.GcStructSet : &Handlers.GcArrayInitFixed, obj, src[i], i, (int)t.Kind);
                }
                _sp -= n;
                int d = PushSlot(NewRefType(ins.A));
                MarkResult(Emit(&Handlers.CopyRef, d, obj));
                return;
            }
            case Op.StructNewDefault:
            {
                int d = PushSlot(NewRefType(ins.A));
                MarkResult(Emit(&Handlers.GcStructNewDefault, d, k: CanonId(ins.A)));
                return;
            }
            case Op.StructGet:
            case Op.StructGetS:
            case Op.StructGetU:
            {
                var ft = GcFields(ins.A)[ins.B].Type;
                int r = Use(0);
                _sp--;
                int d = PushSlot(ft.Unpacked);
                MarkResult(Emit(&Handlers.GcStructGet, d, r, (int)ins.B, GetKind(ins.Op, ft)));
                return;
            }
            case Op.StructSet:
            {
                var ft = GcFields(ins.A)[ins.B].Type;
                int v = Use(0), r = Use(1);
                _sp -= 2;
                Emit(&Handlers.GcStructSet, r, v, (int)ins.B, (int)ft.Kind);
                return;
            }
            case Op.ArrayNew:
            {
                var et = GcFields(ins.A)[0].Type;
                int len = Use(0), init = Use(1);
                _sp -= 2;
                int d = PushSlot(NewRefType(ins.A));
                MarkResult(Emit(&Handlers.GcArrayNew, d, init, len, (int)et.Kind, CanonId(ins.A)));
                return;
            }
            case Op.ArrayNewDefault:
            {
                int len = Use(0);
                _sp--;
                int d = PushSlot(NewRefType(ins.A));
                MarkResult(Emit(&Handlers.GcArrayNewDefault, d, len, 0, 0, CanonId(ins.A)));
                return;
            }
            case Op.ArrayNewData:
            case Op.ArrayNewElem:
            {
                int len = Use(0), off = Use(1);
                _sp -= 2;
                int d = PushSlot(NewRefType(ins.A));
                delegate*<Inst*, ref Machine, Inst*> h = ins.Op == Op.ArrayNewData ? &Handlers.GcArrayNewData : &Handlers.GcArrayNewElem;
                MarkResult(Emit(h, d, off, len, (int)ins.B, CanonId(ins.A)));
                return;
            }
            case Op.ArrayGet:
            case Op.ArrayGetS:
            case Op.ArrayGetU:
            {
                var et = GcFields(ins.A)[0].Type;
                int i = Use(0), a = Use(1);
                _sp -= 2;
                int d = PushSlot(et.Unpacked);
                MarkResult(Emit(&Handlers.GcArrayGet, d, a, i, GetKind(ins.Op, et)));
                return;
            }
            case Op.ArraySet:
            {
                var et = GcFields(ins.A)[0].Type;
                int v = Use(0), i = Use(1), a = Use(2);
                _sp -= 3;
                Emit(&Handlers.GcArraySet, a, i, v, (int)et.Kind);
                return;
            }
            case Op.ArrayFill:
            {
                var et = GcFields(ins.A)[0].Type;
                int n = Use(0), v = Use(1), i = Use(2), a = Use(3);
                _sp -= 4;
                Emit(&Handlers.GcArrayFill, a, i, v, n, (int)et.Kind);
                return;
            }
            case Op.ArrayLen:
            {
                int a = Use(0);
                _sp--;
                int d = PushSlot(ValType.I32);
                MarkResult(Emit(&Handlers.GcArrayLen, d, a));
                return;
            }
            case Op.ArrayCopy:
            {
                int n = Use(0), s = Use(1), src = Use(2), dd = Use(3), dst = Use(4);
                _sp -= 5;
                Emit(&Handlers.GcArrayCopy, dst, dd, src, s, n);
                return;
            }
            case Op.ArrayInitData:
            case Op.ArrayInitElem:
            {
                int n = Use(0), s = Use(1), dd = Use(2), a = Use(3);
                _sp -= 4;
                delegate*<Inst*, ref Machine, Inst*> h = ins.Op == Op.ArrayInitData ? &Handlers.GcArrayInitData : &Handlers.GcArrayInitElem;
                Emit(h, a, dd, s, n, ins.B);
                return;
            }
            case Op.RefI31:
            {
                int v = Use(0);
                _sp--;
                int d = PushSlot(ValType.Ref(HeapType.I31, false));
                MarkResult(Emit(&Handlers.GcRefI31, d, v));
                return;
            }
            case Op.I31GetS:
            case Op.I31GetU:
            {
                int r = Use(0);
                _sp--;
                int d = PushSlot(ValType.I32);
                MarkResult(Emit(ins.Op == Op.I31GetS ? &Handlers.GcI31GetS : &Handlers.GcI31GetU, d, r));
                return;
            }
            case Op.RefEq:
            {
                int b = Use(0), a = Use(1);
                _sp -= 2;
                int d = PushSlot(ValType.I32);
                MarkResult(Emit(&Handlers.GcRefEq, d, a, b));
                return;
            }
            case Op.RefTest:
            case Op.RefTestNull:
            {
                int r = Use(0);
                _sp--;
                int d = PushSlot(ValType.I32);
                MarkResult(Emit(&Handlers.GcRefTest, d, r, _vm.Types.Canon(ins.Heap).Value, ins.Op == Op.RefTestNull ? 1 : 0));
                return;
            }
            case Op.RefCast:
            case Op.RefCastNull:
            {
                var heap = _vm.Types.Canon(ins.Heap);
                int r = Use(0);
                _sp--;
                int d = PushSlot(ValType.Ref(heap, ins.Op == Op.RefCastNull));
                MarkResult(Emit(&Handlers.GcRefCast, d, r, heap.Value, ins.Op == Op.RefCastNull ? 1 : 0));
                return;
            }
            case Op.BrOnCast:
            case Op.BrOnCastFail:
            {
                var from = TypeAt(0);
                var target = ValType.Ref(_vm.Types.Canon(ins.Heap2), ins.Null2);
                int r = Use(0);
                var c = new Cond
                {
                    If = ins.Op == Op.BrOnCast ? &Handlers.BrIf<CondRefTest> : &Handlers.BrIfNot<CondRefTest>,
                    IfNot = ins.Op == Op.BrOnCast ? &Handlers.BrIfNot<CondRefTest> : &Handlers.BrIf<CondRefTest>,
                    B = r, C = target.Heap.Value, K = ins.Null2 ? 1 : 0,
                };
                ref var top = ref _stack[_sp - 1];
                top.Type = ins.Op == Op.BrOnCast ? target : from;
                EmitCondBranch(Target(ins.A), c);
                _stack[_sp - 1].Type = ins.Op == Op.BrOnCast ? from : target;
                return;
            }
            case Op.AnyConvertExtern:
            case Op.ExternConvertAny:
            {
                var t = TypeAt(0);
                int r = Use(0);
                _sp--;
                int d = PushSlot(ValType.Ref(ins.Op == Op.AnyConvertExtern ? HeapType.Any : HeapType.Extern, t.Nullable));
                MarkResult(Emit(&Handlers.CopyRef, d, r));
                return;
            }
        }
        handled = false;
    }

    /// <summary>The read kind of a struct/array get: the storage kind, with packed kinds split by sign (see <see cref="Handlers.GcPackedS"/>).</summary>
    private static int GetKind(Op op, ValType storage)
    {
        int k = (int)storage.Kind;
        if (!storage.IsPacked) return k;
        return op is Op.StructGetS or Op.ArrayGetS ? k | Handlers.GcPackedS : k;
    }
}
