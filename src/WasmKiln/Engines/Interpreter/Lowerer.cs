using WasmKiln.Engines.Compiler;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// Lowers one validated function body to <see cref="Inst"/>s (see <see cref="Interpreter"/> for
/// the instruction contract). A single pass over the code with a model of the operand stack:
/// each entry has a canonical slot (its position on the stack; v128 takes two) and may be lazy
/// (still a local or a constant) until consumed. Invariants: a non-lazy (Stack) entry is in its
/// canonical slot; at every label (block end, else, loop start) the entries a branch may carry
/// are in their canonical slots; lazy Local entries never survive a block boundary or a write to
/// their local.
/// </summary>
internal sealed unsafe partial class Lowerer
{
    private enum Kind : byte { Stack, Local, Const }

    private struct Entry
    {
        public ValType Type;
        public int Slot;
        public Kind Kind;
        /// <summary>The local slot of a Local entry.</summary>
        public int Src;
        /// <summary>The bits of a Const entry.</summary>
        public long Const;
    }

    private sealed class Ctl
    {
        public Op Kind;
        public bool IsFunction;
        public int Height;
        public int SlotBase;
        public ValType[] Params = [];
        public ValType[] Results = [];
        public int LoopStart = -1;
        public readonly List<int> Fixups = [];
        public int ElseFixup = -1;
        public bool HasElse;
        public bool Targeted;
        public ValType[] BranchTypes => Kind == Op.Loop ? Params : Results;
    }

    private readonly ValidatedModule _vm;
    private readonly ModuleContext _ctx;
    private readonly FunctionInfo _fi;
    private readonly CompositeType _type;
    private readonly int[] _localSlot;
    private readonly int _localSlots;
    private readonly int _paramSlots;
    private readonly bool _hasRefLocals;
    private readonly CompileOptions _options;

    private Inst[] _code = new Inst[64];
    private int _n;
    // The index of the last jump target placed (instructions are never merged across it).
    private int _label = -1;
    private Entry[] _stack = new Entry[32];
    private int _sp;
    private int _maxSlot;
    private readonly List<Ctl> _ctl = [];
    private bool _unreachable;
    private int _deadDepth;

    // The last emitted instruction when it wrote (field A) the top entry's slot, with how to fuse it into a branch.
    private int _lastResult = -1;
    private NumForms? _lastForms;
    private bool _lastImm;

    private Lowerer(ValidatedModule vm, int definedIndex, CompileOptions options)
    {
        _vm = vm;
        _options = options;
        _ctx = vm.Context;
        _fi = vm.Functions[definedIndex];
        _type = vm.Types[_fi.TypeIndex].Type;
        var locals = _fi.Locals;
        _localSlot = new int[locals.Length];
        int s = 0;
        for (int i = 0; i < locals.Length; i++)
        {
            if (i == _fi.ParamCount) _paramSlots = s;
            _localSlot[i] = s;
            s += Interpreter.SlotSize(locals[i]);
            if (i >= _fi.ParamCount && locals[i].IsRef) _hasRefLocals = true;
        }
        if (locals.Length == _fi.ParamCount) _paramSlots = s;
        _localSlots = s;
        _maxSlot = s;
    }

    /// <summary>Lowers defined function <paramref name="definedIndex"/> of <paramref name="vm"/>.</summary>
    /// <exception cref="WasmException">The function uses an instruction the interpreter does not support yet.</exception>
    public static LoweredFunction Lower(ValidatedModule vm, int definedIndex, CompileOptions options = CompileOptions.None)
    {
        var l = new Lowerer(vm, definedIndex, options);
        l.LowerBody(definedIndex);
        return new LoweredFunction(l._code.AsSpan(0, l._n), l._type, l._fi.FuncIndex, l._paramSlots, l._localSlots, Math.Max(l._maxSlot, 1), l._hasRefLocals)
        {
            CatchRegions = l.CatchRegions,
        };
    }

    private void LowerBody(int definedIndex)
    {
        var m = _vm.Module;
        _ctl.Add(new Ctl { Kind = Op.Block, IsFunction = true, Height = 0, SlotBase = 0, Results = _type.Results });
        var body = m.Codes[definedIndex];
        var code = body.Bytes.Span[(_fi.CodeStart - body.Offset)..];
        var reader = new InstructionReader(code, _fi.CodeStart);
        bool checks = _options != CompileOptions.None;
        if (checks) EmitCharge(reader, check: true);
        while (!reader.AtEnd && _ctl.Count > 0)
        {
            reader.Read(out var ins);
            if (_unreachable && SkipDead(ins)) continue;
            Lower(ins);
            if (checks && !_unreachable && _ctl.Count > 0 && InterruptState.EndsRun(ins.Op)) EmitCharge(reader, check: ins.Op == Op.Loop);
        }
    }

    /// <summary>
    /// At the start of a run (<paramref name="probe"/> is on its first instruction): charges the
    /// run's instructions when fuel is on and, when <paramref name="check"/> (function entry, loop
    /// header), traps if the fuel went negative or an interrupt is pending.
    /// </summary>
    private void EmitCharge(InstructionReader probe, bool check)
    {
        bool fuel = (_options & CompileOptions.Fuel) != 0;
        long n = fuel ? InterruptState.RunLength(probe) : 0;
        int flags = (fuel ? Handlers.ChargeFuel : 0)
            | (check && fuel ? Handlers.CheckFuel : 0)
            | (check && (_options & CompileOptions.Interrupts) != 0 ? Handlers.CheckInterrupt : 0);
        if (flags != 0) Emit(&Handlers.Charge, 0, flags, 0, 0, n);
    }

    /// <summary>In unreachable code: true when the instruction is skipped.</summary>
    private bool SkipDead(in Instruction ins)
    {
        switch (ins.Op)
        {
            case Op.Block: case Op.Loop: case Op.If: case Op.Try: case Op.TryTable:
                _deadDepth++;
                return true;
            case Op.End: case Op.Delegate:
                if (_deadDepth > 0) { _deadDepth--; return true; }
                return false;
            case Op.Else: case Op.Catch: case Op.CatchAll:
                return _deadDepth > 0;
            default:
                return true;
        }
    }

    /// <summary>The error for an instruction the interpreter cannot run yet.</summary>
    internal static WasmException Unsupported(Op op) => new("interpreter: " + OpTable.Info(op).Name + " not supported yet");

    // ------------------------------------------------------------------ emission

    /// <summary>Appends an instruction; returns its index.</summary>
    internal int Emit(delegate*<Inst*, ref Machine, Inst*> h, int a = 0, int b = 0, int c = 0, int d = 0, long k = 0)
    {
        if (_n == _code.Length) Array.Resize(ref _code, _n * 2);
        ref var i = ref _code[_n];
        i.H = h;
        i.A = a;
        i.B = b;
        i.C = c;
        i.D = d;
        i.K = k;
        _lastResult = -1;
        return _n++;
    }

    /// <summary>The instruction at <paramref name="index"/> (for patching).</summary>
    internal ref Inst At(int index) => ref _code[index];

    /// <summary>Index of the next instruction.</summary>
    internal int Here => _n;

    /// <summary>Sets the branch offset of instruction <paramref name="from"/> to reach <paramref name="to"/>.</summary>
    internal void Link(int from, int to)
    {
        _code[from].D = to - from;
        if (to == _n) _label = _n;
    }

    /// <summary>Whether the next instruction may be merged into the previous one (no branch lands between them).</summary>
    private bool CanMergeWithPrevious => _n > 0 && _label != _n;

    /// <summary>Whether the previous instruction is a one-slot move the next one may absorb (a second move, a return).</summary>
    private bool PreviousIsMergeableCopy => CanMergeWithPrevious && (nint)_code[_n - 1].H == (nint)(delegate*<Inst*, ref Machine, Inst*>)&Handlers.Copy;

    // ------------------------------------------------------------------ stack model

    private int NextSlot => _sp == 0 ? _localSlots : _stack[_sp - 1].Slot + Interpreter.SlotSize(_stack[_sp - 1].Type);

    private ref Entry PushEntry(ValType t, Kind kind)
    {
        int slot = NextSlot;
        if (_sp == _stack.Length) Array.Resize(ref _stack, _sp * 2);
        ref var e = ref _stack[_sp++];
        e.Type = t;
        e.Slot = slot;
        e.Kind = kind;
        e.Src = 0;
        e.Const = 0;
        int end = slot + Interpreter.SlotSize(t);
        if (end > _maxSlot) _maxSlot = end;
        return ref e;
    }

    /// <summary>Pushes a value computed into its canonical slot; returns that slot (use it as the instruction's A).</summary>
    internal int PushSlot(ValType t) => PushEntry(t, Kind.Stack).Slot;

    /// <summary>
    /// Records that instruction <paramref name="index"/> wrote the top entry (its field A), so a
    /// following local.set can retarget it and a following br_if/if can fuse it (<paramref name="forms"/>).
    /// </summary>
    internal void MarkResult(int index, NumForms? forms = null, bool imm = false)
    {
        _lastResult = index;
        _lastForms = forms;
        _lastImm = imm;
    }

    /// <summary>The canonical slot the next pushed value gets.</summary>
    internal int TopSlotAfterPop(int n) => n == 0 ? NextSlot : _stack[_sp - n].Slot;

    /// <summary>Type of the entry <paramref name="depth"/> below the top.</summary>
    internal ValType TypeAt(int depth) => _stack[_sp - 1 - depth].Type;

    /// <summary>Drops <paramref name="n"/> entries.</summary>
    internal void Pop(int n) => _sp -= n;

    /// <summary>A slot holding the value of the entry <paramref name="depth"/> below the top (materializing a constant).</summary>
    internal int Use(int depth)
    {
        ref var e = ref _stack[_sp - 1 - depth];
        switch (e.Kind)
        {
            case Kind.Local: return e.Src;
            case Kind.Const:
                MoveTo(e, e.Slot);
                e.Kind = Kind.Stack;
                return e.Slot;
            default: return e.Slot;
        }
    }

    /// <summary>Whether the entry <paramref name="depth"/> below the top is a constant; its bits.</summary>
    internal bool IsConst(int depth, out long bits)
    {
        ref var e = ref _stack[_sp - 1 - depth];
        bits = e.Const;
        return e.Kind == Kind.Const;
    }

    /// <summary>Copies entry <paramref name="e"/>'s value to <paramref name="dst"/> (no change to the entry).</summary>
    private void MoveTo(in Entry e, int dst)
    {
        if (e.Kind == Kind.Const)
        {
            Emit(&Handlers.Const, dst, k: e.Const);
            return;
        }
        int src = e.Kind == Kind.Local ? e.Src : e.Slot;
        if (src != dst) EmitCopy(e.Type, dst, src);
    }

    private void EmitCopy(ValType t, int dst, int src)
    {
        if (t.IsRef) Emit(&Handlers.CopyRef, dst, src);
        else if (t.Kind == ValKind.V128) Emit(&Handlers.Copy2, dst, src);
        else if (PreviousIsMergeableCopy)
        {
            ref var prev = ref _code[_n - 1];
            prev.H = &Handlers.CopyPair;
            prev.C = dst;
            prev.D = src;
            _lastResult = -1;
        }
        else Emit(&Handlers.Copy, dst, src);
    }

    /// <summary>Puts entry <paramref name="index"/> (from the bottom) in its canonical slot.</summary>
    private void Materialize(int index)
    {
        ref var e = ref _stack[index];
        if (e.Kind == Kind.Stack) return;
        MoveTo(e, e.Slot);
        e.Kind = Kind.Stack;
    }

    /// <summary>Materializes every lazy local read (before a label: the local may change on another path).</summary>
    private void MaterializeLocals()
    {
        for (int i = 0; i < _sp; i++)
            if (_stack[i].Kind == Kind.Local) Materialize(i);
    }

    /// <summary>Materializes the top <paramref name="n"/> entries (call arguments, block parameters).</summary>
    internal void MaterializeTop(int n)
    {
        for (int i = _sp - n; i < _sp; i++) Materialize(i);
    }

    private void SetStack(int height, ValType[] types)
    {
        _sp = height;
        foreach (var t in types) PushEntry(t, Kind.Stack);
    }

    // ------------------------------------------------------------------ locals

    private void LocalGet(uint idx)
    {
        ref var e = ref PushEntry(_fi.Locals[idx], Kind.Local);
        e.Src = _localSlot[idx];
    }

    private void LocalSet(uint idx, bool tee)
    {
        int ls = _localSlot[idx];
        for (int i = 0; i < _sp - 1; i++)
            if (_stack[i].Kind == Kind.Local && _stack[i].Src == ls) Materialize(i);
        ref var top = ref _stack[_sp - 1];
        if (top.Kind == Kind.Stack && _lastResult >= 0 && _lastResult == _n - 1 && _code[_lastResult].A == top.Slot)
            _code[_lastResult].A = ls;
        else
            MoveTo(top, ls);
        _lastResult = -1;
        if (!tee) _sp--;
        else if (top.Kind != Kind.Const)
        {
            top.Kind = Kind.Local;
            top.Src = ls;
        }
    }

    // ------------------------------------------------------------------ control

    private (ValType[] Params, ValType[] Results) BlockSig(BlockType bt) => bt.Kind switch
    {
        BlockTypeKind.Empty => ([], []),
        BlockTypeKind.Value => ([], [_vm.Types.Canon(bt.Value)]),
        _ => (_vm.Types[bt.Index].Type.Params, _vm.Types[bt.Index].Type.Results),
    };

    private Ctl PushCtl(Op kind, BlockType bt)
    {
        var (ps, rs) = BlockSig(bt);
        int height = _sp - ps.Length;
        var c = new Ctl { Kind = kind, Height = height, SlotBase = height < _sp ? _stack[height].Slot : NextSlot, Params = ps, Results = rs };
        _ctl.Add(c);
        return c;
    }

    private Ctl Target(uint depth) => _ctl[_ctl.Count - 1 - (int)depth];

    private void PlaceLabel(Ctl c)
    {
        foreach (int f in c.Fixups) Link(f, _n);
        c.Fixups.Clear();
        _lastResult = -1;
    }

    /// <summary>Whether the branch values of <paramref name="t"/> are already where it expects them.</summary>
    private bool InPlace(Ctl t)
    {
        if (t.IsFunction) return false;
        int n = t.BranchTypes.Length;
        if (n == 0) return true;
        int first = _sp - n;
        if (_stack[first].Slot != t.SlotBase) return false;
        for (int i = first; i < _sp; i++)
            if (_stack[i].Kind != Kind.Stack) return false;
        return true;
    }

    /// <summary>Copies the branch values of <paramref name="t"/> to its slots (entries unchanged: this may be one path only).</summary>
    private void EmitBranchMoves(Ctl t)
    {
        int n = t.BranchTypes.Length;
        int dst = t.SlotBase;
        for (int i = _sp - n; i < _sp; i++)
        {
            MoveTo(_stack[i], dst);
            dst += Interpreter.SlotSize(_stack[i].Type);
        }
    }

    /// <summary>Jumps to <paramref name="t"/> (values already in place).</summary>
    private void EmitJump(Ctl t)
    {
        int i = Emit(&Handlers.Br);
        LinkTo(i, t);
    }

    /// <summary>Makes instruction <paramref name="i"/>'s branch reach <paramref name="t"/>.</summary>
    private void LinkTo(int i, Ctl t)
    {
        t.Targeted = true;
        if (t.Kind == Op.Loop) Link(i, t.LoopStart);
        else t.Fixups.Add(i);
    }

    /// <summary>An unconditional branch to <paramref name="t"/> with its values.</summary>
    private void EmitBranch(Ctl t)
    {
        if (t.IsFunction)
        {
            EmitReturn();
            return;
        }
        EmitBranchMoves(t);
        EmitJump(t);
    }

    /// <summary>Moves the results to slots 0.. and returns (entries unchanged).</summary>
    private void EmitReturn()
    {
        var rs = _type.Results;
        int n = rs.Length;
        int total = 0;
        foreach (var r in rs) total += Interpreter.SlotSize(r);
        // A local read whose slot a result overwrites first goes through its canonical slot.
        Span<int> src = stackalloc int[n];
        for (int i = 0; i < n; i++)
        {
            ref var e = ref _stack[_sp - n + i];
            src[i] = -1;
            if (n > 1 && e.Kind == Kind.Local && e.Src < total)
            {
                EmitCopy(e.Type, e.Slot, e.Src);
                src[i] = e.Slot;
            }
        }
        int dst = 0;
        for (int i = 0; i < n; i++)
        {
            ref var e = ref _stack[_sp - n + i];
            if (src[i] >= 0) { if (src[i] != dst) EmitCopy(e.Type, dst, src[i]); }
            else MoveTo(e, dst);
            dst += Interpreter.SlotSize(e.Type);
        }
        // A result moved just before returning: one instruction.
        if (PreviousIsMergeableCopy)
        {
            _code[_n - 1].H = &Handlers.CopyRet;
            _lastResult = -1;
        }
        else Emit(&Handlers.Ret);
    }

    /// <summary>A branch condition: the handlers for "jump if" and "jump unless" and their operands.</summary>
    private struct Cond
    {
        public delegate*<Inst*, ref Machine, Inst*> If;
        public delegate*<Inst*, ref Machine, Inst*> IfNot;
        public int B, C;
        public long K;
        /// <summary>The compare fused into the branch, if any, and whether it compares with the immediate K.</summary>
        public NumForms? Forms;
        public bool Imm;
    }

    /// <summary>Pops an i32 condition, fusing it with the compare that computed it when possible.</summary>
    private Cond PopCondition()
    {
        ref var e = ref _stack[_sp - 1];
        if (e.Kind == Kind.Stack && _lastResult >= 0 && _lastResult == _n - 1 && _code[_lastResult].A == e.Slot
            && _lastForms is { } forms && (_lastImm ? forms.BrIfK : forms.BrIf) != null)
        {
            var ins = _code[_lastResult];
            _n--;
            _lastResult = -1;
            _sp--;
            return new Cond
            {
                If = _lastImm ? forms.BrIfK : forms.BrIf,
                IfNot = _lastImm ? forms.BrIfNotK : forms.BrIfNot,
                B = ins.B, C = ins.C, K = ins.K,
                Forms = forms, Imm = _lastImm,
            };
        }
        int s = Use(0);
        _sp--;
        return new Cond { If = &Handlers.BrIf<CondNz>, IfNot = &Handlers.BrIfNot<CondNz>, B = s };
    }

    /// <summary>Emits the branch of <paramref name="c"/> (taken when it holds, or when it does not if <paramref name="negate"/>); returns its index for linking.</summary>
    private int EmitCond(in Cond c, bool negate)
    {
        // An i32 compare of the value the previous i32.add just wrote (a loop counter step) becomes one instruction.
        if (c.Forms is { StepKBrIfK: not null } f && CanMergeWithPrevious && _code[_n - 1].A == c.B)
        {
            ref var prev = ref _code[_n - 1];
            bool addK = (nint)prev.H == (nint)I32AddForms.HK, add = (nint)prev.H == (nint)I32AddForms.H;
            if (addK && c.Imm)
            {
                prev.H = negate ? f.StepKBrIfNotK : f.StepKBrIfK;
                prev.C = (int)c.K;
            }
            else if (addK)
            {
                prev.H = negate ? f.StepKBrIfNot : f.StepKBrIf;
                prev.C = c.C;
            }
            else if (add && c.Imm)
            {
                prev.H = negate ? f.StepBrIfNotK : f.StepBrIfK;
                prev.K = c.K;
            }
            else return Emit(negate ? c.IfNot : c.If, 0, c.B, c.C, 0, c.K);
            _lastResult = -1;
            return _n - 1;
        }
        return Emit(negate ? c.IfNot : c.If, 0, c.B, c.C, 0, c.K);
    }

    /// <summary>A conditional branch to <paramref name="t"/> taken when <paramref name="c"/> holds.</summary>
    private void EmitCondBranch(Ctl t, in Cond c)
    {
        if (InPlace(t))
        {
            LinkTo(EmitCond(c, negate: false), t);
            return;
        }
        int skip = EmitCond(c, negate: true);
        EmitBranch(t);
        Link(skip, _n);
        _lastResult = -1;
    }

    private void LowerBlock(in Instruction ins)
    {
        MaterializeLocals();
        var c = PushCtl(Op.Block, ins.Block);
        _ = c;
    }

    private void LowerLoop(in Instruction ins)
    {
        MaterializeLocals();
        var (ps, _) = BlockSig(ins.Block);
        MaterializeTop(ps.Length);
        var c = PushCtl(Op.Loop, ins.Block);
        c.LoopStart = _n;
        _label = _n;
        _lastResult = -1;
    }

    private void LowerIf(in Instruction ins)
    {
        var cond = PopCondition();
        MaterializeLocals();
        var (ps, _) = BlockSig(ins.Block);
        MaterializeTop(ps.Length);
        var c = PushCtl(Op.If, ins.Block);
        c.ElseFixup = EmitCond(cond, negate: true);
    }

    private void LowerElse()
    {
        var c = _ctl[^1];
        if (!_unreachable)
        {
            EmitBranchMoves(c);
            EmitJump(c);
        }
        Link(c.ElseFixup, _n);
        c.ElseFixup = -1;
        c.HasElse = true;
        _lastResult = -1;
        SetStack(c.Height, c.Params);
        _unreachable = false;
    }

    private void LowerEnd()
    {
        var c = _ctl[^1];
        OnBlockEnd(c);
        bool reachable = !_unreachable;
        if (c.IsFunction)
        {
            if (reachable) EmitReturn();
            _ctl.RemoveAt(_ctl.Count - 1);
            return;
        }
        if (reachable && c.Kind != Op.Loop)
        {
            // Results into their canonical slots (entries at the block's height onward).
            for (int i = _sp - c.Results.Length; i < _sp; i++) Materialize(i);
        }
        else if (reachable)
        {
            for (int i = _sp - c.Results.Length; i < _sp; i++) Materialize(i);
        }
        if (c.ElseFixup >= 0)
        {
            Link(c.ElseFixup, _n);
            reachable = true;
        }
        if (c.Kind != Op.Loop)
        {
            PlaceLabel(c);
            reachable |= c.Targeted;
        }
        _ctl.RemoveAt(_ctl.Count - 1);
        _lastResult = -1;
        SetStack(c.Height, c.Results);
        _unreachable = !reachable;
    }

    private void LowerBrTable(in Instruction ins)
    {
        int idx = Use(0);
        _sp--;
        var labels = ins.Labels!;
        int n = labels.Length - 1;
        int table = Emit(&Handlers.BrTable, 0, idx, n);
        int first = _n;
        for (int i = 0; i <= n; i++) Emit(&Handlers.Invalid);
        var trampolines = new Dictionary<uint, List<int>>();
        for (int i = 0; i <= n; i++)
        {
            var t = Target(labels[i]);
            if (InPlace(t)) LinkTo(first + i, t);
            else
            {
                if (!trampolines.TryGetValue(labels[i], out var list)) trampolines[labels[i]] = list = [];
                list.Add(first + i);
            }
        }
        foreach (var (depth, entries) in trampolines)
        {
            int start = _n;
            foreach (int e in entries) Link(e, start);
            EmitBranch(Target(depth));
        }
        _ = table;
        _unreachable = true;
    }
}
