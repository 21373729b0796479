using WasmKiln.Binary;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Text;

/// <summary>
/// Parses the instructions of one function body or constant expression (flat and folded) and
/// writes them in binary form. Immediates are read as the instruction table's
/// <see cref="Imm"/> says; only structured control instructions are handled by hand.
/// </summary>
internal sealed class FunctionBodyBuilder(WatModuleParser p, uint funcIndex)
{
    private readonly Dictionary<string, uint> _localIds = new(StringComparer.Ordinal);
    private uint _localCount;
    /// <summary>Labels of the enclosing blocks, innermost last (null for an unnamed block).</summary>
    private readonly List<string?> _labels = [];

    public WasmWriter Writer { get; set; } = null!;

    public void DeclareLocal(SAtom? id)
    {
        if (id != null)
        {
            if (!_localIds.TryAdd(id.Text, _localCount)) throw id.Error("duplicate local $" + id.Text);
            p.NoteLocalName(funcIndex, _localCount, id.Text);
        }
        _localCount++;
    }

    /// <summary>Parses every remaining item of <paramref name="c"/> as instructions.</summary>
    public void ParseBody(WatCursor c)
    {
        while (!c.AtEnd)
        {
            if (c.HasAnnotationBefore) NoteAnnotations(c);
            ParseInstr(c);
        }
    }

    private void NoteAnnotations(WatCursor c)
    {
        {
            foreach (var ann in c.AnnotationsBefore())
            {
                if (ann.Annotation != WatModuleParser.BranchHintAnnotation) continue;
                if (_pendingHint != null) throw ann.Error("@metadata.code.branch_hint annotation: duplicate annotation");
                var hc = new WatCursor(ann);
                var bytes = new List<byte>();
                while (!hc.AtEnd) bytes.AddRange(hc.NextString().Bytes!);
                _pendingHint = ann;
                _pendingHintValue = bytes.ToArray();
            }
        }
    }

    private SList? _pendingHint;
    private byte[] _pendingHintValue = [];

    /// <summary>Branch hints of this body: (offset of the hinted instruction in the body, hint value).</summary>
    public List<(int Offset, byte[] Value)>? BranchHints { get; private set; }

    /// <summary>Takes the pending branch hint (if any) for the instruction about to be parsed.</summary>
    private (SList Ann, byte[] Value)? TakeHint()
    {
        if (_pendingHint == null) return null;
        var h = (_pendingHint, _pendingHintValue);
        _pendingHint = null;
        return h;
    }

    /// <summary>
    /// Records <paramref name="hint"/> for the instruction <paramref name="op"/> written next.
    /// Throws <see cref="InvalidModuleException"/> when the target is not <c>if</c> or <c>br_if</c>.
    /// </summary>
    private void ApplyHint((SList Ann, byte[] Value)? hint, Op op)
    {
        if (hint == null) return;
        // A hint on another instruction is well-formed but invalid (the reference checks it when
        // validating the annotation's custom section); only the parser knows the target here.
        if (op is not (Op.If or Op.BrIf))
            throw new InvalidModuleException("@metadata.code.branch_hint annotation: invalid target", -1, (int)funcIndex);
        if (funcIndex == uint.MaxValue) throw hint.Value.Ann.Error("@metadata.code.branch_hint annotation: not in a function");
        (BranchHints ??= []).Add((Writer.Length, hint.Value.Value));
    }

    private void ParseInstr(WatCursor c)
    {
        var e = c.Next();
        if (e is SList l)
        {
            ParseFolded(l);
            return;
        }
        var hint = TakeHint();
        var a = (SAtom)e;
        if (a.Kind != AtomKind.Keyword) throw WatCursor.Unexpected(a);
        switch (a.Text)
        {
            case "block":
            case "loop":
            case "if":
                ApplyHint(hint, a.Text == "if" ? Op.If : Op.Block);
                ParseFlatBlock(a, c);
                return;
            case "try":
                ApplyHint(hint, Op.Try);
                ParseFlatTry(c);
                return;
            case "try_table":
                ApplyHint(hint, Op.TryTable);
                ParseFlatTryTable(c);
                return;
            case "end":
            case "else":
            case "catch":
            case "catch_all":
            case "delegate":
            case "then":
            case "do":
                throw WatCursor.Unexpected(a);
        }
        var op = LookupOp(a);
        var ins = ParseImmediates(ref op, a, c);
        ApplyHint(hint, ins.Op);
        InstructionWriter.Write(Writer, ins);
    }

    private static Op LookupOp(SAtom a)
    {
        if (OpTable.TryGetByName(a.Text, out var op)) return op;
        if (a.Text is "param" or "result" or "type" or "local" or "export" or "import" or "then" or "else" or "do"
            or "catch" or "catch_all" or "catch_ref" or "catch_all_ref" or "delegate" or "item" or "offset")
            throw WatCursor.Unexpected(a);
        throw a.Error("unknown operator " + a.Text);
    }

    /// <summary>Parses one folded instruction <c>(op imm* folded*)</c> or a folded block.</summary>
    public void ParseFolded(SList l)
    {
        if (l.IsAnnotation) return;
        var hint = TakeHint();
        var c = new WatCursor(l);
        var head = c.NextAtom();
        if (head.Kind != AtomKind.Keyword) throw WatCursor.Unexpected(head);
        switch (head.Text)
        {
            case "block":
            case "loop":
            {
                ApplyHint(hint, Op.Block);
                var label = c.TakeId();
                var bt = ParseBlockType(c);
                InstructionWriter.WriteOpcode(Writer, head.Text == "block" ? Op.Block : Op.Loop);
                TypeCodec.WriteBlockType(Writer, bt);
                _labels.Add(label?.Text);
                ParseBody(c);
                _labels.RemoveAt(_labels.Count - 1);
                InstructionWriter.WriteOpcode(Writer, Op.End);
                return;
            }
            case "if":
            {
                var label = c.TakeId();
                var bt = ParseBlockType(c);
                while (!c.AtEnd && !c.PeekList("then"))
                {
                    if (c.Peek is not SList cond) throw WatCursor.Unexpected(c.Peek!);
                    c.Next();
                    ParseFolded(cond);
                }
                var then = c.TakeList("then") ?? throw c.EndError();
                ApplyHint(hint, Op.If);
                InstructionWriter.WriteOpcode(Writer, Op.If);
                TypeCodec.WriteBlockType(Writer, bt);
                _labels.Add(label?.Text);
                ParseBody(new WatCursor(then, 1));
                var els = c.TakeList("else");
                if (els != null)
                {
                    // An empty else is left out, as the reference encoder does.
                    var ec = new WatCursor(els, 1);
                    if (!ec.AtEnd) InstructionWriter.WriteOpcode(Writer, Op.Else);
                    ParseBody(ec);
                }
                c.ExpectEnd();
                _labels.RemoveAt(_labels.Count - 1);
                InstructionWriter.WriteOpcode(Writer, Op.End);
                return;
            }
            case "try":
                ApplyHint(hint, Op.Try);
                ParseFoldedTry(c);
                return;
            case "try_table":
            {
                ApplyHint(hint, Op.TryTable);
                var label = c.TakeId();
                var bt = ParseBlockType(c);
                var catches = ParseCatchClauses(c);
                var ins = new Instruction { Op = Op.TryTable, Block = bt, Catches = catches };
                InstructionWriter.Write(Writer, ins);
                _labels.Add(label?.Text);
                ParseBody(c);
                _labels.RemoveAt(_labels.Count - 1);
                InstructionWriter.WriteOpcode(Writer, Op.End);
                return;
            }
            case "end":
            case "else":
            case "catch":
            case "catch_all":
            case "delegate":
            case "then":
            case "do":
                throw WatCursor.Unexpected(head);
        }
        var op = LookupOp(head);
        var instr = ParseImmediates(ref op, head, c);
        while (!c.AtEnd)
        {
            var operand = c.Next();
            if (operand is not SList ol) throw WatCursor.Unexpected(operand);
            ParseFolded(ol);
        }
        ApplyHint(hint, instr.Op);
        InstructionWriter.Write(Writer, instr);
    }

    // ---- structured control ----

    private void ParseFlatBlock(SAtom kw, WatCursor c)
    {
        var label = c.TakeId();
        var bt = ParseBlockType(c);
        var op = kw.Text switch { "block" => Op.Block, "loop" => Op.Loop, _ => Op.If };
        InstructionWriter.WriteOpcode(Writer, op);
        TypeCodec.WriteBlockType(Writer, bt);
        _labels.Add(label?.Text);
        bool sawElse = false;
        while (true)
        {
            if (c.AtEnd) throw c.EndError();
            if (c.Peek is SAtom { Kind: AtomKind.Keyword } a)
            {
                if (a.Text == "else" && op == Op.If && !sawElse)
                {
                    c.Next();
                    CheckEndLabel(c, label);
                    // An empty else is left out, as the reference encoder does.
                    if (!c.PeekKeyword("end")) InstructionWriter.WriteOpcode(Writer, Op.Else);
                    sawElse = true;
                    continue;
                }
                if (a.Text == "end")
                {
                    c.Next();
                    CheckEndLabel(c, label);
                    break;
                }
            }
            ParseInstr(c);
        }
        _labels.RemoveAt(_labels.Count - 1);
        InstructionWriter.WriteOpcode(Writer, Op.End);
    }

    private static void CheckEndLabel(WatCursor c, SAtom? label)
    {
        var id = c.TakeId();
        if (id != null && (label == null || label.Text != id.Text)) throw id.Error("mismatching label");
    }

    private void ParseFlatTryTable(WatCursor c)
    {
        var label = c.TakeId();
        var bt = ParseBlockType(c);
        var catches = ParseCatchClauses(c);
        InstructionWriter.Write(Writer, new Instruction { Op = Op.TryTable, Block = bt, Catches = catches });
        _labels.Add(label?.Text);
        while (true)
        {
            if (c.AtEnd) throw c.EndError();
            if (c.PeekKeyword("end"))
            {
                c.Next();
                CheckEndLabel(c, label);
                break;
            }
            ParseInstr(c);
        }
        _labels.RemoveAt(_labels.Count - 1);
        InstructionWriter.WriteOpcode(Writer, Op.End);
    }

    /// <summary>The catch clauses of try_table; their labels are relative to the enclosing block.</summary>
    private CatchClause[] ParseCatchClauses(WatCursor c)
    {
        var list = new List<CatchClause>();
        while (c.Peek is SList { Head: "catch" or "catch_ref" or "catch_all" or "catch_all_ref" } cl)
        {
            c.Next();
            var cc = new WatCursor(cl);
            var kind = cc.NextAtom().Text switch
            {
                "catch" => CatchKind.Catch,
                "catch_ref" => CatchKind.CatchRef,
                "catch_all" => CatchKind.CatchAll,
                _ => CatchKind.CatchAllRef,
            };
            uint tag = 0;
            if (kind is CatchKind.Catch or CatchKind.CatchRef) tag = p.Tags.Resolve(RequireIndex(cc));
            uint labelIndex = ResolveLabel(RequireIndex(cc));
            cc.ExpectEnd();
            list.Add(new CatchClause(kind, tag, labelIndex));
        }
        return list.ToArray();
    }

    private void ParseFlatTry(WatCursor c)
    {
        var label = c.TakeId();
        var bt = ParseBlockType(c);
        InstructionWriter.WriteOpcode(Writer, Op.Try);
        TypeCodec.WriteBlockType(Writer, bt);
        _labels.Add(label?.Text);
        bool sawCatchAll = false;
        while (true)
        {
            if (c.AtEnd) throw c.EndError();
            if (c.Peek is SAtom { Kind: AtomKind.Keyword } a)
            {
                if (a.Text == "catch" && !sawCatchAll)
                {
                    c.Next();
                    var tag = p.Tags.Resolve(RequireIndex(c));
                    InstructionWriter.WriteOpcode(Writer, Op.Catch);
                    Writer.U32(tag);
                    continue;
                }
                if (a.Text == "catch_all" && !sawCatchAll)
                {
                    c.Next();
                    InstructionWriter.WriteOpcode(Writer, Op.CatchAll);
                    sawCatchAll = true;
                    continue;
                }
                if (a.Text == "delegate")
                {
                    c.Next();
                    _labels.RemoveAt(_labels.Count - 1);
                    uint depth = ResolveLabel(RequireIndex(c));
                    InstructionWriter.WriteOpcode(Writer, Op.Delegate);
                    Writer.U32(depth);
                    return;
                }
                if (a.Text == "end")
                {
                    c.Next();
                    CheckEndLabel(c, label);
                    break;
                }
            }
            ParseInstr(c);
        }
        _labels.RemoveAt(_labels.Count - 1);
        InstructionWriter.WriteOpcode(Writer, Op.End);
    }

    private void ParseFoldedTry(WatCursor c)
    {
        var label = c.TakeId();
        var bt = ParseBlockType(c);
        InstructionWriter.WriteOpcode(Writer, Op.Try);
        TypeCodec.WriteBlockType(Writer, bt);
        _labels.Add(label?.Text);
        var doList = c.TakeList("do");
        if (doList != null) ParseBody(new WatCursor(doList, 1));
        bool hasCatch = false;
        while (c.PeekList("catch"))
        {
            hasCatch = true;
            var cl = new WatCursor(c.NextList(), 1);
            var tag = p.Tags.Resolve(RequireIndex(cl));
            InstructionWriter.WriteOpcode(Writer, Op.Catch);
            Writer.U32(tag);
            ParseBody(cl);
        }
        var ca = c.TakeList("catch_all");
        if (ca != null)
        {
            hasCatch = true;
            InstructionWriter.WriteOpcode(Writer, Op.CatchAll);
            ParseBody(new WatCursor(ca, 1));
        }
        var del = hasCatch ? null : c.TakeList("delegate");
        if (del != null)
        {
            c.ExpectEnd();
            _labels.RemoveAt(_labels.Count - 1);
            var dc = new WatCursor(del, 1);
            uint depth = ResolveLabel(RequireIndex(dc));
            dc.ExpectEnd();
            InstructionWriter.WriteOpcode(Writer, Op.Delegate);
            Writer.U32(depth);
            return;
        }
        c.ExpectEnd();
        _labels.RemoveAt(_labels.Count - 1);
        InstructionWriter.WriteOpcode(Writer, Op.End);
    }

    private BlockType ParseBlockType(WatCursor c)
    {
        var tu = p.ReadTypeUse(c, allowParamIds: false);
        if (tu.TypeRef != null) return BlockType.OfIndex(tu.ExplicitIndex);
        if (tu.Params.Count == 0 && tu.Results.Count == 0) return BlockType.Empty;
        if (tu.Params.Count == 0 && tu.Results.Count == 1) return BlockType.Of(tu.Results[0]);
        return BlockType.OfIndex(p.TypeIndexOf(tu));
    }

    // ---- indices ----

    private static SAtom RequireIndex(WatCursor c)
    {
        if (c.AtEnd) throw c.EndError();
        if (!c.PeekIsIndex) throw WatCursor.Unexpected(c.Peek!);
        return (SAtom)c.Next();
    }

    private uint ResolveLabel(SAtom a)
    {
        if (a.Kind == AtomKind.Id)
        {
            for (int i = _labels.Count - 1; i >= 0; i--)
                if (_labels[i] == a.Text) return (uint)(_labels.Count - 1 - i);
            throw a.Error("unknown label $" + a.Text);
        }
        return WatModuleParser.ParseIndex(a);
    }

    private uint ResolveLocal(SAtom a)
    {
        if (a.Kind == AtomKind.Id)
        {
            if (_localIds.TryGetValue(a.Text, out var i)) return i;
            throw a.Error("unknown local $" + a.Text);
        }
        return WatModuleParser.ParseIndex(a);
    }

    private uint ResolveTypeIndex(SAtom a)
    {
        uint i = p.Types.Resolve(a);
        return i;
    }

    // ---- immediates ----

    private Instruction ParseImmediates(ref Op op, SAtom opAtom, WatCursor c)
    {
        var info = OpTable.Info(op);
        var ins = new Instruction { Op = op };
        switch (info.Imm)
        {
            case Imm.None:
                if (op == Op.Select && c.PeekList("result"))
                {
                    var types = new List<ValType>();
                    while (c.PeekList("result"))
                    {
                        var rc = new WatCursor(c.NextList(), 1);
                        while (!rc.AtEnd) types.Add(p.ParseValType(rc));
                    }
                    ins.Op = op = Op.SelectT;
                    ins.Types = types.ToArray();
                }
                break;
            case Imm.Zero:
                break;
            case Imm.BlockType:
                // block/loop/if are handled before immediates; reaching here means a misplaced keyword.
                throw WatCursor.Unexpected(opAtom);
            case Imm.TryTable:
                throw WatCursor.Unexpected(opAtom);
            case Imm.Label:
                ins.A = ResolveLabel(RequireIndex(c));
                break;
            case Imm.BrTable:
            {
                var labels = new List<uint>();
                while (c.PeekIsIndex) labels.Add(ResolveLabel((SAtom)c.Next()));
                if (labels.Count == 0) throw c.UnexpectedHere();
                ins.Labels = labels.ToArray();
                break;
            }
            case Imm.Func:
                ins.A = p.Funcs.Resolve(RequireIndex(c));
                break;
            case Imm.CallIndirect:
            {
                uint table = 0;
                if (c.PeekIsIndex) table = p.Tables.Resolve((SAtom)c.Next());
                var tu = p.ReadTypeUse(c, allowParamIds: false);
                ins.A = p.TypeIndexOf(tu);
                ins.B = table;
                break;
            }
            case Imm.Type:
                ins.A = ResolveTypeIndex(RequireIndex(c));
                break;
            case Imm.Local:
                ins.A = ResolveLocal(RequireIndex(c));
                break;
            case Imm.Global:
                ins.A = p.Globals.Resolve(RequireIndex(c));
                break;
            case Imm.Table:
                ins.A = c.PeekIsIndex ? p.Tables.Resolve((SAtom)c.Next()) : 0;
                break;
            case Imm.Memory:
                ins.A = c.PeekIsIndex ? p.Memories.Resolve((SAtom)c.Next()) : 0;
                break;
            case Imm.Tag:
                ins.A = p.Tags.Resolve(RequireIndex(c));
                break;
            case Imm.Data:
                ins.A = p.Datas.Resolve(RequireIndex(c));
                p.NoteDataCountUse();
                break;
            case Imm.Elem:
                ins.A = p.Elems.Resolve(RequireIndex(c));
                break;
            case Imm.MemArg:
                ins.A = c.PeekIsIndex ? p.Memories.Resolve((SAtom)c.Next()) : 0;
                ParseMemArg(c, info, ref ins);
                break;
            case Imm.MemArgLane:
            {
                bool hasMem = c.PeekIsId;
                if (!hasMem && c.PeekIsNumber)
                {
                    int k = 1;
                    while (c.PeekAt(k) is SAtom { Kind: AtomKind.Keyword } kw && (kw.Text.StartsWith("offset=", StringComparison.Ordinal) || kw.Text.StartsWith("align=", StringComparison.Ordinal))) k++;
                    hasMem = c.PeekAt(k) is SAtom { Kind: AtomKind.Number };
                }
                ins.A = hasMem ? p.Memories.Resolve((SAtom)c.Next()) : 0;
                ParseMemArg(c, info, ref ins);
                ins.B = ParseLaneIndex(c);
                break;
            }
            case Imm.I32:
                ins.Int = (int)(uint)ParseIntLiteral(c, 32);
                break;
            case Imm.I64:
                ins.Int = (long)ParseIntLiteral(c, 64);
                break;
            case Imm.F32:
                ins.Bits = ParseFloatLiteral(c, false);
                break;
            case Imm.F64:
                ins.Bits = ParseFloatLiteral(c, true);
                break;
            case Imm.V128:
                ins.Vector = ParseV128(c);
                break;
            case Imm.Lane:
                ins.A = ParseLaneIndex(c);
                break;
            case Imm.Shuffle:
                ins.Vector = ParseShuffle(c);
                break;
            case Imm.SelectT:
            {
                var types = new List<ValType>();
                while (c.PeekList("result"))
                {
                    var rc = new WatCursor(c.NextList(), 1);
                    while (!rc.AtEnd) types.Add(p.ParseValType(rc));
                }
                ins.Types = types.ToArray();
                break;
            }
            case Imm.HeapType:
                if (op == Op.RefNull)
                {
                    ins.Heap = p.ParseHeapType(c);
                }
                else
                {
                    var t = p.ParseRefType(c);
                    ins.Heap = t.Heap;
                    if (t.Nullable) ins.Op = op = op == Op.RefTest ? Op.RefTestNull : op == Op.RefCast ? Op.RefCastNull : op;
                }
                break;
            case Imm.TableInit:
            {
                var first = RequireIndex(c);
                if (c.PeekIsIndex)
                {
                    ins.B = p.Tables.Resolve(first);
                    ins.A = p.Elems.Resolve((SAtom)c.Next());
                }
                else
                {
                    ins.B = 0;
                    ins.A = p.Elems.Resolve(first);
                }
                break;
            }
            case Imm.TableCopy:
                if (c.PeekIsIndex)
                {
                    ins.A = p.Tables.Resolve((SAtom)c.Next());
                    ins.B = p.Tables.Resolve(RequireIndex(c));
                }
                break;
            case Imm.MemoryInit:
            {
                var first = RequireIndex(c);
                if (c.PeekIsIndex)
                {
                    ins.B = p.Memories.Resolve(first);
                    ins.A = p.Datas.Resolve((SAtom)c.Next());
                }
                else
                {
                    ins.B = 0;
                    ins.A = p.Datas.Resolve(first);
                }
                p.NoteDataCountUse();
                break;
            }
            case Imm.MemoryCopy:
                if (c.PeekIsIndex)
                {
                    ins.A = p.Memories.Resolve((SAtom)c.Next());
                    ins.B = p.Memories.Resolve(RequireIndex(c));
                }
                break;
            case Imm.TypeField:
                ins.A = ResolveTypeIndex(RequireIndex(c));
                ins.B = p.ResolveField(ins.A, RequireIndex(c));
                break;
            case Imm.TypeU32:
                ins.A = ResolveTypeIndex(RequireIndex(c));
                ins.B = WatModuleParser.ParseIndex(RequireNumber(c));
                break;
            case Imm.TypeData:
                ins.A = ResolveTypeIndex(RequireIndex(c));
                ins.B = p.Datas.Resolve(RequireIndex(c));
                p.NoteDataCountUse();
                break;
            case Imm.TypeElem:
                ins.A = ResolveTypeIndex(RequireIndex(c));
                ins.B = p.Elems.Resolve(RequireIndex(c));
                break;
            case Imm.TypeType:
                ins.A = ResolveTypeIndex(RequireIndex(c));
                ins.B = ResolveTypeIndex(RequireIndex(c));
                break;
            case Imm.BrOnCast:
            {
                ins.A = ResolveLabel(RequireIndex(c));
                var t1 = p.ParseRefType(c);
                var t2 = p.ParseRefType(c);
                ins.Heap = t1.Heap;
                ins.Null1 = t1.Nullable;
                ins.Heap2 = t2.Heap;
                ins.Null2 = t2.Nullable;
                break;
            }
            default:
                throw opAtom.Error("unsupported immediate kind " + info.Imm);
        }
        return ins;
    }

    private static SAtom RequireNumber(WatCursor c)
    {
        if (c.AtEnd) throw c.EndError();
        if (c.Peek is not SAtom { Kind: AtomKind.Number } a) throw WatCursor.Unexpected(c.Peek!);
        c.Next();
        return a;
    }

    private static void ParseMemArg(WatCursor c, OpInfo info, ref Instruction ins)
    {
        ins.AlignLog2 = (uint)info.NaturalAlignLog2;
        if (c.Peek is SAtom { Kind: AtomKind.Keyword } o && o.Text.StartsWith("offset=", StringComparison.Ordinal))
        {
            c.Next();
            string v = o.Text["offset=".Length..];
            if (!TextNumbers.TryParseU64(v, out var off))
                throw o.Error(TextNumbers.IsIntSyntax(v) && v.Length > 0 && v[0] is not ('+' or '-') ? "i64 constant out of range" : "unknown operator");
            ins.MemOffset = off;
        }
        if (c.Peek is SAtom { Kind: AtomKind.Keyword } al && al.Text.StartsWith("align=", StringComparison.Ordinal))
        {
            c.Next();
            string v = al.Text["align=".Length..];
            if (!TextNumbers.TryParseU64(v, out var align))
                throw al.Error(TextNumbers.IsIntSyntax(v) && v.Length > 0 && v[0] is not ('+' or '-') ? "i64 constant out of range" : "unknown operator");
            if (align == 0 || (align & (align - 1)) != 0) throw al.Error("alignment must be a power of two");
            ins.AlignLog2 = (uint)System.Numerics.BitOperations.Log2(align);
        }
    }

    private static uint ParseLaneIndex(WatCursor c)
    {
        if (c.AtEnd) throw c.EndError();
        if (c.Peek is not SAtom { Kind: AtomKind.Number } a || a.Text[0] is '+' or '-') throw WatCursor.Unexpected(c.Peek!);
        c.Next();
        if (TextNumbers.TryParseU32(a.Text, out var v))
        {
            if (v > 255) throw a.Error("i8 constant out of range");
            return v;
        }
        if (TextNumbers.IsIntSyntax(a.Text)) throw a.Error("i8 constant out of range");
        throw WatCursor.Unexpected(a);
    }

    private static ulong ParseIntLiteral(WatCursor c, int bits)
    {
        if (c.AtEnd) throw c.EndError();
        var a = c.NextAtom();
        return IntLiteral(a, bits);
    }

    private static ulong IntLiteral(SAtom a, int bits)
    {
        if (a.Kind == AtomKind.Number)
        {
            if (TextNumbers.TryParseInt(a.Text, bits, out var v)) return v;
            if (TextNumbers.IsIntSyntax(a.Text)) throw a.Error("constant out of range");
            throw a.Error("unknown operator");
        }
        throw WatCursor.Unexpected(a);
    }

    private static ulong ParseFloatLiteral(WatCursor c, bool is64)
    {
        if (c.AtEnd) throw c.EndError();
        return FloatLiteral(c.NextAtom(), is64);
    }

    private static ulong FloatLiteral(SAtom a, bool is64)
    {
        if (a.Kind is AtomKind.Number or AtomKind.Keyword)
        {
            bool ok;
            ulong bits;
            if (is64) ok = TextNumbers.TryParseF64(a.Text, out bits);
            else
            {
                ok = TextNumbers.TryParseF32(a.Text, out uint b32);
                bits = b32;
            }
            if (ok) return bits;
            if (TextNumbers.IsFloatSyntax(a.Text)) throw a.Error("constant out of range");
            throw a.Kind == AtomKind.Keyword ? WatCursor.Unexpected(a) : a.Error("unknown operator");
        }
        throw WatCursor.Unexpected(a);
    }

    private static V128 ParseV128(WatCursor c)
    {
        if (c.AtEnd) throw c.EndError();
        var shapeAtom = c.NextAtom();
        int lanes, bits;
        bool isFloat = false;
        switch (shapeAtom.Text)
        {
            case "i8x16": lanes = 16; bits = 8; break;
            case "i16x8": lanes = 8; bits = 16; break;
            case "i32x4": lanes = 4; bits = 32; break;
            case "i64x2": lanes = 2; bits = 64; break;
            case "f32x4": lanes = 4; bits = 32; isFloat = true; break;
            case "f64x2": lanes = 2; bits = 64; isFloat = true; break;
            default: throw WatCursor.Unexpected(shapeAtom);
        }
        var atoms = new List<SAtom>(lanes);
        while (atoms.Count < lanes && c.Peek is SAtom a && a.Kind is AtomKind.Number or AtomKind.Keyword or AtomKind.Reserved)
        {
            c.Next();
            atoms.Add(a);
        }
        if (atoms.Count < lanes || c.Peek is SAtom { Kind: AtomKind.Number })
            throw (atoms.Count < lanes ? (SExpr?)c.Peek ?? shapeAtom : c.Peek!).Error("wrong number of lane literals");
        Span<byte> bytes = stackalloc byte[16];
        int laneBytes = bits / 8;
        for (int i = 0; i < lanes; i++)
        {
            ulong v = isFloat ? FloatLiteral(atoms[i], bits == 64) : IntLiteral(atoms[i], bits);
            for (int k = 0; k < laneBytes; k++) bytes[i * laneBytes + k] = (byte)(v >> (8 * k));
        }
        return V128.FromBytes(bytes);
    }

    private static V128 ParseShuffle(WatCursor c)
    {
        var atoms = new List<SAtom>(16);
        // In flat text the next instruction follows the 16 lanes.
        while (c.Peek is SAtom a && !(atoms.Count >= 16 && a.Kind == AtomKind.Keyword))
        {
            c.Next();
            atoms.Add(a);
        }
        if (atoms.Count != 16) throw (atoms.Count > 0 ? atoms[^1] : (SExpr?)c.Peek ?? c.List).Error("invalid lane length");
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < 16; i++)
        {
            var a = atoms[i];
            if (a.Kind != AtomKind.Number || a.Text[0] is '+' or '-' || !TextNumbers.TryParseU32(a.Text, out var v) || v > 255)
                throw a.Error("i8 constant out of range");
            bytes[i] = (byte)v;
        }
        return V128.FromBytes(bytes);
    }
}
