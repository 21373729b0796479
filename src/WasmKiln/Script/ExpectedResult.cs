using System.Text;
using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln.Script;

/// <summary>The forms an expected result of <c>assert_return</c> can take.</summary>
internal enum ExpectedKind : byte
{
    /// <summary>An exact value (floats compared bit for bit).</summary>
    Exact,
    /// <summary><c>f32.const nan:canonical</c> / <c>f64.const nan:canonical</c>.</summary>
    NanCanonical,
    /// <summary><c>f32.const nan:arithmetic</c> / <c>f64.const nan:arithmetic</c>.</summary>
    NanArithmetic,
    /// <summary>A float <c>v128.const</c> with at least one NaN pattern lane.</summary>
    V128Lanes,
    /// <summary><c>(ref.null)</c> or <c>(ref.null ht)</c>: any null reference.</summary>
    RefNull,
    /// <summary>A non-null reference of one or more classes (<c>ref.func</c>, <c>ref.struct</c>, <c>ref.eq</c>, ...), optionally with a payload.</summary>
    RefOf,
    /// <summary><c>(either r1 r2 ...)</c>: any one of the alternatives.</summary>
    Either,
}

/// <summary>A NaN pattern or exact bits for one float lane of an expected <c>v128.const</c>.</summary>
internal readonly record struct LanePattern(ExpectedKind Kind, ulong Bits);

/// <summary>One expected result of <c>assert_return</c>.</summary>
internal sealed class ExpectedResult
{
    /// <summary>The form of the expectation.</summary>
    public ExpectedKind Kind { get; private init; }

    /// <summary>The value type the result must have (for refs: <see cref="ValKind.Ref"/>).</summary>
    public ValKind Type { get; private init; }

    /// <summary>For <see cref="ExpectedKind.Exact"/>: the value.</summary>
    public Value Value { get; private init; }

    /// <summary>For <see cref="ExpectedKind.V128Lanes"/>: lane width in bits (32 or 64).</summary>
    public int LaneBits { get; private init; }

    /// <summary>For <see cref="ExpectedKind.V128Lanes"/>: one pattern per lane.</summary>
    public LanePattern[] Lanes { get; private init; } = [];

    /// <summary>For <see cref="ExpectedKind.RefOf"/>: the accepted reference classes.</summary>
    public RefClass[] Classes { get; private init; } = [];

    /// <summary>For <see cref="ExpectedKind.RefOf"/>: the payload that must match (host id), or null.</summary>
    public ulong? Payload { get; private init; }

    /// <summary>For <see cref="ExpectedKind.RefNull"/>: the heap type written, or null for <c>(ref.null)</c>.</summary>
    public HeapType? NullHeap { get; private init; }

    /// <summary>For <see cref="ExpectedKind.Either"/>: the alternatives.</summary>
    public ExpectedResult[] Alternatives { get; private init; } = [];

    /// <summary>The source text of the expectation, for messages.</summary>
    public string Text { get; private init; } = "";

    /// <summary>An exact value.</summary>
    public static ExpectedResult Exact(Value v, string text) => new() { Kind = ExpectedKind.Exact, Type = v.Kind, Value = v, Text = text };

    /// <summary>A NaN pattern for a float type.</summary>
    public static ExpectedResult Nan(ValKind type, bool canonical, string text) =>
        new() { Kind = canonical ? ExpectedKind.NanCanonical : ExpectedKind.NanArithmetic, Type = type, Text = text };

    /// <summary>A float vector with per-lane patterns.</summary>
    public static ExpectedResult V128Lanes(int laneBits, LanePattern[] lanes, string text) =>
        new() { Kind = ExpectedKind.V128Lanes, Type = ValKind.V128, LaneBits = laneBits, Lanes = lanes, Text = text };

    /// <summary>Any null reference.</summary>
    public static ExpectedResult RefNull(HeapType? heap, string text) => new() { Kind = ExpectedKind.RefNull, Type = ValKind.Ref, NullHeap = heap, Text = text };

    /// <summary>A non-null reference of one of <paramref name="classes"/>.</summary>
    public static ExpectedResult RefOf(RefClass[] classes, ulong? payload, string text) =>
        new() { Kind = ExpectedKind.RefOf, Type = ValKind.Ref, Classes = classes, Payload = payload, Text = text };

    /// <summary>Any one of the alternatives.</summary>
    public static ExpectedResult Either(ExpectedResult[] alternatives, string text) =>
        new() { Kind = ExpectedKind.Either, Type = alternatives.Length > 0 ? alternatives[0].Type : ValKind.I32, Alternatives = alternatives, Text = text };

    /// <summary>True when <paramref name="actual"/> satisfies this expectation.</summary>
    public bool Matches(in Value actual, IRefClassifier classifier)
    {
        switch (Kind)
        {
            case ExpectedKind.Either:
                foreach (var alt in Alternatives)
                    if (alt.Matches(actual, classifier)) return true;
                return false;
            case ExpectedKind.Exact:
                return actual.Kind == Value.Kind && actual.Lo == Value.Lo && actual.Hi == Value.Hi;
            case ExpectedKind.NanCanonical:
            case ExpectedKind.NanArithmetic:
                if (actual.Kind != Type) return false;
                return Type == ValKind.F32
                    ? MatchLane(Kind, actual.Lo & 0xFFFF_FFFF, 32)
                    : MatchLane(Kind, actual.Lo, 64);
            case ExpectedKind.V128Lanes:
            {
                if (actual.Kind != ValKind.V128) return false;
                int perHalf = 64 / LaneBits;
                ulong mask = LaneBits == 64 ? ulong.MaxValue : (1UL << LaneBits) - 1;
                for (int i = 0; i < Lanes.Length; i++)
                {
                    ulong half = i < perHalf ? actual.Lo : actual.Hi;
                    ulong lane = (half >> (i % perHalf * LaneBits)) & mask;
                    var p = Lanes[i];
                    if (p.Kind == ExpectedKind.Exact ? lane != p.Bits : !MatchLane(p.Kind, lane, LaneBits)) return false;
                }
                return true;
            }
            case ExpectedKind.RefNull:
                return actual.Kind == ValKind.Ref && classifier.Classify(actual, out _) == RefClass.Null;
            case ExpectedKind.RefOf:
            {
                if (actual.Kind != ValKind.Ref) return false;
                var cls = classifier.Classify(actual, out var hostId);
                if (cls == RefClass.Null || Array.IndexOf(Classes, cls) < 0) return false;
                return Payload is not { } p2 || hostId == p2;
            }
            default:
                return false;
        }
    }

    private static bool MatchLane(ExpectedKind kind, ulong bits, int width)
    {
        if (width == 32)
        {
            uint b = (uint)bits;
            return kind == ExpectedKind.NanCanonical ? (b & 0x7FFF_FFFF) == 0x7FC0_0000 : (b & 0x7FC0_0000) == 0x7FC0_0000;
        }
        return kind == ExpectedKind.NanCanonical
            ? (bits & 0x7FFF_FFFF_FFFF_FFFF) == 0x7FF8_0000_0000_0000
            : (bits & 0x7FF8_0000_0000_0000) == 0x7FF8_0000_0000_0000;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    /// <summary>Formats a list of expectations for a message.</summary>
    public static string Format(ExpectedResult[] results)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < results.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(results[i].Text);
        }
        return results.Length == 0 ? "(nothing)" : sb.ToString();
    }
}
