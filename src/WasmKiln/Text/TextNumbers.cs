namespace WasmKiln.Text;

// PLACEHOLDER (being written by the lead; lands on main shortly).
internal static class TextNumbers
{
    /// <summary>Unsigned 32-bit (indices, counts, lanes): decimal or 0x hex, with '_' separators.</summary>
    public static bool TryParseU32(string s, out uint v) => throw new NotImplementedException();
    /// <summary>Unsigned 64-bit (offsets, limits).</summary>
    public static bool TryParseU64(string s, out ulong v) => throw new NotImplementedException();
    /// <summary>An N-bit integer literal (N = 8, 16, 32, 64): signed or unsigned range, returned as its N-bit pattern.</summary>
    public static bool TryParseInt(string s, int bits, out ulong v) => throw new NotImplementedException();
    /// <summary>An f32 literal (decimal, hex float, inf, nan, nan:0x...): its bit pattern.</summary>
    public static bool TryParseF32(string s, out uint bits) => throw new NotImplementedException();
    /// <summary>An f64 literal: its bit pattern.</summary>
    public static bool TryParseF64(string s, out ulong bits) => throw new NotImplementedException();
}
