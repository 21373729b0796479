using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Text;

namespace WasmKiln.Script;

/// <summary>
/// Parses .wast scripts into <see cref="WastScript"/> commands. Modules are only classified here
/// (<see cref="WatParser.ReadModuleForm"/>); they are parsed when the script runs, so a module that
/// does not parse fails its own command, not the whole script. A text made only of module fields
/// is one implicit module. Errors are <see cref="TextParseException"/>s with line and column.
/// </summary>
internal static class WastParser
{
    private static readonly HashSet<string> ModuleFields =
        ["type", "rec", "import", "func", "table", "memory", "global", "export", "start", "elem", "data", "tag"];

    /// <summary>Parses a whole script text.</summary>
    public static WastScript Parse(string text)
    {
        var top = SExprParser.Parse(text);
        var commands = new List<ScriptCommand>();
        // A script made of module fields only is one implicit module.
        SList? firstList = null;
        foreach (var node in top)
            if (node is SList { IsAnnotation: false } l) { firstList = l; break; }
        if (firstList?.Head is { } h && ModuleFields.Contains(h))
        {
            var module = new SList(firstList.Line, firstList.Column) { StartIndex = 0, EndIndex = text.Length };
            module.Items.Add(new SAtom(AtomKind.Keyword, "module", null, firstList.Line, firstList.Column));
            module.Items.AddRange(top);
            commands.Add(new ModuleCommand(WatParser.ReadModuleForm(module), firstList.Line, firstList.Column));
            return new WastScript(commands);
        }
        foreach (var node in top)
        {
            if (node is SList { IsAnnotation: true }) continue;
            if (node is not SList list) throw node.Error("unexpected token " + node + ", expected a command");
            commands.Add(ParseCommand(list));
        }
        return new WastScript(commands);
    }

    private static ScriptCommand ParseCommand(SList list)
    {
        var items = Items(list);
        string head = items.Count > 0 && items[0] is SAtom { Kind: AtomKind.Keyword } a ? a.Text
            : throw list.Error("expected a command keyword");
        switch (head)
        {
            case "module":
                if (items.Count >= 2 && items[1] is SAtom { Kind: AtomKind.Keyword, Text: "instance" })
                {
                    string? inst = null, def = null;
                    int i = 2;
                    if (i < items.Count && items[i] is SAtom { Kind: AtomKind.Id } x) { inst = x.Text; i++; }
                    if (i < items.Count && items[i] is SAtom { Kind: AtomKind.Id } y) { def = y.Text; i++; }
                    if (i != items.Count) throw items[i].Error("unexpected token in module instance");
                    return new ModuleInstanceCommand(inst, def, list.Line, list.Column);
                }
                return new ModuleCommand(WatParser.ReadModuleForm(list), list.Line, list.Column);
            case "register":
            {
                if (items.Count < 2 || items[1] is not SAtom { Kind: AtomKind.String } name) throw list.Error("register: expected a name string");
                string? id = null;
                if (items.Count >= 3)
                {
                    if (items[2] is not SAtom { Kind: AtomKind.Id } idAtom) throw items[2].Error("register: expected a module name");
                    id = idAtom.Text;
                }
                if (items.Count > 3) throw items[3].Error("register: unexpected token");
                return new RegisterCommand(name.Text, id, list.Line, list.Column);
            }
            case "invoke":
            case "get":
            {
                var action = ParseAction(list);
                return new ActionCommand(action.IsGet ? CommandKind.Get : CommandKind.Invoke, action, [], null, list.Line, list.Column);
            }
            case "assert_return":
            {
                if (items.Count < 2) throw list.Error("assert_return: expected an action");
                var action = ParseAction(AsList(items[1], "an action"));
                var expected = new ExpectedResult[items.Count - 2];
                for (int i = 2; i < items.Count; i++) expected[i - 2] = ParseExpected(AsList(items[i], "a result"));
                return new ActionCommand(CommandKind.AssertReturn, action, expected, null, list.Line, list.Column);
            }
            case "assert_trap":
            {
                if (items.Count != 3) throw list.Error("assert_trap: expected an action or module and a message");
                var target = AsList(items[1], "an action or a module");
                string message = Message(items[2]);
                if (target.Head == "module")
                    return new ModuleAssertCommand(CommandKind.AssertTrap, WatParser.ReadModuleForm(target), message, list.Line, list.Column);
                return new ActionCommand(CommandKind.AssertTrap, ParseAction(target), [], message, list.Line, list.Column);
            }
            case "assert_exhaustion":
                if (items.Count != 3) throw list.Error("assert_exhaustion: expected an action and a message");
                return new ActionCommand(CommandKind.AssertExhaustion, ParseAction(AsList(items[1], "an action")), [], Message(items[2]), list.Line, list.Column);
            case "assert_exception":
                if (items.Count != 2) throw list.Error("assert_exception: expected an action");
                return new ActionCommand(CommandKind.AssertException, ParseAction(AsList(items[1], "an action")), [], null, list.Line, list.Column);
            case "assert_malformed": return ModuleAssert(CommandKind.AssertMalformed, list, items);
            case "assert_invalid": return ModuleAssert(CommandKind.AssertInvalid, list, items);
            case "assert_unlinkable": return ModuleAssert(CommandKind.AssertUnlinkable, list, items);
            case "assert_uninstantiable": return ModuleAssert(CommandKind.AssertUninstantiable, list, items);
            case "assert_malformed_custom": return ModuleAssert(CommandKind.AssertMalformedCustom, list, items);
            case "assert_invalid_custom": return ModuleAssert(CommandKind.AssertInvalidCustom, list, items);
            default:
                throw list.Error("unknown script command '" + head + "'");
        }
    }

    private static ModuleAssertCommand ModuleAssert(CommandKind kind, SList list, List<SExpr> items)
    {
        if (items.Count != 3) throw list.Error(KindNames.Of(kind) + ": expected a module and a message");
        var module = AsList(items[1], "a module");
        if (module.Head != "module") throw module.Error(KindNames.Of(kind) + ": expected a module");
        return new ModuleAssertCommand(kind, WatParser.ReadModuleForm(module), Message(items[2]), list.Line, list.Column);
    }

    /// <summary>The items of a list without annotations.</summary>
    private static List<SExpr> Items(SList list)
    {
        bool any = false;
        foreach (var it in list.Items)
            if (it is SList { IsAnnotation: true }) { any = true; break; }
        if (!any) return list.Items;
        var items = new List<SExpr>(list.Items.Count);
        foreach (var it in list.Items)
            if (it is not SList { IsAnnotation: true }) items.Add(it);
        return items;
    }

    private static SList AsList(SExpr e, string what) => e as SList ?? throw e.Error("expected " + what);

    private static string Message(SExpr e) =>
        e is SAtom { Kind: AtomKind.String } s ? s.Text : throw e.Error("expected a message string");

    /// <summary>Parses <c>(invoke $id? "name" const*)</c> or <c>(get $id? "name")</c>.</summary>
    public static ScriptAction ParseAction(SList list)
    {
        var items = Items(list);
        string? head = list.Head;
        if (head is not ("invoke" or "get")) throw list.Error("expected an action (invoke or get)");
        int i = 1;
        string? id = null;
        if (i < items.Count && items[i] is SAtom { Kind: AtomKind.Id } idAtom) { id = idAtom.Text; i++; }
        if (i >= items.Count || items[i] is not SAtom { Kind: AtomKind.String } name) throw list.Error(head + ": expected an export name string");
        i++;
        var args = new Value[items.Count - i];
        if (head == "get" && args.Length > 0) throw items[i].Error("get: unexpected argument");
        for (int k = 0; i < items.Count; i++, k++) args[k] = ParseArgument(AsList(items[i], "an argument constant"));
        return new ScriptAction(head == "get", id, name.Text, args, list.Line);
    }

    /// <summary>Parses an argument constant: <c>t.const</c>, <c>v128.const</c>, <c>ref.null</c>, <c>ref.extern N</c>, <c>ref.host N</c>.</summary>
    public static Value ParseArgument(SList list)
    {
        var items = Items(list);
        string head = list.Head ?? throw list.Error("expected a constant");
        switch (head)
        {
            case "i32.const":
            {
                var s = Operand(list, items, 1);
                if (!TextNumbers.TryParseInt(s.Text, 32, out var v)) throw s.Error("invalid i32 literal " + s.Text);
                End(list, items, 2);
                return Value.I32((int)(uint)v);
            }
            case "i64.const":
            {
                var s = Operand(list, items, 1);
                if (!TextNumbers.TryParseInt(s.Text, 64, out var v)) throw s.Error("invalid i64 literal " + s.Text);
                End(list, items, 2);
                return Value.I64((long)v);
            }
            case "f32.const":
            {
                var s = Operand(list, items, 1);
                if (!TextNumbers.TryParseF32(s.Text, out var v)) throw s.Error("invalid f32 literal " + s.Text);
                End(list, items, 2);
                return Value.F32Bits(v);
            }
            case "f64.const":
            {
                var s = Operand(list, items, 1);
                if (!TextNumbers.TryParseF64(s.Text, out var v)) throw s.Error("invalid f64 literal " + s.Text);
                End(list, items, 2);
                return Value.F64Bits(v);
            }
            case "v128.const":
            {
                var (lo, hi, _, _) = ParseV128(list, items, allowNan: false);
                return Value.V128(new V128(lo, hi));
            }
            case "ref.null":
            {
                var heap = items.Count > 1 ? ParseHeap(items[1]) : HeapType.None;
                End(list, items, items.Count > 1 ? 2 : 1);
                return Value.Null(heap);
            }
            case "ref.extern":
            case "ref.host":
            {
                var s = Operand(list, items, 1);
                if (!TextNumbers.TryParseU32(s.Text, out var n)) throw s.Error("invalid host reference " + s.Text);
                End(list, items, 2);
                return head == "ref.extern" ? ScriptValues.Extern(n) : ScriptValues.Host(n);
            }
            default:
                throw list.Error("unknown constant '" + head + "'");
        }
    }

    /// <summary>Parses an expected result of <c>assert_return</c>.</summary>
    public static ExpectedResult ParseExpected(SList list)
    {
        var items = Items(list);
        string head = list.Head ?? throw list.Error("expected a result");
        string text = Render(list);
        switch (head)
        {
            case "f32.const":
            case "f64.const":
            {
                var s = Operand(list, items, 1);
                End(list, items, 2);
                var type = head == "f32.const" ? ValKind.F32 : ValKind.F64;
                if (s.Text == "nan:canonical") return ExpectedResult.Nan(type, true, text);
                if (s.Text == "nan:arithmetic") return ExpectedResult.Nan(type, false, text);
                return ExpectedResult.Exact(ParseArgument(list), text);
            }
            case "i32.const":
            case "i64.const":
                return ExpectedResult.Exact(ParseArgument(list), text);
            case "v128.const":
            {
                var (lo, hi, laneBits, lanes) = ParseV128(list, items, allowNan: true);
                return lanes != null ? ExpectedResult.V128Lanes(laneBits, lanes, text) : ExpectedResult.Exact(Value.V128(new V128(lo, hi)), text);
            }
            case "ref.null":
            {
                HeapType? heap = items.Count > 1 ? ParseHeap(items[1]) : null;
                End(list, items, items.Count > 1 ? 2 : 1);
                return ExpectedResult.RefNull(heap, text);
            }
            case "ref.extern":
            case "ref.host":
            {
                ulong? payload = null;
                if (items.Count > 1)
                {
                    var s = Operand(list, items, 1);
                    if (!TextNumbers.TryParseU32(s.Text, out var n)) throw s.Error("invalid host reference " + s.Text);
                    payload = n;
                }
                End(list, items, items.Count > 1 ? 2 : 1);
                return ExpectedResult.RefOf([head == "ref.extern" ? RefClass.Extern : RefClass.Host], payload, text);
            }
            case "ref.func": return RefOf(list, items, text, RefClass.Func);
            case "ref.struct": return RefOf(list, items, text, RefClass.Struct);
            case "ref.array": return RefOf(list, items, text, RefClass.Array);
            case "ref.i31": return RefOf(list, items, text, RefClass.I31);
            case "ref.exn": return RefOf(list, items, text, RefClass.Exn);
            case "ref.eq": return RefOf(list, items, text, RefClass.Struct, RefClass.Array, RefClass.I31);
            case "ref.any": return RefOf(list, items, text, RefClass.Struct, RefClass.Array, RefClass.I31, RefClass.Host);
            case "either":
            {
                if (items.Count < 2) throw list.Error("either: expected alternatives");
                var alts = new ExpectedResult[items.Count - 1];
                for (int i = 1; i < items.Count; i++) alts[i - 1] = ParseExpected(AsList(items[i], "a result"));
                return ExpectedResult.Either(alts, text);
            }
            default:
                throw list.Error("unknown result '" + head + "'");
        }
    }

    /// <summary><c>(ref.func)</c>, <c>(ref.struct)</c> etc.: a class of non-null references; an operand (e.g. a function index) is accepted and ignored.</summary>
    private static ExpectedResult RefOf(SList list, List<SExpr> items, string text, params RefClass[] classes)
    {
        if (items.Count > 2) throw items[2].Error("unexpected token");
        return ExpectedResult.RefOf(classes, null, text);
    }

    private static HeapType ParseHeap(SExpr e)
    {
        if (e is SAtom { Kind: AtomKind.Keyword } k && HeapType.FromAbstractName(k.Text) is { } h) return h;
        if (e is SAtom { Kind: AtomKind.Number } n && TextNumbers.TryParseU32(n.Text, out var idx) && idx <= int.MaxValue) return new HeapType((int)idx);
        if (e is SAtom { Kind: AtomKind.Id }) return HeapType.None;
        throw e.Error("invalid heap type " + e);
    }

    private static (ulong Lo, ulong Hi, int LaneBits, LanePattern[]? Lanes) ParseV128(SList list, List<SExpr> items, bool allowNan)
    {
        var shapeAtom = Operand(list, items, 1);
        var (bits, isFloat) = shapeAtom.Text switch
        {
            "i8x16" => (8, false),
            "i16x8" => (16, false),
            "i32x4" => (32, false),
            "i64x2" => (64, false),
            "f32x4" => (32, true),
            "f64x2" => (64, true),
            _ => throw shapeAtom.Error("unknown vector shape " + shapeAtom.Text),
        };
        int count = 128 / bits;
        if (items.Count != 2 + count) throw list.Error($"v128.const {shapeAtom.Text}: expected {count} lanes");
        Span<byte> bytes = stackalloc byte[16];
        LanePattern[]? patterns = null;
        for (int i = 0; i < count; i++)
        {
            var s = Operand(list, items, 2 + i);
            ulong v;
            var kind = ExpectedKind.Exact;
            if (isFloat && allowNan && s.Text is "nan:canonical" or "nan:arithmetic")
            {
                kind = s.Text == "nan:canonical" ? ExpectedKind.NanCanonical : ExpectedKind.NanArithmetic;
                v = 0;
                patterns ??= new LanePattern[count];
            }
            else if (isFloat)
            {
                bool ok;
                if (bits == 32) { ok = TextNumbers.TryParseF32(s.Text, out var f); v = f; }
                else ok = TextNumbers.TryParseF64(s.Text, out v);
                if (!ok) throw s.Error("invalid float lane " + s.Text);
            }
            else if (!TextNumbers.TryParseInt(s.Text, bits, out v))
            {
                throw s.Error("invalid integer lane " + s.Text);
            }
            if (patterns != null) patterns[i] = new LanePattern(kind, v);
            for (int b = 0; b < bits / 8; b++) bytes[i * bits / 8 + b] = (byte)(v >> (8 * b));
        }
        if (patterns != null)
        {
            // Lanes before the first NaN pattern were parsed as exact values: record them too.
            for (int i = 0; i < count; i++)
            {
                if (patterns[i].Kind != ExpectedKind.Exact) continue;
                ulong v = 0;
                for (int b = bits / 8 - 1; b >= 0; b--) v = (v << 8) | bytes[i * bits / 8 + b];
                patterns[i] = new LanePattern(ExpectedKind.Exact, v);
            }
        }
        ulong lo = BitConverter.ToUInt64(bytes[..8]);
        ulong hi = BitConverter.ToUInt64(bytes[8..]);
        return (lo, hi, bits, patterns);
    }

    private static SAtom Operand(SList list, List<SExpr> items, int index)
    {
        if (index >= items.Count) throw new TextParseException((list.Head ?? "constant") + ": missing operand", list.EndLine, list.EndColumn);
        return items[index] as SAtom ?? throw items[index].Error("expected a literal");
    }

    private static void End(SList list, List<SExpr> items, int count)
    {
        if (items.Count > count) throw items[count].Error((list.Head ?? "constant") + ": unexpected token " + items[count]);
    }

    /// <summary>Compact one-line text of a node, for messages.</summary>
    private static string Render(SExpr e)
    {
        if (e is SAtom a) return a.ToString();
        var l = (SList)e;
        var sb = new System.Text.StringBuilder("(");
        for (int i = 0; i < l.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(Render(l[i]));
        }
        return sb.Append(')').ToString();
    }
}
