using System.Globalization;
using System.Text;
using WasmKiln.Binary;
using WasmKiln.Model;

namespace WasmKiln.Text;

/// <summary>
/// Prints a <see cref="ModuleInfo"/> as WebAssembly text. The output parses back (with
/// <see cref="WatParser"/>) to a module that encodes to the same bytes, in the flat or the
/// folded instruction form. Names of the name section become <c>$id</c>s where they are plain,
/// unique identifiers; everything else is referred to by index.
/// </summary>
internal sealed partial class WatPrinter
{
    private readonly ModuleInfo _m;
    private readonly WatNames _names;
    private readonly bool _folded;
    private readonly StringBuilder _sb = new();

    private WatPrinter(ModuleInfo module, bool folded)
    {
        _m = module;
        _folded = folded;
        _names = new WatNames(module.Names);
    }

    /// <summary>Prints a module as WAT text, flat or folded, using names from the name section.</summary>
    public static string Print(ModuleInfo module, bool folded = false)
    {
        var p = new WatPrinter(module, folded);
        p.PrintModule();
        return p._sb.ToString();
    }

    private static string Num(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Indentation stops growing at this depth, so deeply nested code prints in linear size.</summary>
    internal const int MaxIndentDepth = 64;

    /// <summary>Spaces of indentation for nesting depth <paramref name="indent"/>.</summary>
    internal static int IndentWidth(int indent) => Math.Min(indent, MaxIndentDepth) * 2;

    private void Line(int indent, string text)
    {
        _sb.Append(' ', IndentWidth(indent)).Append(text).Append('\n');
    }

    private void PrintModule()
    {
        _sb.Append("(module");
        if (_names.Module != null) _sb.Append(" $").Append(_names.Module);
        _sb.Append('\n');
        PrintTypes();
        PrintImports();
        int firstFunc = _m.ImportedFuncCount;
        for (int i = 0; i < _m.Functions.Count; i++) PrintFunc((uint)(firstFunc + i), _m.Functions[i], i < _m.Codes.Count ? _m.Codes[i] : null);
        for (int i = 0; i < _m.Tables.Count; i++) PrintTable((uint)(_m.ImportedTableCount + i), _m.Tables[i]);
        for (int i = 0; i < _m.Memories.Count; i++)
        {
            uint idx = (uint)(_m.ImportedMemoryCount + i);
            Line(1, "(memory" + WatNames.Def(_names.Memories, idx) + Comment(idx) + " " + MemoryTypeText(_m.Memories[i]) + ")");
        }
        for (int i = 0; i < _m.Tags.Count; i++)
        {
            uint idx = (uint)(_m.ImportedTagCount + i);
            Line(1, "(tag" + WatNames.Def(_names.Tags, idx) + Comment(idx) + TypeUse(_m.Tags[i].TypeIndex, null, false) + ")");
        }
        for (int i = 0; i < _m.Globals.Count; i++)
        {
            uint idx = (uint)(_m.ImportedGlobalCount + i);
            var g = _m.Globals[i];
            Line(1, "(global" + WatNames.Def(_names.Globals, idx) + Comment(idx) + " " + GlobalTypeText(g.Type) + " " + ConstExpr(g.Init) + ")");
        }
        foreach (var e in _m.Exports)
            Line(1, "(export " + Str(e.Name) + " (" + KindKeyword(e.Kind) + " " + IndexRef(e.Kind, e.Index) + "))");
        if (_m.Start is uint start) Line(1, "(start " + WatNames.Ref(_names.Funcs, start) + ")");
        for (int i = 0; i < _m.Elements.Count; i++) PrintElem((uint)i, _m.Elements[i]);
        for (int i = 0; i < _m.Datas.Count; i++) PrintData((uint)i, _m.Datas[i]);
        foreach (var c in _m.Customs)
        {
            if (c.Name == "name") continue;
            var sb = new StringBuilder("(@custom ");
            WatLiterals.AppendString(sb, c.Name);
            sb.Append(' ').Append(Placement(c.After)).Append(' ');
            WatLiterals.AppendString(sb, c.Data.Span);
            sb.Append(')');
            Line(1, sb.ToString());
        }
        _sb.Append(")\n");
    }

    private static string Comment(uint index) => " (;" + Num(index) + ";)";

    private static string Str(string s)
    {
        var sb = new StringBuilder();
        WatLiterals.AppendString(sb, s);
        return sb.ToString();
    }

    private static string Placement(SectionId after) => after switch
    {
        SectionId.Custom => "(before first)",
        SectionId.Type => "(after type)",
        SectionId.Import => "(after import)",
        SectionId.Function => "(after func)",
        SectionId.Table => "(after table)",
        SectionId.Memory => "(after memory)",
        SectionId.Global => "(after global)",
        SectionId.Export => "(after export)",
        SectionId.Start => "(after start)",
        SectionId.Element => "(after elem)",
        SectionId.Code => "(after code)",
        SectionId.Data => "(after data)",
        SectionId.DataCount => "(after datacount)",
        SectionId.Tag => "(after tag)",
        _ => throw new WasmException("cannot print a custom section placed after section " + (int)after),
    };

    private static string KindKeyword(ExternKind k) => k switch
    {
        ExternKind.Func => "func", ExternKind.Table => "table", ExternKind.Memory => "memory",
        ExternKind.Global => "global", _ => "tag",
    };

    private string IndexRef(ExternKind k, uint index) => k switch
    {
        ExternKind.Func => WatNames.Ref(_names.Funcs, index),
        ExternKind.Table => WatNames.Ref(_names.Tables, index),
        ExternKind.Memory => WatNames.Ref(_names.Memories, index),
        ExternKind.Global => WatNames.Ref(_names.Globals, index),
        _ => WatNames.Ref(_names.Tags, index),
    };

    // ---- types ----

    private void PrintTypes()
    {
        bool inRec = false;
        for (int i = 0; i < _m.Types.Count; i++)
        {
            var st = _m.Types[i];
            if (st.RecGroupStart == i && (st.RecGroupSize > 1 || st.ExplicitRec))
            {
                Line(1, "(rec");
                inRec = true;
            }
            Line(inRec ? 2 : 1, "(type" + WatNames.Def(_names.Types, (uint)i) + Comment((uint)i) + " " + SubTypeText(st, (uint)i) + ")");
            if (inRec && i == st.RecGroupStart + st.RecGroupSize - 1)
            {
                _sb.Length--; // newline
                _sb.Append(")\n");
                inRec = false;
            }
        }
    }

    private string SubTypeText(SubType st, uint index)
    {
        string comp = CompositeText(st.Type, index);
        if (!st.ExplicitSub && st.Final && st.Supers.Length == 0) return comp;
        var sb = new StringBuilder("(sub");
        if (st.Final) sb.Append(" final");
        foreach (var s in st.Supers) sb.Append(' ').Append(WatNames.Ref(_names.Types, s));
        sb.Append(' ').Append(comp).Append(')');
        return sb.ToString();
    }

    private string CompositeText(CompositeType ct, uint index)
    {
        var sb = new StringBuilder();
        switch (ct.Kind)
        {
            case CompositeKind.Func:
                sb.Append("(func");
                AppendTypes(sb, "param", ct.Params);
                AppendTypes(sb, "result", ct.Results);
                sb.Append(')');
                break;
            case CompositeKind.Struct:
            {
                sb.Append("(struct");
                var fieldNames = _names.Fields(index);
                for (int f = 0; f < ct.Fields.Length; f++)
                    sb.Append(" (field").Append(WatNames.Def(fieldNames, (uint)f)).Append(' ').Append(FieldTypeText(ct.Fields[f])).Append(')');
                sb.Append(')');
                break;
            }
            default:
                sb.Append("(array ").Append(FieldTypeText(ct.Element)).Append(')');
                break;
        }
        return sb.ToString();
    }

    private string FieldTypeText(FieldType f) => f.Mutable ? "(mut " + ValTypeText(f.Type) + ")" : ValTypeText(f.Type);

    private void AppendTypes(StringBuilder sb, string keyword, ValType[] types)
    {
        if (types.Length == 0) return;
        sb.Append(" (").Append(keyword);
        foreach (var t in types) sb.Append(' ').Append(ValTypeText(t));
        sb.Append(')');
    }

    /// <summary>The text of a value or storage type, with type names where usable.</summary>
    private string ValTypeText(ValType t) => t.Kind switch
    {
        ValKind.I32 => "i32",
        ValKind.I64 => "i64",
        ValKind.F32 => "f32",
        ValKind.F64 => "f64",
        ValKind.V128 => "v128",
        ValKind.I8 => "i8",
        ValKind.I16 => "i16",
        ValKind.Ref => RefTypeText(t.Nullable, t.Heap),
        _ => throw new WasmException("cannot print value type " + t),
    };

    private string RefTypeText(bool nullable, HeapType h)
    {
        if (nullable && h.IsAbstract)
        {
            return h.Value switch
            {
                -0x0C => "nullexnref",
                -0x0D => "nullfuncref",
                -0x0E => "nullexternref",
                -0x0F => "nullref",
                _ => h.AbstractName + "ref",
            };
        }
        return (nullable ? "(ref null " : "(ref ") + HeapTypeText(h) + ")";
    }

    private string HeapTypeText(HeapType h)
    {
        if (h.IsAbstract) return h.AbstractName!;
        if (h.IsIndex) return WatNames.Ref(_names.Types, (uint)h.Value);
        throw new WasmException("cannot print heap type " + h);
    }

    /// <summary>The function type at <paramref name="typeIndex"/>, or null when it is not one.</summary>
    private CompositeType? FuncType(uint typeIndex) =>
        typeIndex < _m.Types.Count && _m.Types[(int)typeIndex].IsFunc ? _m.Types[(int)typeIndex].Type : null;

    /// <summary>
    /// " (type N)" followed by the parameters (named from <paramref name="paramNames"/> when given)
    /// and, when <paramref name="results"/>, the results of the type.
    /// </summary>
    private string TypeUse(uint typeIndex, Dictionary<uint, string>? paramNames, bool results = true)
    {
        var sb = new StringBuilder(" (type ").Append(WatNames.Ref(_names.Types, typeIndex)).Append(')');
        var ft = FuncType(typeIndex);
        if (ft == null) return sb.ToString();
        AppendParams(sb, ft.Params, paramNames);
        if (results) AppendTypes(sb, "result", ft.Results);
        return sb.ToString();
    }

    private void AppendParams(StringBuilder sb, ValType[] ps, Dictionary<uint, string>? names)
    {
        bool open = false;
        for (int i = 0; i < ps.Length; i++)
        {
            if (names != null && names.TryGetValue((uint)i, out var n))
            {
                if (open) { sb.Append(')'); open = false; }
                sb.Append(" (param $").Append(n).Append(' ').Append(ValTypeText(ps[i])).Append(')');
                continue;
            }
            if (!open) { sb.Append(" (param"); open = true; }
            sb.Append(' ').Append(ValTypeText(ps[i]));
        }
        if (open) sb.Append(')');
    }

    private static string LimitsText(Limits l) =>
        (l.Is64 ? "i64 " : "") + Num(l.Min) + (l.Max is ulong max ? " " + Num(max) : "");

    private string TableTypeText(TableType t) => LimitsText(t.Limits) + " " + ValTypeText(t.ElemType);

    private static string MemoryTypeText(MemoryType m) =>
        LimitsText(m.Limits) + (m.Limits.Shared ? " shared" : "") +
        (m.PageSizeLog2 is uint log2 ? " (pagesize " + Num(1UL << (int)log2) + ")" : "");

    private string GlobalTypeText(GlobalType g) => g.Mutable ? "(mut " + ValTypeText(g.Type) + ")" : ValTypeText(g.Type);

    // ---- imports and definitions ----

    private void PrintImports()
    {
        uint func = 0, table = 0, memory = 0, global = 0, tag = 0;
        foreach (var imp in _m.Imports)
        {
            string desc = imp.Kind switch
            {
                ExternKind.Func => "(func" + WatNames.Def(_names.Funcs, func) + Comment(func) + TypeUse(imp.TypeIndex, _names.Locals(func)) + ")",
                ExternKind.Table => "(table" + WatNames.Def(_names.Tables, table) + Comment(table) + " " + TableTypeText(imp.Table) + ")",
                ExternKind.Memory => "(memory" + WatNames.Def(_names.Memories, memory) + Comment(memory) + " " + MemoryTypeText(imp.Memory) + ")",
                ExternKind.Global => "(global" + WatNames.Def(_names.Globals, global) + Comment(global) + " " + GlobalTypeText(imp.Global) + ")",
                _ => "(tag" + WatNames.Def(_names.Tags, tag) + Comment(tag) + TypeUse(imp.TypeIndex, null, false) + ")",
            };
            switch (imp.Kind)
            {
                case ExternKind.Func: func++; break;
                case ExternKind.Table: table++; break;
                case ExternKind.Memory: memory++; break;
                case ExternKind.Global: global++; break;
                default: tag++; break;
            }
            Line(1, "(import " + Str(imp.Module) + " " + Str(imp.Name) + " " + desc + ")");
        }
    }

    private void PrintTable(uint index, TableDef t)
    {
        string head = "(table" + WatNames.Def(_names.Tables, index) + Comment(index) + " " + TableTypeText(t.Type);
        Line(1, t.Init is Expr init ? head + " " + ConstExpr(init) + ")" : head + ")");
    }

    private void PrintFunc(uint index, uint typeIndex, FunctionBody? body)
    {
        var localNames = _names.Locals(index);
        var sb = new StringBuilder("(func").Append(WatNames.Def(_names.Funcs, index)).Append(Comment(index)).Append(TypeUse(typeIndex, localNames));
        if (body is not FunctionBody b)
        {
            Line(1, sb.Append(')').ToString());
            return;
        }
        var ft = FuncType(typeIndex);
        int paramCount = ft?.Params.Length ?? 0;
        var groups = FunctionBodyReader.ReadLocalGroups(b, out int codeStart);
        Line(1, sb.ToString());
        uint local = (uint)paramCount;
        foreach (var (count, type) in groups)
        {
            if (count == 0) continue;
            var ls = new StringBuilder();
            bool open = false;
            string tt = ValTypeText(type);
            for (uint k = 0; k < count; k++, local++)
            {
                if (localNames.TryGetValue(local, out var n))
                {
                    if (open) { ls.Append(')'); open = false; }
                    ls.Append(ls.Length > 0 ? " " : "").Append("(local $").Append(n).Append(' ').Append(tt).Append(')');
                    continue;
                }
                if (!open) { ls.Append(ls.Length > 0 ? " (local" : "(local"); open = true; }
                ls.Append(' ').Append(tt);
            }
            if (open) ls.Append(')');
            Line(2, ls.ToString());
        }
        var code = new CodePrinter(this, index, ft?.Results.Length ?? -1);
        var nodes = code.Build(b.Bytes.Span[codeStart..], b.Offset + codeStart, _folded);
        foreach (var node in nodes) code.PrintNode(node, 2, _folded);
        // Close the function on its last line.
        _sb.Length--;
        _sb.Append(")\n");
    }

    /// <summary>A constant expression, always in folded form: <c>(i32.const 1)</c>, or several such nodes.</summary>
    private string ConstExpr(Expr e)
    {
        var code = new CodePrinter(this, uint.MaxValue, -1);
        var nodes = code.Build(e.Code.Span, e.Offset, true);
        return code.Inline(nodes);
    }

    private void PrintElem(uint index, ElementSegment e)
    {
        var sb = new StringBuilder("(elem").Append(WatNames.Def(_names.Elems, index)).Append(Comment(index));
        var code = new CodePrinter(this, uint.MaxValue, -1);
        switch (e.Mode)
        {
            case SegmentMode.Declarative:
                sb.Append(" declare");
                break;
            case SegmentMode.Active:
            {
                if (e.TableIndex != 0 || _names.Tables.ContainsKey(0))
                    sb.Append(" (table ").Append(WatNames.Ref(_names.Tables, e.TableIndex)).Append(')');
                var off = code.Build(e.Offset.Code.Span, e.Offset.Offset, true);
                sb.Append(off.Count == 1 ? " " + code.Inline(off) : " (offset " + code.Inline(off) + ")");
                break;
            }
        }
        // The abbreviation `func x*` is read as a (ref func) list of function indices: use it for
        // such a segment; otherwise spell out the type and the items.
        // Function indices of type funcref (no exact text form) use it too, as the readable choice.
        if (e.FuncIndices is uint[] funcs && (e.Type == ValType.Ref(HeapType.Func, false) || e.Type == ValType.FuncRef))
        {
            sb.Append(" func");
            foreach (var f in funcs) sb.Append(' ').Append(WatNames.Ref(_names.Funcs, f));
        }
        else if (e.FuncIndices is uint[] refs)
        {
            sb.Append(' ').Append(ValTypeText(e.Type));
            foreach (var f in refs) sb.Append(" (ref.func ").Append(WatNames.Ref(_names.Funcs, f)).Append(')');
        }
        else
        {
            sb.Append(' ').Append(ValTypeText(e.Type));
            foreach (var x in e.Exprs!)
            {
                var nodes = code.Build(x.Code.Span, x.Offset, true);
                sb.Append(nodes.Count == 1 ? " " + code.Inline(nodes) : " (item " + code.Inline(nodes) + ")");
            }
        }
        Line(1, sb.Append(')').ToString());
    }

    private void PrintData(uint index, DataSegment d)
    {
        var sb = new StringBuilder("(data").Append(WatNames.Def(_names.Datas, index)).Append(Comment(index));
        if (d.Mode == SegmentMode.Active)
        {
            if (d.MemoryIndex != 0 || _names.Memories.ContainsKey(0))
                sb.Append(" (memory ").Append(WatNames.Ref(_names.Memories, d.MemoryIndex)).Append(')');
            var code = new CodePrinter(this, uint.MaxValue, -1);
            var off = code.Build(d.Offset.Code.Span, d.Offset.Offset, true);
            sb.Append(off.Count == 1 ? " " + code.Inline(off) : " (offset " + code.Inline(off) + ")");
        }
        sb.Append(' ');
        WatLiterals.AppendString(sb, d.Bytes.Span);
        Line(1, sb.Append(')').ToString());
    }
}
