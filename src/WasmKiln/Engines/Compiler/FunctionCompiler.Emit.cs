using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using WasmKiln.Engines.Simd;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Compiler;

using Instance = WasmKiln.Runtime.Instance;

internal sealed partial class FunctionCompiler
{
    private static MethodInfo IOps(string name) =>
        typeof(InstanceOps).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException("missing helper InstanceOps." + name);

    private static MethodInfo MemMethod(string name) =>
        typeof(Memory).GetMethod(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) ?? throw new InvalidOperationException("missing Memory." + name);

    private static WasmException Unsupported(Op op) => new("not supported yet: " + OpTable.Info(op).Name);

    private void Emit(in Instruction ins)
    {
        var il = _il;
        var info = OpTable.Info(ins.Op);
        switch (ins.Op)
        {
            case Op.Nop: return;
            case Op.Unreachable:
                il.Emit(OpCodes.Call, typeof(Traps).GetMethod(nameof(Traps.Unreachable))!);
                il.Emit(OpCodes.Ldnull);
                il.Emit(OpCodes.Throw);
                _unreachable = true;
                return;
            case Op.Block:
                PushFrame(Op.Block, ins.Block);
                return;
            case Op.Loop:
            {
                var f = PushFrame(Op.Loop, ins.Block);
                il.MarkLabel(f.Label);
                return;
            }
            case Op.If: EmitIf(ins); return;
            case Op.Else: EmitElse(); return;
            case Op.End: EmitEnd(); return;
            case Op.TryTable: EmitTryTable(ins); return;
            case Op.Throw: EmitThrow(ins.A); return;
            case Op.ThrowRef: EmitThrowRef(); return;
            case Op.Try: EmitTry(ins); return;
            case Op.Catch: case Op.CatchAll: EmitLegacyCatch(ins); return;
            case Op.Rethrow: EmitRethrow(ins.A); return;
            case Op.Delegate: EmitEnd(true, ins.A); return;
            case Op.Br:
                Branch(Target(ins.A));
                _unreachable = true;
                return;
            case Op.BrIf:
            {
                var cond = TopSlot();
                _sp--;
                var f = Target(ins.A);
                var skip = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, cond);
                il.Emit(OpCodes.Brfalse, skip);
                Branch(f);
                il.MarkLabel(skip);
                return;
            }
            case Op.BrTable: EmitBrTable(ins); return;
            case Op.Return:
                Branch(_frames[0]);
                _unreachable = true;
                return;
            case Op.Drop: _sp--; return;
            case Op.Select:
            case Op.SelectT:
            {
                var cond = TopSlot();
                var b = TopSlot(1);
                var a = TopSlot(2);
                _sp -= 2;
                var skip = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, cond);
                il.Emit(OpCodes.Brtrue, skip);
                il.Emit(OpCodes.Ldloc, b);
                il.Emit(OpCodes.Stloc, a);
                il.MarkLabel(skip);
                return;
            }
            case Op.LocalGet:
                LoadLocal(ins.A);
                Push(LocalType(ins.A));
                _slotLocal[_sp - 1] = (int)ins.A;
                return;
            case Op.LocalSet:
                LoadAt(_sp - 1);
                _sp--;
                StoreLocal(ins.A);
                LocalWritten(ins.A);
                return;
            case Op.LocalTee:
                LoadAt(_sp - 1);
                StoreLocal(ins.A);
                LocalWritten(ins.A);
                _slotLocal[_sp - 1] = (int)ins.A;
                return;
            case Op.GlobalGet:
            {
                var t = _vm.Context.Globals[ins.A].Type;
                LoadGlobalSlot(ins.A);
                SignatureStubs.LoadSlot(il, t);
                Push(t);
                return;
            }
            case Op.GlobalSet:
            {
                var t = _vm.Context.Globals[ins.A].Type;
                LoadGlobalSlot(ins.A);
                LoadAt(_sp - 1);
                _sp--;
                SignatureStubs.StoreSlot(il, t);
                return;
            }
            case Op.I32Const: il.Emit(OpCodes.Ldc_I4, (int)ins.Int); Push(ValType.I32); return;
            case Op.I64Const: il.Emit(OpCodes.Ldc_I8, ins.Int); Push(ValType.I64); return;
            case Op.F32Const: EmitF32Const((uint)ins.Bits); Push(ValType.F32); return;
            case Op.F64Const: EmitF64Const(ins.Bits); Push(ValType.F64); return;
            case Op.V128Const:
                il.Emit(OpCodes.Ldc_I8, (long)ins.Vector.Lo);
                il.Emit(OpCodes.Ldc_I8, (long)ins.Vector.Hi);
                il.Emit(OpCodes.Call, OpsMethod(nameof(Ops.V128Const)));
                Push(ValType.V128);
                return;

            case Op.Call:
            {
                uint idx = ins.A;
                EmitCall(_vm.Context.FuncType(idx), () => LoadFunction(idx), tail: false, DirectBody(idx));
                return;
            }
            case Op.ReturnCall:
            {
                uint idx = ins.A;
                EmitCall(_vm.Context.FuncType(idx), () => LoadFunction(idx), tail: true, DirectBody(idx));
                return;
            }
            case Op.CallIndirect:
            case Op.ReturnCallIndirect:
            {
                var idxSlot = TopSlot();
                _sp--;
                uint table = ins.B;
                int typeId = _vm.CanonicalTypeIds[ins.A];
                bool is64 = _vm.Context.Tables[table].Limits.Is64;
                EmitCall(_vm.Types[ins.A].Type, () =>
                {
                    LoadTable(table);
                    il.Emit(OpCodes.Ldloc, idxSlot);
                    if (!is64) il.Emit(OpCodes.Conv_U8);
                    il.Emit(OpCodes.Ldc_I4, typeId);
                    il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.ResolveIndirect)));
                }, tail: ins.Op == Op.ReturnCallIndirect, sameInstanceFastPath: true);
                return;
            }
            case Op.CallRef:
            case Op.ReturnCallRef:
            {
                var refSlot = TopSlot();
                _sp--;
                EmitCall(_vm.Types[ins.A].Type, () =>
                {
                    il.Emit(OpCodes.Ldloc, refSlot);
                    il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.NonNullFunc)));
                }, tail: ins.Op == Op.ReturnCallRef);
                return;
            }

            case Op.RefNull:
                il.Emit(OpCodes.Ldnull);
                Push(ValType.Ref(_vm.Types.Canon(ins.Heap), true));
                return;
            case Op.RefIsNull:
                LoadAt(_sp - 1);
                _sp--;
                il.Emit(OpCodes.Ldnull);
                il.Emit(OpCodes.Ceq);
                Push(ValType.I32);
                return;
            case Op.RefFunc:
                LoadFunction(ins.A);
                Push(ValType.Ref(new HeapType(_vm.CanonicalTypeIds[_vm.Context.FuncTypeIndices[ins.A]]), false));
                return;
            case Op.RefAsNonNull:
            {
                var t = _stack[_sp - 1];
                LoadAt(_sp - 1);
                _sp--;
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.AsNonNull)));
                Push(t.AsNonNull);
                return;
            }
            case Op.BrOnNull:
            {
                var r = TopSlot();
                var t = _stack[_sp - 1];
                _sp--;
                var skip = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, r);
                il.Emit(OpCodes.Brtrue, skip);
                Branch(Target(ins.A));
                il.MarkLabel(skip);
                _stack[_sp++] = t.AsNonNull;
                return;
            }
            case Op.BrOnNonNull:
            {
                var r = TopSlot();
                var skip = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, r);
                il.Emit(OpCodes.Brfalse, skip);
                Branch(Target(ins.A));
                il.MarkLabel(skip);
                _sp--;
                return;
            }

            case Op.MemorySize:
            {
                var mt = _vm.Context.Memories[ins.A];
                LoadMemory(ins.A);
                il.Emit(OpCodes.Ldfld, MemLength);
                il.Emit(OpCodes.Ldc_I4, (int)(mt.PageSizeLog2 ?? 16));
                il.Emit(OpCodes.Shr_Un);
                if (!mt.Limits.Is64) il.Emit(OpCodes.Conv_I4);
                Push(mt.Limits.AddressType);
                return;
            }
            case Op.MemoryGrow:
            {
                var mt = _vm.Context.Memories[ins.A];
                var delta = TopSlot();
                _sp--;
                LoadMemory(ins.A);
                il.Emit(OpCodes.Ldloc, delta);
                il.Emit(OpCodes.Call, IOps(mt.Limits.Is64 ? nameof(InstanceOps.MemoryGrow64) : nameof(InstanceOps.MemoryGrow32)));
                Push(mt.Limits.AddressType);
                ReloadMemory();
                return;
            }
            case Op.MemoryFill:
            {
                var n = TopSlot(); var v = TopSlot(1); var d = TopSlot(2);
                bool is64 = _vm.Context.Memories[ins.A].Limits.Is64;
                _sp -= 3;
                LoadMemory(ins.A);
                LoadU64(d, is64); il.Emit(OpCodes.Ldloc, v); LoadU64(n, is64);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.MemoryFill)));
                return;
            }
            case Op.MemoryCopy:
            {
                bool d64 = _vm.Context.Memories[ins.A].Limits.Is64, s64 = _vm.Context.Memories[ins.B].Limits.Is64;
                var n = TopSlot(); var s = TopSlot(1); var d = TopSlot(2);
                _sp -= 3;
                LoadMemory(ins.A); LoadMemory(ins.B);
                LoadU64(d, d64); LoadU64(s, s64); LoadU64(n, d64 && s64);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.MemoryCopy)));
                return;
            }
            case Op.MemoryInit:
            {
                bool is64 = _vm.Context.Memories[ins.B].Limits.Is64;
                var n = TopSlot(); var s = TopSlot(1); var d = TopSlot(2);
                _sp -= 3;
                il.Emit(OpCodes.Ldloc, _inst); il.Emit(OpCodes.Ldc_I4, (int)ins.A);
                LoadMemory(ins.B);
                LoadU64(d, is64); il.Emit(OpCodes.Ldloc, s); il.Emit(OpCodes.Ldloc, n);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.MemoryInit)));
                return;
            }
            case Op.DataDrop:
                il.Emit(OpCodes.Ldloc, _inst); il.Emit(OpCodes.Ldc_I4, (int)ins.A);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.DataDrop)));
                return;
            case Op.ElemDrop:
                il.Emit(OpCodes.Ldloc, _inst); il.Emit(OpCodes.Ldc_I4, (int)ins.A);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.ElemDrop)));
                return;
            case Op.TableInit:
            {
                bool is64 = _vm.Context.Tables[ins.B].Limits.Is64;
                var n = TopSlot(); var s = TopSlot(1); var d = TopSlot(2);
                _sp -= 3;
                il.Emit(OpCodes.Ldloc, _inst); il.Emit(OpCodes.Ldc_I4, (int)ins.A);
                LoadTable(ins.B);
                LoadU64(d, is64); il.Emit(OpCodes.Ldloc, s); il.Emit(OpCodes.Ldloc, n);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.TableInit)));
                return;
            }
            case Op.TableCopy:
            {
                bool d64 = _vm.Context.Tables[ins.A].Limits.Is64, s64 = _vm.Context.Tables[ins.B].Limits.Is64;
                var n = TopSlot(); var s = TopSlot(1); var d = TopSlot(2);
                _sp -= 3;
                LoadTable(ins.A); LoadTable(ins.B);
                LoadU64(d, d64); LoadU64(s, s64); LoadU64(n, d64 && s64);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.TableCopy)));
                return;
            }
            case Op.TableGet:
            {
                var tt = _vm.Context.Tables[ins.A];
                var i = TopSlot();
                _sp--;
                LoadTable(ins.A); LoadU64(i, tt.Limits.Is64);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.TableGet)));
                Push(tt.ElemType);
                return;
            }
            case Op.TableSet:
            {
                var tt = _vm.Context.Tables[ins.A];
                var v = TopSlot(); var i = TopSlot(1);
                _sp -= 2;
                LoadTable(ins.A); LoadU64(i, tt.Limits.Is64); il.Emit(OpCodes.Ldloc, v);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.TableSet)));
                return;
            }
            case Op.TableSize:
            {
                var tt = _vm.Context.Tables[ins.A];
                LoadTable(ins.A);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.TableSize)));
                if (!tt.Limits.Is64) il.Emit(OpCodes.Conv_I4);
                Push(tt.Limits.AddressType);
                return;
            }
            case Op.TableGrow:
            {
                var tt = _vm.Context.Tables[ins.A];
                var n = TopSlot(); var v = TopSlot(1);
                _sp -= 2;
                LoadTable(ins.A); il.Emit(OpCodes.Ldloc, v); LoadU64(n, tt.Limits.Is64);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.TableGrow)));
                if (!tt.Limits.Is64) il.Emit(OpCodes.Conv_I4);
                Push(tt.Limits.AddressType);
                return;
            }
            case Op.TableFill:
            {
                var tt = _vm.Context.Tables[ins.A];
                var n = TopSlot(); var v = TopSlot(1); var d = TopSlot(2);
                _sp -= 3;
                LoadTable(ins.A); LoadU64(d, tt.Limits.Is64); il.Emit(OpCodes.Ldloc, v); LoadU64(n, tt.Limits.Is64);
                il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.TableFill)));
                return;
            }
            case Op.AtomicFence:
                il.Emit(OpCodes.Call, typeof(Interlocked).GetMethod(nameof(Interlocked.MemoryBarrier))!);
                return;
        }

        if (info.Prefix == 0xFE) { EmitAtomic(ins, info); return; }
        if (info.Prefix == 0xFB || ins.Op == Op.RefEq) { if (EmitGc(ins)) return; throw Unsupported(ins.Op); }
        if (info.Feature is Feature.Simd or Feature.RelaxedSimd) { EmitSimd(ins, info); return; }
        if (info.Imm == Imm.MemArg && !info.IsSpecial && info.Prefix == 0) { EmitMemoryAccess(ins, info); return; }
        if (!info.IsSpecial && info.Imm == Imm.None)
        {
            int n = info.Params.Length;
            for (int i = _sp - n; i < _sp; i++) LoadAt(i);
            if (!EmitNumeric(ins.Op)) throw Unsupported(ins.Op);
            _sp -= n;
            foreach (var r in info.Results) Push(r.Type);
            return;
        }
        throw Unsupported(ins.Op);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Float constants: NaNs go through their bit pattern (the JIT would quiet a signaling NaN constant).</summary>
    private void EmitF32Const(uint bits)
    {
        float f = BitConverter.UInt32BitsToSingle(bits);
        if (!float.IsNaN(f)) { _il.Emit(OpCodes.Ldc_R4, f); return; }
        _il.Emit(OpCodes.Ldc_I4, (int)bits);
        _il.Emit(OpCodes.Call, OpsMethod(nameof(Ops.F32FromBits)));
    }

    private void EmitF64Const(ulong bits)
    {
        double d = BitConverter.UInt64BitsToDouble(bits);
        if (!double.IsNaN(d)) { _il.Emit(OpCodes.Ldc_R8, d); return; }
        _il.Emit(OpCodes.Ldc_I8, (long)bits);
        _il.Emit(OpCodes.Call, OpsMethod(nameof(Ops.F64FromBits)));
    }

    private void LoadU64(LocalBuilder slot, bool is64)
    {
        _il.Emit(OpCodes.Ldloc, slot);
        if (!is64) _il.Emit(OpCodes.Conv_U8);
    }

    private void LoadFunction(uint idx)
    {
        _il.Emit(OpCodes.Ldloc, _inst);
        _il.Emit(OpCodes.Ldfld, InstFunctions);
        _il.Emit(OpCodes.Ldc_I4, (int)idx);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    private void LoadTable(uint idx)
    {
        _il.Emit(OpCodes.Ldloc, _inst);
        _il.Emit(OpCodes.Ldfld, InstTables);
        _il.Emit(OpCodes.Ldc_I4, (int)idx);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    private void LoadMemory(uint idx)
    {
        if (idx == 0 && _mem0 != null) { _il.Emit(OpCodes.Ldloc, _mem0); return; }
        _il.Emit(OpCodes.Ldloc, _inst);
        _il.Emit(OpCodes.Ldfld, InstMemories);
        _il.Emit(OpCodes.Ldc_I4, (int)idx);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    private void LoadGlobalSlot(uint idx)
    {
        _il.Emit(OpCodes.Ldloc, _inst);
        _il.Emit(OpCodes.Ldfld, InstGlobals);
        _il.Emit(OpCodes.Ldc_I4, (int)idx);
        _il.Emit(OpCodes.Ldelem_Ref);
        _il.Emit(OpCodes.Ldflda, GlobalSlot);
    }

    /// <summary>The body method of function <paramref name="funcIndex"/> when it is defined in this module (null for an import).</summary>
    private MethodInfo? DirectBody(uint funcIndex)
    {
        int defined = (int)funcIndex - _m.ImportedFuncCount;
        return defined >= 0 ? _bodies[defined] : null;
    }

    /// <summary>
    /// Calls a function of type <paramref name="ft"/> whose arguments are the top slots: directly
    /// the body method <paramref name="direct"/> of a function of this module, else through the
    /// entry point of the FunctionInstance that <paramref name="loadCallee"/> pushes.
    /// </summary>
    /// <remarks>
    /// With <paramref name="sameInstanceFastPath"/> (call_indirect), a callee of this instance is
    /// called through its body method's pointer with this instance and call stack, skipping its
    /// entry point (and the thread-local lookup there).
    /// </remarks>
    private void EmitCall(CompositeType ft, Action loadCallee, bool tail, MethodInfo? direct = null, bool sameInstanceFastPath = false)
    {
        var il = _il;
        int n = ft.Params.Length, m = ft.Results.Length;
        var ret = CodeGen.ReturnType(ft);
        var ptypes = CodeGen.ParamTypes(ft);
        if (tail)
        {
            // A tail call leaves every try first (the callee's exceptions are not caught here):
            // inside a try, the arguments stay in their slots and the call is made outside the regions.
            var args = new LocalBuilder[n];
            for (int i = 0; i < n; i++) args[i] = Slot(_sp - n + i, _stack[_sp - n + i]);
            if (_tryDepth == 0) EmitTailCall(ft, args, loadCallee, direct);
            else
            {
                var stub = il.DefineLabel();
                il.Emit(OpCodes.Leave, stub);
                _tailStubs.Add((stub, ft, args, loadCallee, direct));
            }
            _sp -= n;
            _unreachable = true;
            return;
        }
        if (sameInstanceFastPath)
        {
            var callee = il.DeclareLocal(typeof(FunctionInstance));
            var slow = il.DefineLabel();
            var done = il.DefineLabel();
            loadCallee();
            il.Emit(OpCodes.Stloc, callee);
            il.Emit(OpCodes.Ldloc, callee);
            il.Emit(OpCodes.Ldfld, FiInstance);
            il.Emit(OpCodes.Ldloc, _inst);
            il.Emit(OpCodes.Bne_Un, slow);
            LoadCallArguments(ft);
            il.Emit(OpCodes.Ldloc, _inst);
            il.Emit(OpCodes.Ldarg, _csArg);
            il.Emit(OpCodes.Ldloc, _inst);
            il.Emit(OpCodes.Ldfld, InstCode);
            il.Emit(OpCodes.Ldfld, CodeBodies);
            il.Emit(OpCodes.Ldloc, callee);
            il.Emit(OpCodes.Ldfld, FiDefinedIndex);
            il.Emit(OpCodes.Ldelem_I);
            il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, ret, CodeGen.BodyParamTypes(ft), null);
            il.Emit(OpCodes.Br, done);
            il.MarkLabel(slow);
            LoadCallArguments(ft);
            il.Emit(OpCodes.Ldloc, callee);
            EmitEntryCall(ret, ptypes);
            il.MarkLabel(done);
            FinishCall(ft, n, m);
            return;
        }
        LoadCallArguments(ft);
        if (direct != null)
        {
            il.Emit(OpCodes.Ldloc, _inst);
            il.Emit(OpCodes.Ldarg, _csArg);
            il.Emit(OpCodes.Call, direct);
        }
        else
        {
            loadCallee();
            EmitEntryCall(ret, ptypes);
        }
        FinishCall(ft, n, m);
    }

    /// <summary>Pushes a call's arguments (the top slots) and the addresses of the temporaries that receive its results after the first.</summary>
    private void LoadCallArguments(CompositeType ft)
    {
        LoadTop(ft.Params.Length);
        for (int i = 1; i < ft.Results.Length; i++) _il.Emit(OpCodes.Ldloca, MvTemp(i, ft.Results[i]));
    }

    /// <summary>Calls the <see cref="FunctionInstance"/> on top of the IL stack (above its arguments) through its entry point.</summary>
    private void EmitEntryCall(Type ret, Type[] ptypes)
    {
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Call, EntryOfMethod);
        _il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, ret, ptypes, null);
    }

    private static readonly FieldInfo InstCode = typeof(Instance).GetField(nameof(Instance.Code))!;
    private static readonly FieldInfo CodeBodies = typeof(CompiledModule).GetField(nameof(CompiledModule.Bodies))!;
    private static readonly FieldInfo FiDefinedIndex = typeof(FunctionInstance).GetField(nameof(FunctionInstance.DefinedIndex))!;

    /// <summary>After a call returned (first result on the IL stack): pops the arguments, pushes the results.</summary>
    private void FinishCall(CompositeType ft, int n, int m)
    {
        _sp -= n;
        if (m > 0) Push(ft.Results[0]);
        for (int i = 1; i < m; i++)
        {
            _il.Emit(OpCodes.Ldloc, MvTemp(i, ft.Results[i]));
            Push(ft.Results[i]);
        }
        ReloadMemory();
    }

    private readonly List<(Label Label, CompositeType Type, LocalBuilder[] Args, Action LoadCallee, MethodInfo? Direct)> _tailStubs = [];

    private void EmitTailCall(CompositeType ft, LocalBuilder[] args, Action loadCallee, MethodInfo? direct)
    {
        var il = _il;
        il.Emit(OpCodes.Ldarg, _csArg);
        il.Emit(OpCodes.Call, ExitMethod);
        foreach (var a in args) il.Emit(OpCodes.Ldloc, a);
        for (int i = 1; i < ft.Results.Length; i++) il.Emit(OpCodes.Ldarg, _type.Params.Length + i - 1);
        if (direct != null)
        {
            il.Emit(OpCodes.Ldloc, _inst);
            il.Emit(OpCodes.Ldarg, _csArg);
            il.Emit(OpCodes.Tailcall);
            il.Emit(OpCodes.Call, direct);
            il.Emit(OpCodes.Ret);
            return;
        }
        loadCallee();
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Call, EntryOfMethod);
        il.Emit(OpCodes.Tailcall);
        il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, CodeGen.ReturnType(ft), CodeGen.ParamTypes(ft), null);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>Emits the tail calls made from inside try regions (after the function's epilogue, outside every region).</summary>
    private void EmitTailStubs()
    {
        foreach (var (label, ft, args, loadCallee, direct) in _tailStubs)
        {
            _il.MarkLabel(label);
            EmitTailCall(ft, args, loadCallee, direct);
        }
    }

    /// <summary>Emits the checked address of an access of <paramref name="size"/> bytes; the address operand is in <paramref name="addr"/>.</summary>
    /// <remarks>
    /// <paramref name="addrHeight"/> is the address operand's stack height: when that slot holds a
    /// local whose value was already checked for an end at least as far, no check is emitted.
    /// </remarks>
    private void EmitPointer(uint memIdx, LocalBuilder addr, ulong offset, int size, int addrHeight = -1)
    {
        var il = _il;
        bool is64 = _vm.Context.Memories[memIdx].Limits.Is64;
        if (memIdx == 0 && !is64 && _len0 != null)
        {
            ulong end = offset + (ulong)size;
            int local = addrHeight >= 0 ? _slotLocal[addrHeight] : -1;
            bool known = false;
            if (local >= 0)
            {
                known = _checkedEnd.TryGetValue((uint)local, out var done) && done >= end;
                if (!known) _checkedEnd[(uint)local] = end;
            }
            var ok = il.DefineLabel();
            if (known) goto Address;
            il.Emit(OpCodes.Ldloc, addr);
            il.Emit(OpCodes.Conv_U8);
            il.Emit(OpCodes.Ldc_I8, (long)end);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Ldloc, _len0);
            il.Emit(OpCodes.Ble_Un, ok);
            il.Emit(OpCodes.Call, typeof(Traps).GetMethod(nameof(Traps.MemoryOutOfBounds))!);
            il.Emit(OpCodes.Ldnull);
            il.Emit(OpCodes.Throw);
        Address:
            il.MarkLabel(ok);
            il.Emit(OpCodes.Ldloc, _base0!);
            il.Emit(OpCodes.Ldloc, addr);
            il.Emit(OpCodes.Conv_U8);
            if (offset != 0)
            {
                il.Emit(OpCodes.Ldc_I8, (long)offset);
                il.Emit(OpCodes.Add);
            }
            il.Emit(OpCodes.Conv_U);
            il.Emit(OpCodes.Add);
            return;
        }
        LoadMemory(memIdx);
        LoadU64(addr, is64);
        il.Emit(OpCodes.Ldc_I8, (long)offset);
        il.Emit(OpCodes.Ldc_I8, (long)size);
        il.Emit(OpCodes.Call, OpsMethod(nameof(Ops.Ptr)));
    }

    private void EmitMemoryAccess(in Instruction ins, OpInfo info)
    {
        var il = _il;
        int size = info.NaturalAlignment;
        if (info.Results.Length == 1)
        {
            // Load.
            var addr = TopSlot();
            _sp--;
            EmitPointer(ins.A, addr, ins.MemOffset, size, _sp);
            il.Emit(OpCodes.Unaligned, (byte)1);
            switch (ins.Op)
            {
                case Op.I32Load: il.Emit(OpCodes.Ldind_I4); break;
                case Op.I64Load: il.Emit(OpCodes.Ldind_I8); break;
                case Op.F32Load: il.Emit(OpCodes.Ldind_R4); break;
                case Op.F64Load: il.Emit(OpCodes.Ldind_R8); break;
                case Op.I32Load8S: il.Emit(OpCodes.Ldind_I1); break;
                case Op.I32Load8U: il.Emit(OpCodes.Ldind_U1); break;
                case Op.I32Load16S: il.Emit(OpCodes.Ldind_I2); break;
                case Op.I32Load16U: il.Emit(OpCodes.Ldind_U2); break;
                case Op.I64Load8S: il.Emit(OpCodes.Ldind_I1); il.Emit(OpCodes.Conv_I8); break;
                case Op.I64Load8U: il.Emit(OpCodes.Ldind_U1); il.Emit(OpCodes.Conv_U8); break;
                case Op.I64Load16S: il.Emit(OpCodes.Ldind_I2); il.Emit(OpCodes.Conv_I8); break;
                case Op.I64Load16U: il.Emit(OpCodes.Ldind_U2); il.Emit(OpCodes.Conv_U8); break;
                case Op.I64Load32S: il.Emit(OpCodes.Ldind_I4); il.Emit(OpCodes.Conv_I8); break;
                case Op.I64Load32U: il.Emit(OpCodes.Ldind_U4); il.Emit(OpCodes.Conv_U8); break;
                default: throw Unsupported(ins.Op);
            }
            Push(info.Results[0].Type);
            return;
        }
        {
            // Store.
            var value = TopSlot();
            var addr = TopSlot(1);
            _sp -= 2;
            EmitPointer(ins.A, addr, ins.MemOffset, size, _sp);
            il.Emit(OpCodes.Ldloc, value);
            var st = ins.Op switch
            {
                Op.I32Store => OpCodes.Stind_I4,
                Op.I64Store => OpCodes.Stind_I8,
                Op.F32Store => OpCodes.Stind_R4,
                Op.F64Store => OpCodes.Stind_R8,
                Op.I32Store8 => OpCodes.Stind_I1,
                Op.I32Store16 => OpCodes.Stind_I2,
                Op.I64Store8 => OpCodes.Stind_I1,
                Op.I64Store16 => OpCodes.Stind_I2,
                Op.I64Store32 => OpCodes.Stind_I4,
                _ => throw Unsupported(ins.Op),
            };
            if (ins.Op is Op.I64Store8 or Op.I64Store16 or Op.I64Store32) il.Emit(OpCodes.Conv_I4);
            il.Emit(OpCodes.Unaligned, (byte)1);
            il.Emit(st);
        }
    }

    private void EmitAtomic(in Instruction ins, OpInfo info)
    {
        var il = _il;
        bool is64 = _vm.Context.Memories[ins.A].Limits.Is64;
        int size = info.NaturalAlignment;
        int nOperands = info.Params.Length - 1;
        var operands = new LocalBuilder[nOperands];
        for (int i = 0; i < nOperands; i++) operands[i] = TopSlot(nOperands - 1 - i);
        var addr = TopSlot(nOperands);
        _sp -= nOperands + 1;
        LoadMemory(ins.A);
        LoadU64(addr, is64);
        il.Emit(OpCodes.Ldc_I8, (long)ins.MemOffset);
        il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.Ea)));
        string name = info.Name;
        bool resultI64 = info.Results.Length == 1 && info.Results[0].Type.Kind == ValKind.I64;
        string bits = (size * 8).ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (ins.Op)
        {
            case Op.MemoryAtomicNotify:
                il.Emit(OpCodes.Ldloc, operands[0]);
                il.Emit(OpCodes.Call, MemMethod(nameof(Memory.Notify)));
                Push(ValType.I32);
                return;
            case Op.MemoryAtomicWait32:
            case Op.MemoryAtomicWait64:
                il.Emit(OpCodes.Ldloc, operands[0]);
                il.Emit(OpCodes.Ldloc, operands[1]);
                il.Emit(OpCodes.Call, MemMethod(ins.Op == Op.MemoryAtomicWait32 ? nameof(Memory.Wait32) : nameof(Memory.Wait64)));
                Push(ValType.I32);
                return;
        }
        if (name.Contains(".atomic.load", StringComparison.Ordinal))
        {
            il.Emit(OpCodes.Call, MemMethod("AtomicLoad" + bits));
            if (resultI64) il.Emit(OpCodes.Conv_U8);
            Push(info.Results[0].Type);
            return;
        }
        if (name.Contains(".atomic.store", StringComparison.Ordinal))
        {
            il.Emit(OpCodes.Ldloc, operands[0]);
            EmitNarrow(size);
            il.Emit(OpCodes.Call, MemMethod("AtomicStore" + bits));
            return;
        }
        if (name.EndsWith("cmpxchg", StringComparison.Ordinal) || name.EndsWith("cmpxchg_u", StringComparison.Ordinal))
        {
            il.Emit(OpCodes.Ldloc, operands[0]); EmitNarrow(size);
            il.Emit(OpCodes.Ldloc, operands[1]); EmitNarrow(size);
            il.Emit(OpCodes.Call, MemMethod("AtomicCmpxchg" + bits));
            if (resultI64) il.Emit(OpCodes.Conv_U8);
            Push(info.Results[0].Type);
            return;
        }
        // rmw: insert the operation kind before the address (instance method: memory, op, ea, operand).
        var ea = il.DeclareLocal(typeof(ulong));
        il.Emit(OpCodes.Stloc, ea);
        var mem = il.DeclareLocal(typeof(Memory));
        il.Emit(OpCodes.Stloc, mem);
        il.Emit(OpCodes.Ldloc, mem);
        string opName = name[(name.LastIndexOf('.') + 1)..].Replace("_u", "", StringComparison.Ordinal);
        var rmw = opName switch
        {
            "add" => AtomicRmwOp.Add, "sub" => AtomicRmwOp.Sub, "and" => AtomicRmwOp.And, "or" => AtomicRmwOp.Or,
            "xor" => AtomicRmwOp.Xor, "xchg" => AtomicRmwOp.Xchg, _ => throw Unsupported(ins.Op),
        };
        il.Emit(OpCodes.Ldc_I4, (int)rmw);
        il.Emit(OpCodes.Ldloc, ea);
        il.Emit(OpCodes.Ldloc, operands[0]);
        EmitNarrow(size);
        il.Emit(OpCodes.Call, MemMethod("AtomicRmw" + bits));
        if (resultI64) il.Emit(OpCodes.Conv_U8);
        Push(info.Results[0].Type);
    }

    /// <summary>SIMD instructions: calls into <see cref="SimdOps"/> (memory ones with a checked pointer).</summary>
    private void EmitSimd(in Instruction ins, OpInfo info)
    {
        var il = _il;
        var method = SimdOps.MethodFor(ins.Op) ?? throw Unsupported(ins.Op);
        int n = info.Params.Length;
        if (info.Imm is Imm.MemArg or Imm.MemArgLane)
        {
            var addr = Slot(_sp - n, _stack[_sp - n]);
            EmitPointer(ins.A, addr, ins.MemOffset, info.NaturalAlignment);
            for (int i = _sp - n + 1; i < _sp; i++) LoadAt(i);
            if (info.Imm == Imm.MemArgLane) il.Emit(OpCodes.Ldc_I4, (int)ins.B);
        }
        else
        {
            LoadTop(n);
            if (info.Imm == Imm.Lane) il.Emit(OpCodes.Ldc_I4, (int)ins.A);
            else if (info.Imm == Imm.Shuffle)
            {
                il.Emit(OpCodes.Ldc_I8, (long)ins.Vector.Lo);
                il.Emit(OpCodes.Ldc_I8, (long)ins.Vector.Hi);
                il.Emit(OpCodes.Call, OpsMethod(nameof(Ops.V128Const)));
            }
        }
        il.Emit(OpCodes.Call, method);
        _sp -= n;
        foreach (var r in info.Results) Push(r.Type);
    }

    private void EmitNarrow(int size)
    {
        switch (size)
        {
            case 1: _il.Emit(OpCodes.Conv_U1); break;
            case 2: _il.Emit(OpCodes.Conv_U2); break;
            case 4: _il.Emit(OpCodes.Conv_U4); break;
        }
    }
}
