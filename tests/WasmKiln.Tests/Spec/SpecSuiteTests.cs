using WasmKiln.Script;
using Xunit;

namespace WasmKiln.Tests.Spec;

/// <summary>
/// Runs every .wast of the spec suite (core, legacy, custom, proposals/threads), one case per file:
/// with the compiler engine every command must pass; with the <c>none</c> engine everything that
/// only needs decoding, parsing and validation must pass (every module command, every
/// assert_malformed/assert_invalid and their _custom forms) and every command that needs execution
/// must fail with "no engine", never pass silently.
/// </summary>
public class SpecSuiteTests
{
    private static readonly string[] Folders = ["core", "legacy", "custom", "proposals/threads"];

    private static readonly HashSet<string> LoadKinds =
        ["module", "assert_malformed", "assert_invalid", "assert_malformed_custom", "assert_invalid_custom", "script"];

    /// <summary>One case per .wast file (relative path with '/'), or one placeholder when the suite is absent.</summary>
    public static IEnumerable<object[]> Files()
    {
        var suite = TestPaths.TestSuite;
        if (suite == null)
        {
            yield return ["(spec suite not found)"];
            yield break;
        }
        foreach (var folder in Folders)
        {
            var dir = Path.Combine(suite, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var f in SpecReport.Collect(dir))
                yield return [folder + "/" + f.DisplayPath];
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void LoadingCommandsPassWithoutAnEngine(string file)
    {
        Skip.If(TestPaths.TestSuite is null, "spec suite not found");
        var result = new SpecRunner(NoEngine.EngineName).RunFile(Path.Combine(TestPaths.TestSuite!, file), file);
        var bad = new List<string>();
        foreach (var f in result.Failures)
        {
            bool expected = !LoadKinds.Contains(f.Kind) && f.Message.StartsWith("no engine: ", StringComparison.Ordinal);
            if (!expected) bad.Add($"{file}:{f.Line}: {f.Kind}: {f.Message}");
        }
        foreach (var (kind, count) in result.ByKind)
            if (!LoadKinds.Contains(kind) && count.Passed > 0) bad.Add($"{file}: {count.Passed} {kind} passed without an engine");
        Assert.True(bad.Count == 0, $"{bad.Count} unexpected failures:\n" + string.Join("\n", bad.Take(40)));
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void EveryCommandPassesOnTheCompiler(string file) => AssertEveryCommandPasses(CompilerScriptEngine.EngineName, file);

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void EveryCommandPassesOnTheInterpreter(string file) => AssertEveryCommandPasses(InterpreterScriptEngine.EngineName, file);

    private static void AssertEveryCommandPasses(string engine, string file)
    {
        Skip.If(TestPaths.TestSuite is null, "spec suite not found");
        var result = new SpecRunner(engine).RunFile(Path.Combine(TestPaths.TestSuite!, file), file);
        var bad = new List<string>();
        foreach (var f in result.Failures) bad.Add($"{file}:{f.Line}: {f.Kind}: {f.Message}");
        Assert.True(bad.Count == 0, $"{bad.Count} failures:\n" + string.Join("\n", bad.Take(40)));
        Assert.True(result.Passed > 0, file + ": no command ran");
    }
}
