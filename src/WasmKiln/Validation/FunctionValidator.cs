using System.Runtime.CompilerServices;
using System.Text;
using WasmKiln.Binary;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Validation;

/// <summary>
/// Validates instruction sequences (function bodies and constant expressions) with the operand
/// and control stack algorithm of the specification's appendix. Non-"special" instructions are
/// typed from their <see cref="OpInfo"/> signature; the others by hand. One instance is reused
/// for every function of a module, so validating does not allocate per instruction.
/// </summary>
internal sealed class FunctionValidator
{
    private struct Frame
    {
        public Op Kind;
        public ValType[] Start;
        public ValType[] End;
        public int Height;
        public bool Unreachable;
        public int InitHeight;
        public int Block;
    }

    private static readonly ValType[] None = [];
    private static readonly ValType[][] Singles = CreateSingles();
    private static readonly byte[] LaneCounts = CreateLaneCounts();
    private static readonly ValType ExnRefNonNull = ValType.Ref(HeapType.Exn, false);

    private readonly ModuleContext _m;
    private ValType[] _stack = new ValType[64];
    private int _sp;
    private Frame[] _ctrl = new Frame[16];
    private int _csp;
    private ValType[] _locals = None;
    private bool[] _init = new bool[16];
    private int[] _initStack = new int[16];
    private int _initSp;
    private BlockTarget[] _blocks = new BlockTarget[16];
    private int _blockCount;
    private readonly List<HandlerTarget> _handlers = [];
    private int _maxStack;
    private int _maxCtrl;
    private int _funcIndex = -1;
    private ValType[] _results = None;

    // Constant expression mode.
    private bool _const;
    private int _constGlobals;

    public FunctionValidator(ModuleContext module) => _m = module;

    /// <summary>Validates defined function <paramref name="defIndex"/> and returns what engines need about it.</summary>
    public FunctionInfo ValidateFunction(int defIndex)
    {
        var module = _m.Module;
        uint funcIndex = (uint)(module.ImportedFuncCount + defIndex);
        _funcIndex = (int)funcIndex;
        uint typeIndex = module.Functions[defIndex];
        var body = module.Codes[defIndex];
        var ftype = _m.Types[typeIndex].Type;
        var declared = FunctionBodyReader.ReadLocals(body, out int codeStart);
        var locals = new ValType[ftype.Params.Length + declared.Length];
        ftype.Params.CopyTo(locals, 0);
        for (int i = 0; i < declared.Length; i++) locals[ftype.Params.Length + i] = _m.Types.CanonChecked(declared[i]);
        _locals = locals;
        if (_init.Length < locals.Length) _init = new bool[locals.Length];
        for (int i = 0; i < locals.Length; i++) _init[i] = locals[i].Defaultable || i < ftype.Params.Length;
        _results = ftype.Results;
        _const = false;
        int start = body.Offset + codeStart;
        int end = Run(body.Bytes.Span[codeStart..], start, None, ftype.Results);
        var blocks = _blockCount == 0 ? Array.Empty<BlockTarget>() : _blocks.AsSpan(0, _blockCount).ToArray();
        return new FunctionInfo(funcIndex, typeIndex, _m.Types.CanonicalIds[(int)typeIndex], locals, ftype.Params.Length,
            _maxStack, _maxCtrl, start, end, blocks, _handlers.Count == 0 ? [] : _handlers.ToArray());
    }

    /// <summary>
    /// Validates a constant expression producing <paramref name="expected"/> (canonical);
    /// <c>global.get</c> may refer to the first <paramref name="globalCount"/> globals, which must be immutable.
    /// </summary>
    public void ValidateConst(Expr expr, ValType expected, int globalCount)
    {
        _funcIndex = -1;
        _locals = None;
        _results = None;
        _const = true;
        _constGlobals = globalCount;
        Run(expr.Code.Span, expr.Offset, None, [expected]);
        _const = false;
    }

    private int Run(ReadOnlySpan<byte> code, int baseOffset, ValType[] start, ValType[] results)
    {
        _sp = 0;
        _csp = 0;
        _initSp = 0;
        _blockCount = 0;
        _handlers.Clear();
        _maxStack = 0;
        _maxCtrl = 0;
        var reader = new InstructionReader(code, baseOffset, "unexpected end of section or function");
        PushCtrl(Op.Block, start, results, -1);
        Instruction ins;
        while (true)
        {
            if (reader.AtEnd)
            {
                // As the reference decoder reports it: a body that stops at its outermost level
                // lacks its END; one that stops inside a block ran off the end of the section.
                string msg = _const ? "unexpected end" : _csp == 1 ? "END opcode expected" : "unexpected end of section or function";
                throw new MalformedModuleException(msg, reader.Offset);
            }
            reader.Read(out ins);
            Step(ref ins);
            if (_csp == 0)
            {
                if (!reader.AtEnd)
                {
                    if (_const) throw new InvalidModuleException("constant expression required", reader.Offset, _funcIndex);
                    throw new MalformedModuleException("operators remaining after end of function", reader.Offset);
                }
                return reader.Offset;
            }
        }
    }

    // ---------------------------------------------------------------- stack primitives

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Push(ValType t)
    {
        if (_sp == _stack.Length) Array.Resize(ref _stack, _stack.Length * 2);
        _stack[_sp++] = t;
        if (_sp > _maxStack) _maxStack = _sp;
    }

    private void PushAll(ValType[] ts)
    {
        foreach (var t in ts) Push(t);
    }

    private ValType Pop()
    {
        ref var f = ref _ctrl[_csp - 1];
        if (_sp == f.Height)
        {
            if (f.Unreachable) return ValType.Bot;
            throw Error("type mismatch: instruction requires [<value>] but stack has []");
        }
        return _stack[--_sp];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ValType Pop(ValType expected)
    {
        ref var f = ref _ctrl[_csp - 1];
        if (_sp > f.Height)
        {
            var actual = _stack[_sp - 1];
            if (actual == expected || TypeContext.IsSubtype(actual, expected))
            {
                _sp--;
                return actual.Kind == ValKind.Bot ? expected : actual;
            }
        }
        else if (f.Unreachable) return expected;
        throw Mismatch("instruction", [expected], _sp);
    }

    /// <summary>Pops values matching <paramref name="ts"/> (the last is on top).</summary>
    private void PopAll(ReadOnlySpan<ValType> ts)
    {
        int saved = _sp;
        ref var f = ref _ctrl[_csp - 1];
        for (int i = ts.Length - 1; i >= 0; i--)
        {
            if (_sp > f.Height)
            {
                var actual = _stack[_sp - 1];
                if (!TypeContext.IsSubtype(actual, ts[i])) throw Mismatch("instruction", ts, saved);
                _sp--;
            }
            else if (!f.Unreachable) throw Mismatch("instruction", ts, saved);
        }
    }

    /// <summary>A reference (or unknown) popped from the stack; unknown becomes a nullable bottom reference.</summary>
    private ValType PopRef()
    {
        ref var f = ref _ctrl[_csp - 1];
        if (_sp == f.Height)
        {
            if (f.Unreachable) return ValType.Ref(HeapType.Bot, true);
            throw Error("type mismatch: instruction requires [<ref>] but stack has []");
        }
        var t = _stack[--_sp];
        if (t.Kind == ValKind.Bot) return ValType.Ref(HeapType.Bot, true);
        if (t.Kind != ValKind.Ref) throw Error("type mismatch: instruction requires [<ref>] but stack has [" + t + "]");
        return t;
    }

    private InvalidModuleException Mismatch(string what, ReadOnlySpan<ValType> required, int sp)
    {
        int height = _ctrl[_csp - 1].Height;
        int avail = sp - height;
        int n = Math.Min(required.Length, avail);
        var sb = new StringBuilder("type mismatch: ").Append(what).Append(" requires [");
        for (int i = 0; i < required.Length; i++) sb.Append(i == 0 ? "" : " ").Append(Describe(required[i]));
        sb.Append("] but stack has [");
        for (int i = 0; i < n; i++) sb.Append(i == 0 ? "" : " ").Append(Describe(_stack[sp - n + i]));
        sb.Append(']');
        return Error(sb.ToString());
    }

    /// <summary>A canonical type as text, with the module's type index for a canonical id (error paths only).</summary>
    private string Describe(ValType t)
    {
        if (t.Kind != ValKind.Ref || !t.Heap.IsIndex) return t.ToString();
        var ids = _m.Types.CanonicalIds;
        int index = Array.IndexOf(ids, t.Heap.Value);
        return index < 0 ? t.ToString() : (t with { Heap = new HeapType(index) }).ToString();
    }

    private InvalidModuleException Error(string message) => new(message, _curOffset, _funcIndex);

    private int _curOffset;

    private void PushCtrl(Op kind, ValType[] start, ValType[] end, int offset)
    {
        if (_csp == _ctrl.Length) Array.Resize(ref _ctrl, _ctrl.Length * 2);
        int block = -1;
        if (offset >= 0)
        {
            if (_blockCount == _blocks.Length) Array.Resize(ref _blocks, _blocks.Length * 2);
            block = _blockCount++;
            _blocks[block] = new BlockTarget(offset, -1, -1, _sp);
        }
        _ctrl[_csp++] = new Frame { Kind = kind, Start = start, End = end, Height = _sp, Unreachable = false, InitHeight = _initSp, Block = block };
        if (_csp > _maxCtrl) _maxCtrl = _csp;
        PushAll(start);
    }

    /// <summary>Checks the frame's results are exactly on the stack and pops the frame.</summary>
    private Frame PopCtrl()
    {
        ref var f = ref _ctrl[_csp - 1];
        CheckFrameEnd(ref f);
        ResetInits(f.InitHeight);
        return _ctrl[--_csp];
    }

    private void CheckFrameEnd(ref Frame f)
    {
        int saved = _sp;
        var end = f.End;
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (_sp > f.Height)
            {
                if (!TypeContext.IsSubtype(_stack[_sp - 1], end[i])) throw Mismatch("instruction", end, saved);
                _sp--;
            }
            else if (!f.Unreachable) throw Mismatch("instruction", end, saved);
        }
        if (_sp != f.Height)
        {
            var sb = new StringBuilder("type mismatch: block requires [");
            for (int i = 0; i < end.Length; i++) sb.Append(i == 0 ? "" : " ").Append(Describe(end[i]));
            sb.Append("] but stack has [");
            for (int i = f.Height; i < saved; i++) sb.Append(i == f.Height ? "" : " ").Append(Describe(_stack[i]));
            sb.Append(']');
            throw Error(sb.ToString());
        }
    }

    private void ResetInits(int height)
    {
        while (_initSp > height) _init[_initStack[--_initSp]] = false;
    }

    private void SetUnreachable()
    {
        ref var f = ref _ctrl[_csp - 1];
        _sp = f.Height;
        f.Unreachable = true;
    }

    private ValType[] LabelTypes(uint depth)
    {
        if (depth >= _csp) throw Error("unknown label " + depth);
        ref var f = ref _ctrl[_csp - 1 - (int)depth];
        return f.Kind == Op.Loop ? f.Start : f.End;
    }

    /// <summary>Checks the top of the stack matches <paramref name="ts"/> without changing it (unknowns become the expected types).</summary>
    private void CheckTop(ValType[] ts)
    {
        int saved = _sp;
        PopAll(ts);
        _sp = saved;
    }

    // ---------------------------------------------------------------- index checks

    private ValType LocalType(uint index)
    {
        if (index >= (uint)_locals.Length) throw Error("unknown local " + index);
        return _locals[index];
    }

    private GlobalType Global(uint index)
    {
        if (index >= (uint)_m.Globals.Length || (_const && index >= (uint)_constGlobals)) throw Error("unknown global " + index);
        return _m.Globals[index];
    }

    private TableType Table(uint index)
    {
        if (index >= (uint)_m.Tables.Length) throw Error("unknown table " + index);
        return _m.Tables[index];
    }

    private ValType MemAddr(uint index)
    {
        if (index >= (uint)_m.Memories.Length) throw Error("unknown memory " + index);
        return _m.Memories[index].Limits.AddressType;
    }

    private CompositeType FuncOf(uint funcIndex)
    {
        if (funcIndex >= (uint)_m.FuncTypeIndices.Length) throw Error("unknown function " + funcIndex);
        return _m.FuncType(funcIndex);
    }

    private CanonicalType TypeAt(uint typeIndex)
    {
        if (typeIndex >= (uint)_m.Types.Count) throw Error("unknown type " + typeIndex);
        return _m.Types[typeIndex];
    }

    private CompositeType FuncTypeAt(uint typeIndex)
    {
        var t = TypeAt(typeIndex);
        if (t.Kind != CompositeKind.Func) throw Error("type mismatch: type " + typeIndex + " is not a function type");
        return t.Type;
    }

    private CanonicalType StructAt(uint typeIndex)
    {
        var t = TypeAt(typeIndex);
        if (t.Kind != CompositeKind.Struct) throw Error("type mismatch: type " + typeIndex + " is not a struct type");
        return t;
    }

    private CanonicalType ArrayAt(uint typeIndex)
    {
        var t = TypeAt(typeIndex);
        if (t.Kind != CompositeKind.Array) throw Error("type mismatch: type " + typeIndex + " is not an array type");
        return t;
    }

    private CompositeType TagType(uint tagIndex)
    {
        if (tagIndex >= (uint)_m.TagTypeIndices.Length) throw Error("unknown tag " + tagIndex);
        return _m.Types[_m.TagTypeIndices[tagIndex]].Type;
    }

    private ValType ElemType(uint elemIndex)
    {
        if (elemIndex >= (uint)_m.ElemTypes.Length) throw Error("unknown elem segment " + elemIndex);
        return _m.ElemTypes[elemIndex];
    }

    private void CheckData(uint dataIndex, bool needsDataCount)
    {
        if (needsDataCount && _m.Module.DataCount is null) throw new MalformedModuleException("data count section required", _curOffset);
        if (dataIndex >= (uint)_m.DataSegmentCount) throw Error("unknown data segment " + dataIndex);
    }

    private HeapType Heap(HeapType h)
    {
        if (h.IsIndex)
        {
            if (h.Value >= _m.Types.Count) throw Error("unknown type " + h.Value);
            return new HeapType(_m.Types.CanonicalIds[h.Value]);
        }
        return h;
    }

    private ValType RefOf(uint typeIndex, bool nullable) => ValType.Ref(new HeapType(_m.Types.CanonicalIds[(int)typeIndex]), nullable);

    private (ValType[] Start, ValType[] End) BlockSig(BlockType bt)
    {
        switch (bt.Kind)
        {
            case BlockTypeKind.Empty: return (None, None);
            case BlockTypeKind.Value:
            {
                var v = bt.Value;
                if (v.Kind != ValKind.Ref) return (None, Singles[(int)v.Kind]);
                return (None, [_m.Types.CanonChecked(v)]);
            }
            default:
            {
                var ft = FuncTypeAt(bt.Index);
                return (ft.Params, ft.Results);
            }
        }
    }

    // ---------------------------------------------------------------- instructions

    private void Step(ref Instruction ins)
    {
        _curOffset = ins.Offset;
        var info = OpTable.Info(ins.Op);
        if (!_m.GroupEnabled[(int)info.Feature])
            throw Error(WasmFeatureSet.NotEnabled(WasmFeatureSet.Of(info.Feature), "instruction " + info.Name));
        if (_const && !IsConstOp(ins.Op)) throw Error("constant expression required");
        if (!info.IsSpecial)
        {
            StepSignature(ref ins, info);
            return;
        }
        switch (ins.Op)
        {
            case Op.Unreachable:
                SetUnreachable();
                break;
            case Op.Block:
            case Op.Loop:
            {
                var (s, e) = BlockSig(ins.Block);
                PopAll(s);
                PushCtrl(ins.Op, s, e, ins.Offset);
                break;
            }
            case Op.If:
            {
                var (s, e) = BlockSig(ins.Block);
                Pop(ValType.I32);
                PopAll(s);
                PushCtrl(Op.If, s, e, ins.Offset);
                break;
            }
            case Op.Else:
            {
                ref var f = ref _ctrl[_csp - 1];
                if (f.Kind != Op.If) throw Error("else without matching if");
                CheckFrameEnd(ref f);
                ResetInits(f.InitHeight);
                f.Kind = Op.Else;
                f.Unreachable = false;
                _blocks[f.Block] = _blocks[f.Block] with { Else = ins.Offset };
                PushAll(f.Start);
                break;
            }
            case Op.End:
            {
                ref var f = ref _ctrl[_csp - 1];
                if (f.Kind == Op.If)
                {
                    // An if without else: the missing else passes its parameters through.
                    CheckFrameEnd(ref f);
                    PushAll(f.Start);
                    f.Unreachable = false;
                    CheckFrameEnd(ref f);
                    ResetInits(f.InitHeight);
                    var fr = _ctrl[--_csp];
                    _sp = fr.Height;
                    if (fr.Block >= 0) _blocks[fr.Block] = _blocks[fr.Block] with { End = ins.Offset };
                    PushAll(fr.End);
                    break;
                }
                var frame = PopCtrl();
                if (frame.Block >= 0) _blocks[frame.Block] = _blocks[frame.Block] with { End = ins.Offset };
                if (_csp > 0) PushAll(frame.End);
                break;
            }
            case Op.Br:
                PopAll(LabelTypes(ins.A));
                SetUnreachable();
                break;
            case Op.BrIf:
            {
                Pop(ValType.I32);
                var lt = LabelTypes(ins.A);
                PopAll(lt);
                PushAll(lt);
                break;
            }
            case Op.BrTable:
            {
                Pop(ValType.I32);
                var labels = ins.Labels!;
                var def = LabelTypes(labels[^1]);
                int arity = def.Length;
                for (int i = 0; i < labels.Length - 1; i++)
                {
                    var lt = LabelTypes(labels[i]);
                    if (lt.Length != arity) throw Error("type mismatch: br_table targets have different arities");
                    CheckTop(lt);
                }
                PopAll(def);
                SetUnreachable();
                break;
            }
            case Op.Return:
                PopAll(_results);
                SetUnreachable();
                break;
            case Op.Call:
            {
                var ft = FuncOf(ins.A);
                PopAll(ft.Params);
                PushAll(ft.Results);
                break;
            }
            case Op.ReturnCall:
            {
                var ft = FuncOf(ins.A);
                CheckReturnCall(ft);
                PopAll(ft.Params);
                SetUnreachable();
                break;
            }
            case Op.CallIndirect:
            case Op.ReturnCallIndirect:
            {
                var table = Table(ins.B);
                if (!TypeContext.IsSubtype(table.ElemType, ValType.FuncRef)) throw Error("type mismatch: call_indirect table must hold function references");
                var ft = FuncTypeAt(ins.A);
                Pop(table.Limits.AddressType);
                if (ins.Op == Op.ReturnCallIndirect)
                {
                    CheckReturnCall(ft);
                    PopAll(ft.Params);
                    SetUnreachable();
                }
                else
                {
                    PopAll(ft.Params);
                    PushAll(ft.Results);
                }
                break;
            }
            case Op.CallRef:
            case Op.ReturnCallRef:
            {
                var ft = FuncTypeAt(ins.A);
                Pop(RefOf(ins.A, true));
                if (ins.Op == Op.ReturnCallRef)
                {
                    CheckReturnCall(ft);
                    PopAll(ft.Params);
                    SetUnreachable();
                }
                else
                {
                    PopAll(ft.Params);
                    PushAll(ft.Results);
                }
                break;
            }
            case Op.Drop:
                Pop();
                break;
            case Op.Select:
            {
                Pop(ValType.I32);
                var t1 = Pop();
                var t2 = Pop();
                if (t1.Kind == ValKind.Ref || t2.Kind == ValKind.Ref) throw Error("type mismatch: select without type needs numeric or vector operands");
                if (t1.Kind != t2.Kind && t1.Kind != ValKind.Bot && t2.Kind != ValKind.Bot) throw Error("type mismatch: select operands differ");
                Push(t1.Kind == ValKind.Bot ? t2 : t1);
                break;
            }
            case Op.SelectT:
            {
                var types = ins.Types!;
                if (types.Length != 1) throw Error("invalid result arity");
                var t = _m.Types.CanonChecked(types[0]);
                Pop(ValType.I32);
                Pop(t);
                Pop(t);
                Push(t);
                break;
            }
            case Op.LocalGet:
            {
                var t = LocalType(ins.A);
                if (!_init[ins.A]) throw Error("uninitialized local " + ins.A);
                Push(t);
                break;
            }
            case Op.LocalSet:
            case Op.LocalTee:
            {
                var t = LocalType(ins.A);
                Pop(t);
                if (!_init[ins.A])
                {
                    _init[ins.A] = true;
                    if (_initSp == _initStack.Length) Array.Resize(ref _initStack, _initStack.Length * 2);
                    _initStack[_initSp++] = (int)ins.A;
                }
                if (ins.Op == Op.LocalTee) Push(t);
                break;
            }
            case Op.GlobalGet:
            {
                var g = Global(ins.A);
                if (_const && g.Mutable) throw Error("constant expression required");
                Push(g.Type);
                break;
            }
            case Op.GlobalSet:
            {
                var g = Global(ins.A);
                if (!g.Mutable) throw Error("immutable global " + ins.A);
                Pop(g.Type);
                break;
            }
            case Op.TableGet:
            {
                var t = Table(ins.A);
                Pop(t.Limits.AddressType);
                Push(t.ElemType);
                break;
            }
            case Op.TableSet:
            {
                var t = Table(ins.A);
                Pop(t.ElemType);
                Pop(t.Limits.AddressType);
                break;
            }
            case Op.TableSize:
                Push(Table(ins.A).Limits.AddressType);
                break;
            case Op.TableGrow:
            {
                var t = Table(ins.A);
                Pop(t.Limits.AddressType);
                Pop(t.ElemType);
                Push(t.Limits.AddressType);
                break;
            }
            case Op.TableFill:
            {
                var t = Table(ins.A);
                Pop(t.Limits.AddressType);
                Pop(t.ElemType);
                Pop(t.Limits.AddressType);
                break;
            }
            case Op.TableCopy:
            {
                var dst = Table(ins.A);
                var src = Table(ins.B);
                if (!TypeContext.IsSubtype(src.ElemType, dst.ElemType)) throw Error("type mismatch: table.copy element types");
                var da = dst.Limits.AddressType;
                var sa = src.Limits.AddressType;
                Pop(da == ValType.I64 && sa == ValType.I64 ? ValType.I64 : ValType.I32);
                Pop(sa);
                Pop(da);
                break;
            }
            case Op.TableInit:
            {
                var t = Table(ins.B);
                var et = ElemType(ins.A);
                if (!TypeContext.IsSubtype(et, t.ElemType)) throw Error("type mismatch: table.init element types");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(t.Limits.AddressType);
                break;
            }
            case Op.MemoryCopy:
            {
                var da = MemAddr(ins.A);
                var sa = MemAddr(ins.B);
                Pop(da == ValType.I64 && sa == ValType.I64 ? ValType.I64 : ValType.I32);
                Pop(sa);
                Pop(da);
                break;
            }
            case Op.RefNull:
                Push(ValType.Ref(Heap(ins.Heap), true));
                break;
            case Op.RefIsNull:
                PopRef();
                Push(ValType.I32);
                break;
            case Op.RefAsNonNull:
                Push(PopRef().AsNonNull);
                break;
            case Op.RefFunc:
            {
                FuncOf(ins.A);
                if (!_const && !_m.DeclaredRefs[ins.A]) throw Error("undeclared function reference");
                Push(RefOf(_m.FuncTypeIndices[ins.A], false));
                break;
            }
            case Op.BrOnNull:
            {
                var rt = PopRef();
                var lt = LabelTypes(ins.A);
                PopAll(lt);
                PushAll(lt);
                Push(rt.AsNonNull);
                break;
            }
            case Op.BrOnNonNull:
            {
                var rt = PopRef();
                var lt = LabelTypes(ins.A);
                if (lt.Length == 0 || !TypeContext.IsSubtype(rt.AsNonNull, lt[^1])) throw Error("type mismatch: br_on_non_null label type");
                PopAll(lt.AsSpan(0, lt.Length - 1));
                PushAll(lt);
                _sp--;
                break;
            }
            case Op.Throw:
            {
                var tt = TagType(ins.A);
                PopAll(tt.Params);
                SetUnreachable();
                break;
            }
            case Op.ThrowRef:
                Pop(ValType.ExnRef);
                SetUnreachable();
                break;
            case Op.TryTable:
            {
                var (s, e) = BlockSig(ins.Block);
                PopAll(s);
                foreach (var c in ins.Catches!) CheckCatch(c);
                PushCtrl(Op.TryTable, s, e, ins.Offset);
                break;
            }
            case Op.Try:
            {
                var (s, e) = BlockSig(ins.Block);
                PopAll(s);
                PushCtrl(Op.Try, s, e, ins.Offset);
                break;
            }
            case Op.Catch:
            case Op.CatchAll:
            {
                ref var f = ref _ctrl[_csp - 1];
                if (f.Kind != Op.Try && f.Kind != Op.Catch) throw Error(ins.Op == Op.Catch ? "catch without matching try" : "catch_all without matching try");
                CompositeType? tt = ins.Op == Op.Catch ? TagType(ins.A) : null;
                CheckFrameEnd(ref f);
                ResetInits(f.InitHeight);
                if (f.Kind == Op.Try && f.Block >= 0) _blocks[f.Block] = _blocks[f.Block] with { Else = ins.Offset };
                _handlers.Add(new HandlerTarget(f.Block, ins.Offset));
                f.Kind = ins.Op == Op.Catch ? Op.Catch : Op.CatchAll;
                f.Unreachable = false;
                if (tt != null) PushAll(tt.Params);
                break;
            }
            case Op.Delegate:
            {
                ref var f = ref _ctrl[_csp - 1];
                if (f.Kind != Op.Try) throw Error("delegate without matching try");
                var frame = PopCtrl();
                if (ins.A >= _csp) throw Error("unknown label " + ins.A);
                if (frame.Block >= 0) _blocks[frame.Block] = _blocks[frame.Block] with { Else = ins.Offset, End = ins.Offset };
                PushAll(frame.End);
                break;
            }
            case Op.Rethrow:
            {
                if (ins.A >= _csp) throw Error("unknown label " + ins.A);
                var k = _ctrl[_csp - 1 - (int)ins.A].Kind;
                if (k != Op.Catch && k != Op.CatchAll) throw Error("invalid rethrow label");
                SetUnreachable();
                break;
            }
            default:
                StepGc(ref ins);
                break;
        }
    }

    private void CheckReturnCall(CompositeType callee)
    {
        if (callee.Results.Length != _results.Length) throw Error("type mismatch: return_call results");
        for (int i = 0; i < _results.Length; i++)
            if (!TypeContext.IsSubtype(callee.Results[i], _results[i])) throw Error("type mismatch: return_call results");
    }

    private void CheckCatch(CatchClause c)
    {
        var lt = LabelTypes(c.Label);
        ReadOnlySpan<ValType> payload = None;
        if (c.Kind is CatchKind.Catch or CatchKind.CatchRef) payload = TagType(c.Tag).Params;
        bool withRef = c.Kind is CatchKind.CatchRef or CatchKind.CatchAllRef;
        int n = payload.Length + (withRef ? 1 : 0);
        if (lt.Length != n) throw Error("type mismatch: catch label arity");
        for (int i = 0; i < payload.Length; i++)
            if (!TypeContext.IsSubtype(payload[i], lt[i])) throw Error("type mismatch: catch label type");
        if (withRef && !TypeContext.IsSubtype(ExnRefNonNull, lt[^1])) throw Error("type mismatch: catch label type");
    }

    private void StepSignature(ref Instruction ins, OpInfo info)
    {
        ValType addr = default;
        switch (info.Imm)
        {
            case Imm.MemArg:
            case Imm.MemArgLane:
            {
                addr = MemAddr(ins.A);
                if (info.IsAtomic)
                {
                    if (ins.AlignLog2 != info.NaturalAlignLog2) throw Error("alignment must be exact");
                }
                else if (ins.AlignLog2 > info.NaturalAlignLog2) throw Error("alignment must not be larger than natural");
                if (addr.Kind == ValKind.I32 && ins.MemOffset > uint.MaxValue) throw Error("offset out of range");
                if (info.Imm == Imm.MemArgLane && ins.B >= 16 / info.NaturalAlignment) throw Error("invalid lane index");
                break;
            }
            case Imm.Memory:
                addr = MemAddr(ins.A);
                break;
            case Imm.MemoryInit:
                addr = MemAddr(ins.B);
                CheckData(ins.A, true);
                break;
            case Imm.Data:
                CheckData(ins.A, true);
                break;
            case Imm.Elem:
                ElemType(ins.A);
                break;
            case Imm.Lane:
                if (ins.A >= LaneCounts[(int)ins.Op]) throw Error("invalid lane index");
                break;
            case Imm.Shuffle:
                for (int i = 0; i < 16; i++)
                    if (ins.Vector.Byte(i) >= 32) throw Error("invalid lane index");
                break;
        }
        var ps = info.Params;
        ref var f = ref _ctrl[_csp - 1];
        for (int i = ps.Length - 1; i >= 0; i--)
        {
            var expected = ps[i].Resolve(addr);
            if (_sp > f.Height)
            {
                var actual = _stack[_sp - 1];
                if (actual.Kind != expected.Kind && actual.Kind != ValKind.Bot || expected.Kind == ValKind.Ref && !TypeContext.IsSubtype(actual, expected))
                    throw SignatureMismatch(ps, addr, i);
                _sp--;
            }
            else if (!f.Unreachable) throw SignatureMismatch(ps, addr, i);
        }
        var rs = info.Results;
        for (int i = 0; i < rs.Length; i++) Push(rs[i].Resolve(addr));
    }

    private InvalidModuleException SignatureMismatch(SigType[] ps, ValType addr, int failedAt)
    {
        var req = new ValType[ps.Length];
        for (int i = 0; i < ps.Length; i++) req[i] = ps[i].Resolve(addr);
        return Mismatch("instruction", req, _sp + (ps.Length - 1 - failedAt));
    }

    private void StepGc(ref Instruction ins)
    {
        switch (ins.Op)
        {
            case Op.StructNew:
            {
                var st = StructAt(ins.A);
                var fields = st.Type.Fields;
                for (int i = fields.Length - 1; i >= 0; i--) Pop(fields[i].Type.Unpacked);
                Push(RefOf(ins.A, false));
                break;
            }
            case Op.StructNewDefault:
            {
                var st = StructAt(ins.A);
                foreach (var fld in st.Type.Fields)
                    if (!fld.Type.Defaultable) throw Error("type mismatch: field type is not defaultable");
                Push(RefOf(ins.A, false));
                break;
            }
            case Op.StructGet:
            case Op.StructGetS:
            case Op.StructGetU:
            {
                var st = StructAt(ins.A);
                if (ins.B >= (uint)st.Type.Fields.Length) throw Error("unknown field " + ins.B);
                var fld = st.Type.Fields[ins.B];
                if (ins.Op == Op.StructGet && fld.Type.IsPacked) throw Error("type mismatch: field is packed");
                if (ins.Op != Op.StructGet && !fld.Type.IsPacked) throw Error("type mismatch: field is not packed");
                Pop(RefOf(ins.A, true));
                Push(fld.Type.Unpacked);
                break;
            }
            case Op.StructSet:
            {
                var st = StructAt(ins.A);
                if (ins.B >= (uint)st.Type.Fields.Length) throw Error("unknown field " + ins.B);
                var fld = st.Type.Fields[ins.B];
                if (!fld.Mutable) throw Error("immutable field " + ins.B);
                Pop(fld.Type.Unpacked);
                Pop(RefOf(ins.A, true));
                break;
            }
            case Op.ArrayNew:
            {
                var at = ArrayAt(ins.A);
                Pop(ValType.I32);
                Pop(at.Type.Element.Type.Unpacked);
                Push(RefOf(ins.A, false));
                break;
            }
            case Op.ArrayNewDefault:
            {
                var at = ArrayAt(ins.A);
                if (!at.Type.Element.Type.Defaultable) throw Error("type mismatch: array type is not defaultable");
                Pop(ValType.I32);
                Push(RefOf(ins.A, false));
                break;
            }
            case Op.ArrayNewFixed:
            {
                var at = ArrayAt(ins.A);
                var et = at.Type.Element.Type.Unpacked;
                for (uint i = 0; i < ins.B; i++) Pop(et);
                Push(RefOf(ins.A, false));
                break;
            }
            case Op.ArrayNewData:
            {
                var at = ArrayAt(ins.A);
                CheckNumericArray(at);
                CheckData(ins.B, false);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Push(RefOf(ins.A, false));
                break;
            }
            case Op.ArrayNewElem:
            {
                var at = ArrayAt(ins.A);
                var et = ElemType(ins.B);
                if (!TypeContext.IsSubtype(et, at.Type.Element.Type)) throw Error("type mismatch: element segment type");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Push(RefOf(ins.A, false));
                break;
            }
            case Op.ArrayGet:
            case Op.ArrayGetS:
            case Op.ArrayGetU:
            {
                var at = ArrayAt(ins.A);
                var et = at.Type.Element.Type;
                if (ins.Op == Op.ArrayGet && et.IsPacked) throw Error("type mismatch: array is packed");
                if (ins.Op != Op.ArrayGet && !et.IsPacked) throw Error("type mismatch: array is not packed");
                Pop(ValType.I32);
                Pop(RefOf(ins.A, true));
                Push(et.Unpacked);
                break;
            }
            case Op.ArraySet:
            {
                var at = MutableArray(ins.A);
                Pop(at.Type.Element.Type.Unpacked);
                Pop(ValType.I32);
                Pop(RefOf(ins.A, true));
                break;
            }
            case Op.ArrayLen:
                Pop(ValType.ArrayRef);
                Push(ValType.I32);
                break;
            case Op.ArrayFill:
            {
                var at = MutableArray(ins.A);
                Pop(ValType.I32);
                Pop(at.Type.Element.Type.Unpacked);
                Pop(ValType.I32);
                Pop(RefOf(ins.A, true));
                break;
            }
            case Op.ArrayCopy:
            {
                var dst = MutableArray(ins.A);
                var src = ArrayAt(ins.B);
                var de = dst.Type.Element.Type;
                var se = src.Type.Element.Type;
                bool ok = de.IsPacked || se.IsPacked ? de == se : TypeContext.IsSubtype(se, de);
                if (!ok) throw Error("array types do not match");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(RefOf(ins.B, true));
                Pop(ValType.I32);
                Pop(RefOf(ins.A, true));
                break;
            }
            case Op.ArrayInitData:
            {
                var at = MutableArray(ins.A);
                CheckNumericArray(at);
                CheckData(ins.B, false);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(RefOf(ins.A, true));
                break;
            }
            case Op.ArrayInitElem:
            {
                var at = MutableArray(ins.A);
                var et = ElemType(ins.B);
                if (!TypeContext.IsSubtype(et, at.Type.Element.Type)) throw Error("type mismatch: element segment type");
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(ValType.I32);
                Pop(RefOf(ins.A, true));
                break;
            }
            case Op.RefTest:
            case Op.RefTestNull:
            case Op.RefCast:
            case Op.RefCastNull:
            {
                var ht = Heap(ins.Heap);
                bool nullable = ins.Op is Op.RefTestNull or Op.RefCastNull;
                Pop(ValType.Ref(TypeContext.Top(ht), true));
                if (ins.Op is Op.RefTest or Op.RefTestNull) Push(ValType.I32);
                else Push(ValType.Ref(ht, nullable));
                break;
            }
            case Op.BrOnCast:
            case Op.BrOnCastFail:
            {
                var h1 = Heap(ins.Heap);
                var h2 = Heap(ins.Heap2);
                var rt1 = ValType.Ref(h1, ins.Null1);
                var rt2 = ValType.Ref(h2, ins.Null2);
                if (!TypeContext.IsSubtype(rt2, rt1)) throw Error("type mismatch: br_on_cast target type must match the source type");
                var lt = LabelTypes(ins.A);
                if (lt.Length == 0) throw Error("type mismatch: br_on_cast label has no reference type");
                var diff = ValType.Ref(h1, ins.Null1 && !ins.Null2);
                var toLabel = ins.Op == Op.BrOnCast ? rt2 : diff;
                if (!TypeContext.IsSubtype(toLabel, lt[^1])) throw Error("type mismatch: br_on_cast label type");
                Pop(rt1);
                PopAll(lt.AsSpan(0, lt.Length - 1));
                PushAll(lt);
                _sp--;
                Push(ins.Op == Op.BrOnCast ? diff : rt2);
                break;
            }
            case Op.AnyConvertExtern:
            {
                var t = Pop(ValType.ExternRef);
                Push(ValType.Ref(HeapType.Any, t.Kind != ValKind.Ref || t.Nullable));
                break;
            }
            case Op.ExternConvertAny:
            {
                var t = Pop(ValType.AnyRef);
                Push(ValType.Ref(HeapType.Extern, t.Kind != ValKind.Ref || t.Nullable));
                break;
            }
            default:
                throw Error("unsupported instruction " + OpTable.Info(ins.Op).Name);
        }
    }

    private CanonicalType MutableArray(uint typeIndex)
    {
        var at = ArrayAt(typeIndex);
        if (!at.Type.Element.Mutable) throw Error("immutable array");
        return at;
    }

    private void CheckNumericArray(CanonicalType at)
    {
        var et = at.Type.Element.Type;
        if (et.Kind == ValKind.Ref) throw Error("array type is not numeric or vector");
    }

    private static bool IsConstOp(Op op) => op switch
    {
        Op.I32Const or Op.I64Const or Op.F32Const or Op.F64Const or Op.V128Const or Op.RefNull or Op.RefFunc
            or Op.GlobalGet or Op.End or Op.I32Add or Op.I32Sub or Op.I32Mul or Op.I64Add or Op.I64Sub or Op.I64Mul
            or Op.StructNew or Op.StructNewDefault or Op.ArrayNew or Op.ArrayNewDefault or Op.ArrayNewFixed
            or Op.RefI31 or Op.AnyConvertExtern or Op.ExternConvertAny => true,
        _ => false,
    };

    private static ValType[][] CreateSingles()
    {
        var r = new ValType[(int)ValKind.Bot + 1][];
        for (int k = 0; k < r.Length; k++) r[k] = [new ValType((ValKind)k)];
        return r;
    }

    private static byte[] CreateLaneCounts()
    {
        var all = OpTable.All;
        var r = new byte[all.Length];
        foreach (var row in all)
        {
            if (row.Imm != Imm.Lane) continue;
            string n = row.Name;
            r[(int)row.Op] = n.StartsWith("i8x16", StringComparison.Ordinal) ? (byte)16
                : n.StartsWith("i16x8", StringComparison.Ordinal) ? (byte)8
                : n.StartsWith("i32x4", StringComparison.Ordinal) || n.StartsWith("f32x4", StringComparison.Ordinal) ? (byte)4
                : (byte)2;
        }
        return r;
    }
}
