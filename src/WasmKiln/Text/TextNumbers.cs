using System.Globalization;
using System.Numerics;

namespace WasmKiln.Text;

/// <summary>
/// Number literals of the text format: integers (decimal or <c>0x</c> hex, with <c>_</c>
/// separators and an optional sign) and floats (decimal, hex floats, <c>inf</c>, <c>nan</c>,
/// <c>nan:0x...</c>). The <c>TryParse</c> methods fail both for malformed and for out-of-range
/// literals; <see cref="IsIntSyntax"/> and <see cref="IsFloatSyntax"/> tell the two apart.
/// </summary>
internal static class TextNumbers
{
    /// <summary>Unsigned 32-bit (indices, counts, lanes): decimal or 0x hex, with '_' separators, no sign.</summary>
    public static bool TryParseU32(string s, out uint v)
    {
        v = 0;
        if (!TryParseUnsignedMagnitude(s, 0, out var mag) || mag > uint.MaxValue) return false;
        v = (uint)mag;
        return true;
    }

    /// <summary>Unsigned 64-bit (offsets, limits), no sign.</summary>
    public static bool TryParseU64(string s, out ulong v) => TryParseUnsignedMagnitude(s, 0, out v);

    /// <summary>
    /// An N-bit integer literal (N = 8, 16, 32, 64) as its N-bit pattern: unsigned values up to
    /// 2^N-1 and negative values down to -2^(N-1) are accepted.
    /// </summary>
    public static bool TryParseInt(string s, int bits, out ulong v)
    {
        v = 0;
        if (s.Length == 0) return false;
        bool neg = s[0] == '-';
        int start = s[0] is '-' or '+' ? 1 : 0;
        if (!TryParseUnsignedMagnitude(s, start, out var mag)) return false;
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        if (neg)
        {
            ulong limit = 1UL << (bits - 1);
            if (mag > limit) return false;
            v = (0 - mag) & mask;
        }
        else
        {
            if (mag > mask) return false;
            v = mag;
        }
        return true;
    }

    public static bool TryParseI32(string s, out int v)
    {
        bool ok = TryParseInt(s, 32, out var u);
        v = (int)(uint)u;
        return ok;
    }

    public static bool TryParseI64(string s, out long v)
    {
        bool ok = TryParseInt(s, 64, out var u);
        v = (long)u;
        return ok;
    }

    /// <summary>An f32 literal: its bit pattern.</summary>
    public static bool TryParseF32(string s, out uint bits)
    {
        bool ok = TryParseFloat(s, Single, out var b);
        bits = (uint)b;
        return ok;
    }

    /// <summary>An f64 literal: its bit pattern.</summary>
    public static bool TryParseF64(string s, out ulong bits) => TryParseFloat(s, Double, out bits);

    /// <summary>True when <paramref name="s"/> has the syntax of an integer literal (whatever its range).</summary>
    public static bool IsIntSyntax(string s)
    {
        int start = s.Length > 0 && s[0] is '-' or '+' ? 1 : 0;
        return TryDigits(s, start, out _, out _, checkOnly: true);
    }

    /// <summary>True when <paramref name="s"/> has the syntax of a float literal (whatever its range).</summary>
    public static bool IsFloatSyntax(string s) => ParseFloatParts(s, out _) != FloatForm.Invalid;

    // ---- integers ----

    private static bool TryParseUnsignedMagnitude(string s, int start, out ulong value) =>
        TryDigits(s, start, out value, out _, checkOnly: false);

    /// <summary>Reads <c>num</c> or <c>0x hexnum</c> from <paramref name="start"/> to the end.</summary>
    private static bool TryDigits(string s, int start, out ulong value, out bool overflow, bool checkOnly)
    {
        value = 0;
        overflow = false;
        int i = start;
        bool hex = false;
        if (s.Length - i >= 2 && s[i] == '0' && s[i + 1] == 'x')
        {
            hex = true;
            i += 2;
        }
        if (i >= s.Length) return false;
        bool lastWasDigit = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_')
            {
                if (!lastWasDigit) return false;
                lastWasDigit = false;
                continue;
            }
            int d = DigitValue(c, hex);
            if (d < 0) return false;
            lastWasDigit = true;
            if (checkOnly || overflow) continue;
            ulong radix = hex ? 16UL : 10UL;
            if (value > (ulong.MaxValue - (ulong)d) / radix) overflow = true;
            else value = value * radix + (ulong)d;
        }
        if (!lastWasDigit) return false;
        return checkOnly || !overflow;
    }

    private static int DigitValue(char c, bool hex)
    {
        if (c >= '0' && c <= '9') return c - '0';
        if (!hex) return -1;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // ---- floats ----

    private sealed record FloatFormat(int MantBits, int ExpBits)
    {
        public int Bias => (1 << (ExpBits - 1)) - 1;
        public int MinExp => 1 - Bias;
        public int MaxExp => Bias;
        public ulong SignBit => 1UL << (MantBits + ExpBits);
        public ulong ExpMask => ((1UL << ExpBits) - 1) << MantBits;
        public ulong MantMask => (1UL << MantBits) - 1;
    }

    private static readonly FloatFormat Single = new(23, 8);
    private static readonly FloatFormat Double = new(52, 11);

    private enum FloatForm { Invalid, Inf, Nan, NanPayload, Decimal, Hex }

    private static FloatForm ParseFloatParts(string s, out int bodyStart)
    {
        bodyStart = s.Length > 0 && s[0] is '-' or '+' ? 1 : 0;
        var body = s.AsSpan(bodyStart);
        if (body.SequenceEqual("inf")) return FloatForm.Inf;
        if (body.SequenceEqual("nan")) return FloatForm.Nan;
        if (body.StartsWith("nan:0x"))
            return TryDigits(s, bodyStart + 4, out _, out _, checkOnly: true) ? FloatForm.NanPayload : FloatForm.Invalid;
        bool hex = body.StartsWith("0x");
        int i = bodyStart + (hex ? 2 : 0);
        // mantissa: digits ('.' digits?)?  exponent: [eE|pP] sign? decimal digits
        if (!ScanDigitRun(s, ref i, hex, required: true)) return FloatForm.Invalid;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            if (i < s.Length && DigitValue(s[i], hex) >= 0 && !ScanDigitRun(s, ref i, hex, required: true)) return FloatForm.Invalid;
        }
        if (i < s.Length && (hex ? s[i] is 'p' or 'P' : s[i] is 'e' or 'E'))
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-') i++;
            if (!ScanDigitRun(s, ref i, false, required: true)) return FloatForm.Invalid;
        }
        return i == s.Length ? (hex ? FloatForm.Hex : FloatForm.Decimal) : FloatForm.Invalid;
    }

    /// <summary>Scans digits with single '_' separators between digits.</summary>
    private static bool ScanDigitRun(string s, ref int i, bool hex, bool required)
    {
        int start = i;
        bool lastWasDigit = false;
        while (i < s.Length)
        {
            if (s[i] == '_')
            {
                if (!lastWasDigit || i + 1 >= s.Length || DigitValue(s[i + 1], hex) < 0) return false;
                lastWasDigit = false;
                i++;
                continue;
            }
            if (DigitValue(s[i], hex) < 0) break;
            lastWasDigit = true;
            i++;
        }
        return !required || i > start;
    }

    private static bool TryParseFloat(string s, FloatFormat f, out ulong bits)
    {
        bits = 0;
        var form = ParseFloatParts(s, out int bodyStart);
        ulong sign = bodyStart == 1 && s[0] == '-' ? f.SignBit : 0;
        switch (form)
        {
            case FloatForm.Inf:
                bits = sign | f.ExpMask;
                return true;
            case FloatForm.Nan:
                bits = sign | f.ExpMask | (1UL << (f.MantBits - 1));
                return true;
            case FloatForm.NanPayload:
            {
                if (!TryDigits(s, bodyStart + 4, out var payload, out _, checkOnly: false)) return false;
                if (payload == 0 || payload > f.MantMask) return false;
                bits = sign | f.ExpMask | payload;
                return true;
            }
            case FloatForm.Decimal:
                return TryParseDecimal(s, f, out bits);
            case FloatForm.Hex:
                return TryParseHexFloat(s, bodyStart + 2, f, sign, out bits);
            default:
                return false;
        }
    }

    private static bool TryParseDecimal(string s, FloatFormat f, out ulong bits)
    {
        bits = 0;
        string clean = s.Replace("_", "", StringComparison.Ordinal);
        if (f == Single)
        {
            if (!float.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || float.IsInfinity(v)) return false;
            bits = BitConverter.SingleToUInt32Bits(v);
            return true;
        }
        if (!double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || double.IsInfinity(d)) return false;
        bits = BitConverter.DoubleToUInt64Bits(d);
        return true;
    }

    /// <summary>Hex float <c>0xH.HpE</c>, correctly rounded (to nearest, ties to even).</summary>
    private static bool TryParseHexFloat(string s, int i, FloatFormat f, ulong sign, out ulong bits)
    {
        bits = sign;
        ulong sig = 0;
        bool sticky = false;
        long exp = 0;
        bool seenDot = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_') continue;
            if (c == '.') { seenDot = true; continue; }
            if (c is 'p' or 'P') break;
            int d = DigitValue(c, true);
            if (sig >> 60 != 0)
            {
                // No room for another digit: it only affects rounding (sticky) and scale.
                if (d != 0) sticky = true;
                if (!seenDot) exp += 4;
            }
            else
            {
                sig = (sig << 4) | (uint)d;
                if (seenDot) exp -= 4;
            }
        }
        if (i < s.Length)
        {
            i++;
            bool negExp = false;
            if (s[i] is '+' or '-') { negExp = s[i] == '-'; i++; }
            long e = 0;
            for (; i < s.Length; i++)
            {
                if (s[i] == '_') continue;
                if (e < 100_000_000) e = e * 10 + (s[i] - '0');
            }
            exp += negExp ? -e : e;
        }
        if (sig == 0) return true; // (signed) zero
        int msb = 63 - BitOperations.LeadingZeroCount(sig);
        long top = msb + exp;                       // exponent of the leading bit
        long lsbExp = Math.Max(top, f.MinExp) - f.MantBits;
        long shift = lsbExp - exp;                  // low bits of sig to drop
        ulong m;
        if (shift <= 0)
        {
            m = sig << (int)-shift;
        }
        else if (shift > 64)
        {
            m = 0;
        }
        else
        {
            ulong dropped = shift == 64 ? sig : sig & ((1UL << (int)shift) - 1);
            m = shift == 64 ? 0 : sig >> (int)shift;
            ulong half = 1UL << (int)(shift - 1);
            if (dropped > half || (dropped == half && (sticky || (m & 1) != 0))) m++;
        }
        if (m == 0) return true;
        int mTop = 63 - BitOperations.LeadingZeroCount(m);
        long eFinal = lsbExp + mTop;
        if (mTop > f.MantBits)
        {
            // Rounding carried into a new bit.
            m >>= 1;
            mTop--;
        }
        if (mTop == f.MantBits)
        {
            if (eFinal > f.MaxExp) return false;
            bits = sign | ((ulong)(eFinal + f.Bias) << f.MantBits) | (m & f.MantMask);
        }
        else
        {
            bits = sign | m; // subnormal
        }
        return true;
    }
}
