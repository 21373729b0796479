using System.Globalization;
using System.Text;
using WasmKiln.Instructions;

namespace WasmKiln.Text;

/// <summary>Literal forms of the text format used by the printer: floats, vectors, strings, ids.</summary>
internal static class WatLiterals
{
    /// <summary>
    /// An f32 literal that parses back to exactly <paramref name="bits"/>: <c>inf</c>, <c>nan</c>,
    /// <c>nan:0x...</c>, the shortest decimal form when it re-parses exactly, else a hex float.
    /// </summary>
    public static string F32(uint bits)
    {
        bool neg = (bits >> 31) != 0;
        uint exp = (bits >> 23) & 0xFF;
        uint mant = bits & 0x7FFFFF;
        string sign = neg ? "-" : "";
        if (exp == 0xFF)
        {
            if (mant == 0) return sign + "inf";
            if (mant == 0x400000) return sign + "nan";
            return sign + "nan:0x" + mant.ToString("x", CultureInfo.InvariantCulture);
        }
        string dec = BitConverter.UInt32BitsToSingle(bits).ToString("R", CultureInfo.InvariantCulture);
        if (TextNumbers.TryParseF32(dec, out uint back) && back == bits) return dec;
        return sign + HexFloat(mant, 23, exp == 0 ? -126 : (int)exp - 127, exp != 0);
    }

    /// <summary>An f64 literal that parses back to exactly <paramref name="bits"/> (see <see cref="F32"/>).</summary>
    public static string F64(ulong bits)
    {
        bool neg = (bits >> 63) != 0;
        uint exp = (uint)((bits >> 52) & 0x7FF);
        ulong mant = bits & 0xFFFFFFFFFFFFFUL;
        string sign = neg ? "-" : "";
        if (exp == 0x7FF)
        {
            if (mant == 0) return sign + "inf";
            if (mant == 0x8000000000000UL) return sign + "nan";
            return sign + "nan:0x" + mant.ToString("x", CultureInfo.InvariantCulture);
        }
        string dec = BitConverter.UInt64BitsToDouble(bits).ToString("R", CultureInfo.InvariantCulture);
        if (TextNumbers.TryParseF64(dec, out ulong back) && back == bits) return dec;
        return sign + HexFloat(mant, 52, exp == 0 ? -1022 : (int)exp - 1023, exp != 0);
    }

    /// <summary>A hex float <c>0x1.8p+3</c> (normal) or <c>0x0.8p-126</c> (subnormal, zero) without sign.</summary>
    private static string HexFloat(ulong mant, int mantBits, int exp, bool normal)
    {
        if (!normal && mant == 0) return "0x0p+0";
        // Left-align the fraction on a nibble boundary.
        int pad = (4 - mantBits % 4) % 4;
        ulong frac = mant << pad;
        int digits = (mantBits + pad) / 4;
        var sb = new StringBuilder(normal ? "0x1" : "0x0");
        if (frac != 0)
        {
            string hex = frac.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).TrimEnd('0');
            sb.Append('.').Append(hex);
        }
        sb.Append('p').Append(exp >= 0 ? "+" : "").Append(exp.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>A v128 constant's immediates as four i32 lanes in hex: <c>i32x4 0x00000001 ...</c>.</summary>
    public static string V128(V128 v) => string.Create(CultureInfo.InvariantCulture,
        $"i32x4 0x{(uint)v.Lo:x8} 0x{(uint)(v.Lo >> 32):x8} 0x{(uint)v.Hi:x8} 0x{(uint)(v.Hi >> 32):x8}");

    /// <summary>A quoted string holding exactly <paramref name="bytes"/>: printable ASCII as is, the rest as <c>\hh</c>.</summary>
    public static void AppendString(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        sb.Append('"');
        Span<char> buf = stackalloc char[1024];
        int n = 0;
        foreach (byte b in bytes)
        {
            if (n > buf.Length - 3)
            {
                sb.Append(buf[..n]);
                n = 0;
            }
            if (b >= 0x20 && b < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                buf[n++] = (char)b;
            }
            else
            {
                buf[n++] = '\\';
                buf[n++] = HexDigit(b >> 4);
                buf[n++] = HexDigit(b & 0xF);
            }
        }
        sb.Append(buf[..n]);
        sb.Append('"');
    }

    /// <summary>A quoted string holding the UTF-8 encoding of <paramref name="s"/>.</summary>
    public static void AppendString(StringBuilder sb, string s) => AppendString(sb, Encoding.UTF8.GetBytes(s));

    private static char HexDigit(int d) => (char)(d < 10 ? '0' + d : 'a' + d - 10);

    /// <summary>True when <c>$</c> + <paramref name="name"/> is a plain (unquoted) identifier token.</summary>
    public static bool IsPlainId(string name)
    {
        if (name.Length == 0) return false;
        foreach (char c in name)
            if (!IsIdChar(c)) return false;
        return true;
    }

    /// <summary>
    /// <paramref name="name"/> as a plain identifier (without <c>$</c>): unchanged when it is one,
    /// else with every character an identifier cannot hold replaced by <c>_</c>; null when empty.
    /// Plain identifiers are used rather than quoted ones so that older tools read the text too.
    /// </summary>
    public static string? ToId(string name)
    {
        if (name.Length == 0) return null;
        if (IsPlainId(name)) return name;
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!IsIdChar(chars[i])) chars[i] = '_';
        return new string(chars);
    }

    private static bool IsIdChar(char c) =>
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '/' or ':' or
            '<' or '=' or '>' or '?' or '@' or '\\' or '^' or '_' or '`' or '|' or '~';
}
