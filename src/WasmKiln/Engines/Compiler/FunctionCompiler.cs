using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Compiler;

using Instance = WasmKiln.Runtime.Instance;
using Store = WasmKiln.Runtime.Store;

/// <summary>
/// Translates one validated function body to an IL method. The WebAssembly operand stack is
/// mapped to IL locals (one per stack height and IL type), so the IL evaluation stack is empty
/// between instructions and at every branch; RyuJIT enregisters the locals. Unreachable code is
/// skipped.
/// </summary>
[UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The compiler engine requires dynamic code.")]
internal sealed partial class FunctionCompiler
{
    private sealed class Frame
    {
        public Op Kind;
        public Label Label;
        public Label Else;
        public int Height;
        public ValType[] Params = [];
        public ValType[] Results = [];
        public bool HasElse;
        public bool Targeted;
        public LocalBuilder[]? SavedParams;
        public CatchClause[]? Catches;
        public int TryDepth;
        public ValType[] BranchTypes => Kind == Op.Loop ? Params : Results;
    }

    private readonly ValidatedModule _vm;
    private readonly ModuleInfo _m;
    private readonly FunctionInfo _fi;
    private readonly CompositeType _type;
    private readonly ILGenerator _il;
    private readonly LocalBuilder _inst;
    private readonly LocalBuilder?[] _locals;
    private readonly int _paramCount;
    private LocalBuilder? _mem0;
    private LocalBuilder? _base0;
    private LocalBuilder? _len0;
    private readonly Type[] _paramTypes;

    private ValType[] _stack;
    private int _sp;

    // Bounds check elimination for memory 0 (straight-line code only). _slotLocal[h]: the wasm
    // local whose current value the stack slot at height h holds (-1: unknown). _checkedEnd[i]:
    // the largest offset+size already checked against the memory length with local i's current
    // value as address (memories never shrink, so the check stays valid until local i changes).
    private int[] _slotLocal = [];
    private readonly Dictionary<uint, ulong> _checkedEnd = [];
    private readonly Dictionary<(int, Type), LocalBuilder> _slots = [];
    private readonly Dictionary<(int, Type), LocalBuilder> _mvTemps = [];
    private readonly List<Frame> _frames = [];
    private bool _unreachable;
    private int _deadDepth;
    private int _tryDepth;

    private readonly CompileOptions _options;
    private LocalBuilder? _intr;

    private readonly MethodInfo[] _bodies;
    private readonly int _instArg;
    private readonly int _csArg;

    private FunctionCompiler(ValidatedModule vm, int definedIndex, ILGenerator il, Type[] paramTypes, CompileOptions options, MethodInfo[] bodies)
    {
        _options = options;
        _bodies = bodies;
        _instArg = paramTypes.Length - 2;
        _csArg = paramTypes.Length - 1;
        _vm = vm;
        _m = vm.Module;
        _fi = vm.Functions[definedIndex];
        _type = vm.Types[_fi.TypeIndex].Type;
        _il = il;
        _paramTypes = paramTypes;
        _paramCount = _fi.ParamCount;
        _locals = new LocalBuilder?[_fi.Locals.Length];
        _stack = new ValType[Math.Max(16, _fi.MaxStackHeight + 4)];
        EnsureStack(0);
        _inst = il.DeclareLocal(typeof(Instance));
        _tryDepth = 0;
    }

    /// <summary>
    /// Compiles every defined function of <paramref name="vm"/>; returns their entry points (the
    /// <see cref="FunctionInstance"/> calling convention), by defined index.
    /// </summary>
    /// <remarks>
    /// Each function is a type of its own holding two methods: <c>Body</c>, the code, whose last
    /// two parameters are the <see cref="Instance"/> and the thread's <see cref="CallStack"/>
    /// instead of the <see cref="FunctionInstance"/>, and <c>Run</c>, the entry point, which
    /// fetches both and calls <c>Body</c>. Calls between functions of the module call the
    /// <c>Body</c> methods directly (no function table load, no thread-local lookup).
    /// </remarks>
    public static nint[] CompileModule(ValidatedModule vm, CompileOptions options, out nint[] bodyPointers)
    {
        int n = vm.Functions.Length;
        var types = new TypeBuilder[n];
        var bodies = new MethodInfo[n];
        var entries = new MethodBuilder[n];
        var bodyBuilders = new MethodBuilder[n];
        for (int i = 0; i < n; i++)
        {
            var fi = vm.Functions[i];
            var type = vm.Types[fi.TypeIndex].Type;
            var tb = types[i] = CodeGen.DefineType("F" + fi.FuncIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var ret = CodeGen.ReturnType(type);
            bodies[i] = bodyBuilders[i] = tb.DefineMethod(Backtraces.BodyMethodName, MethodAttributes.Public | MethodAttributes.Static, ret, CodeGen.BodyParamTypes(type));
            entries[i] = tb.DefineMethod("Run", MethodAttributes.Public | MethodAttributes.Static, ret, CodeGen.ParamTypes(type));
        }
        for (int i = 0; i < n; i++)
        {
            var type = vm.Types[vm.Functions[i].TypeIndex].Type;
            var fc = new FunctionCompiler(vm, i, bodyBuilders[i].GetILGenerator(), CodeGen.BodyParamTypes(type), options, bodies);
            fc.EmitBody(i);
            EmitEntry(entries[i].GetILGenerator(), type, bodies[i]);
        }
        var result = new nint[n];
        bodyPointers = new nint[n];
        var names = vm.Module.Names;
        for (int i = 0; i < n; i++)
        {
            var fi = vm.Functions[i];
            var t = types[i].CreateType();
            string? funcName = names != null && names.Functions.TryGetValue(fi.FuncIndex, out var name) ? name : null;
            Backtraces.Register(t, new WasmFrame((int)fi.FuncIndex, funcName, names?.Module));
            result[i] = t.GetMethod("Run")!.MethodHandle.GetFunctionPointer();
            bodyPointers[i] = t.GetMethod(Backtraces.BodyMethodName)!.MethodHandle.GetFunctionPointer();
        }
        return result;
    }

    private static readonly MethodInfo CurrentCallStack = typeof(CallStack).GetProperty(nameof(CallStack.Current))!.GetMethod!;

    /// <summary>The entry point: passes the arguments on with the instance and the current thread's call stack.</summary>
    private static void EmitEntry(ILGenerator il, CompositeType type, MethodInfo body)
    {
        int self = type.Params.Length + Math.Max(0, type.Results.Length - 1);
        for (int a = 0; a < self; a++) il.Emit(OpCodes.Ldarg, a);
        il.Emit(OpCodes.Ldarg, self);
        il.Emit(OpCodes.Ldfld, FiInstance);
        il.Emit(OpCodes.Call, CurrentCallStack);
        // A tail call, so that WebAssembly tail calls through entry points run in constant stack.
        il.Emit(OpCodes.Tailcall);
        il.Emit(OpCodes.Call, body);
        il.Emit(OpCodes.Ret);
    }

    // ------------------------------------------------------------------ stack slots

    private LocalBuilder Slot(int height, ValType t)
    {
        var clr = CodeGen.ClrType(t);
        if (!_slots.TryGetValue((height, clr), out var l))
        {
            l = _il.DeclareLocal(clr);
            _slots[(height, clr)] = l;
        }
        return l;
    }

    private LocalBuilder MvTemp(int index, ValType t)
    {
        var clr = CodeGen.ClrType(t);
        if (!_mvTemps.TryGetValue((index, clr), out var l))
        {
            l = _il.DeclareLocal(clr);
            _mvTemps[(index, clr)] = l;
        }
        return l;
    }

    private void EnsureStack(int n)
    {
        if (_sp + n > _stack.Length) Array.Resize(ref _stack, Math.Max(_stack.Length * 2, _sp + n));
        if (_slotLocal.Length < _stack.Length)
        {
            int old = _slotLocal.Length;
            Array.Resize(ref _slotLocal, _stack.Length);
            Array.Fill(_slotLocal, -1, old, _slotLocal.Length - old);
        }
    }

    /// <summary>Forgets every known checked address (at labels and after instructions not tracked).</summary>
    private void ForgetChecks()
    {
        _checkedEnd.Clear();
        Array.Fill(_slotLocal, -1);
    }

    /// <summary>Local <paramref name="i"/> changes: slots holding its old value and its checks are forgotten.</summary>
    private void LocalWritten(uint i)
    {
        _checkedEnd.Remove(i);
        for (int h = 0; h < _slotLocal.Length; h++)
            if (_slotLocal[h] == (int)i) _slotLocal[h] = -1;
    }

    /// <summary>Whether an instruction keeps the tracked slot and check facts exact (it only pushes through <see cref="Push"/>).</summary>
    private static bool KeepsChecks(Op op, OpInfo info) =>
        op is Op.LocalGet or Op.LocalSet or Op.LocalTee or Op.Drop or Op.Nop or Op.I32Const or Op.I64Const or Op.F32Const
            or Op.F64Const or Op.GlobalGet or Op.GlobalSet or Op.Call or Op.CallIndirect
        || (info.Prefix == 0 && !info.IsSpecial && (info.Imm == Imm.MemArg || info.Imm == Imm.None)
            && op != Op.RefEq && info.Feature is not (Feature.Simd or Feature.RelaxedSimd));

    /// <summary>Pushes a value of type <paramref name="t"/> (already on the IL stack) into its slot.</summary>
    private void Push(ValType t)
    {
        EnsureStack(1);
        _stack[_sp] = t;
        _slotLocal[_sp] = -1;
        _il.Emit(OpCodes.Stloc, Slot(_sp, t));
        _sp++;
    }

    /// <summary>Records a value of type <paramref name="t"/> as pushed without emitting a store.</summary>
    private LocalBuilder PushSlot(ValType t)
    {
        EnsureStack(1);
        _stack[_sp] = t;
        _slotLocal[_sp] = -1;
        return Slot(_sp++, t);
    }

    /// <summary>Loads the value at stack height <paramref name="height"/> onto the IL stack.</summary>
    private void LoadAt(int height) => _il.Emit(OpCodes.Ldloc, Slot(height, _stack[height]));

    private void LoadTop(int n)
    {
        for (int i = _sp - n; i < _sp; i++) LoadAt(i);
    }

    private LocalBuilder TopSlot(int depth = 0) => Slot(_sp - 1 - depth, _stack[_sp - 1 - depth]);

    // ------------------------------------------------------------------ locals

    private ValType LocalType(uint i) => _fi.Locals[i];

    private void LoadLocal(uint i)
    {
        if (i < _paramCount) _il.Emit(OpCodes.Ldarg, (int)i);
        else _il.Emit(OpCodes.Ldloc, Local(i));
    }

    private void StoreLocal(uint i)
    {
        if (i < _paramCount) _il.Emit(OpCodes.Starg, (int)i);
        else _il.Emit(OpCodes.Stloc, Local(i));
    }

    private LocalBuilder Local(uint i) => _locals[i] ??= _il.DeclareLocal(CodeGen.ClrType(_fi.Locals[i]));

    // ------------------------------------------------------------------ prologue and body

    private static readonly MethodInfo EnterMethod = typeof(CallStack).GetMethod(nameof(CallStack.Enter))!;
    private static readonly MethodInfo ExitMethod = typeof(CallStack).GetMethod(nameof(CallStack.Exit))!;
    private static readonly FieldInfo FiInstance = typeof(FunctionInstance).GetField(nameof(FunctionInstance.Instance))!;
    private static readonly FieldInfo InstMemories = typeof(Instance).GetField(nameof(Instance.Memories))!;
    private static readonly FieldInfo InstTables = typeof(Instance).GetField(nameof(Instance.Tables))!;
    private static readonly FieldInfo InstGlobals = typeof(Instance).GetField(nameof(Instance.Globals))!;
    private static readonly FieldInfo InstFunctions = typeof(Instance).GetField(nameof(Instance.Functions))!;
    private static readonly FieldInfo MemBase = typeof(Memory).GetField("Base", BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly FieldInfo MemLength = typeof(Memory).GetField("ByteLength", BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly FieldInfo GlobalSlot = typeof(Global).GetField("Slot", BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly MethodInfo EntryOfMethod = typeof(FunctionInstance).GetMethod(nameof(FunctionInstance.EntryOf))!;

    private void EmitBody(int definedIndex)
    {
        _il.Emit(OpCodes.Ldarg, _csArg);
        _il.Emit(OpCodes.Call, EnterMethod);
        _il.Emit(OpCodes.Ldarg, _instArg);
        _il.Emit(OpCodes.Stloc, _inst);
        var body = _m.Codes[definedIndex];
        var code = body.Bytes.Span[(_fi.CodeStart - body.Offset)..];
        var reader = new InstructionReader(code, _fi.CodeStart);
        if (_m.TotalMemories > 0 && AccessesMemory0(reader))
        {
            _mem0 = _il.DeclareLocal(typeof(Memory));
            _base0 = _il.DeclareLocal(typeof(byte*));
            _len0 = _il.DeclareLocal(typeof(ulong));
            _il.Emit(OpCodes.Ldloc, _inst);
            _il.Emit(OpCodes.Ldfld, InstMemories);
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Ldelem_Ref);
            _il.Emit(OpCodes.Stloc, _mem0);
            _il.Emit(OpCodes.Ldloc, _mem0);
            _il.Emit(OpCodes.Ldfld, MemBase);
            _il.Emit(OpCodes.Stloc, _base0);
            ReloadMemory();
        }
        var fn = new Frame { Kind = Op.Block, Label = _il.DefineLabel(), Height = 0, Results = _type.Results };
        _frames.Add(fn);

        if (_options != CompileOptions.None)
        {
            _intr = _il.DeclareLocal(typeof(InterruptState));
            _il.Emit(OpCodes.Ldloc, _inst);
            _il.Emit(OpCodes.Ldfld, InstStore);
            _il.Emit(OpCodes.Call, StoreInterrupts);
            _il.Emit(OpCodes.Stloc, _intr);
            EmitCharge(reader, check: true);
        }
        while (!reader.AtEnd && _frames.Count > 0)
        {
            reader.Read(out var ins);
            if (_unreachable && SkipDead(ins)) continue;
            Emit(ins);
            if (!KeepsChecks(ins.Op, OpTable.Info(ins.Op))) ForgetChecks();
            if (_intr != null && !_unreachable && _frames.Count > 0 && InterruptState.EndsRun(ins.Op))
                EmitCharge(reader, check: ins.Op == Op.Loop);
        }
    }

    // ------------------------------------------------------------------ fuel and interruption

    private static readonly FieldInfo InstStore = typeof(Instance).GetField(nameof(Instance.Store))!;
    private static readonly MethodInfo StoreInterrupts = typeof(Store).GetProperty(nameof(Store.Interrupts))!.GetMethod!;
    private static readonly FieldInfo IntrRemaining = typeof(InterruptState).GetField(nameof(InterruptState.Remaining), BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly FieldInfo IntrRequested = typeof(InterruptState).GetField(nameof(InterruptState.Requested), BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>
    /// At the start of a run (the reader is positioned on its first instruction): charges the
    /// run's instructions when fuel is on, and, when <paramref name="check"/> (function entry,
    /// loop header), traps if the fuel went negative or an interrupt is pending.
    /// </summary>
    private void EmitCharge(InstructionReader probe, bool check)
    {
        var il = _il;
        bool fuel = (_options & CompileOptions.Fuel) != 0;
        if (fuel)
        {
            long n = InterruptState.RunLength(probe);
            il.Emit(OpCodes.Ldloc, _intr!);
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Ldfld, IntrRemaining);
            il.Emit(OpCodes.Ldc_I8, n);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stfld, IntrRemaining);
        }
        if (!check) return;
        if (fuel)
        {
            var ok = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, _intr!);
            il.Emit(OpCodes.Ldfld, IntrRemaining);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Conv_I8);
            il.Emit(OpCodes.Bge, ok);
            il.Emit(OpCodes.Call, typeof(InterruptState).GetMethod(nameof(InterruptState.ThrowOutOfFuel))!);
            il.MarkLabel(ok);
        }
        if ((_options & CompileOptions.Interrupts) != 0)
        {
            var ok = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, _intr!);
            il.Emit(OpCodes.Volatile);
            il.Emit(OpCodes.Ldfld, IntrRequested);
            il.Emit(OpCodes.Brfalse, ok);
            il.Emit(OpCodes.Call, typeof(InterruptState).GetMethod(nameof(InterruptState.ThrowInterrupted))!);
            il.MarkLabel(ok);
        }
    }

    /// <summary>Whether the body has loads or stores of memory 0 (then its base and length are kept in locals).</summary>
    private static bool AccessesMemory0(InstructionReader probe)
    {
        while (!probe.AtEnd)
        {
            probe.Read(out var ins);
            var info = OpTable.Info(ins.Op);
            if (info.Imm is Imm.MemArg or Imm.MemArgLane && ins.A == 0) return true;
        }
        return false;
    }

    private void ReloadMemory()
    {
        if (_len0 == null) return;
        _il.Emit(OpCodes.Ldloc, _mem0!);
        _il.Emit(OpCodes.Ldfld, MemLength);
        _il.Emit(OpCodes.Stloc, _len0);
    }

    /// <summary>In unreachable code: true when the instruction is skipped.</summary>
    private bool SkipDead(in Instruction ins)
    {
        switch (ins.Op)
        {
            case Op.Block: case Op.Loop: case Op.If: case Op.Try: case Op.TryTable:
                _deadDepth++;
                return true;
            case Op.End:
                if (_deadDepth > 0) { _deadDepth--; return true; }
                return false;
            case Op.Delegate:
                if (_deadDepth > 0) { _deadDepth--; return true; }
                return false;
            case Op.Else: case Op.Catch: case Op.CatchAll:
                return _deadDepth > 0;
            default:
                return true;
        }
    }

    private void Epilogue()
    {
        _il.Emit(OpCodes.Ldarg, _csArg);
        _il.Emit(OpCodes.Call, ExitMethod);
        var rs = _type.Results;
        for (int i = 1; i < rs.Length; i++)
        {
            _il.Emit(OpCodes.Ldarg, _type.Params.Length + i - 1);
            _il.Emit(OpCodes.Ldloc, Slot(i, rs[i]));
            _il.Emit(OpCodes.Stobj, CodeGen.ClrType(rs[i]));
        }
        if (rs.Length > 0) _il.Emit(OpCodes.Ldloc, Slot(0, rs[0]));
        _il.Emit(OpCodes.Ret);
        EmitTailStubs();
    }

    // ------------------------------------------------------------------ control

    private (ValType[] Params, ValType[] Results) BlockSig(BlockType bt) => bt.Kind switch
    {
        BlockTypeKind.Empty => ([], []),
        BlockTypeKind.Value => ([], [_vm.Types.Canon(bt.Value)]),
        _ => (_vm.Types[bt.Index].Type.Params, _vm.Types[bt.Index].Type.Results),
    };

    private Frame PushFrame(Op kind, BlockType bt)
    {
        var (ps, rs) = BlockSig(bt);
        var f = new Frame { Kind = kind, Label = _il.DefineLabel(), Height = _sp - ps.Length, Params = ps, Results = rs, TryDepth = _tryDepth };
        _frames.Add(f);
        return f;
    }

    private Frame Target(uint depth) => _frames[_frames.Count - 1 - (int)depth];

    /// <summary>Moves the branch values of <paramref name="f"/> into place and jumps there.</summary>
    private void Branch(Frame f)
    {
        var types = f.BranchTypes;
        int n = types.Length;
        int src = _sp - n;
        if (src != f.Height)
            for (int i = 0; i < n; i++)
            {
                _il.Emit(OpCodes.Ldloc, Slot(src + i, types[i]));
                _il.Emit(OpCodes.Stloc, Slot(f.Height + i, types[i]));
            }
        f.Targeted = true;
        _il.Emit(_tryDepth > f.TryDepth ? OpCodes.Leave : OpCodes.Br, f.Label);
    }

    private void SetStack(int height, ValType[] types)
    {
        _sp = height;
        EnsureStack(types.Length);
        foreach (var t in types) _stack[_sp++] = t;
    }

    private void EmitEnd(bool isDelegate = false, uint delegateLabel = 0)
    {
        var f = _frames[^1];
        bool reachable = !_unreachable;
        if (isDelegate)
        {
            EndLegacyTry(f, true, delegateLabel);
            _il.MarkLabel(f.Label);
            _frames.RemoveAt(_frames.Count - 1);
            SetStack(f.Height, f.Results);
            _unreachable = !(reachable || f.Targeted);
            return;
        }
        if (f.Kind == Op.If && !f.HasElse)
        {
            if (reachable) _il.Emit(OpCodes.Br, f.Label);
            _il.MarkLabel(f.Else);
            RestoreParams(f);
            reachable = true;
        }
        if (f.Kind == Op.TryTable) EndTryTable(f);
        else if (f.Kind == Op.Try) EndLegacyTry(f, false, 0);
        if (f.Kind != Op.Loop)
        {
            _il.MarkLabel(f.Label);
            reachable |= f.Targeted;
        }
        _frames.RemoveAt(_frames.Count - 1);
        SetStack(f.Height, f.Results);
        _unreachable = !reachable;
        if (_frames.Count == 0) Epilogue();
    }

    private void RestoreParams(Frame f)
    {
        if (f.SavedParams == null) return;
        for (int i = 0; i < f.Params.Length; i++)
        {
            _il.Emit(OpCodes.Ldloc, f.SavedParams[i]);
            _il.Emit(OpCodes.Stloc, Slot(f.Height + i, f.Params[i]));
        }
    }

    private void EmitIf(in Instruction ins)
    {
        var cond = TopSlot();
        _sp--;
        var f = PushFrame(Op.If, ins.Block);
        f.Else = _il.DefineLabel();
        if (f.Params.Length > 0)
        {
            f.SavedParams = new LocalBuilder[f.Params.Length];
            for (int i = 0; i < f.Params.Length; i++)
            {
                var l = _il.DeclareLocal(CodeGen.ClrType(f.Params[i]));
                f.SavedParams[i] = l;
                _il.Emit(OpCodes.Ldloc, Slot(f.Height + i, f.Params[i]));
                _il.Emit(OpCodes.Stloc, l);
            }
        }
        _il.Emit(OpCodes.Ldloc, cond);
        _il.Emit(OpCodes.Brfalse, f.Else);
    }

    private void EmitElse()
    {
        var f = _frames[^1];
        if (!_unreachable)
        {
            _il.Emit(OpCodes.Br, f.Label);
            f.Targeted = true;
        }
        _il.MarkLabel(f.Else);
        RestoreParams(f);
        f.HasElse = true;
        SetStack(f.Height, f.Params);
        _unreachable = false;
    }

    private void EmitBrTable(in Instruction ins)
    {
        var idx = TopSlot();
        _sp--;
        var labels = ins.Labels!;
        int n = labels.Length - 1;
        // One trampoline per distinct target, moving the values and jumping.
        var tramp = new Dictionary<uint, Label>();
        var jumps = new Label[n];
        for (int i = 0; i < n; i++)
        {
            if (!tramp.TryGetValue(labels[i], out var l)) tramp[labels[i]] = l = _il.DefineLabel();
            jumps[i] = l;
        }
        if (!tramp.TryGetValue(labels[n], out var dl)) tramp[labels[n]] = dl = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, idx);
        _il.Emit(OpCodes.Switch, jumps);
        _il.Emit(OpCodes.Br, dl);
        foreach (var (depth, label) in tramp)
        {
            _il.MarkLabel(label);
            Branch(Target(depth));
        }
        _unreachable = true;
    }
}
