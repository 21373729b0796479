namespace WasmKiln.Script;

/// <summary>
/// Decides whether an error message satisfies the message a script expects. A message passes when
/// it contains the expected text, or when it contains one of the accepted alternative wordings
/// listed here for that expected text. Keep this table small: prefer making our messages contain
/// the suite's wording. Every entry says why the alternative is accepted.
/// </summary>
internal static class ExpectedMessages
{
    /// <summary>Expected text -> accepted alternatives (each with the reason it is accepted).</summary>
    private static readonly Dictionary<string, (string Alternative, string Reason)[]> Alternatives = new(StringComparer.Ordinal)
    {
    };

    /// <summary>True when <paramref name="actual"/> satisfies <paramref name="expected"/>.</summary>
    public static bool Matches(string expected, string actual)
    {
        if (actual.Contains(expected, StringComparison.Ordinal)) return true;
        if (Alternatives.TryGetValue(expected, out var alts))
            foreach (var (alt, _) in alts)
                if (actual.Contains(alt, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The number of expected texts with alternatives (for tests and documentation).</summary>
    public static int Count => Alternatives.Count;
}
