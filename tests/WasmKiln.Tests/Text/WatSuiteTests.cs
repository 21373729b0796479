using WasmKiln.Text;
using Xunit;

namespace WasmKiln.Tests.Text;

/// <summary>
/// Over the spec suite: every text module (plain, definition, and inside assert_invalid /
/// assert_trap / assert_unlinkable / assert_uninstantiable / assert_exhaustion) parses, every
/// valid quote module parses, and every <c>assert_malformed (module quote ...)</c> fails with a
/// message containing the expected text.
/// </summary>
public class WatSuiteTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var root = TestPaths.TestSuite;
        if (root == null)
        {
            data.Add("");
            return data;
        }
        foreach (var dir in new[] { "core", "legacy", "custom", "proposals/threads" })
        {
            var d = Path.Combine(root, dir);
            if (!Directory.Exists(d)) continue;
            foreach (var f in Directory.GetFiles(d, "*.wast").OrderBy(x => x, StringComparer.Ordinal))
                data.Add(dir + "/" + Path.GetFileName(f));
        }
        return data;
    }

    /// <summary>Counts and failures of one file.</summary>
    internal sealed class FileResult
    {
        public int TextParsed;
        public int QuoteMalformedPassed;
        public readonly List<string> Failures = [];
    }

    internal static FileResult Check(string root, string file)
    {
        var path = Path.Combine(root, file);
        var result = new FileResult();
        var text = File.ReadAllText(path);
        foreach (var cmd in SExprParser.Parse(text))
        {
            if (cmd is not SList l || l.IsAnnotation) continue;
            switch (l.Head)
            {
                case "module":
                    CheckParses(l, result);
                    break;
                case "assert_invalid":
                case "assert_trap":
                case "assert_unlinkable":
                case "assert_uninstantiable":
                case "assert_exhaustion":
                    if (l.Count > 1 && l[1] is SList { Head: "module" } m) CheckParses(m, result);
                    break;
                case "assert_malformed_custom":
                case "assert_malformed":
                    if (l.Count > 2 && l[1] is SList { Head: "module" } mm && l[2] is SAtom { Kind: AtomKind.String } msg)
                        CheckMalformed(mm, msg.Text, result, file);
                    break;
            }
        }
        return result;
    }

    private static void CheckParses(SList module, FileResult result)
    {
        if (module.Count > 1 && module[1] is SAtom { Text: "instance" }) return;
        try
        {
            var form = WatParser.ReadModuleForm(module);
            switch (form.Kind)
            {
                case ModuleFormKind.Text:
                    WatParser.ParseModule(module);
                    result.TextParsed++;
                    break;
                case ModuleFormKind.Quote:
                    WatParser.ParseText(form.Quote!);
                    result.TextParsed++;
                    break;
            }
        }
        catch (TextParseException e)
        {
            result.Failures.Add($"line {module.Line}: module does not parse: {e.Message} at {e.Line}:{e.Column}");
        }
    }

    /// <summary>
    /// assert_malformed commands of the threads proposal that WebAssembly 3.0 superseded: with
    /// memory64, limits are u64 literals and core/memory.wast expects the same text to parse and
    /// fail validation ("memory size").
    /// </summary>
    private static readonly string[] Superseded = ["proposals/threads/memory.wast:i32 constant out of range"];

    private static void CheckMalformed(SList module, string expected, FileResult result, string file)
    {
        var form = WatParser.ReadModuleForm(module);
        if (form.Kind != ModuleFormKind.Quote) return;
        if (Array.IndexOf(Superseded, file + ":" + expected) >= 0) return;
        try
        {
            WatParser.ParseText(form.Quote!);
            result.Failures.Add($"line {module.Line}: parsed but expected \"{expected}\"");
        }
        catch (TextParseException e)
        {
            if (e.Message.Contains(expected, StringComparison.Ordinal)) result.QuoteMalformedPassed++;
            else result.Failures.Add($"line {module.Line}: expected \"{expected}\", got \"{e.Message}\"");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void TextModulesParseAndQuoteMalformedFail(string file)
    {
        Skip.If(TestPaths.TestSuite is null, "spec test suite not found");
        var r = Check(TestPaths.TestSuite!, file);
        Assert.True(r.Failures.Count == 0, file + ":\n" + string.Join("\n", r.Failures));
    }
}
