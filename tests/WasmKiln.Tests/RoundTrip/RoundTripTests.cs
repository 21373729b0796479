using System.Text;
using WasmKiln.Binary;
using WasmKiln.Model;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.RoundTrip;

/// <summary>
/// binary -> text -> binary round trips: for every module the suite defines with a plain
/// <c>(module ...)</c> command, Encode(Parse(Print(Decode(bin)))) must give back bin, printed
/// flat and folded.
/// </summary>
public class RoundTripTests(ITestOutputHelper output)
{
    /// <summary>Every .wast file of the suite, relative to it (a single placeholder when the suite is absent).</summary>
    public static IEnumerable<object[]> WastFiles()
    {
        if (TestPaths.TestSuite == null)
        {
            yield return ["(suite absent)"];
            yield break;
        }
        var files = Directory.GetFiles(TestPaths.TestSuite, "*.wast", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var f in files) yield return [Path.GetRelativePath(TestPaths.TestSuite, f)];
    }

    /// <summary>The outcome of checking one module form.</summary>
    private enum Outcome { Exact, Stable, Skipped }

    [SkippableTheory]
    [MemberData(nameof(WastFiles))]
    public void SuiteModulesRoundTripThroughText(string wast)
    {
        Skip.If(TestPaths.TestSuite == null, "spec test suite not found");
        var text = File.ReadAllText(Path.Combine(TestPaths.TestSuite!, wast));
        var failures = new StringBuilder();
        int exact = 0, stable = 0, skipped = 0;
        foreach (var e in SExprParser.Parse(text))
        {
            if (e is not SList { IsAnnotation: false } list || list.Head != "module") continue;
            // `(module instance $i $m)` instantiates a module defined earlier: nothing to print.
            if (list.Count > 1 && list[1] is SAtom { Kind: AtomKind.Keyword, Text: "instance" })
            {
                skipped++;
                continue;
            }
            ModuleForm form;
            try
            {
                form = WatParser.ReadModuleForm(list);
            }
            catch (WasmException)
            {
                // `(module instance ...)` and similar commands that do not define a module.
                skipped++;
                continue;
            }
            if (form.Kind == ModuleFormKind.Quote) { skipped++; continue; }
            try
            {
                switch (Check(form))
                {
                    case Outcome.Exact: exact++; break;
                    case Outcome.Stable: stable++; break;
                    default: skipped++; break;
                }
            }
            catch (Exception ex) when (ex is WasmException or RoundTripException)
            {
                failures.Append("line ").Append(list.Line).Append(": ").Append(ex.Message).Append('\n');
            }
        }
        output.WriteLine($"{wast}: {exact} exact, {stable} stable after one pass, {skipped} skipped");
        Assert.True(failures.Length == 0, wast + ":\n" + failures);
    }

    private sealed class RoundTripException(string message) : Exception(message);

    /// <summary>
    /// Text modules must round trip byte for byte. Binary modules may use encodings the text
    /// cannot express (padded LEB128s, split local groups, a name section): for them the first
    /// pass must succeed and the second must be exact.
    /// </summary>
    private static Outcome Check(ModuleForm form)
    {
        if (form.Kind == ModuleFormKind.Text)
        {
            var parsed = WatParser.ParseModule(form.Source);
            var bin = ModuleEncoder.Encode(parsed);
            Compare(bin, folded: false);
            Compare(bin, folded: true);
            // With a name section: the $ids of the source print as $ids again and encode the same
            // names (when they are plain identifiers; others are printed with '_' replacements).
            if (parsed.Names is { } names && AllPlain(names))
            {
                var named = ModuleEncoder.Encode(parsed, writeNames: true);
                Compare(named, folded: false, names: true);
                Compare(named, folded: true, names: true);
            }
            return Outcome.Exact;
        }
        var original = form.Binary!;
        ModuleInfo decoded;
        try
        {
            decoded = ModuleDecoder.Decode(original);
        }
        catch (MalformedModuleException)
        {
            // A binary module the suite expects to load only at link time or later is still
            // well-formed; one that is not is not ours to print.
            return Outcome.Skipped;
        }
        var once = ModuleEncoder.Encode(WatParser.ParseText(WatPrinter.Print(decoded)));
        bool exact = once.AsSpan().SequenceEqual(original);
        Compare(once, folded: false);
        Compare(once, folded: true);
        return exact ? Outcome.Exact : Outcome.Stable;
    }

    private static bool AllPlain(NameSection n)
    {
        if (n.Module != null && !WatLiterals.IsPlainId(n.Module)) return false;
        foreach (var map in new[] { n.Functions, n.Types, n.Tables, n.Memories, n.Globals, n.Elements, n.Datas, n.Tags })
            foreach (var v in map.Values)
                if (!WatLiterals.IsPlainId(v)) return false;
        foreach (var nested in new[] { n.Locals, n.Labels, n.Fields })
            foreach (var map in nested.Values)
                foreach (var v in map.Values)
                    if (!WatLiterals.IsPlainId(v)) return false;
        return true;
    }

    private static void Compare(byte[] bin, bool folded, bool names = false)
    {
        var printed = WatPrinter.Print(ModuleDecoder.Decode(bin), folded);
        byte[] back;
        try
        {
            back = ModuleEncoder.Encode(WatParser.ParseText(printed), writeNames: names);
        }
        catch (WasmException ex)
        {
            throw new RoundTripException($"{(folded ? "folded" : "flat")} text does not parse back: {ex.Message}\n{Excerpt(printed, ex)}");
        }
        if (back.AsSpan().SequenceEqual(bin)) return;
        int at = 0;
        while (at < bin.Length && at < back.Length && bin[at] == back[at]) at++;
        throw new RoundTripException($"{(folded ? "folded" : "flat")}{(names ? " named" : "")} round trip differs at byte {at} (lengths {bin.Length} -> {back.Length})\n{printed}");
    }

    private static string Excerpt(string text, WasmException ex)
    {
        if (ex is not TextParseException tp) return text;
        var lines = text.Split('\n');
        int from = Math.Max(0, tp.Line - 3), to = Math.Min(lines.Length, tp.Line + 2);
        return string.Join('\n', lines[from..to]);
    }

    /// <summary>
    /// The seed and bench modules print, parse back and validate. Compilers pad LEB128s (relocations) and the
    /// name section has no text form, so the first pass is compared by shape and the second exactly.
    /// </summary>
    [SkippableFact]
    public void SharedModulesPrintAndParseBack()
    {
        Skip.If(TestPaths.Shared == null, "shared folder not found");
        var files = new List<string>();
        foreach (var dir in new[] { "seed-example", Path.Combine("bench", "wasm") })
        {
            var path = Path.Combine(TestPaths.Shared!, dir);
            if (Directory.Exists(path)) files.AddRange(Directory.GetFiles(path, "*.wasm"));
        }
        Skip.If(files.Count == 0, "no shared modules");
        foreach (var f in files)
        {
            var m = ModuleDecoder.Decode(File.ReadAllBytes(f));
            // Megabytes of DWARF sections only make the text long: custom sections are printed the
            // same way whatever their size, so keep the small ones.
            m.Customs.RemoveAll(c => c.Data.Length > 64 * 1024);
            var back = WatParser.ParseText(WatPrinter.Print(m));
            Validator.Validate(back);
            Assert.Equal(m.Functions.Count, back.Functions.Count);
            Assert.Equal(m.Exports, back.Exports);
            Assert.Equal(m.Datas.Count, back.Datas.Count);
            var once = ModuleEncoder.Encode(back);
            Compare(once, folded: false);
            Compare(once, folded: true);
        }
    }
}
