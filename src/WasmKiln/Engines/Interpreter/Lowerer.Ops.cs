using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

internal sealed unsafe partial class Lowerer
{
    /// <summary>Extension hook for SIMD instructions: set <paramref name="handled"/> when lowered.</summary>
    partial void LowerSimd(in Instruction ins, OpInfo info, ref bool handled);
    /// <summary>Extension hook for GC instructions (struct, array, i31, casts, ref.eq...).</summary>
    partial void LowerGc(in Instruction ins, OpInfo info, ref bool handled);
    /// <summary>Extension hook for exception handling (needs control frames of its own: see the interpreter's notes).</summary>
    partial void LowerExceptions(in Instruction ins, OpInfo info, ref bool handled);
    /// <summary>Extension hook for atomic memory instructions.</summary>
    partial void LowerAtomics(in Instruction ins, OpInfo info, ref bool handled);

    private void Lower(in Instruction ins)
    {
        var info = OpTable.Info(ins.Op);
        switch (ins.Op)
        {
            case Op.Nop: return;
            case Op.Unreachable:
                Emit(&Handlers.Unreachable);
                _unreachable = true;
                return;
            case Op.Block: LowerBlock(ins); return;
            case Op.Loop: LowerLoop(ins); return;
            case Op.If: LowerIf(ins); return;
            case Op.Else: LowerElse(); return;
            case Op.End: LowerEnd(); return;
            case Op.Br:
                EmitBranch(Target(ins.A));
                _unreachable = true;
                return;
            case Op.BrIf:
            {
                var c = PopCondition();
                EmitCondBranch(Target(ins.A), c);
                return;
            }
            case Op.BrTable: LowerBrTable(ins); return;
            case Op.Return:
                EmitReturn();
                _unreachable = true;
                return;
            case Op.Drop: _sp--; return;
            case Op.Select: case Op.SelectT: LowerSelect(ins); return;
            case Op.LocalGet: LocalGet(ins.A); return;
            case Op.LocalSet: LocalSet(ins.A, false); return;
            case Op.LocalTee: LocalSet(ins.A, true); return;
            case Op.GlobalGet:
            {
                var t = _ctx.Globals[ins.A].Type;
                int d = PushSlot(t);
                delegate*<Inst*, ref Machine, Inst*> h = &Handlers.GlobalGet;
                if (t.IsRef) h = &Handlers.GlobalGetRef;
                else if (t.Kind == ValKind.V128) h = &Handlers.GlobalGet2;
                MarkResult(Emit(h, d, (int)ins.A));
                return;
            }
            case Op.GlobalSet:
            {
                var t = _ctx.Globals[ins.A].Type;
                int s = Use(0);
                _sp--;
                delegate*<Inst*, ref Machine, Inst*> h = &Handlers.GlobalSet;
                if (t.IsRef) h = &Handlers.GlobalSetRef;
                else if (t.Kind == ValKind.V128) h = &Handlers.GlobalSet2;
                Emit(h, s, (int)ins.A);
                return;
            }
            case Op.I32Const: PushConst(ValType.I32, (uint)ins.Int); return;
            case Op.I64Const: PushConst(ValType.I64, ins.Int); return;
            case Op.F32Const: PushConst(ValType.F32, (uint)ins.Bits); return;
            case Op.F64Const: PushConst(ValType.F64, (long)ins.Bits); return;

            case Op.Call:
                LowerCall(_ctx.FuncType(ins.A), &Handlers.Call, null, (int)ins.A, 0, 0, 0);
                return;
            case Op.ReturnCall:
                LowerCall(_ctx.FuncType(ins.A), null, &Handlers.ReturnCall, (int)ins.A, 0, 0, 0);
                return;
            case Op.CallIndirect:
            case Op.ReturnCallIndirect:
            {
                int idx = Use(0);
                _sp--;
                bool is64 = _ctx.Tables[ins.B].Limits.Is64;
                int typeId = _vm.CanonicalTypeIds[ins.A];
                var ft = _vm.Types[ins.A].Type;
                if (ins.Op == Op.CallIndirect)
                    LowerCall(ft, is64 ? &Handlers.CallIndirect64 : &Handlers.CallIndirect, null, typeId, (int)ins.B, idx, 0);
                else
                    LowerCall(ft, null, is64 ? &Handlers.ReturnCallIndirect64 : &Handlers.ReturnCallIndirect, typeId, 0, idx, ins.B);
                return;
            }
            case Op.CallRef:
            case Op.ReturnCallRef:
            {
                int r = Use(0);
                _sp--;
                var ft = _vm.Types[ins.A].Type;
                if (ins.Op == Op.CallRef) LowerCall(ft, &Handlers.CallRef, null, 0, 0, r, 0);
                else LowerCall(ft, null, &Handlers.ReturnCallRef, 0, 0, r, 0);
                return;
            }

            case Op.RefNull:
            {
                int d = PushSlot(ValType.Ref(_vm.Types.Canon(ins.Heap), true));
                MarkResult(Emit(&Handlers.RefNull, d));
                return;
            }
            case Op.RefIsNull:
            {
                int b = Use(0);
                _sp--;
                int d = PushSlot(ValType.I32);
                MarkResult(Emit(&Handlers.RefIsNull, d, b));
                return;
            }
            case Op.RefFunc:
            {
                int d = PushSlot(ValType.Ref(new HeapType(_vm.CanonicalTypeIds[_ctx.FuncTypeIndices[ins.A]]), false));
                MarkResult(Emit(&Handlers.RefFunc, d, (int)ins.A));
                return;
            }
            case Op.RefAsNonNull:
            {
                var t = TypeAt(0);
                int b = Use(0);
                _sp--;
                int d = PushSlot(t.AsNonNull);
                MarkResult(Emit(&Handlers.RefAsNonNull, d, b));
                return;
            }
            case Op.BrOnNull:
            {
                int r = Use(0);
                var saved = _stack[_sp - 1];
                _sp--;
                var c = new Cond { If = &Handlers.BrIf<CondRefNull>, IfNot = &Handlers.BrIfNot<CondRefNull>, B = r };
                EmitCondBranch(Target(ins.A), c);
                saved.Type = saved.Type.AsNonNull;
                _stack[_sp++] = saved;
                return;
            }
            case Op.BrOnNonNull:
            {
                int r = Use(0);
                ref var top = ref _stack[_sp - 1];
                top.Type = top.Type.AsNonNull;
                var c = new Cond { If = &Handlers.BrIf<CondRefNonNull>, IfNot = &Handlers.BrIfNot<CondRefNonNull>, B = r };
                EmitCondBranch(Target(ins.A), c);
                _sp--;
                return;
            }

            case Op.MemorySize:
            {
                var l = _ctx.Memories[ins.A].Limits;
                int d = PushSlot(l.AddressType);
                MarkResult(Emit(&Handlers.MemorySize, d, 0, 0, (int)ins.A, l.Is64 ? 1 : 0));
                return;
            }
            case Op.MemoryGrow:
            {
                var l = _ctx.Memories[ins.A].Limits;
                int delta = Use(0);
                _sp--;
                int d = PushSlot(l.AddressType);
                MarkResult(Emit(&Handlers.MemoryGrow, d, delta, 0, (int)ins.A, l.Is64 ? 1 : 0));
                return;
            }
            case Op.MemoryFill:
            {
                bool is64 = _ctx.Memories[ins.A].Limits.Is64;
                int n = Use(0), v = Use(1), d = Use(2);
                _sp -= 3;
                Emit(&Handlers.MemoryFill, d, v, n, (int)ins.A, is64 ? 1 : 0);
                return;
            }
            case Op.MemoryCopy:
            {
                bool d64 = _ctx.Memories[ins.A].Limits.Is64, s64 = _ctx.Memories[ins.B].Limits.Is64;
                int n = Use(0), s = Use(1), d = Use(2);
                _sp -= 3;
                Emit(&Handlers.MemoryCopy, d, s, n, (int)ins.A, CopyFlags(d64, s64) | ((long)ins.B << 32));
                return;
            }
            case Op.MemoryInit:
            {
                bool is64 = _ctx.Memories[ins.B].Limits.Is64;
                int n = Use(0), s = Use(1), d = Use(2);
                _sp -= 3;
                Emit(&Handlers.MemoryInit, d, s, n, (int)ins.B, ins.A | (is64 ? 1L << 32 : 0));
                return;
            }
            case Op.DataDrop: Emit(&Handlers.DataDrop, 0, (int)ins.A); return;
            case Op.ElemDrop: Emit(&Handlers.ElemDrop, 0, (int)ins.A); return;
            case Op.TableInit:
            {
                bool is64 = _ctx.Tables[ins.B].Limits.Is64;
                int n = Use(0), s = Use(1), d = Use(2);
                _sp -= 3;
                Emit(&Handlers.TableInit, d, s, n, (int)ins.B, ins.A | (is64 ? 1L << 32 : 0));
                return;
            }
            case Op.TableCopy:
            {
                bool d64 = _ctx.Tables[ins.A].Limits.Is64, s64 = _ctx.Tables[ins.B].Limits.Is64;
                int n = Use(0), s = Use(1), d = Use(2);
                _sp -= 3;
                Emit(&Handlers.TableCopy, d, s, n, (int)ins.A, CopyFlags(d64, s64) | ((long)ins.B << 32));
                return;
            }
            case Op.TableGet:
            {
                var tt = _ctx.Tables[ins.A];
                int i = Use(0);
                _sp--;
                int d = PushSlot(tt.ElemType);
                MarkResult(Emit(&Handlers.TableGet, d, i, 0, (int)ins.A, tt.Limits.Is64 ? 1 : 0));
                return;
            }
            case Op.TableSet:
            {
                var tt = _ctx.Tables[ins.A];
                int v = Use(0), i = Use(1);
                _sp -= 2;
                Emit(&Handlers.TableSet, i, v, 0, (int)ins.A, tt.Limits.Is64 ? 1 : 0);
                return;
            }
            case Op.TableSize:
            {
                var tt = _ctx.Tables[ins.A];
                int d = PushSlot(tt.Limits.AddressType);
                MarkResult(Emit(&Handlers.TableSize, d, 0, 0, (int)ins.A, tt.Limits.Is64 ? 1 : 0));
                return;
            }
            case Op.TableGrow:
            {
                var tt = _ctx.Tables[ins.A];
                int n = Use(0), v = Use(1);
                _sp -= 2;
                int d = PushSlot(tt.Limits.AddressType);
                MarkResult(Emit(&Handlers.TableGrow, d, v, n, (int)ins.A, tt.Limits.Is64 ? 1 : 0));
                return;
            }
            case Op.TableFill:
            {
                var tt = _ctx.Tables[ins.A];
                int n = Use(0), v = Use(1), d = Use(2);
                _sp -= 3;
                Emit(&Handlers.TableFill, d, v, n, (int)ins.A, tt.Limits.Is64 ? 1 : 0);
                return;
            }
        }

        if (!info.IsSpecial && info.Imm == Imm.None && NumForms.Of(ins.Op) is { } forms)
        {
            LowerNumeric(forms, info);
            return;
        }
        if (!info.IsSpecial && info.Imm == Imm.MemArg && info.Prefix == 0 && MemForms.Of(ins.Op) is { } mforms)
        {
            LowerMemoryAccess(ins, info, mforms);
            return;
        }
        bool handled = false;
        LowerSimd(ins, info, ref handled);
        if (!handled) LowerGc(ins, info, ref handled);
        if (!handled) LowerExceptions(ins, info, ref handled);
        if (!handled) LowerAtomics(ins, info, ref handled);
        if (!handled) throw Unsupported(ins.Op);
    }

    private static long CopyFlags(bool dst64, bool src64) => (dst64 ? 1 : 0) | (src64 ? 2 : 0) | (dst64 && src64 ? 4 : 0);

    private void PushConst(ValType t, long bits)
    {
        ref var e = ref PushEntry(t, Kind.Const);
        e.Const = bits;
    }

    private void LowerNumeric(NumForms forms, OpInfo info)
    {
        var rt = info.Results[0].Type;
        if (info.Params.Length == 2)
        {
            if (forms.HK != null && IsConst(0, out long k))
            {
                // x - k is lowered as x + (-k), so address arithmetic folds into loads and stores.
                if (forms == I32SubForms) { forms = I32AddForms; k = (uint)-(int)k; }
                else if (forms == I64SubForms) { forms = I64AddForms; k = -k; }
                int a = Use(1);
                _sp -= 2;
                int d = PushSlot(rt);
                MarkResult(Emit(forms.HK, d, a, 0, 0, k), forms, true);
                return;
            }
            if (forms.HK != null && forms.Commutative && IsConst(1, out k))
            {
                int b = Use(0);
                _sp -= 2;
                int d = PushSlot(rt);
                MarkResult(Emit(forms.HK, d, b, 0, 0, k), forms, true);
                return;
            }
            int sb = Use(0), sa = Use(1);
            _sp -= 2;
            int dst = PushSlot(rt);
            MarkResult(Emit(forms.H, dst, sa, sb), forms, false);
            return;
        }
        int s = Use(0);
        _sp--;
        int r = PushSlot(rt);
        MarkResult(Emit(forms.H, r, s), forms, false);
    }

    private static readonly NumForms I32AddForms = NumForms.Of(Op.I32Add)!, I32SubForms = NumForms.Of(Op.I32Sub)!;
    private static readonly NumForms I64AddForms = NumForms.Of(Op.I64Add)!, I64SubForms = NumForms.Of(Op.I64Sub)!;

    private void LowerMemoryAccess(in Instruction ins, OpInfo info, MemForms forms)
    {
        int mem = (int)ins.A;
        bool is64 = _ctx.Memories[mem].Limits.Is64;
        long offset = (long)ins.MemOffset;
        bool load = info.Results.Length == 1;
        if (mem != 0 || is64)
        {
            var h = is64 ? forms.H64 : forms.H32;
            if (load)
            {
                int a = Use(0);
                _sp--;
                int d = PushSlot(info.Results[0].Type);
                MarkResult(Emit(h, d, a, mem, 0, offset));
                return;
            }
            int v = Use(0), addr = Use(1);
            _sp -= 2;
            Emit(h, v, addr, mem, 0, offset);
            return;
        }

        // Memory 0 with 32-bit addresses: a constant stored value becomes the immediate A, and the
        // address is folded: a constant address into K, an i32.add just computed for it into the access.
        bool imm = false;
        int value = 0;
        if (!load)
        {
            if (IsConst(0, out long bits) && (forms.Size <= 4 || bits == (int)bits))
            {
                imm = true;
                value = (int)bits;
            }
            else value = Use(0);
        }
        int depth = load ? 0 : 1;
        ref var ae = ref _stack[_sp - 1 - depth];
        int b = 0, c = 0, dOp = 0;
        long k = offset;
        int mode;
        if (ae.Kind == Kind.Const)
        {
            mode = 3;
            k = (long)((ulong)(uint)ae.Const + (ulong)offset);
        }
        else if (ae.Kind == Kind.Stack && _lastResult >= 0 && _lastResult == _n - 1 && _code[_lastResult].A == ae.Slot
            && _lastForms == I32AddForms && (load || imm || _stack[_sp - 1].Kind == Kind.Local))
        {
            var add = _code[_lastResult];
            _n--;
            _lastResult = -1;
            b = add.B;
            if (_lastImm) { mode = 1; dOp = (int)add.K; }
            else { mode = 2; c = add.C; }
        }
        else
        {
            mode = 0;
            b = Use(depth);
        }
        _sp -= load ? 1 : 2;
        if (load)
        {
            var h = mode switch { 0 => forms.H0, 1 => forms.H0AddImm, 2 => forms.H0Add, _ => forms.H0Const };
            int d = PushSlot(info.Results[0].Type);
            MarkResult(Emit(h, d, b, c, dOp, k));
            return;
        }
        var hs = imm
            ? mode switch { 0 => forms.S0Imm, 1 => forms.S0ImmAddImm, 2 => forms.S0ImmAdd, _ => forms.S0ImmConst }
            : mode switch { 0 => forms.H0, 1 => forms.H0AddImm, 2 => forms.H0Add, _ => forms.H0Const };
        Emit(hs, value, b, c, dOp, k);
    }

    private void LowerSelect(in Instruction ins)
    {
        int c = Use(0), b = Use(1), a = Use(2);
        var t = ins.Op == Op.SelectT ? _vm.Types.Canon(ins.Types![0]) : TypeAt(2);
        _sp -= 3;
        int d = PushSlot(t);
        delegate*<Inst*, ref Machine, Inst*> h = &Handlers.Select;
        if (t.IsRef) h = &Handlers.SelectRef;
        else if (t.Kind == ValKind.V128) h = &Handlers.Select2;
        MarkResult(Emit(h, d, a, b, c));
    }

    /// <summary>
    /// A call of a function of type <paramref name="ft"/> whose arguments are the top entries:
    /// they are put in their canonical slots, which become the callee's first slots. A tail call
    /// (<paramref name="tail"/> non-null) gets the number of argument slots as C.
    /// </summary>
    private void LowerCall(CompositeType ft, delegate*<Inst*, ref Machine, Inst*> call, delegate*<Inst*, ref Machine, Inst*> tail, int b, int c, int d, long k)
    {
        int n = ft.Params.Length;
        MaterializeTop(n);
        int argSlot = TopSlotAfterPop(n);
        int argSlots = 0;
        foreach (var p in ft.Params) argSlots += Interpreter.SlotSize(p);
        _sp -= n;
        if (tail != null)
        {
            Emit(tail, argSlot, b, argSlots, d, k);
            _unreachable = true;
            return;
        }
        Emit(call, argSlot, b, c, d, k);
        foreach (var r in ft.Results) PushSlot(r);
    }
}
