using System.Text;

namespace WasmKiln.Text;

/// <summary>Kinds of atoms of the text format.</summary>
internal enum AtomKind : byte
{
    /// <summary>Starts with a lowercase letter: <c>module</c>, <c>i32.add</c>, <c>offset=4</c>, <c>nan:0x1</c>.</summary>
    Keyword,
    /// <summary><c>$name</c> or <c>$"name"</c>; <see cref="SAtom.Text"/> holds the name without <c>$</c>.</summary>
    Id,
    /// <summary>A quoted string; <see cref="SAtom.Bytes"/> holds its decoded bytes.</summary>
    String,
    /// <summary>Starts with a digit or a sign: a number literal (checked by whoever reads it).</summary>
    Number,
    /// <summary>Any other run of characters, never valid where a token is expected.</summary>
    Reserved,
}

/// <summary>A node of the S-expression tree of a WAT or WAST text.</summary>
internal abstract class SExpr(int line, int column)
{
    public int Line { get; } = line;
    public int Column { get; } = column;

    public TextParseException Error(string message) => new(message, Line, Column);
}

/// <summary>An atom (token).</summary>
internal sealed class SAtom(AtomKind kind, string text, byte[]? bytes, int line, int column) : SExpr(line, column)
{
    public AtomKind Kind { get; } = kind;
    /// <summary>The source text of the token; for an id, the name without <c>$</c>; for a string, its UTF-8 decoding (lossy).</summary>
    public string Text { get; } = text;
    /// <summary>Decoded bytes of a string (or of a quoted id).</summary>
    public byte[]? Bytes { get; } = bytes;

    public bool IsKeyword(string k) => Kind == AtomKind.Keyword && Text == k;

    public override string ToString() => Kind switch
    {
        AtomKind.Id => "$" + Text,
        AtomKind.String => "\"" + Text + "\"",
        _ => Text,
    };
}

/// <summary>A parenthesized list. An annotation <c>(@name ...)</c> is a list with <see cref="Annotation"/> set.</summary>
internal sealed class SList(int line, int column) : SExpr(line, column)
{
    public List<SExpr> Items { get; } = [];
    /// <summary>For <c>(@name ...)</c>: the annotation name; null for an ordinary list.</summary>
    public string? Annotation { get; init; }
    public int EndLine { get; set; }
    public int EndColumn { get; set; }
    /// <summary>Offset of the opening parenthesis and one past the closing one in the source text.</summary>
    public int StartIndex { get; init; }
    public int EndIndex { get; set; }

    public int Count => Items.Count;
    public SExpr this[int i] => Items[i];

    /// <summary>The keyword that heads the list, or null.</summary>
    public string? Head
    {
        get
        {
            foreach (var e in Items)
            {
                if (e is SList { IsAnnotation: true }) continue; // annotations may precede the keyword
                return e is SAtom { Kind: AtomKind.Keyword } a ? a.Text : null;
            }
            return null;
        }
    }

    public bool IsAnnotation => Annotation != null;
}

/// <summary>
/// Lexes WAT/WAST text (comments, strings with escapes, nested block comments, annotations)
/// into an S-expression tree. Errors carry line and column.
/// </summary>
internal static class SExprParser
{
    /// <summary>Parses a whole text into its top-level nodes.</summary>
    public static List<SExpr> Parse(string text)
    {
        var lexer = new Lexer(text);
        var top = new List<SExpr>();
        var stack = new Stack<SList>();
        int annotations = 0;
        while (true)
        {
            lexer.InAnnotation = annotations > 0;
            var tok = lexer.Next();
            switch (tok.Type)
            {
                case TokType.Eof:
                    if (stack.Count > 0)
                    {
                        var open = stack.Peek();
                        throw new TextParseException(annotations > 0 ? "unclosed annotation" : "unclosed parenthesis", open.Line, open.Column);
                    }
                    return top;
                case TokType.LParen:
                {
                    var list = new SList(tok.Line, tok.Column) { Annotation = tok.Annotation, StartIndex = tok.Index };
                    (stack.Count > 0 ? stack.Peek().Items : top).Add(list);
                    stack.Push(list);
                    if (list.IsAnnotation) annotations++;
                    break;
                }
                case TokType.RParen:
                {
                    if (stack.Count == 0) throw new TextParseException("unexpected token )", tok.Line, tok.Column);
                    var list = stack.Pop();
                    if (list.IsAnnotation) annotations--;
                    list.EndLine = tok.Line;
                    list.EndColumn = tok.Column;
                    list.EndIndex = tok.Index + 1;
                    break;
                }
                default:
                    (stack.Count > 0 ? stack.Peek().Items : top).Add(tok.Atom!);
                    break;
            }
        }
    }

    private enum TokType { Eof, LParen, RParen, Atom }

    private readonly record struct Tok(TokType Type, int Line, int Column, int Index, SAtom? Atom = null, string? Annotation = null);

    private sealed class Lexer(string text)
    {
        private readonly string _s = text;
        private int _i;
        private int _line = 1;
        private int _lineStart;

        /// <summary>Inside an annotation, <c>(@</c> without a name is an ordinary parenthesis and a reserved token.</summary>
        public bool InAnnotation { get; set; }

        private int Col => _i - _lineStart + 1;

        public Tok Next()
        {
            SkipSpace();
            if (_i >= _s.Length) return new Tok(TokType.Eof, _line, Col, _i);
            int line = _line, col = Col, start = _i;
            char c = _s[_i];
            if (c == '(')
            {
                _i++;
                if (_i < _s.Length && _s[_i] == '@' && !(InAnnotation && !StartsAnnotationId(_i + 1)))
                {
                    int nameStart = ++_i;
                    string name;
                    if (_i < _s.Length && _s[_i] == '"')
                    {
                        byte[] bytes;
                        try
                        {
                            bytes = ReadString(line, col);
                        }
                        catch (TextParseException)
                        {
                            throw new TextParseException("empty annotation id", line, col);
                        }
                        try
                        {
                            name = new UTF8Encoding(false, true).GetString(bytes);
                        }
                        catch (DecoderFallbackException)
                        {
                            throw new TextParseException("malformed UTF-8 encoding", line, col);
                        }
                    }
                    else
                    {
                        while (_i < _s.Length && IsIdChar(_s[_i])) _i++;
                        name = _s[nameStart.._i];
                    }
                    if (name.Length == 0) throw new TextParseException("empty annotation id", line, col);
                    return new Tok(TokType.LParen, line, col, start, Annotation: name);
                }
                return new Tok(TokType.LParen, line, col, start);
            }
            if (c == ')')
            {
                _i++;
                return new Tok(TokType.RParen, line, col, start);
            }
            return new Tok(TokType.Atom, line, col, start, ReadAtom(line, col));
        }

        private SAtom ReadAtom(int line, int col)
        {
            int start = _i;
            char c = _s[_i];
            SAtom atom;
            if (c == '"')
            {
                var bytes = ReadString(line, col);
                atom = new SAtom(AtomKind.String, Encoding.UTF8.GetString(bytes), bytes, line, col);
            }
            else if (c == '$' && _i + 1 < _s.Length && _s[_i + 1] == '"')
            {
                _i++;
                byte[] bytes;
                try
                {
                    bytes = ReadString(line, col);
                }
                catch (TextParseException)
                {
                    throw new TextParseException("empty identifier", line, col);
                }
                string name;
                try
                {
                    name = new UTF8Encoding(false, true).GetString(bytes);
                }
                catch (DecoderFallbackException)
                {
                    throw new TextParseException("malformed UTF-8 encoding", line, col);
                }
                if (name.Length == 0) throw new TextParseException("empty identifier", line, col);
                atom = new SAtom(AtomKind.Id, name, bytes, line, col);
            }
            else if (IsIdChar(c))
            {
                while (_i < _s.Length && IsIdChar(_s[_i])) _i++;
                string t = _s[start.._i];
                AtomKind kind;
                if (t == "$" && (_i >= _s.Length || !(IsIdChar(_s[_i]) || _s[_i] == '"'))) throw new TextParseException("empty identifier", line, col);
                if (t[0] == '$') kind = t.Length > 1 ? AtomKind.Id : AtomKind.Reserved;
                else if (t[0] >= 'a' && t[0] <= 'z') kind = AtomKind.Keyword;
                else if (char.IsAsciiDigit(t[0]) || t[0] == '+' || t[0] == '-') kind = AtomKind.Number;
                else kind = AtomKind.Reserved;
                atom = new SAtom(kind, kind == AtomKind.Id ? t[1..] : t, null, line, col);
            }
            else if (IsReservedChar(c))
            {
                _i++;
                atom = new SAtom(AtomKind.Reserved, _s[start.._i], null, line, col);
            }
            else if (char.IsSurrogate(c))
            {
                throw new TextParseException("malformed UTF-8 encoding", line, col);
            }
            else
            {
                throw new TextParseException($"illegal character '{c}'", line, col);
            }
            // Tokens must be separated by whitespace, parentheses or comments: anything glued on
            // makes the whole run one reserved token that no parser accepts.
            if (_i < _s.Length && GluesOn(_i))
            {
                while (_i < _s.Length && GluesOn(_i))
                {
                    if (_s[_i] == '"') ReadString(line, col);
                    else _i++;
                }
                return new SAtom(AtomKind.Reserved, _s[start.._i], null, line, col);
            }
            return atom;
        }

        private byte[] ReadString(int line, int col)
        {
            _i++; // opening quote
            var bytes = new List<byte>();
            Span<byte> utf8 = stackalloc byte[4];
            while (true)
            {
                if (_i >= _s.Length) throw new TextParseException("unclosed string", line, col);
                char c = _s[_i];
                if (c == '"') { _i++; return bytes.ToArray(); }
                if (c == '\n') throw new TextParseException("unclosed string", line, col);
                if (c < 0x20 || c == 0x7F) throw new TextParseException("illegal control character in string", _line, Col);
                if (c == '\\')
                {
                    int escLine = _line, escCol = Col;
                    _i++;
                    if (_i >= _s.Length) throw new TextParseException("unclosed string", line, col);
                    char e = _s[_i++];
                    switch (e)
                    {
                        case 'n': bytes.Add(0x0A); break;
                        case 't': bytes.Add(0x09); break;
                        case 'r': bytes.Add(0x0D); break;
                        case '"': bytes.Add(0x22); break;
                        case '\'': bytes.Add(0x27); break;
                        case '\\': bytes.Add(0x5C); break;
                        case 'u':
                        {
                            if (_i >= _s.Length || _s[_i] != '{') throw new TextParseException("unknown escape", escLine, escCol);
                            int close = _s.IndexOf('}', _i);
                            if (close < 0) throw new TextParseException("unknown escape", escLine, escCol);
                            string hex = _s[(_i + 1)..close].Replace("_", "", StringComparison.Ordinal);
                            if (hex.Length == 0 || !uint.TryParse(hex, System.Globalization.NumberStyles.HexNumber, null, out uint cp)
                                || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
                                throw new TextParseException("malformed Unicode escape", escLine, escCol);
                            _i = close + 1;
                            int n = new Rune(cp).EncodeToUtf8(utf8);
                            for (int k = 0; k < n; k++) bytes.Add(utf8[k]);
                            break;
                        }
                        default:
                            if (IsHex(e) && _i < _s.Length && IsHex(_s[_i]))
                            {
                                bytes.Add((byte)(HexVal(e) * 16 + HexVal(_s[_i])));
                                _i++;
                                break;
                            }
                            throw new TextParseException("unknown escape", escLine, escCol);
                    }
                    continue;
                }
                // A literal character, encoded as UTF-8 (surrogate pairs joined).
                if (char.IsHighSurrogate(c) && _i + 1 < _s.Length && char.IsLowSurrogate(_s[_i + 1]))
                {
                    int n = new Rune(c, _s[_i + 1]).EncodeToUtf8(utf8);
                    for (int k = 0; k < n; k++) bytes.Add(utf8[k]);
                    _i += 2;
                    continue;
                }
                if (char.IsSurrogate(c)) throw new TextParseException("malformed UTF-8 encoding", _line, Col);
                int m = new Rune(c).EncodeToUtf8(utf8);
                for (int k = 0; k < m; k++) bytes.Add(utf8[k]);
                _i++;
            }
        }

        private void SkipSpace()
        {
            while (_i < _s.Length)
            {
                char c = _s[_i];
                if (c == '\n') { _i++; _line++; _lineStart = _i; }
                else if (c == ' ' || c == '\t' || c == '\r') _i++;
                else if (c == ';' && _i + 1 < _s.Length && _s[_i + 1] == ';')
                {
                    // A line comment ends at a newline: LF, CR or CR LF.
                    while (_i < _s.Length && _s[_i] is not ('\n' or '\r')) _i++;
                }
                else if (c == '(' && _i + 1 < _s.Length && _s[_i + 1] == ';') SkipBlockComment();
                else if (c == ';') return; // a lone ';' is a reserved token
                else return;
            }
        }

        private void SkipBlockComment()
        {
            int line = _line, col = Col;
            int depth = 0;
            while (_i < _s.Length)
            {
                if (_s[_i] == '(' && _i + 1 < _s.Length && _s[_i + 1] == ';') { depth++; _i += 2; }
                else if (_s[_i] == ';' && _i + 1 < _s.Length && _s[_i + 1] == ')')
                {
                    depth--;
                    _i += 2;
                    if (depth == 0) return;
                }
                else if (_s[_i] == '\n') { _i++; _line++; _lineStart = _i; }
                else _i++;
            }
            throw new TextParseException("unclosed block comment", line, col);
        }

        /// <summary>Characters that only occur in reserved tokens (3.0 text format).</summary>
        private static bool IsReservedChar(char c) => c is ',' or ';' or '[' or ']' or '{' or '}';

        /// <summary>True when the character at <paramref name="i"/> continues the current token.</summary>
        private bool GluesOn(int i)
        {
            char c = _s[i];
            if (c == ';') return i + 1 >= _s.Length || _s[i + 1] != ';';
            return IsIdChar(c) || c == '"' || IsReservedChar(c);
        }

        private bool StartsAnnotationId(int i) => i < _s.Length && (IsIdChar(_s[i]) || _s[i] == '"');

        private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

        private static int HexVal(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

        public static bool IsIdChar(char c) =>
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '/' or ':' or '<' or '=' or '>' or '?' or '@' or '\\' or '^' or '_' or '`' or '|' or '~';
    }
}

/// <summary>
/// Decodes the UTF-8 of a quoted module (<c>(module quote ...)</c>) keeping each invalid byte as a
/// lone surrogate (U+DC00 + byte), so that the lexer reports "malformed UTF-8 encoding" where
/// the bad byte is, instead of losing it.
/// </summary>
internal static class QuoteText
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        Span<char> buf = stackalloc char[2];
        while (bytes.Length > 0)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out int n) == System.Buffers.OperationStatus.Done)
            {
                int k = rune.EncodeToUtf16(buf);
                sb.Append(buf[..k]);
                bytes = bytes[n..];
            }
            else
            {
                sb.Append((char)(0xDC00 + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return sb.ToString();
    }
}
