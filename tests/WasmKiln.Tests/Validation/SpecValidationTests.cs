using System.Text;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Validation;

/// <summary>
/// Validator regression guard over the spec suite: every <c>assert_invalid</c> of core/ and legacy/
/// fails validation with the expected text, and every plain module validates. (The script runner
/// runs the full suite; this only exercises parse + validate.)
/// </summary>
public class SpecValidationTests
{
    [SkippableTheory]
    [InlineData("core")]
    [InlineData("legacy")]
    public void AssertInvalidAndValidModules(string folder)
    {
        Skip.If(TestPaths.TestSuite == null, "spec suite not present");
        var failures = new StringBuilder();
        int invalidChecked = 0, validChecked = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.TestSuite!, folder), "*.wast").Order(StringComparer.Ordinal))
        {
            List<SExpr> top;
            try { top = SExprParser.Parse(File.ReadAllText(file)); }
            catch (WasmException) { continue; } // text-level problems belong to the text tests
            foreach (var e in top)
            {
                if (e is not SList l) continue;
                string where = Path.GetFileName(file) + ":" + l.Line;
                if (l.Head == "assert_invalid" && l[1] is SList im && l[2] is SAtom msg)
                {
                    Exception? err = null;
                    try { Validator.Validate(WatParser.ParseModule(im)); }
                    catch (Exception ex) { err = ex; }
                    invalidChecked++;
                    if (err is not InvalidModuleException || !err.Message.Contains(msg.Text, StringComparison.Ordinal))
                        failures.AppendLine($"{where}: expected \"{msg.Text}\", got {(err == null ? "success" : err.GetType().Name + ": " + err.Message)}");
                }
                else if (l.Head == "module")
                {
                    Model.ModuleInfo module;
                    try { module = WatParser.ParseModule(l); }
                    catch (TextParseException) { continue; } // script-only forms (module definition/instance)
                    validChecked++;
                    try { Validator.Validate(module); }
                    catch (WasmException ex) { failures.AppendLine($"{where}: valid module rejected: {ex.Message}"); }
                }
            }
        }
        Assert.True(invalidChecked > 0);
        Assert.True(validChecked > 0);
        Assert.True(failures.Length == 0, failures.ToString());
    }
}
