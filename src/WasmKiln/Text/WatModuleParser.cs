using System.Text;
using WasmKiln.Binary;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Text;

/// <summary>
/// An index space of the text format (types, functions, ...): its identifiers and its size.
/// </summary>
internal sealed class WatIdSpace(string kind, Dictionary<uint, string>? names = null)
{
    private readonly Dictionary<string, uint> _ids = new(StringComparer.Ordinal);

    public string Kind { get; } = kind;
    public uint Count { get; private set; }

    /// <summary>Adds an entry, binding <paramref name="id"/> when given ("duplicate KIND $id" on reuse).</summary>
    public uint Add(SAtom? id)
    {
        if (id != null)
        {
            if (!_ids.TryAdd(id.Text, Count)) throw id.Error($"duplicate {Kind} ${id.Text}");
            names?.TryAdd(Count, id.Text);
        }
        return Count++;
    }

    public bool TryGet(string id, out uint index) => _ids.TryGetValue(id, out index);

    /// <summary>Resolves an identifier or a numeric index.</summary>
    public uint Resolve(SAtom a)
    {
        if (a.Kind == AtomKind.Id)
        {
            if (_ids.TryGetValue(a.Text, out var i)) return i;
            throw a.Error($"unknown {Kind} ${a.Text}");
        }
        return WatModuleParser.ParseIndex(a);
    }
}

/// <summary>Parses the fields of one text module (see <see cref="WatParser"/>).</summary>
internal sealed partial class WatModuleParser
{
    private readonly SList _module;
    private readonly int _start;
    private readonly ModuleInfo _m = new();
    private readonly NameSection _names = new();

    private readonly WatIdSpace _types;
    private readonly WatIdSpace _funcs;
    private readonly WatIdSpace _tables;
    private readonly WatIdSpace _memories;
    private readonly WatIdSpace _globals;
    private readonly WatIdSpace _tags;
    private readonly WatIdSpace _elems;
    private readonly WatIdSpace _datas;

    /// <summary>Field identifiers of each struct type, by type index.</summary>
    private readonly Dictionary<uint, Dictionary<string, uint>> _fieldIds = [];

    /// <summary>Type definitions collected in the first pass, in index order.</summary>
    private readonly List<(SList Def, int Rec)> _typeDefs = [];

    /// <summary>Number of <c>(rec ...)</c> groups seen (each group gets its own number).</summary>
    private int _recGroups;

    private bool _usesDataCount;

    internal const string BranchHintAnnotation = "metadata.code.branch_hint";

    /// <summary>Branch hints by function: (offset in the body, hint bytes).</summary>
    private readonly List<(uint Func, List<(int Offset, byte[] Value)> Hints)> _branchHints = [];

    internal void AddBranchHints(uint funcIndex, List<(int Offset, byte[] Value)> hints) => _branchHints.Add((funcIndex, hints));

    /// <summary>The <c>metadata.code.branch_hint</c> custom section, placed before the code section.</summary>
    private void AddBranchHintSection()
    {
        var w = new WasmWriter(64);
        w.U32((uint)_branchHints.Count);
        foreach (var (func, hints) in _branchHints)
        {
            w.U32(func);
            w.U32((uint)hints.Count);
            foreach (var (offset, value) in hints)
            {
                w.U32((uint)offset);
                w.Vec(value);
            }
        }
        _m.Customs.Add(new CustomSection(BranchHintAnnotation, w.ToArray(), SectionId.DataCount, 0));
    }
    private bool _hasStart;

    /// <summary>The proposals the text may use (number ranges of limits depend on memory64).</summary>
    public WasmFeatures Features { get; init; } = WasmFeatures.All;

    public WatModuleParser(SList module, int start)
    {
        _module = module;
        _start = start;
        _types = new WatIdSpace("type", _names.Types);
        _funcs = new WatIdSpace("function", _names.Functions);
        _tables = new WatIdSpace("table", _names.Tables);
        _memories = new WatIdSpace("memory", _names.Memories);
        _globals = new WatIdSpace("global", _names.Globals);
        _tags = new WatIdSpace("tag", _names.Tags);
        _elems = new WatIdSpace("elem segment", _names.Elements);
        _datas = new WatIdSpace("data segment", _names.Datas);
    }

    /// <summary>The module's <c>$id</c>, kept as the module name.</summary>
    public string? ModuleName { get; set; }

    public ModuleInfo Parse()
    {
        var fields = new List<SList>();
        var customs = new List<SList>();
        bool sawName = false;
        for (int i = _start; i < _module.Count; i++)
        {
            var e = _module[i];
            if (e is not SList l) throw WatCursor.Unexpected(e);
            if (l.IsAnnotation)
            {
                switch (l.Annotation)
                {
                    case "custom":
                        customs.Add(l);
                        break;
                    case "name":
                        if (fields.Count > 0) throw l.Error("misplaced @name annotation");
                        if (sawName) throw l.Error("@name annotation: multiple module");
                        sawName = true;
                        var nc = new WatCursor(l);
                        if (nc.Peek is not SAtom { Kind: AtomKind.String } ns) throw l.Error("@name annotation: string expected");
                        ModuleName = Utf8Name(ns);
                        break;
                    case BranchHintAnnotation:
                        throw l.Error("@metadata.code.branch_hint annotation: not in a function");
                }
                continue;
            }
            fields.Add(l);
        }

        BindAll(fields);
        ParseTypeDefs();
        foreach (var f in fields) ParseField(f);
        foreach (var c in customs) ParseCustom(c);
        if (_branchHints.Count > 0) AddBranchHintSection();

        if (_usesDataCount) _m.DataCount = (uint)_m.Datas.Count;
        _names.Module = ModuleName;
        if (HasNames()) _m.Names = _names;
        return _m;
    }

    private bool HasNames() =>
        _names.Module != null || _names.Functions.Count > 0 || _names.Locals.Count > 0 || _names.Types.Count > 0 ||
        _names.Tables.Count > 0 || _names.Memories.Count > 0 || _names.Globals.Count > 0 || _names.Elements.Count > 0 ||
        _names.Datas.Count > 0 || _names.Fields.Count > 0 || _names.Tags.Count > 0 || _names.Labels.Count > 0;

    // ------------------------------------------------------------------------------------------
    // Pass 1: bind identifiers of every index space (forward references are allowed).
    // ------------------------------------------------------------------------------------------

    private void BindAll(List<SList> fields)
    {
        string? definedKind = null;
        foreach (var f in fields)
        {
            var c = new WatCursor(f);
            var head = c.NextAtom();
            if (head.Kind != AtomKind.Keyword) throw WatCursor.Unexpected(head);
            switch (head.Text)
            {
                case "type":
                    BindTypeDef(f, -1);
                    break;
                case "rec":
                {
                    int rec = _recGroups++;
                    while (!c.AtEnd)
                    {
                        var t = c.NextList();
                        if (t.Head != "type") throw WatCursor.Unexpected(t);
                        BindTypeDef(t, rec);
                    }
                    break;
                }
                case "import":
                {
                    c.NextString();
                    c.NextString();
                    var desc = c.NextList();
                    var dc = new WatCursor(desc);
                    var kind = dc.NextAtom();
                    var space = SpaceOf(kind.Text) ?? throw WatCursor.Unexpected(kind);
                    if (definedKind != null) throw f.Error("import after " + definedKind);
                    space.Add(dc.TakeId());
                    break;
                }
                case "func":
                case "table":
                case "memory":
                case "global":
                case "tag":
                {
                    var space = SpaceOf(head.Text)!;
                    var id = c.TakeId();
                    bool isImport = false;
                    while (c.PeekList("export")) c.Next();
                    if (c.PeekList("import")) isImport = true;
                    if (isImport)
                    {
                        if (definedKind != null) throw f.Error("import after " + definedKind);
                    }
                    else
                    {
                        definedKind ??= head.Text == "func" ? "function" : head.Text;
                    }
                    space.Add(id);
                    if (!isImport && head.Text == "table" && HasInlineSegment(c, "elem")) _elems.Add(null);
                    if (!isImport && head.Text == "memory" && HasInlineSegment(c, "data")) _datas.Add(null);
                    break;
                }
                case "elem":
                    _elems.Add(c.TakeId());
                    break;
                case "data":
                    _datas.Add(c.TakeId());
                    break;
                case "export":
                case "start":
                    break;
                default:
                    throw WatCursor.Unexpected(head);
            }
        }
    }

    private static bool HasInlineSegment(WatCursor c, string head)
    {
        for (int k = 0; ; k++)
        {
            var e = c.PeekAt(k);
            if (e == null) return false;
            if (e is SList l && l.Head == head) return true;
        }
    }

    private WatIdSpace? SpaceOf(string kind) => kind switch
    {
        "func" => _funcs,
        "table" => _tables,
        "memory" => _memories,
        "global" => _globals,
        "tag" => _tags,
        _ => null,
    };

    private void BindTypeDef(SList def, int rec)
    {
        var c = new WatCursor(def, 1);
        uint index = _types.Add(c.TakeId());
        _typeDefs.Add((def, rec));
        // Field identifiers of a struct type, possibly inside (sub ...).
        var comp = c.AtEnd ? null : c.Peek as SList;
        if (comp?.Head == "sub")
        {
            var sc = new WatCursor(comp, 1);
            while (!sc.AtEnd && !sc.PeekIsList) sc.Next();
            comp = sc.AtEnd ? null : sc.Peek as SList;
        }
        if (comp?.Head != "struct") return;
        var fc = new WatCursor(comp, 1);
        uint fieldIndex = 0;
        Dictionary<string, uint>? ids = null;
        while (!fc.AtEnd)
        {
            var field = fc.NextList();
            var c2 = new WatCursor(field, 1);
            var id = c2.TakeId();
            if (id != null)
            {
                ids ??= new Dictionary<string, uint>(StringComparer.Ordinal);
                if (!ids.TryAdd(id.Text, fieldIndex)) throw id.Error("duplicate field $" + id.Text);
                if (!_names.Fields.TryGetValue(index, out var fn)) _names.Fields[index] = fn = [];
                fn[fieldIndex] = id.Text;
                fieldIndex++;
            }
            else
            {
                while (!c2.AtEnd) { c2.Next(); fieldIndex++; }
            }
        }
        if (ids != null) _fieldIds[index] = ids;
    }

    // ------------------------------------------------------------------------------------------
    // Pass 2: type definitions.
    // ------------------------------------------------------------------------------------------

    private void ParseTypeDefs()
    {
        int i = 0;
        while (i < _typeDefs.Count)
        {
            var (def, rec) = _typeDefs[i];
            if (rec < 0)
            {
                _m.Types.Add(ParseTypeDef(def, i, 1));
                i++;
                continue;
            }
            // A rec group: the consecutive type definitions of one (rec ...) list.
            int groupStart = i;
            int n = 0;
            while (i + n < _typeDefs.Count && _typeDefs[i + n].Rec == rec) n++;
            for (int k = 0; k < n; k++)
            {
                var st = ParseTypeDef(_typeDefs[i + k].Def, groupStart, n);
                st.ExplicitRec = k == 0;
                _m.Types.Add(st);
            }
            i += n;
        }
    }

    private SubType ParseTypeDef(SList def, int groupStart, int groupSize)
    {
        var c = new WatCursor(def, 1);
        c.TakeId();
        var body = c.NextList();
        c.ExpectEnd();
        SubType st;
        if (body.Head == "sub")
        {
            var sc = new WatCursor(body, 1);
            bool final = sc.TakeKeyword("final");
            var supers = new List<uint>();
            while (sc.PeekIsIndex) supers.Add(_types.Resolve((SAtom)sc.Next()));
            var comp = ParseCompositeType(sc.NextList(), (uint)_m.Types.Count);
            sc.ExpectEnd();
            st = new SubType(comp, final, supers.ToArray()) { ExplicitSub = true };
        }
        else
        {
            st = new SubType(ParseCompositeType(body, (uint)_m.Types.Count), true, []);
        }
        st.RecGroupStart = groupStart;
        st.RecGroupSize = groupSize;
        return st;
    }

    private CompositeType ParseCompositeType(SList body, uint typeIndex)
    {
        var c = new WatCursor(body);
        var head = c.NextAtom();
        switch (head.Text)
        {
            case "func":
            {
                var ps = new List<ValType>();
                var rs = new List<ValType>();
                while (c.PeekList("param")) ParseParamList(c.NextList(), ps, null, true);
                while (c.PeekList("result")) ParseResultList(c.NextList(), rs);
                c.ExpectEnd();
                return CompositeType.Func(ps.ToArray(), rs.ToArray());
            }
            case "struct":
            {
                var fields = new List<FieldType>();
                while (!c.AtEnd)
                {
                    var f = c.NextList();
                    if (f.Head != "field") throw WatCursor.Unexpected(f);
                    var fc = new WatCursor(f, 1);
                    if (fc.TakeId() != null)
                    {
                        fields.Add(ParseFieldType(fc));
                        fc.ExpectEnd();
                    }
                    else
                    {
                        while (!fc.AtEnd) fields.Add(ParseFieldType(fc));
                    }
                }
                return CompositeType.Struct(fields.ToArray());
            }
            case "array":
            {
                var ft = ParseFieldType(c);
                c.ExpectEnd();
                return CompositeType.Array(ft);
            }
            default:
                throw WatCursor.Unexpected(head);
        }
    }

    private FieldType ParseFieldType(WatCursor c)
    {
        if (c.PeekList("mut"))
        {
            var mc = new WatCursor(c.NextList(), 1);
            var t = ParseStorageType(mc);
            mc.ExpectEnd();
            return new FieldType(t, true);
        }
        return new FieldType(ParseStorageType(c), false);
    }

    private ValType ParseStorageType(WatCursor c)
    {
        if (c.TakeKeyword("i8")) return ValType.I8;
        if (c.TakeKeyword("i16")) return ValType.I16;
        return ParseValType(c);
    }

    // ------------------------------------------------------------------------------------------
    // Value types.
    // ------------------------------------------------------------------------------------------

    public ValType ParseValType(WatCursor c)
    {
        var e = c.Next();
        if (e is SAtom a)
        {
            if (a.Kind == AtomKind.Keyword)
            {
                switch (a.Text)
                {
                    case "i32": return ValType.I32;
                    case "i64": return ValType.I64;
                    case "f32": return ValType.F32;
                    case "f64": return ValType.F64;
                    case "v128": return ValType.V128;
                }
                var r = RefAbbreviation(a.Text);
                if (r != null) return r.Value;
            }
            throw WatCursor.Unexpected(a);
        }
        return ParseRefTypeList((SList)e);
    }

    private static ValType? RefAbbreviation(string s) => s switch
    {
        "funcref" => ValType.FuncRef,
        "externref" => ValType.ExternRef,
        "anyref" => ValType.AnyRef,
        "eqref" => ValType.EqRef,
        "i31ref" => ValType.I31Ref,
        "structref" => ValType.StructRef,
        "arrayref" => ValType.ArrayRef,
        "exnref" => ValType.ExnRef,
        "nullref" => ValType.NullRef,
        "nullfuncref" => ValType.NullFuncRef,
        "nullexternref" => ValType.NullExternRef,
        "nullexnref" => ValType.NullExnRef,
        _ => null,
    };

    private ValType ParseRefTypeList(SList l)
    {
        var c = new WatCursor(l);
        var head = c.NextAtom();
        if (!head.IsKeyword("ref")) throw WatCursor.Unexpected(head);
        bool nullable = c.TakeKeyword("null");
        var ht = ParseHeapType(c);
        c.ExpectEnd();
        return ValType.Ref(ht, nullable);
    }

    /// <summary>A reference type: an abbreviation or <c>(ref null? ht)</c>.</summary>
    public ValType ParseRefType(WatCursor c)
    {
        var e = c.Peek ?? throw c.EndError();
        if (e is SAtom a && (a.Kind != AtomKind.Keyword || RefAbbreviation(a.Text) == null)) throw WatCursor.Unexpected(a);
        var t = ParseValType(c);
        if (!t.IsRef) throw WatCursor.Unexpected(e);
        return t;
    }

    public HeapType ParseHeapType(WatCursor c)
    {
        var a = c.NextAtom();
        if (a.Kind == AtomKind.Keyword)
        {
            var h = HeapType.FromAbstractName(a.Text);
            if (h != null) return h.Value;
            throw WatCursor.Unexpected(a);
        }
        if (a.Kind is AtomKind.Id or AtomKind.Number) return new HeapType((int)ResolveType(a));
        throw WatCursor.Unexpected(a);
    }

    private uint ResolveType(SAtom a)
    {
        uint i = _types.Resolve(a);
        if (i > int.MaxValue) throw a.Error("unknown type");
        return i;
    }

    /// <summary>Reads <c>(param ...)</c>: either one <c>$id type</c> or several anonymous types.</summary>
    private void ParseParamList(SList p, List<ValType> types, List<SAtom?>? ids, bool allowIds)
    {
        var c = new WatCursor(p, 1);
        var id = c.TakeId();
        if (id != null)
        {
            if (!allowIds) throw WatCursor.Unexpected(id);
            types.Add(ParseValType(c));
            ids?.Add(id);
            c.ExpectEnd();
            return;
        }
        while (!c.AtEnd)
        {
            types.Add(ParseValType(c));
            ids?.Add(null);
        }
    }

    private void ParseResultList(SList r, List<ValType> types)
    {
        var c = new WatCursor(r, 1);
        while (!c.AtEnd) types.Add(ParseValType(c));
    }

    // ------------------------------------------------------------------------------------------
    // Type uses.
    // ------------------------------------------------------------------------------------------

    /// <summary>A parsed <c>(type x)? (param ...)* (result ...)*</c>.</summary>
    internal sealed class TypeUse
    {
        public SAtom? TypeRef;
        public uint ExplicitIndex;
        public readonly List<ValType> Params = [];
        public readonly List<SAtom?> ParamIds = [];
        public readonly List<ValType> Results = [];
        public bool HasInline => Params.Count > 0 || Results.Count > 0;
    }

    /// <summary>The type use with no clauses (shared; never modified).</summary>
    private static readonly TypeUse EmptyTypeUse = new();

    public TypeUse ReadTypeUse(WatCursor c, bool allowParamIds)
    {
        if (!(c.Peek is SList { Head: "type" or "param" or "result" })) return EmptyTypeUse;
        var tu = new TypeUse();
        var t = c.TakeList("type");
        if (t != null)
        {
            var tc = new WatCursor(t, 1);
            tu.TypeRef = tc.TakeIndex() ?? throw tc.UnexpectedHere();
            tc.ExpectEnd();
            tu.ExplicitIndex = _types.Resolve(tu.TypeRef);
        }
        while (c.PeekList("param")) ParseParamList(c.NextList(), tu.Params, tu.ParamIds, allowParamIds);
        while (c.PeekList("result")) ParseResultList(c.NextList(), tu.Results);
        if (c.PeekList("param") || c.PeekList("type")) throw c.UnexpectedHere();
        if (tu.TypeRef != null && tu.HasInline)
        {
            // Out-of-range indices are otherwise left to the validator; here the type must be known.
            if (tu.ExplicitIndex >= _m.Types.Count) throw tu.TypeRef.Error("unknown type");
            var st = _m.Types[(int)tu.ExplicitIndex];
            if (!st.IsFunc || !SameTypes(st.Type.Params, tu.Params) || !SameTypes(st.Type.Results, tu.Results))
                throw tu.TypeRef.Error("inline function type");
        }
        return tu;
    }

    /// <summary>The type index of a type use: the explicit one, or an existing or new implicit type.</summary>
    public uint TypeIndexOf(TypeUse tu)
    {
        if (tu.TypeRef != null) return tu.ExplicitIndex;
        return ImplicitType(tu.Params, tu.Results);
    }

    private uint ImplicitType(List<ValType> ps, List<ValType> rs)
    {
        for (int i = 0; i < _m.Types.Count; i++)
        {
            var st = _m.Types[i];
            if (st.RecGroupSize == 1 && st.Final && st.Supers.Length == 0 && st.IsFunc &&
                SameTypes(st.Type.Params, ps) && SameTypes(st.Type.Results, rs))
                return (uint)i;
        }
        int index = _m.Types.Count;
        _m.Types.Add(new SubType(CompositeType.Func(ps.ToArray(), rs.ToArray()), true, []) { RecGroupStart = index, RecGroupSize = 1 });
        return (uint)index;
    }

    private static bool SameTypes(ValType[] a, List<ValType> b)
    {
        if (a.Length != b.Count) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return false;
        return true;
    }

    /// <summary>The parameter types of a function type use (from the explicit type when there are no inline ones).</summary>
    private ValType[] ParamsOf(TypeUse tu, uint typeIndex)
    {
        if (tu.TypeRef != null && !tu.HasInline)
        {
            if (typeIndex >= _m.Types.Count) return [];
            var st = _m.Types[(int)typeIndex];
            return st.IsFunc ? st.Type.Params : [];
        }
        return tu.Params.ToArray();
    }

    // ------------------------------------------------------------------------------------------
    // Pass 3: module fields in order.
    // ------------------------------------------------------------------------------------------

    private void ParseField(SList f)
    {
        switch (f.Head)
        {
            case "type":
            case "rec":
                return;
            case "import": ParseImport(f); return;
            case "func": ParseFunc(f); return;
            case "table": ParseTable(f); return;
            case "memory": ParseMemory(f); return;
            case "global": ParseGlobal(f); return;
            case "tag": ParseTag(f); return;
            case "export": ParseExport(f); return;
            case "start": ParseStart(f); return;
            case "elem": ParseElem(f); return;
            case "data": ParseData(f); return;
            default: throw WatCursor.Unexpected(f);
        }
    }

    private static string Utf8Name(SAtom s)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(s.Bytes!);
        }
        catch (DecoderFallbackException)
        {
            throw s.Error("malformed UTF-8 encoding");
        }
    }

    private void ParseImport(SList f)
    {
        var c = new WatCursor(f, 1);
        string module = Utf8Name(c.NextString());
        string name = Utf8Name(c.NextString());
        var desc = c.NextList();
        c.ExpectEnd();
        var dc = new WatCursor(desc);
        var kind = dc.NextAtom();
        var id = dc.TakeId();
        AddImport(kind, id, module, name, dc);
        dc.ExpectEnd();
    }

    /// <summary>Adds an import of <paramref name="kind"/> whose description follows in <paramref name="c"/>.</summary>
    private void AddImport(SAtom kind, SAtom? id, string module, string name, WatCursor c)
    {
        switch (kind.Text)
        {
            case "func":
            {
                var tu = ReadTypeUse(c, true);
                uint ti = TypeIndexOf(tu);
                uint fi = (uint)_m.TotalFuncs;
                AddParamNames(fi, tu);
                _m.AddImport(new Import(module, name, ExternKind.Func) { TypeIndex = ti });
                break;
            }
            case "table":
                _m.AddImport(new Import(module, name, ExternKind.Table) { Table = ParseTableType(c) });
                break;
            case "memory":
                _m.AddImport(new Import(module, name, ExternKind.Memory) { Memory = ParseMemoryType(c) });
                break;
            case "global":
                _m.AddImport(new Import(module, name, ExternKind.Global) { Global = ParseGlobalType(c) });
                break;
            case "tag":
            {
                var tu = ReadTypeUse(c, true);
                _m.AddImport(new Import(module, name, ExternKind.Tag) { TypeIndex = TypeIndexOf(tu) });
                break;
            }
            default:
                throw WatCursor.Unexpected(kind);
        }
    }

    private void AddParamNames(uint funcIndex, TypeUse tu)
    {
        for (int i = 0; i < tu.ParamIds.Count; i++)
        {
            var pid = tu.ParamIds[i];
            if (pid == null) continue;
            if (!_names.Locals.TryGetValue(funcIndex, out var ln)) _names.Locals[funcIndex] = ln = [];
            ln[(uint)i] = pid.Text;
        }
    }

    /// <summary>Reads <c>(export "name")*</c> and <c>(import "m" "n")?</c> of an inline definition.</summary>
    private (List<string> Exports, SList? Import) ReadInlineExportsImport(WatCursor c)
    {
        var exports = new List<string>();
        SList? import = null;
        while (true)
        {
            if (c.PeekList("export"))
            {
                if (import != null) throw WatCursor.Unexpected(c.Peek!);
                var ec = new WatCursor(c.NextList(), 1);
                exports.Add(Utf8Name(ec.NextString()));
                ec.ExpectEnd();
            }
            else if (c.PeekList("import") && import == null)
            {
                import = c.NextList();
            }
            else
            {
                return (exports, import);
            }
        }
    }

    private void AddExports(List<string> names, ExternKind kind, uint index)
    {
        foreach (var n in names) _m.Exports.Add(new Export(n, kind, index));
    }

    /// <summary>Handles the inline <c>(import "m" "n")</c> form; returns true when the definition was an import.</summary>
    private bool InlineImport(SList? import, SAtom kind, SAtom? id, WatCursor c)
    {
        if (import == null) return false;
        var ic = new WatCursor(import, 1);
        string module = Utf8Name(ic.NextString());
        string name = Utf8Name(ic.NextString());
        ic.ExpectEnd();
        AddImport(kind, id, module, name, c);
        c.ExpectEnd();
        return true;
    }

    private void ParseFunc(SList f)
    {
        var c = new WatCursor(f);
        var kind = c.NextAtom();
        var id = c.TakeId();
        uint index = (uint)_m.TotalFuncs;
        var (exports, import) = ReadInlineExportsImport(c);
        AddExports(exports, ExternKind.Func, index);
        if (InlineImport(import, kind, id, c)) return;

        var tu = ReadTypeUse(c, true);
        uint ti = TypeIndexOf(tu);
        _m.Functions.Add(ti);
        AddParamNames(index, tu);
        var body = new FunctionBodyBuilder(this, index);
        var ps = ParamsOf(tu, ti);
        for (int i = 0; i < ps.Length; i++) body.DeclareLocal(i < tu.ParamIds.Count ? tu.ParamIds[i] : null);
        var groups = new List<(uint Count, ValType Type)>();
        while (c.PeekList("local"))
        {
            var lc = new WatCursor(c.NextList(), 1);
            var lid = lc.TakeId();
            if (lid != null)
            {
                var t = ParseValType(lc);
                lc.ExpectEnd();
                body.DeclareLocal(lid);
                AddLocal(groups, t);
            }
            else
            {
                while (!lc.AtEnd)
                {
                    AddLocal(groups, ParseValType(lc));
                    body.DeclareLocal(null);
                }
            }
        }
        var w = new WasmWriter(64);
        w.U32((uint)groups.Count);
        foreach (var (n, t) in groups)
        {
            w.U32(n);
            TypeCodec.WriteValType(w, t);
        }
        body.Writer = w;
        body.ParseBody(c);
        w.Byte(0x0B);
        if (body.BranchHints != null) AddBranchHints(index, body.BranchHints);
        _m.Codes.Add(new FunctionBody(w.ToArray(), 0));
    }

    private static void AddLocal(List<(uint Count, ValType Type)> groups, ValType t)
    {
        if (groups.Count > 0 && groups[^1].Type == t) groups[^1] = (groups[^1].Count + 1, t);
        else groups.Add((1, t));
    }

    internal void NoteLocalName(uint funcIndex, uint localIndex, string name)
    {
        if (!_names.Locals.TryGetValue(funcIndex, out var ln)) _names.Locals[funcIndex] = ln = [];
        ln[localIndex] = name;
    }

    // ---- tables, memories, globals, tags ----

    private static bool IsAddrType(WatCursor c) => c.PeekKeyword("i32") || c.PeekKeyword("i64");

    private Limits ParseLimits(WatCursor c, bool is64, bool allowShared)
    {
        var minAtom = c.NextAtom();
        ulong min = ParseLimit(minAtom, is64);
        ulong? max = null;
        if (c.PeekIsNumber) max = ParseLimit((SAtom)c.Next(), is64);
        bool shared = false;
        if (allowShared)
        {
            if (c.TakeKeyword("shared")) shared = true;
            else c.TakeKeyword("unshared");
        }
        return new Limits(min, max, is64, shared);
    }

    /// <summary>
    /// A limit: a u64 literal (32-bit ranges are checked by the validator); without memory64 in
    /// <see cref="Features"/>, a u32 literal as in WebAssembly before memory64.
    /// </summary>
    private ulong ParseLimit(SAtom a, bool is64)
    {
        if (a.Kind != AtomKind.Number) throw WatCursor.Unexpected(a);
        if (TextNumbers.TryParseU64(a.Text, out var v))
        {
            if (!is64 && (Features & WasmFeatures.Memory64) == 0 && v > uint.MaxValue) throw a.Error("i32 constant out of range");
            return v;
        }
        if (TextNumbers.IsIntSyntax(a.Text) && a.Text[0] is not ('-' or '+')) throw a.Error("i64 constant out of range");
        throw WatCursor.Unexpected(a);
    }

    private TableType ParseTableType(WatCursor c)
    {
        bool is64 = false;
        if (IsAddrType(c)) is64 = c.NextAtom().Text == "i64";
        var limits = ParseLimits(c, is64, false);
        var t = ParseRefType(c);
        return new TableType(t, limits);
    }

    private MemoryType ParseMemoryType(WatCursor c)
    {
        bool is64 = false;
        if (IsAddrType(c)) is64 = c.NextAtom().Text == "i64";
        var limits = ParseLimits(c, is64, true);
        uint? pageLog2 = ParsePageSize(c);
        return new MemoryType(limits, pageLog2);
    }

    private static uint? ParsePageSize(WatCursor c)
    {
        var ps = c.TakeList("pagesize");
        if (ps == null) return null;
        var pc = new WatCursor(ps, 1);
        var a = pc.NextAtom();
        pc.ExpectEnd();
        if (!TextNumbers.TryParseU32(a.Text, out var size) || size == 0 || (size & (size - 1)) != 0)
            throw a.Error("invalid custom page size");
        return (uint)System.Numerics.BitOperations.Log2(size);
    }

    private GlobalType ParseGlobalType(WatCursor c)
    {
        if (c.PeekList("mut"))
        {
            var mc = new WatCursor(c.NextList(), 1);
            var t = ParseValType(mc);
            mc.ExpectEnd();
            return new GlobalType(t, true);
        }
        return new GlobalType(ParseValType(c), false);
    }

    private void ParseTable(SList f)
    {
        var c = new WatCursor(f);
        var kind = c.NextAtom();
        var id = c.TakeId();
        uint index = (uint)_m.TotalTables;
        var (exports, import) = ReadInlineExportsImport(c);
        AddExports(exports, ExternKind.Table, index);
        if (InlineImport(import, kind, id, c)) return;

        bool is64 = false;
        if (IsAddrType(c)) is64 = c.NextAtom().Text == "i64";
        if (!c.PeekIsNumber)
        {
            // (table addrtype? reftype (elem ...)): the size is the number of elements.
            var rt = ParseRefType(c);
            var elem = c.NextList();
            if (elem.Head != "elem") throw WatCursor.Unexpected(elem);
            c.ExpectEnd();
            var ec = new WatCursor(elem, 1);
            var seg = ParseElemList(ec, rt, allowBareIndices: true);
            ulong n = (ulong)seg.Count;
            _m.Tables.Add(new TableDef(new TableType(rt, new Limits(n, n, is64)), null));
            _m.Elements.Add(new ElementSegment
            {
                Mode = SegmentMode.Active,
                TableIndex = index,
                Offset = ConstZero(is64),
                Type = seg.Type,
                FuncIndices = seg.FuncIndices,
                Exprs = seg.Exprs,
            });
            return;
        }
        var limits = ParseLimits(c, is64, false);
        var t = ParseRefType(c);
        Expr? init = null;
        if (!c.AtEnd) init = ParseConstExpr(c);
        c.ExpectEnd();
        _m.Tables.Add(new TableDef(new TableType(t, limits), init));
    }

    private static Expr ConstZero(bool is64)
    {
        var w = new WasmWriter(4);
        w.Byte(is64 ? (byte)0x42 : (byte)0x41);
        w.Byte(0);
        w.Byte(0x0B);
        return new Expr(w.ToArray(), 0);
    }

    private void ParseMemory(SList f)
    {
        var c = new WatCursor(f);
        var kind = c.NextAtom();
        var id = c.TakeId();
        uint index = (uint)_m.TotalMemories;
        var (exports, import) = ReadInlineExportsImport(c);
        AddExports(exports, ExternKind.Memory, index);
        if (InlineImport(import, kind, id, c)) return;

        bool is64 = false;
        if (IsAddrType(c)) is64 = c.NextAtom().Text == "i64";
        if (c.PeekList("data"))
        {
            var dc = new WatCursor(c.NextList(), 1);
            c.ExpectEnd();
            var bytes = ReadDataStrings(dc);
            ulong pages = ((ulong)bytes.Length + 65535) / 65536;
            _m.Memories.Add(new MemoryType(new Limits(pages, pages, is64)));
            _m.Datas.Add(new DataSegment { Mode = SegmentMode.Active, MemoryIndex = index, Offset = ConstZero(is64), Bytes = bytes });
            return;
        }
        var limits = ParseLimits(c, is64, true);
        var pageLog2 = ParsePageSize(c);
        c.ExpectEnd();
        _m.Memories.Add(new MemoryType(limits, pageLog2));
    }

    private static byte[] ReadDataStrings(WatCursor c)
    {
        var bytes = new List<byte>();
        while (!c.AtEnd) bytes.AddRange(c.NextString().Bytes!);
        return bytes.ToArray();
    }

    private void ParseGlobal(SList f)
    {
        var c = new WatCursor(f);
        var kind = c.NextAtom();
        var id = c.TakeId();
        uint index = (uint)_m.TotalGlobals;
        var (exports, import) = ReadInlineExportsImport(c);
        AddExports(exports, ExternKind.Global, index);
        if (InlineImport(import, kind, id, c)) return;
        var gt = ParseGlobalType(c);
        var init = ParseConstExpr(c);
        _m.Globals.Add(new GlobalDef(gt, init));
    }

    private void ParseTag(SList f)
    {
        var c = new WatCursor(f);
        var kind = c.NextAtom();
        var id = c.TakeId();
        uint index = (uint)_m.TotalTags;
        var (exports, import) = ReadInlineExportsImport(c);
        AddExports(exports, ExternKind.Tag, index);
        if (InlineImport(import, kind, id, c)) return;
        var tu = ReadTypeUse(c, true);
        c.ExpectEnd();
        _m.Tags.Add(new TagType(TypeIndexOf(tu)));
    }

    private void ParseExport(SList f)
    {
        var c = new WatCursor(f, 1);
        string name = Utf8Name(c.NextString());
        var desc = c.NextList();
        c.ExpectEnd();
        var dc = new WatCursor(desc);
        var kind = dc.NextAtom();
        var space = SpaceOf(kind.Text) ?? throw WatCursor.Unexpected(kind);
        var idx = dc.TakeIndex() ?? throw dc.UnexpectedHere();
        dc.ExpectEnd();
        var ek = kind.Text switch
        {
            "func" => ExternKind.Func,
            "table" => ExternKind.Table,
            "memory" => ExternKind.Memory,
            "global" => ExternKind.Global,
            _ => ExternKind.Tag,
        };
        _m.Exports.Add(new Export(name, ek, space.Resolve(idx)));
    }

    private void ParseStart(SList f)
    {
        var c = new WatCursor(f, 1);
        var idx = c.TakeIndex() ?? throw c.UnexpectedHere();
        c.ExpectEnd();
        if (_hasStart) throw f.Error("multiple start sections");
        _hasStart = true;
        _m.Start = _funcs.Resolve(idx);
    }

    // ---- element and data segments ----

    private sealed record ElemList(ValType Type, uint[]? FuncIndices, Expr[]? Exprs)
    {
        public int Count => FuncIndices?.Length ?? Exprs!.Length;
    }

    /// <summary>
    /// Reads an element list: <c>func x*</c>, bare <c>x*</c> (when allowed), or <c>reftype item*</c>.
    /// A funcref list made only of <c>ref.func</c> items uses the function-index form.
    /// </summary>
    private ElemList ParseElemList(WatCursor c, ValType? tableType, bool allowBareIndices)
    {
        ValType t;
        var exprs = new List<Expr>();
        if (c.TakeKeyword("func") || (allowBareIndices && (c.AtEnd || c.PeekIsIndex)))
        {
            // `func x*` has type (ref func); in an inline table of a concrete function type the
            // list takes the table's type so that it matches the table.
            t = tableType is { Heap.IsIndex: true } typed ? typed : ValType.Ref(HeapType.Func, false);
            while (!c.AtEnd)
            {
                uint fi = _funcs.Resolve(c.NextAtom());
                var w = new WasmWriter(8);
                w.Byte(0xD2);
                w.U32(fi);
                w.Byte(0x0B);
                exprs.Add(new Expr(w.ToArray(), 0));
            }
        }
        else
        {
            t = tableType != null && !(c.Peek is SAtom { Kind: AtomKind.Keyword } || c.PeekList("ref")) ? tableType.Value : ParseRefType(c);
            while (!c.AtEnd)
            {
                var item = c.NextList();
                exprs.Add(item.Head == "item" ? ParseConstExprAll(new WatCursor(item, 1)) : ParseConstExprSingle(item));
            }
        }
        // A (ref func) list made only of ref.func items uses the function-index form (elemkind 0x00).
        if (t == ValType.Ref(HeapType.Func, false))
        {
            var funcs = new uint[exprs.Count];
            bool all = true;
            for (int i = 0; i < exprs.Count && all; i++) all = TryRefFuncIndex(exprs[i], out funcs[i]);
            if (all) return new ElemList(t, funcs, null);
        }
        return new ElemList(t, null, exprs.ToArray());
    }

    /// <summary>True when <paramref name="e"/> is exactly <c>ref.func x end</c>.</summary>
    private static bool TryRefFuncIndex(Expr e, out uint index)
    {
        index = 0;
        var s = e.Code.Span;
        if (s.Length < 3 || s[0] != 0xD2 || s[^1] != 0x0B) return false;
        var r = new WasmReader(s[1..]);
        index = r.ReadU32();
        return r.Position == s.Length - 2;
    }

    private void ParseElem(SList f)
    {
        var c = new WatCursor(f, 1);
        c.TakeId();
        if (c.TakeKeyword("declare"))
        {
            var l = ParseElemList(c, null, false);
            _m.Elements.Add(new ElementSegment { Mode = SegmentMode.Declarative, Type = l.Type, FuncIndices = l.FuncIndices, Exprs = l.Exprs });
            return;
        }
        uint table = 0;
        bool active = false;
        var tl = c.TakeList("table");
        if (tl != null)
        {
            var tc = new WatCursor(tl, 1);
            table = _tables.Resolve(tc.TakeIndex() ?? throw tc.UnexpectedHere());
            tc.ExpectEnd();
            active = true;
        }
        else if (c.PeekIsIndex)
        {
            // Legacy form (elem x (offset ...) ...): a bare table index.
            table = _tables.Resolve((SAtom)c.Next());
            active = true;
        }
        Expr offset = default;
        if (c.PeekList("offset"))
        {
            offset = ParseConstExprAll(new WatCursor(c.NextList(), 1));
            active = true;
        }
        else if (c.PeekIsList && !c.PeekList("item") && !c.PeekList("ref") && (active || IsInstrList(c.Peek)))
        {
            offset = ParseConstExprSingle(c.NextList());
            active = true;
        }
        else if (active)
        {
            throw c.UnexpectedHere();
        }
        if (!active)
        {
            var l = ParseElemList(c, null, false);
            _m.Elements.Add(new ElementSegment { Mode = SegmentMode.Passive, Type = l.Type, FuncIndices = l.FuncIndices, Exprs = l.Exprs });
            return;
        }
        var list = ParseElemList(c, null, allowBareIndices: tl == null);
        _m.Elements.Add(new ElementSegment
        {
            Mode = SegmentMode.Active,
            TableIndex = table,
            Offset = offset,
            Type = list.Type,
            FuncIndices = list.FuncIndices,
            Exprs = list.Exprs,
        });
    }

    private static bool IsInstrList(SExpr? e) => e is SList l && l.Head is { } h && OpTable.TryGetByName(h, out _);

    private void ParseData(SList f)
    {
        var c = new WatCursor(f, 1);
        c.TakeId();
        uint mem = 0;
        bool active = false;
        var ml = c.TakeList("memory");
        if (ml != null)
        {
            var mc = new WatCursor(ml, 1);
            mem = _memories.Resolve(mc.TakeIndex() ?? throw mc.UnexpectedHere());
            mc.ExpectEnd();
            active = true;
        }
        else if (c.PeekIsIndex)
        {
            mem = _memories.Resolve((SAtom)c.Next());
            active = true;
        }
        Expr offset = default;
        if (c.PeekList("offset"))
        {
            offset = ParseConstExprAll(new WatCursor(c.NextList(), 1));
            active = true;
        }
        else if (c.PeekIsList)
        {
            offset = ParseConstExprSingle(c.NextList());
            active = true;
        }
        else if (active)
        {
            throw c.UnexpectedHere();
        }
        var bytes = ReadDataStrings(c);
        _m.Datas.Add(active
            ? new DataSegment { Mode = SegmentMode.Active, MemoryIndex = mem, Offset = offset, Bytes = bytes }
            : new DataSegment { Mode = SegmentMode.Passive, Bytes = bytes });
    }

    // ---- constant expressions ----

    /// <summary>A constant expression made of the remaining instructions of <paramref name="c"/>.</summary>
    private Expr ParseConstExprAll(WatCursor c)
    {
        var body = new FunctionBodyBuilder(this, uint.MaxValue) { Writer = new WasmWriter(16) };
        body.ParseBody(c);
        InstructionWriter.WriteOpcode(body.Writer, Op.End);
        return new Expr(body.Writer.ToArray(), 0);
    }

    /// <summary>A constant expression given as one folded instruction.</summary>
    private Expr ParseConstExprSingle(SList instr)
    {
        var body = new FunctionBodyBuilder(this, uint.MaxValue) { Writer = new WasmWriter(16) };
        body.ParseFolded(instr);
        InstructionWriter.WriteOpcode(body.Writer, Op.End);
        return new Expr(body.Writer.ToArray(), 0);
    }

    /// <summary>The global's or table's initializer: every remaining item is an instruction.</summary>
    private Expr ParseConstExpr(WatCursor c) => ParseConstExprAll(c);

    // ---- custom sections ----

    private void ParseCustom(SList a)
    {
        var c = new WatCursor(a);
        if (c.Peek is not SAtom { Kind: AtomKind.String } nameAtom) throw (c.Peek ?? a).Error("@custom annotation: missing section name");
        c.Next();
        string name;
        try
        {
            name = new UTF8Encoding(false, true).GetString(nameAtom.Bytes!);
        }
        catch (DecoderFallbackException)
        {
            throw nameAtom.Error("@custom annotation: malformed UTF-8 encoding");
        }
        var after = SectionId.Data;
        bool placed = false;
        if (c.Peek is SList p)
        {
            c.Next();
            var pc = new WatCursor(p);
            var where = pc.Peek as SAtom;
            if (where == null || !(where.IsKeyword("before") || where.IsKeyword("after")))
                throw p.Error("@custom annotation: malformed placement");
            pc.Next();
            if (pc.Peek is not SAtom { Kind: AtomKind.Keyword } sec) throw p.Error("@custom annotation: malformed section kind");
            pc.Next();
            if (!pc.AtEnd) throw p.Error("@custom annotation: malformed placement");
            after = PlacementToAfter(where.Text == "before", sec) ?? throw sec.Error("@custom annotation: malformed section kind");
            placed = true;
        }
        var bytes = new List<byte>();
        while (!c.AtEnd)
        {
            if (c.Peek is not SAtom { Kind: AtomKind.String } s) throw c.Peek!.Error("@custom annotation: unexpected token");
            c.Next();
            bytes.AddRange(s.Bytes!);
        }
        _ = placed;
        _m.Customs.Add(new CustomSection(name, bytes.ToArray(), after, 0));
    }

    /// <summary>The canonical section order of the binary format (custom sections aside).</summary>
    private static readonly SectionId[] SectionOrder =
    [
        SectionId.Type, SectionId.Import, SectionId.Function, SectionId.Table, SectionId.Memory, SectionId.Tag,
        SectionId.Global, SectionId.Export, SectionId.Start, SectionId.Element, SectionId.DataCount, SectionId.Code,
        SectionId.Data,
    ];

    private static SectionId? PlacementToAfter(bool before, SAtom sec)
    {
        if (sec.Text == "first") return before ? SectionId.Custom : SectionId.Type;
        if (sec.Text == "last") return before ? SectionId.Code : SectionId.Data;
        SectionId? id = sec.Text switch
        {
            "type" => SectionId.Type, "import" => SectionId.Import, "func" => SectionId.Function,
            "table" => SectionId.Table, "memory" => SectionId.Memory, "global" => SectionId.Global,
            "export" => SectionId.Export, "start" => SectionId.Start, "elem" => SectionId.Element,
            "code" => SectionId.Code, "data" => SectionId.Data, "datacount" => SectionId.DataCount,
            "tag" => SectionId.Tag, _ => null,
        };
        if (id == null) return null;
        if (!before) return id;
        int pos = Array.IndexOf(SectionOrder, id.Value);
        return pos == 0 ? SectionId.Custom : SectionOrder[pos - 1];
    }

    // ---- helpers used by the instruction parser ----

    /// <summary>A numeric index (u32) of the text format.</summary>
    public static uint ParseIndex(SAtom a)
    {
        if (a.Kind != AtomKind.Number) throw WatCursor.Unexpected(a);
        if (TextNumbers.TryParseU32(a.Text, out var v)) return v;
        if (TextNumbers.IsIntSyntax(a.Text) && a.Text[0] is not ('-' or '+')) throw a.Error("i32 constant out of range");
        throw WatCursor.Unexpected(a);
    }

    internal ModuleInfo Module => _m;
    internal WatIdSpace Types => _types;
    internal WatIdSpace Funcs => _funcs;
    internal WatIdSpace Tables => _tables;
    internal WatIdSpace Memories => _memories;
    internal WatIdSpace Globals => _globals;
    internal WatIdSpace Tags => _tags;
    internal WatIdSpace Elems => _elems;
    internal WatIdSpace Datas => _datas;

    internal void NoteDataCountUse() => _usesDataCount = true;

    /// <summary>Resolves a field of struct type <paramref name="typeIndex"/> by identifier or number.</summary>
    internal uint ResolveField(uint typeIndex, SAtom a)
    {
        if (a.Kind == AtomKind.Id)
        {
            if (_fieldIds.TryGetValue(typeIndex, out var ids) && ids.TryGetValue(a.Text, out var fi)) return fi;
            throw a.Error("unknown field $" + a.Text);
        }
        return ParseIndex(a);
    }
}
