using WasmKiln.Model;

namespace WasmKiln.Validation;

/// <summary>
/// Import matching (the spec's "external type matching") over canonical types, for linking a
/// module's imports against the exports of other modules or the host. Every type given here is
/// in canonical form (see <see cref="TypeContext.Canon(ValType)"/>), so modules of one store
/// compare directly.
/// </summary>
internal static class ExternTypeMatcher
{
    /// <summary>Whether a function of canonical type <paramref name="actual"/> may be imported as <paramref name="expected"/>.</summary>
    public static bool MatchFunc(int actual, int expected) =>
        actual == expected || TypeContext.IsHeapSubtype(new HeapType(actual), new HeapType(expected));

    /// <summary>Whether limits (current size and maximum of the provided object) match the imported limits.</summary>
    public static bool MatchLimits(Limits actual, Limits expected)
    {
        if (actual.Is64 != expected.Is64) return false;
        if (actual.Min < expected.Min) return false;
        if (expected.Max is ulong emax)
        {
            if (actual.Max is not ulong amax || amax > emax) return false;
        }
        return true;
    }

    /// <summary>Table matching: limits match and the element types are equivalent.</summary>
    public static bool MatchTable(TableType actual, TableType expected) =>
        MatchLimits(actual.Limits, expected.Limits) && actual.ElemType == expected.ElemType;

    /// <summary>Memory matching: limits, sharedness and page size agree.</summary>
    public static bool MatchMemory(MemoryType actual, MemoryType expected) =>
        MatchLimits(actual.Limits, expected.Limits) && actual.Limits.Shared == expected.Limits.Shared
        && (actual.PageSizeLog2 ?? 16) == (expected.PageSizeLog2 ?? 16);

    /// <summary>Global matching: same mutability; an immutable global may be a subtype, a mutable one must be equal.</summary>
    public static bool MatchGlobal(GlobalType actual, GlobalType expected)
    {
        if (actual.Mutable != expected.Mutable) return false;
        if (actual.Mutable) return actual.Type == expected.Type;
        return TypeContext.IsSubtype(actual.Type, expected.Type);
    }

    /// <summary>Tag matching: the canonical function types are equivalent.</summary>
    public static bool MatchTag(int actual, int expected) => actual == expected;
}
