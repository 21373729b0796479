using System.Globalization;
using System.Text;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Text;

internal sealed partial class WatPrinter
{
    private enum NodeKind : byte { Plain, Block, If, TryTable, Try }

    /// <summary>
    /// One printed instruction: its text (mnemonic and immediates), its folded operands and,
    /// for structured instructions, its bodies.
    /// </summary>
    private sealed class Node(NodeKind kind, string text)
    {
        public NodeKind Kind { get; } = kind;
        public string Text { get; } = text;
        /// <summary>Nesting depth of the node's folded operands (1 without operands).</summary>
        public int Depth { get; set; } = 1;
        /// <summary>Values this node leaves on the stack, or -1 when unknown.</summary>
        public int Pushes { get; set; }
        /// <summary>Folded operands (folded form only).</summary>
        public List<Node>? Args { get; set; }
        /// <summary>True when the node and its operands contain no structured instruction.</summary>
        public bool Simple { get; set; } = kind == NodeKind.Plain;
        public List<Node>? Body { get; set; }
        public bool HasElse { get; set; }
        public List<Node>? Else { get; set; }
        /// <summary>Legacy try: the <c>catch</c>/<c>catch_all</c> clauses with their bodies.</summary>
        public List<(string Text, List<Node> Body)>? Handlers { get; set; }
        /// <summary>Legacy try: <c>delegate L</c>, or null when the try ends with <c>end</c>.</summary>
        public string? Delegate { get; set; }
    }

    private readonly record struct LabelInfo(int Arity, string? Name);

    /// <summary>Operands nest at most this deep; longer chains are printed as a sequence.</summary>
    private const int MaxFoldDepth = 64;

    private static void EnsureStack()
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new WasmException("cannot print: blocks are nested too deeply");
    }

    /// <summary>Builds the node tree of one instruction sequence and prints it.</summary>
    private sealed class CodePrinter(WatPrinter p, uint funcIndex, int funcResults)
    {
        private readonly WatPrinter _p = p;
        private readonly List<LabelInfo> _labels = [];
        private readonly Dictionary<uint, string> _localNames = funcIndex == uint.MaxValue ? [] : p._names.Locals(funcIndex);
        private readonly Dictionary<uint, string> _labelNames = funcIndex == uint.MaxValue ? [] : p._names.Labels(funcIndex);
        private readonly uint _funcIndex = funcIndex;
        private readonly int _funcResults = funcResults;
        private Instruction[] _code = [];
        private int _pos;
        private uint _blockOrdinal;
        private bool _fold;

        /// <summary>Decodes the instructions of <paramref name="code"/> (ending with <c>end</c>) into nodes.</summary>
        public List<Node> Build(ReadOnlySpan<byte> code, int baseOffset, bool fold)
        {
            var list = new List<Instruction>();
            var reader = new InstructionReader(code, baseOffset);
            while (!reader.AtEnd)
            {
                reader.Read(out var ins);
                list.Add(ins);
            }
            _code = list.ToArray();
            _pos = 0;
            _blockOrdinal = 0;
            _fold = fold;
            _labels.Clear();
            _labels.Add(new LabelInfo(_funcResults, null));
            var nodes = Sequence(out var term);
            if (term is not { Op: Op.End } || _pos != _code.Length)
                throw new WasmException(Where() + "cannot print instructions whose blocks are not properly nested");
            return nodes;
        }

        private string Where() => _funcIndex == uint.MaxValue ? "" : "function " + _funcIndex.ToString(CultureInfo.InvariantCulture) + ": ";

        /// <summary>Reads nodes up to the next <c>end</c>, <c>else</c>, <c>catch</c>, <c>catch_all</c> or <c>delegate</c>.</summary>
        private List<Node> Sequence(out Instruction? terminator)
        {
            var seq = new List<Node>();
            int window = 0;
            while (_pos < _code.Length)
            {
                ref readonly var ins = ref _code[_pos++];
                Node node;
                int pops, pushes;
                bool stops = false, children = true;
                switch (ins.Op)
                {
                    case Op.End:
                    case Op.Else:
                    case Op.Catch:
                    case Op.CatchAll:
                    case Op.Delegate:
                        terminator = ins;
                        return seq;
                    case Op.Block:
                    case Op.Loop:
                    case Op.If:
                    case Op.Try:
                    case Op.TryTable:
                    {
                        var (bp, br) = BlockSig(ins.Block);
                        node = Structured(ins, bp, br);
                        pushes = br;
                        if (ins.Op == Op.If) pops = bp < 0 ? -1 : bp + 1;
                        else { pops = bp; children = false; }
                        break;
                    }
                    default:
                        node = new Node(NodeKind.Plain, InstrText(ins));
                        if (!_fold) { pops = pushes = 0; break; }
                        stops = Effect(ins, out pops, out pushes);
                        break;
                }
                node.Pushes = pushes;
                if (_fold) Fold(seq, ref window, node, pops, children, stops);
                else seq.Add(node);
            }
            terminator = null;
            return seq;
        }

        /// <summary>Appends <paramref name="node"/>, taking as its operands the preceding nodes that produce exactly its inputs.</summary>
        private static void Fold(List<Node> seq, ref int window, Node node, int pops, bool children, bool stops)
        {
            if (pops < 0 || (pops > 0 && !children))
            {
                window = seq.Count;
            }
            else if (pops > 0)
            {
                int sum = 0, k = seq.Count;
                while (k > window && sum < pops)
                {
                    k--;
                    int v = seq[k].Pushes;
                    if (v <= 0) { sum = -1; break; }
                    sum += v;
                }
                int depth = 0;
                for (int i = k; i < seq.Count && sum == pops; i++) depth = Math.Max(depth, seq[i].Depth);
                if (sum == pops && depth < MaxFoldDepth)
                {
                    node.Depth = depth + 1;
                    var args = seq.GetRange(k, seq.Count - k);
                    seq.RemoveRange(k, seq.Count - k);
                    node.Args = args;
                    if (node.Kind == NodeKind.Plain)
                        foreach (var a in args) node.Simple &= a.Simple;
                }
                else
                {
                    window = seq.Count;
                }
            }
            seq.Add(node);
            if (stops || node.Pushes <= 0) window = seq.Count;
        }

        private Node Structured(in Instruction ins, int bp, int br)
        {
            EnsureStack();
            string? name = _labelNames.GetValueOrDefault(_blockOrdinal++);
            var info = ins.Info;
            var text = new StringBuilder(info.Name);
            if (name != null) text.Append(" $").Append(name);
            text.Append(BlockTypeText(ins.Block));
            NodeKind kind = ins.Op switch
            {
                Op.If => NodeKind.If,
                Op.Try => NodeKind.Try,
                Op.TryTable => NodeKind.TryTable,
                _ => NodeKind.Block,
            };
            if (kind == NodeKind.TryTable)
            {
                // Catch labels are resolved outside the try_table's own label.
                foreach (var c in ins.Catches!)
                {
                    text.Append(" (").Append(c.Kind switch
                    {
                        CatchKind.Catch => "catch",
                        CatchKind.CatchRef => "catch_ref",
                        CatchKind.CatchAll => "catch_all",
                        _ => "catch_all_ref",
                    });
                    if (c.Kind is CatchKind.Catch or CatchKind.CatchRef) text.Append(' ').Append(WatNames.Ref(_p._names.Tags, c.Tag));
                    text.Append(' ').Append(LabelRef(c.Label)).Append(')');
                }
            }
            var node = new Node(kind, text.ToString());
            _labels.Add(new LabelInfo(ins.Op == Op.Loop ? bp : br, name));
            node.Body = Sequence(out var term);
            if (kind == NodeKind.If && term is { Op: Op.Else })
            {
                node.HasElse = true;
                node.Else = Sequence(out term);
            }
            if (kind == NodeKind.Try)
            {
                while (term is { Op: Op.Catch or Op.CatchAll } h)
                {
                    string ht = h.Op == Op.Catch ? "catch " + WatNames.Ref(_p._names.Tags, h.A) : "catch_all";
                    (node.Handlers ??= []).Add((ht, Sequence(out term)));
                }
                if (term is { Op: Op.Delegate } d && node.Handlers == null)
                {
                    _labels.RemoveAt(_labels.Count - 1);
                    node.Delegate = "delegate " + LabelRef(d.A);
                    return node;
                }
            }
            if (term is not { Op: Op.End })
                throw new WasmException(Where() + "cannot print instructions whose blocks are not properly nested");
            _labels.RemoveAt(_labels.Count - 1);
            return node;
        }

        /// <summary>(params, results) of a block type, or (-1, -1) when its type index is not a function type.</summary>
        private (int, int) BlockSig(BlockType bt) => bt.Kind switch
        {
            BlockTypeKind.Empty => (0, 0),
            BlockTypeKind.Value => (0, 1),
            _ => _p.FuncType(bt.Index) is { } ft ? (ft.Params.Length, ft.Results.Length) : (-1, -1),
        };

        private string BlockTypeText(BlockType bt) => bt.Kind switch
        {
            BlockTypeKind.Empty => "",
            BlockTypeKind.Value => " (result " + _p.ValTypeText(bt.Value) + ")",
            _ => _p.TypeUse(bt.Index, null),
        };

        private int LabelArity(uint depth) => depth < _labels.Count ? _labels[_labels.Count - 1 - (int)depth].Arity : -1;

        /// <summary><c>$name</c> of the label at <paramref name="depth"/> when that name is not shadowed, else the depth.</summary>
        private string LabelRef(uint depth)
        {
            if (depth < _labels.Count)
            {
                int at = _labels.Count - 1 - (int)depth;
                if (_labels[at].Name is string n)
                {
                    bool shadowed = false;
                    for (int j = at + 1; j < _labels.Count; j++)
                        if (_labels[j].Name == n) { shadowed = true; break; }
                    if (!shadowed) return "$" + n;
                }
            }
            return depth.ToString(CultureInfo.InvariantCulture);
        }

        private (int, int) FuncSig(uint typeIndex) =>
            _p.FuncType(typeIndex) is { } ft ? (ft.Params.Length, ft.Results.Length) : (-1, -1);

        /// <summary>
        /// Stack effect of a non-structured instruction (from the table for ordinary ones, from
        /// types for the special ones): values popped and pushed (-1 when unknown). Returns true
        /// when the instruction ends reachable code (a branch, return, throw, unreachable).
        /// </summary>
        private bool Effect(in Instruction ins, out int pops, out int pushes)
        {
            var info = ins.Info;
            if (!info.IsSpecial)
            {
                pops = info.Params.Length;
                pushes = info.Results.Length;
                return false;
            }
            pops = pushes = -1;
            int a;
            switch (ins.Op)
            {
                case Op.Unreachable: pops = 0; pushes = 0; return true;
                case Op.Br: pops = LabelArity(ins.A); pushes = 0; return true;
                case Op.BrIf:
                    a = LabelArity(ins.A);
                    if (a >= 0) { pops = a + 1; pushes = a; }
                    return false;
                case Op.BrTable:
                    a = LabelArity(ins.Labels![^1]);
                    pops = a < 0 ? -1 : a + 1;
                    pushes = 0;
                    return true;
                case Op.Return: pops = _funcResults; pushes = 0; return true;
                case Op.Call:
                case Op.ReturnCall:
                    if (ins.A < _p._m.TotalFuncs) (pops, pushes) = FuncSig(_p._m.FuncTypeIndex(ins.A));
                    return ins.Op == Op.ReturnCall;
                case Op.CallIndirect:
                case Op.ReturnCallIndirect:
                case Op.CallRef:
                case Op.ReturnCallRef:
                    (pops, pushes) = FuncSig(ins.A);
                    if (pops >= 0) pops++;
                    return ins.Op is Op.ReturnCallIndirect or Op.ReturnCallRef;
                case Op.Throw:
                    if (ins.A < _p._m.TotalTags && _p.FuncType(_p._m.TagTypeIndex(ins.A)) is { } tt) pops = tt.Params.Length;
                    pushes = 0;
                    return true;
                case Op.Rethrow: pops = 0; pushes = 0; return true;
                case Op.ThrowRef: pops = 1; pushes = 0; return true;
                case Op.Drop: pops = 1; pushes = 0; return false;
                case Op.Select: pops = 3; pushes = 1; return false;
                case Op.SelectT: pops = 3; pushes = ins.Types!.Length; return false;
                case Op.LocalGet:
                case Op.GlobalGet:
                case Op.RefNull:
                case Op.RefFunc:
                case Op.TableSize:
                case Op.StructNewDefault:
                    pops = 0; pushes = 1; return false;
                case Op.LocalSet:
                case Op.GlobalSet:
                    pops = 1; pushes = 0; return false;
                case Op.LocalTee:
                case Op.TableGet:
                case Op.RefIsNull:
                case Op.RefAsNonNull:
                case Op.StructGet:
                case Op.StructGetS:
                case Op.StructGetU:
                case Op.ArrayNewDefault:
                case Op.ArrayLen:
                case Op.RefTest:
                case Op.RefTestNull:
                case Op.RefCast:
                case Op.RefCastNull:
                case Op.AnyConvertExtern:
                case Op.ExternConvertAny:
                    pops = 1; pushes = 1; return false;
                case Op.TableSet:
                case Op.StructSet:
                    pops = 2; pushes = 0; return false;
                case Op.TableGrow:
                case Op.ArrayNew:
                case Op.ArrayNewData:
                case Op.ArrayNewElem:
                case Op.ArrayGet:
                case Op.ArrayGetS:
                case Op.ArrayGetU:
                    pops = 2; pushes = 1; return false;
                case Op.TableFill:
                case Op.TableCopy:
                case Op.TableInit:
                case Op.MemoryCopy:
                case Op.ArraySet:
                    pops = 3; pushes = 0; return false;
                case Op.ArrayFill:
                case Op.ArrayInitData:
                case Op.ArrayInitElem:
                    pops = 4; pushes = 0; return false;
                case Op.ArrayCopy: pops = 5; pushes = 0; return false;
                case Op.ArrayNewFixed:
                    if (ins.B <= int.MaxValue) { pops = (int)ins.B; pushes = 1; }
                    return false;
                case Op.StructNew:
                    if (ins.A < _p._m.Types.Count && _p._m.Types[(int)ins.A].Type.Kind == CompositeKind.Struct)
                    {
                        pops = _p._m.Types[(int)ins.A].Type.Fields.Length;
                        pushes = 1;
                    }
                    return false;
                case Op.BrOnNull:
                    a = LabelArity(ins.A);
                    if (a >= 0) { pops = a + 1; pushes = a + 1; }
                    return false;
                case Op.BrOnNonNull:
                    a = LabelArity(ins.A);
                    if (a >= 1) { pops = a; pushes = a - 1; }
                    return false;
                case Op.BrOnCast:
                case Op.BrOnCastFail:
                    a = LabelArity(ins.A);
                    if (a >= 1) { pops = a; pushes = a; }
                    return false;
                default:
                    return false;
            }
        }

        /// <summary>The mnemonic and immediates of a non-structured instruction, driven by its <see cref="Imm"/> kind.</summary>
        private string InstrText(in Instruction ins)
        {
            var info = ins.Info;
            var n = _p._names;
            var sb = new StringBuilder(info.Name);
            switch (info.Imm)
            {
                case Imm.None:
                case Imm.Zero:
                    break;
                case Imm.Label: sb.Append(' ').Append(LabelRef(ins.A)); break;
                case Imm.BrTable:
                    foreach (var l in ins.Labels!) sb.Append(' ').Append(LabelRef(l));
                    break;
                case Imm.Func: sb.Append(' ').Append(WatNames.Ref(n.Funcs, ins.A)); break;
                case Imm.CallIndirect:
                    if (ins.B != 0 || n.Tables.ContainsKey(0)) sb.Append(' ').Append(WatNames.Ref(n.Tables, ins.B));
                    sb.Append(" (type ").Append(WatNames.Ref(n.Types, ins.A)).Append(')');
                    break;
                case Imm.Type: sb.Append(' ').Append(WatNames.Ref(n.Types, ins.A)); break;
                case Imm.Local: sb.Append(' ').Append(WatNames.Ref(_localNames, ins.A)); break;
                case Imm.Global: sb.Append(' ').Append(WatNames.Ref(n.Globals, ins.A)); break;
                // Table indices are always printed: some parsers require them on table.get/set.
                case Imm.Table: sb.Append(' ').Append(WatNames.Ref(n.Tables, ins.A)); break;
                case Imm.Memory: OptionalIndex(sb, n.Memories, ins.A); break;
                case Imm.Tag: sb.Append(' ').Append(WatNames.Ref(n.Tags, ins.A)); break;
                case Imm.Data: sb.Append(' ').Append(WatNames.Ref(n.Datas, ins.A)); break;
                case Imm.Elem: sb.Append(' ').Append(WatNames.Ref(n.Elems, ins.A)); break;
                case Imm.MemArg:
                case Imm.MemArgLane:
                    OptionalIndex(sb, n.Memories, ins.A);
                    if (ins.MemOffset != 0) sb.Append(" offset=").Append(Num(ins.MemOffset));
                    if (ins.AlignLog2 != info.NaturalAlignLog2) sb.Append(" align=").Append(Num(1UL << (int)ins.AlignLog2));
                    if (info.Imm == Imm.MemArgLane) sb.Append(' ').Append(Num(ins.B));
                    break;
                case Imm.I32: sb.Append(' ').Append(((int)ins.Int).ToString(CultureInfo.InvariantCulture)); break;
                case Imm.I64: sb.Append(' ').Append(ins.Int.ToString(CultureInfo.InvariantCulture)); break;
                case Imm.F32: sb.Append(' ').Append(WatLiterals.F32((uint)ins.Bits)); break;
                case Imm.F64: sb.Append(' ').Append(WatLiterals.F64(ins.Bits)); break;
                case Imm.V128: sb.Append(' ').Append(WatLiterals.V128(ins.Vector)); break;
                case Imm.Lane: sb.Append(' ').Append(Num(ins.A)); break;
                case Imm.Shuffle:
                    for (int i = 0; i < 16; i++) sb.Append(' ').Append(Num(ins.Vector.Byte(i)));
                    break;
                case Imm.SelectT:
                    sb.Append(" (result");
                    foreach (var t in ins.Types!) sb.Append(' ').Append(_p.ValTypeText(t));
                    sb.Append(')');
                    break;
                case Imm.HeapType:
                    // ref.null names a heap type; ref.test and ref.cast name a reference type,
                    // nullable for their second opcode.
                    if (ins.Op == Op.RefNull) sb.Append(' ').Append(_p.HeapTypeText(ins.Heap));
                    else sb.Append(' ').Append(_p.RefTypeText(ins.Op is Op.RefTestNull or Op.RefCastNull, ins.Heap));
                    break;
                case Imm.TableInit:
                    if (ins.B != 0 || n.Tables.ContainsKey(0)) sb.Append(' ').Append(WatNames.Ref(n.Tables, ins.B));
                    sb.Append(' ').Append(WatNames.Ref(n.Elems, ins.A));
                    break;
                case Imm.TableCopy:
                    if (ins.A != 0 || ins.B != 0 || n.Tables.ContainsKey(0))
                        sb.Append(' ').Append(WatNames.Ref(n.Tables, ins.A)).Append(' ').Append(WatNames.Ref(n.Tables, ins.B));
                    break;
                case Imm.MemoryInit:
                    if (ins.B != 0 || n.Memories.ContainsKey(0)) sb.Append(' ').Append(WatNames.Ref(n.Memories, ins.B));
                    sb.Append(' ').Append(WatNames.Ref(n.Datas, ins.A));
                    break;
                case Imm.MemoryCopy:
                    if (ins.A != 0 || ins.B != 0 || n.Memories.ContainsKey(0))
                        sb.Append(' ').Append(WatNames.Ref(n.Memories, ins.A)).Append(' ').Append(WatNames.Ref(n.Memories, ins.B));
                    break;
                case Imm.TypeField:
                    sb.Append(' ').Append(WatNames.Ref(n.Types, ins.A)).Append(' ').Append(WatNames.Ref(n.Fields(ins.A), ins.B));
                    break;
                case Imm.TypeU32: sb.Append(' ').Append(WatNames.Ref(n.Types, ins.A)).Append(' ').Append(Num(ins.B)); break;
                case Imm.TypeData: sb.Append(' ').Append(WatNames.Ref(n.Types, ins.A)).Append(' ').Append(WatNames.Ref(n.Datas, ins.B)); break;
                case Imm.TypeElem: sb.Append(' ').Append(WatNames.Ref(n.Types, ins.A)).Append(' ').Append(WatNames.Ref(n.Elems, ins.B)); break;
                case Imm.TypeType: sb.Append(' ').Append(WatNames.Ref(n.Types, ins.A)).Append(' ').Append(WatNames.Ref(n.Types, ins.B)); break;
                case Imm.BrOnCast:
                    sb.Append(' ').Append(LabelRef(ins.A))
                      .Append(' ').Append(_p.RefTypeText(ins.Null1, ins.Heap))
                      .Append(' ').Append(_p.RefTypeText(ins.Null2, ins.Heap2));
                    break;
                default:
                    throw new WasmException("cannot print the immediates of " + info.Name);
            }
            return sb.ToString();
        }

        private static void OptionalIndex(StringBuilder sb, Dictionary<uint, string> space, uint index)
        {
            if (index != 0 || space.ContainsKey(0)) sb.Append(' ').Append(WatNames.Ref(space, index));
        }

        // ---- output ----

        /// <summary>Nodes on one line, separated by spaces (constant expressions).</summary>
        public string Inline(List<Node> nodes)
        {
            int mark = _p._sb.Length;
            for (int i = 0; i < nodes.Count; i++)
            {
                if (i > 0) _p._sb.Append(' ');
                Folded(nodes[i], 2);
            }
            string s = _p._sb.ToString(mark, _p._sb.Length - mark);
            _p._sb.Length = mark;
            return s;
        }

        /// <summary>Prints <paramref name="node"/> starting on a new line at <paramref name="indent"/>.</summary>
        public void PrintNode(Node node, int indent, bool folded)
        {
            EnsureStack();
            if (folded)
            {
                _p._sb.Append(' ', IndentWidth(indent));
                Folded(node, indent);
                _p._sb.Append('\n');
                return;
            }
            if (node.Args != null)
                foreach (var a in node.Args) PrintNode(a, indent, false);
            _p.Line(indent, node.Text);
            if (node.Kind == NodeKind.Plain) return;
            PrintAll(node.Body!, indent + 1, false);
            if (node.HasElse)
            {
                _p.Line(indent, "else");
                PrintAll(node.Else!, indent + 1, false);
            }
            if (node.Handlers != null)
            {
                foreach (var (text, body) in node.Handlers)
                {
                    _p.Line(indent, text);
                    PrintAll(body, indent + 1, false);
                }
            }
            _p.Line(indent, node.Delegate ?? "end");
        }

        private void PrintAll(List<Node> nodes, int indent, bool folded)
        {
            foreach (var n in nodes) PrintNode(n, indent, folded);
        }

        /// <summary>Folded form of a node, written at the current position; nested lines use <paramref name="indent"/> + 1.</summary>
        private void Folded(Node node, int indent)
        {
            EnsureStack();
            var sb = _p._sb;
            sb.Append('(').Append(node.Text);
            if (node.Simple)
            {
                if (node.Args != null)
                    foreach (var a in node.Args) { sb.Append(' '); Folded(a, indent); }
                sb.Append(')');
                return;
            }
            if (node.Args != null)
                foreach (var a in node.Args) Nested(a, indent + 1);
            switch (node.Kind)
            {
                case NodeKind.Plain:
                    break;
                case NodeKind.If:
                    Clause("then", node.Body!, indent + 1);
                    if (node.HasElse) Clause("else", node.Else!, indent + 1);
                    break;
                case NodeKind.Try:
                    Clause("do", node.Body!, indent + 1);
                    if (node.Handlers != null)
                        foreach (var (text, body) in node.Handlers) Clause(text, body, indent + 1);
                    if (node.Delegate != null)
                    {
                        sb.Append('\n').Append(' ', IndentWidth(indent + 1)).Append('(').Append(node.Delegate).Append(')');
                    }
                    break;
                default:
                    foreach (var b in node.Body!) Nested(b, indent + 1);
                    break;
            }
            sb.Append(')');
        }

        private void Nested(Node node, int indent)
        {
            _p._sb.Append('\n').Append(' ', IndentWidth(indent));
            Folded(node, indent);
        }

        private void Clause(string head, List<Node> body, int indent)
        {
            _p._sb.Append('\n').Append(' ', IndentWidth(indent)).Append('(').Append(head);
            foreach (var b in body) Nested(b, indent + 1);
            _p._sb.Append(')');
        }
    }
}
