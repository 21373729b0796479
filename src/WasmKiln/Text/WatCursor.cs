namespace WasmKiln.Text;

/// <summary>
/// Reads the items of one S-expression list left to right, skipping annotations
/// (<c>(@name ...)</c>). A <c>(@custom ...)</c> annotation anywhere but at module level is an error.
/// </summary>
internal sealed class WatCursor
{
    private readonly List<SExpr> _items;
    private readonly bool _allowCustom;
    private readonly bool _allowName;
    private int _consumed;
    private bool _secondWasId;
    private int _pos;

    public WatCursor(SList list, int start = 0, bool allowCustom = false)
    {
        _allowCustom = allowCustom;
        _allowName = list.Head is { } h && NameHeads.Contains(h);
        List = list;
        _items = list.Items;
        _pos = 0;
        Skip();
        // start == 1 skips the head keyword (annotations may precede it).
        for (int i = 0; i < start && _pos < _items.Count; i++)
        {
            _pos++;
            _consumed++;
            Skip();
        }
    }

    /// <summary>The list being read.</summary>
    public SList List { get; }

    public bool AtEnd => _pos >= _items.Count;

    public SExpr? Peek => _pos < _items.Count ? _items[_pos] : null;

    /// <summary>The item <paramref name="k"/> places ahead (0 = <see cref="Peek"/>), annotations skipped.</summary>
    public SExpr? PeekAt(int k)
    {
        int p = _pos;
        while (p < _items.Count)
        {
            if (_items[p] is SList { IsAnnotation: true }) { p++; continue; }
            if (k == 0) return _items[p];
            k--;
            p++;
        }
        return null;
    }

    public SExpr Next()
    {
        if (_pos >= _items.Count) throw EndError();
        var e = _items[_pos++];
        _consumed++;
        if (_consumed == 2) _secondWasId = e is SAtom { Kind: AtomKind.Id };
        Skip();
        return e;
    }

    public SAtom NextAtom()
    {
        var e = Next();
        return e as SAtom ?? throw WatCursor.Unexpected(e);
    }

    public SList NextList()
    {
        var e = Next();
        return e as SList ?? throw WatCursor.Unexpected(e);
    }

    public bool PeekKeyword(string k) => Peek is SAtom a && a.IsKeyword(k);

    public bool PeekList(string head) => Peek is SList l && l.Head == head;

    public bool PeekIsList => Peek is SList;

    public bool PeekIsId => Peek is SAtom { Kind: AtomKind.Id };

    public bool PeekIsString => Peek is SAtom { Kind: AtomKind.String };

    public bool PeekIsNumber => Peek is SAtom { Kind: AtomKind.Number };

    /// <summary>An identifier or a number: a reference to an index.</summary>
    public bool PeekIsIndex => Peek is SAtom { Kind: AtomKind.Id or AtomKind.Number };

    public bool TakeKeyword(string k)
    {
        if (!PeekKeyword(k)) return false;
        Next();
        return true;
    }

    public SList? TakeList(string head) => PeekList(head) ? (SList)Next() : null;

    public SAtom? TakeId() => PeekIsId ? (SAtom)Next() : null;

    public SAtom? TakeIndex() => PeekIsIndex ? (SAtom)Next() : null;

    public SAtom NextString()
    {
        var a = NextAtom();
        if (a.Kind != AtomKind.String) throw WatCursor.Unexpected(a);
        return a;
    }

    /// <summary>Throws "unexpected token" unless every item was read.</summary>
    public void ExpectEnd()
    {
        if (!AtEnd) throw WatCursor.Unexpected(Peek!);
    }

    /// <summary>The error for a missing item: positioned at the closing parenthesis.</summary>
    public TextParseException EndError() => new("unexpected token", List.EndLine, List.EndColumn);

    /// <summary>The error for an item that is not expected here (see <see cref="Unexpected"/>).</summary>
    public TextParseException UnexpectedHere() => Peek != null ? Unexpected(Peek) : EndError();

    /// <summary>
    /// The error for a token that is not expected: "unknown operator" for a token that is no
    /// keyword of the language (as the reference lexer reports it), else "unexpected token".
    /// </summary>
    public static TextParseException Unexpected(SExpr e)
    {
        if (e is SAtom a)
        {
            if (a.Kind == AtomKind.Reserved) return a.Error("unknown operator " + a.Text);
            if (a.Kind == AtomKind.Keyword && !IsKnownKeyword(a.Text)) return a.Error("unknown operator " + a.Text);
            if (a.Kind == AtomKind.Number && !TextNumbers.IsIntSyntax(a.Text) && !TextNumbers.IsFloatSyntax(a.Text))
                return a.Error("unknown operator " + a.Text);
        }
        return e.Error("unexpected token");
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "module", "type", "func", "param", "result", "local", "global", "table", "memory", "elem", "data",
        "import", "export", "start", "mut", "ref", "null", "sub", "final", "rec", "struct", "array", "field",
        "i8", "i16", "i32", "i64", "f32", "f64", "v128", "funcref", "externref", "anyref", "eqref", "i31ref",
        "structref", "arrayref", "exnref", "nullref", "nullfuncref", "nullexternref", "nullexnref", "then", "else",
        "end", "do", "catch", "catch_ref", "catch_all", "catch_all_ref", "delegate", "item", "offset", "declare",
        "shared", "unshared", "pagesize", "tag", "quote", "binary", "definition", "instance", "any", "eq", "i31",
        "none", "nofunc", "extern", "noextern", "exn", "noexn", "inf", "nan", "nan:canonical", "nan:arithmetic",
        "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "register", "invoke", "get", "either", "block",
        "loop", "if", "try", "try_table",
    };

    private static bool IsKnownKeyword(string s) =>
        Keywords.Contains(s) || Instructions.OpTable.TryGetByName(s, out _) ||
        s.StartsWith("offset=", StringComparison.Ordinal) || s.StartsWith("align=", StringComparison.Ordinal) ||
        s.StartsWith("nan:0x", StringComparison.Ordinal) || s.StartsWith("assert_", StringComparison.Ordinal) ||
        s.StartsWith("ref.", StringComparison.Ordinal);

    /// <summary>Lists whose keyword (and identifier) may be followed by a <c>(@name "...")</c> annotation.</summary>
    private static readonly HashSet<string> NameHeads = new(StringComparer.Ordinal)
    {
        "module", "func", "type", "global", "table", "memory", "tag", "elem", "data", "param", "local", "field",
        "import", "block", "loop", "if", "try", "try_table",
    };

    /// <summary>True when annotations directly precede the current item.</summary>
    public bool HasAnnotationBefore => _pos > 0 && _items[_pos - 1] is SList { IsAnnotation: true };

    /// <summary>The annotations directly before the current item (skipped by the cursor).</summary>
    public IEnumerable<SList> AnnotationsBefore()
    {
        int p = _pos - 1;
        while (p >= 0 && _items[p] is SList { IsAnnotation: true }) p--;
        for (int i = p + 1; i < _pos; i++) yield return (SList)_items[i];
    }

    private void Skip()
    {
        while (_pos < _items.Count && _items[_pos] is SList { IsAnnotation: true } ann)
        {
            if (ann.Annotation == "custom" && !_allowCustom) throw ann.Error("misplaced @custom annotation");
            if (ann.Annotation == "name" && !(_allowName && (_consumed == 1 || (_consumed == 2 && _secondWasId))))
                throw ann.Error("misplaced @name annotation");
            _pos++;
        }
    }
}
