using System.Text;
using WasmKiln.Binary;
using WasmKiln.Text;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.Binary;

/// <summary>
/// Every <c>(module binary ...)</c> of the spec test suite: well-formed ones must decode;
/// <c>assert_malformed</c> ones must fail with the suite's message, except errors inside function
/// bodies (instructions are decoded by the validator, not by the module decoder).
/// </summary>
public sealed class SpecBinaryModuleTests(ITestOutputHelper output)
{
    /// <summary>Messages only a decoder of function body instructions can report.</summary>
    private static readonly string[] BodyMessages =
    [
        "illegal opcode", "malformed memop flags", "data count section required", "END opcode expected",
        "unexpected end of section or function", "unexpected end", "malformed reference type", "integer too large",
        "integer representation too long", "zero byte expected",
    ];

    internal sealed record Case(string File, int Line, string? Expected, byte[] Bytes);

    internal static List<Case> LoadCases(string suite)
    {
        var cases = new List<Case>();
        foreach (var dir in new[] { "core", "legacy", "custom", Path.Combine("proposals", "threads") })
        {
            var root = Path.Combine(suite, dir);
            if (!Directory.Exists(root)) continue;
            var files = Directory.GetFiles(root, "*.wast", SearchOption.AllDirectories);
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                List<SExpr> top;
                try { top = SExprParser.Parse(File.ReadAllText(file)); }
                catch (TextParseException) { continue; }
                foreach (var node in top)
                {
                    if (node is not SList cmd || cmd.Head == null) continue;
                    string rel = Path.GetRelativePath(suite, file);
                    if (cmd.Head == "module")
                    {
                        if (BinaryModule(cmd) is { } b) cases.Add(new Case(rel, cmd.Line, null, b));
                    }
                    else if (cmd.Head is "assert_malformed" or "assert_invalid" or "assert_unlinkable" or "assert_trap" or "assert_uninstantiable"
                             && cmd.Count >= 2 && cmd[1] is SList mod && BinaryModule(mod) is { } b)
                    {
                        string? expected = null;
                        if (cmd.Head == "assert_malformed" && cmd.Count >= 3 && cmd[2] is SAtom { Kind: AtomKind.String } msg)
                            expected = Encoding.UTF8.GetString(msg.Bytes!);
                        cases.Add(new Case(rel, cmd.Line, expected, b));
                    }
                }
            }
        }
        return cases;
    }

    private static byte[]? BinaryModule(SList mod)
    {
        if (mod.Head != "module") return null;
        int i = 1;
        while (i < mod.Count && mod[i] is SAtom a && (a.Kind == AtomKind.Id || a.IsKeyword("definition") || a.IsKeyword("instance"))) i++;
        if (i >= mod.Count || mod[i] is not SAtom bin || !bin.IsKeyword("binary")) return null;
        var bytes = new List<byte>();
        for (i++; i < mod.Count; i++)
            if (mod[i] is SAtom { Kind: AtomKind.String } s) bytes.AddRange(s.Bytes!);
        return bytes.ToArray();
    }

    [SkippableFact]
    public void SuiteBinaryModulesDecodeOrFailAsExpected()
    {
        Skip.If(TestPaths.TestSuite == null, "spec test suite not present");
        var cases = LoadCases(TestPaths.TestSuite!);
        Assert.True(cases.Count > 500, "too few binary modules found: " + cases.Count);
        var failures = new List<string>();
        int malformed = 0, decodedMalformed = 0, identical = 0;
        foreach (var c in cases)
        {
            string where = $"{c.File}:{c.Line}";
            try
            {
                var decoded = ModuleDecoder.Decode(c.Bytes);
                if (c.Expected == null)
                {
                    // Re-encoding is canonical: encoding what the encoder wrote gives the same bytes.
                    var once = ModuleEncoder.Encode(decoded);
                    var twice = ModuleEncoder.Encode(ModuleDecoder.Decode(once));
                    if (!once.AsSpan().SequenceEqual(twice)) failures.Add($"{where}: re-encoding is not stable");
                    if (once.AsSpan().SequenceEqual(c.Bytes)) identical++;
                }
                else
                {
                    decodedMalformed++;
                    bool bodyLevel = false;
                    foreach (var m in BodyMessages) bodyLevel |= c.Expected.Contains(m, StringComparison.Ordinal);
                    if (!bodyLevel) failures.Add($"{where}: decoded, expected \"{c.Expected}\"");
                    else
                    {
                        // Instructions are decoded by the validator: it must reject the module as malformed.
                        try
                        {
                            WasmKiln.Validation.Validator.Validate(ModuleDecoder.Decode(c.Bytes));
                            failures.Add($"{where}: decoded and validated, expected \"{c.Expected}\"");
                        }
                        catch (MalformedModuleException e)
                        {
                            if (!e.Message.Contains(c.Expected, StringComparison.Ordinal))
                                output.WriteLine($"note: {where}: validator says \"{e.Message}\", reference decoder \"{c.Expected}\"");
                        }
                        catch (WasmException e)
                        {
                            failures.Add($"{where}: {e.GetType().Name} \"{e.Message}\", expected malformed \"{c.Expected}\"");
                        }
                    }
                }
            }
            catch (MalformedModuleException e)
            {
                if (c.Expected == null) failures.Add($"{where}: unexpected error \"{e.Message}\" at {e.Offset}");
                else if (!e.Message.Contains(c.Expected, StringComparison.Ordinal)) failures.Add($"{where}: \"{e.Message}\" at {e.Offset}, expected \"{c.Expected}\"");
                else malformed++;
            }
        }
        output.WriteLine($"{cases.Count} binary modules, {malformed} malformed rejected by the decoder, {decodedMalformed} left to body decoding, {identical} well-formed ones re-encode byte for byte");
        foreach (var f in failures) output.WriteLine(f);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
