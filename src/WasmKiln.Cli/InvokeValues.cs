using System.Globalization;
using System.Text;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Text;

namespace WasmKiln.Cli;

/// <summary>
/// Arguments and results of <c>wasmkiln run --invoke</c>: command-line text to values of a
/// parameter type, and results to text the way wasmtime prints them (integers in signed decimal,
/// floats in the shortest decimal that reads back exactly, without exponent, <c>NaN</c>,
/// <c>inf</c>, <c>-inf</c>).
/// </summary>
internal static class InvokeValues
{
    /// <summary>
    /// Parses <paramref name="text"/> as a value of <paramref name="type"/>. Integers: decimal or
    /// <c>0x</c> hex with an optional sign, in the signed or unsigned range of the type. Floats:
    /// decimal, hex float, <c>nan</c>, <c>nan:0x...</c>, <c>inf</c>, <c>infinity</c> (any case).
    /// Returns false with a message for text that is not a value of the type.
    /// </summary>
    public static bool TryParse(string text, ValType type, out Value value, out string error)
    {
        value = default;
        error = "";
        string s = text.Trim();
        switch (type.Kind)
        {
            case ValKind.I32:
                if (TextNumbers.TryParseI32(s, out int i)) { value = Value.I32(i); return true; }
                error = $"'{text}' is not an i32 (decimal or 0x hex, -2147483648 to 4294967295)";
                return false;
            case ValKind.I64:
                if (TextNumbers.TryParseI64(s, out long l)) { value = Value.I64(l); return true; }
                error = $"'{text}' is not an i64 (decimal or 0x hex, -2^63 to 2^64-1)";
                return false;
            case ValKind.F32:
                if (TextNumbers.TryParseF32(FloatSpelling(s), out uint fb)) { value = Value.F32Bits(fb); return true; }
                error = $"'{text}' is not an f32 (decimal, hex float, nan, inf)";
                return false;
            case ValKind.F64:
                if (TextNumbers.TryParseF64(FloatSpelling(s), out ulong db)) { value = Value.F64Bits(db); return true; }
                error = $"'{text}' is not an f64 (decimal, hex float, nan, inf)";
                return false;
            default:
                error = $"parameters of type {type} cannot be given on the command line";
                return false;
        }
    }

    /// <summary>Maps the spellings other tools accept (NaN, Infinity, +inf) to the text format's.</summary>
    private static string FloatSpelling(string s)
    {
        string lower = s.ToLowerInvariant();
        return lower switch
        {
            "nan" or "+nan" or "-nan" => lower,
            "inf" or "+inf" or "-inf" => lower,
            "infinity" or "+infinity" => "inf",
            "-infinity" => "-inf",
            _ => lower.StartsWith("nan:", StringComparison.Ordinal) || lower.StartsWith("-nan:", StringComparison.Ordinal)
                || lower.StartsWith("+nan:", StringComparison.Ordinal) ? lower : s,
        };
    }

    /// <summary>A result as wasmtime prints it.</summary>
    public static string Format(Value value)
    {
        var t = value.Type;
        return t.Kind switch
        {
            ValKind.I32 => ((int)(uint)value.Lo).ToString(CultureInfo.InvariantCulture),
            ValKind.I64 => ((long)value.Lo).ToString(CultureInfo.InvariantCulture),
            ValKind.F32 => FormatF32(BitConverter.Int32BitsToSingle((int)(uint)value.Lo)),
            ValKind.F64 => FormatF64(BitConverter.Int64BitsToDouble((long)value.Lo)),
            ValKind.V128 => "0x" + value.Hi.ToString("x16", CultureInfo.InvariantCulture) + value.Lo.ToString("x16", CultureInfo.InvariantCulture),
            _ => value.Ref is null ? "null" : "<" + t + ">",
        };
    }

    /// <summary>An f32 in the shortest decimal that reads back to it, positional (no exponent).</summary>
    public static string FormatF32(float f) =>
        float.IsNaN(f) ? "NaN" : float.IsInfinity(f) ? (f > 0 ? "inf" : "-inf") : Positional(f.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>An f64 in the shortest decimal that reads back to it, positional (no exponent).</summary>
    public static string FormatF64(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "inf" : "-inf") : Positional(d.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Rewrites <c>1.5E-07</c> as <c>0.00000015</c> and <c>1E+30</c> as <c>1000...0</c>.</summary>
    private static string Positional(string r)
    {
        int e = r.IndexOf('E');
        if (e < 0) return r;
        int exp = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        bool neg = r[0] == '-';
        string mantissa = r[(neg ? 1 : 0)..e];
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int point = (dot < 0 ? mantissa.Length : dot) + exp; // digits before the decimal point
        var sb = new StringBuilder(digits.Length + Math.Abs(exp) + 3);
        if (neg) sb.Append('-');
        if (point <= 0)
            sb.Append("0.").Append('0', -point).Append(digits);
        else if (point >= digits.Length)
            sb.Append(digits).Append('0', point - digits.Length);
        else
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        return sb.ToString();
    }
}
