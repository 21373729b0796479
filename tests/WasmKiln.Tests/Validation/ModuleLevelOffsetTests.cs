using WasmKiln.Binary;
using WasmKiln.Model;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Validation;

/// <summary>Module-level validation errors point at the section being checked.</summary>
public class ModuleLevelOffsetTests
{
    [Theory]
    [InlineData("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))", (int)SectionId.Export, "duplicate export name")]
    [InlineData("(module (memory 2 1))", (int)SectionId.Memory, "size minimum must not be greater than maximum")]
    [InlineData("(module (func $f (param i32)) (start $f))", (int)SectionId.Start, "start function")]
    public void ErrorCarriesTheSectionOffset(string text, int sectionId, string message)
    {
        var section = (SectionId)sectionId;
        var module = ModuleDecoder.Decode(ModuleEncoder.Encode(WatParser.ParseText(text)));
        var e = Assert.Throws<InvalidModuleException>(() => Validator.Validate(module));
        Assert.Contains(message, e.Message);
        Assert.True(module.SectionOffset(section) >= 8);
        Assert.Equal(module.SectionOffset(section), e.Offset);
    }
}
