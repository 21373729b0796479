using System.Text.RegularExpressions;
using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Runtime;

public class TrapTests
{
    [Theory]
    [InlineData(TrapKind.Unreachable, "unreachable")]
    [InlineData(TrapKind.MemoryOutOfBounds, "out of bounds memory access")]
    [InlineData(TrapKind.IntegerDivideByZero, "integer divide by zero")]
    [InlineData(TrapKind.IntegerOverflow, "integer overflow")]
    [InlineData(TrapKind.InvalidConversionToInteger, "invalid conversion to integer")]
    [InlineData(TrapKind.IndirectCallTypeMismatch, "indirect call type mismatch")]
    [InlineData(TrapKind.UninitializedElement, "uninitialized element")]
    [InlineData(TrapKind.UndefinedElement, "undefined element")]
    [InlineData(TrapKind.NullReference, "null reference")]
    [InlineData(TrapKind.NullFunctionReference, "null function reference")]
    [InlineData(TrapKind.NullStructureReference, "null structure reference")]
    [InlineData(TrapKind.NullArrayReference, "null array reference")]
    [InlineData(TrapKind.NullI31Reference, "null i31 reference")]
    [InlineData(TrapKind.CastFailure, "cast failure")]
    [InlineData(TrapKind.ArrayOutOfBounds, "out of bounds array access")]
    [InlineData(TrapKind.TableOutOfBounds, "out of bounds table access")]
    [InlineData(TrapKind.CallStackExhausted, "call stack exhausted")]
    [InlineData(TrapKind.UnalignedAtomic, "unaligned atomic")]
    [InlineData(TrapKind.ExpectedSharedMemory, "expected shared memory")]
    [InlineData(TrapKind.UncaughtException, "uncaught exception")]
    [InlineData(TrapKind.OutOfMemory, "out of memory")]
    public void EachKindHasTheSpecMessage(TrapKind kind, string message)
    {
        var e = new TrapException(kind);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(message, e.Message);
        Assert.IsAssignableFrom<WasmException>(e);
    }

    [Fact]
    public void EveryKindHasADistinctMessage()
    {
        var kinds = Enum.GetValues<TrapKind>();
        Assert.Equal(kinds.Length, TrapMessages.Count);
        var messages = new HashSet<string>();
        foreach (var k in kinds) Assert.True(messages.Add(TrapMessages.Of(k)), k.ToString());
    }

    [Fact]
    public void HelpersThrowTheirKind()
    {
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(Trap.Unreachable).Kind);
        Assert.Equal(TrapKind.IntegerOverflow, Assert.Throws<TrapException>(Trap.IntegerOverflow).Kind);
        Assert.Equal(TrapKind.TableOutOfBounds, Assert.Throws<TrapException>(Trap.TableOutOfBounds).Kind);
        Assert.Equal(TrapKind.NullI31Reference, Assert.Throws<TrapException>(Trap.NullI31Reference).Kind);
        Assert.Equal(TrapKind.CastFailure, Assert.Throws<TrapException>(() => Trap.Throw(TrapKind.CastFailure)).Kind);
        Assert.Equal(TrapKind.OutOfMemory, Assert.Throws<TrapException>(() => Trap.Throw<int>(TrapKind.OutOfMemory)).Kind);
    }

    [Fact]
    public void BacktraceKeepsFramesInnermostFirst()
    {
        var e = new TrapException(TrapKind.Unreachable);
        Assert.Empty(e.WasmBacktrace);
        e.AddFrame(new WasmFrame(3, "inner"));
        e.AddFrame(new WasmFrame(7, null, "m"));
        Assert.Equal([new WasmFrame(3, "inner"), new WasmFrame(7, null, "m")], e.WasmBacktrace);
        Assert.Equal("unreachable\n  at inner\n  at m!func[7]", e.FormatBacktrace());
    }

    /// <summary>Every message of assert_trap / assert_exhaustion in the suite is a kind's message (or starts with one).</summary>
    [SkippableFact]
    public void EverySuiteTrapMessageHasAKind()
    {
        Skip.If(TestPaths.TestSuite == null, "spec test suite not available");
        var known = new List<string>();
        foreach (var k in Enum.GetValues<TrapKind>()) known.Add(TrapMessages.Of(k));
        var seen = new HashSet<string>();
        var start = new Regex(@"\((assert_trap|assert_exhaustion)\b");
        foreach (var file in Directory.EnumerateFiles(TestPaths.TestSuite!, "*.wast", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            foreach (Match m in start.Matches(text))
            {
                var message = LastStringOfForm(text, m.Index);
                if (message != null) seen.Add(message);
            }
        }
        Assert.Contains("out of bounds memory access", seen);
        Assert.Contains("call stack exhausted", seen);
        foreach (var message in seen)
            Assert.True(known.Exists(k => message.StartsWith(k, StringComparison.Ordinal)), "no trap kind for \"" + message + "\"");
    }

    // The last string literal of the parenthesized form starting at 'start' (skipping comments).
    private static string? LastStringOfForm(string s, int start)
    {
        int depth = 0;
        string? last = null;
        for (int i = start; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"')
            {
                int j = i + 1;
                while (j < s.Length && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
                last = s[(i + 1)..j];
                i = j;
            }
            else if (c == ';' && i + 1 < s.Length && s[i + 1] == ';')
            {
                i = s.IndexOf('\n', i);
                if (i < 0) break;
            }
            else if (c == '(' && i + 1 < s.Length && s[i + 1] == ';')
            {
                i = s.IndexOf(";)", i, StringComparison.Ordinal) + 1;
                if (i <= 0) break;
            }
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return last;
        }
        return null;
    }
}
