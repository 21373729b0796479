using WasmKiln.Binary;
using Xunit;

namespace WasmKiln.Tests.Binary;

/// <summary>Malformed binaries built from bytes: the decoder's message and the offset of the problem.</summary>
public sealed class MalformedMessageTests
{
    private const string Header = "0061736d01000000";

    private static byte[] Hex(string hex)
    {
        hex = hex.Replace(" ", "", StringComparison.Ordinal);
        return Convert.FromHexString(hex);
    }

    [Theory]
    [InlineData("", "unexpected end", 0)]
    [InlineData("0061", "unexpected end", 2)]
    [InlineData("0061736d", "unexpected end", 4)]
    [InlineData("0061736d0100", "unexpected end", 6)]
    [InlineData("0061736e01000000", "magic header not detected", 0)]
    [InlineData("0061736d02000000", "unknown binary version", 4)]
    [InlineData("0061736d0d000000", "unknown binary version", 4)]
    public void HeaderErrors(string hex, string message, long offset)
    {
        var e = Assert.Throws<MalformedModuleException>(() => ModuleDecoder.Decode(Hex(hex)));
        Assert.Equal(message, e.Message);
        Assert.Equal(offset, e.Offset);
    }

    [Theory]
    // section ids and sizes
    [InlineData("0e00", "malformed section id", 8)]
    [InlineData("7f00", "malformed section id", 8)]
    [InlineData("01", "unexpected end of section or function", 9)]
    [InlineData("0105", "length out of bounds", 9)]
    [InlineData("0102 00 00", "section size mismatch", 10)]
    [InlineData("0100", "unexpected end of section or function", 10)]
    [InlineData("01 80808080 10", "integer too large", 9)]
    [InlineData("01 8080808080 00", "integer representation too long", 9)]
    // order and duplicates
    [InlineData("0301 00 0101 00", "unexpected content after last section", 11)]
    [InlineData("0101 00 0101 00", "unexpected content after last section", 11)]
    [InlineData("0a01 00 0c01 00", "unexpected content after last section", 11)]
    [InlineData("0601 00 0d01 00", "unexpected content after last section", 11)]
    // types
    [InlineData("0104 01 6100 00", "malformed definition type", 11)]
    [InlineData("0105 01 e07f 0000", "integer representation too long", 11)]
    [InlineData("0104 01 60 01 10 00", "malformed value type", 13)]
    [InlineData("0105 01 5f 01 7f 02", "malformed mutability", 14)]
    [InlineData("0105 01 5e 63 75 00", "malformed heap type", 13)]
    // imports
    [InlineData("0205 01 00 00 05 00", "malformed import kind", 13)]
    [InlineData("0206 01 01 ff 00 00 00", "malformed UTF-8 encoding", 12)]
    [InlineData("0206 01 00 00 02 10 00", "malformed limits flags", 14)]
    [InlineData("0206 01 00 00 02 08 00", "malformed limits flags (custom page sizes are not supported)", 14)]
    [InlineData("0206 01 00 00 04 01 00", "malformed tag attribute", 14)]
    [InlineData("0206 01 00 00 01 7f 00 00", "malformed reference type", 14)]
    [InlineData("0206 01 00 00 03 7f 02", "malformed mutability", 15)]
    [InlineData("0205 01 05 61 00 00", "length out of bounds", 11)]
    // tables, memories, globals, exports
    [InlineData("0405 01 40 01 70 00", "malformed table", 12)]
    [InlineData("0503 01 00 80", "unexpected end of section or function", 13)]
    [InlineData("0603 01 7f 00", "unexpected end of section or function", 13)]
    [InlineData("0606 01 7f 00 41 00 05", "END opcode expected", 15)]
    [InlineData("0605 01 7f 00 27 0b", "illegal opcode 27", 13)]
    [InlineData("0604 01 7f 00 ff", "illegal opcode ff", 13)]
    [InlineData("0607 01 7f 00 fc 80 01 0b", "illegal opcode fc 80", 13)]
    [InlineData("0704 01 00 05 00", "malformed export kind", 12)]
    // elements and data
    [InlineData("0902 01 08", "malformed elements segment kind", 11)]
    [InlineData("0904 01 01 01 00", "malformed element kind", 12)]
    [InlineData("0b02 01 03", "malformed data segment kind", 11)]
    [InlineData("0b06 01 01 05 61 62 63", "unexpected end of section or function", 16)]
    // datacount and code
    [InlineData("0c01 02 0b03 01 01 00", "data count and data section have inconsistent lengths", 16)]
    [InlineData("0c01 01", "data count and data section have inconsistent lengths", 11)]
    public void Sections(string hex, string message, long offset)
    {
        var e = Assert.Throws<MalformedModuleException>(() => ModuleDecoder.Decode(Hex(Header + hex)));
        Assert.Equal(message, e.Message);
        Assert.Equal(offset, e.Offset);
    }

    private const string OneFuncType = "0104 01 60 00 00";

    [Theory]
    [InlineData("0302 01 00", "function and code section have inconsistent lengths")]
    [InlineData("0303 02 00 00 0a04 01 02 00 0b", "function and code section have inconsistent lengths")]
    [InlineData("0a04 01 02 00 0b", "function and code section have inconsistent lengths")]
    [InlineData("0302 01 00 0a06 01 04 01 ff ff 0f 7f", "too many locals")]
    [InlineData("0302 01 00 0a0c 01 0a 02 ff ff ff ff 0f 7f 01 7e 0b", "too many locals")]
    [InlineData("0302 01 00 0a05 01 03 01 01 10 0b", "malformed value type")]
    [InlineData("0302 01 00 0a05 01 09 00 0b", "length out of bounds")]
    // a body without its end: decoded on past its size, like the reference decoder does
    [InlineData("0302 01 00 0a05 01 03 00 41 01 0b0301 01 00", "section size mismatch")]
    [InlineData("0302 01 00 0a05 01 03 00 41 01", "unexpected end of section or function")]
    [InlineData("0302 01 00 0a08 01 06 00 28 02 80 80 80 80 80 80 80 80 80 80 00 0b", "integer representation too long")]
    public void Code(string hex, string message)
    {
        var e = Assert.Throws<MalformedModuleException>(() => ModuleDecoder.Decode(Hex(Header + OneFuncType + hex)));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("0009 04 6e616d65 01 02 03 04")] // malformed name section contents are not an error
    [InlineData("0001 00")]                     // custom section with an empty name
    public void WellFormed(string hex)
    {
        var m = ModuleDecoder.Decode(Hex(Header + hex));
        Assert.Single(m.Customs);
    }

    [Fact]
    public void CustomSectionNameMustBeUtf8()
    {
        var e = Assert.Throws<MalformedModuleException>(() => ModuleDecoder.Decode(Hex(Header + "0003 02 c0 80")));
        Assert.Equal("malformed UTF-8 encoding", e.Message);
        Assert.Equal(11, e.Offset);
    }

    [Fact]
    public void CustomSectionNameLongerThanTheSectionIsAnError()
    {
        var e = Assert.Throws<MalformedModuleException>(() => ModuleDecoder.Decode(Hex(Header + "0002 05 6162636465")));
        Assert.Equal("unexpected end of section or function", e.Message);
    }

    [Fact]
    public void CustomSectionsAreKeptWithTheirPosition()
    {
        var m = ModuleDecoder.Decode(Hex(Header + "0002 0161" + OneFuncType + "0003 0162 ff" + "0c01 00" + "0002 0163"));
        Assert.Equal(3, m.Customs.Count);
        Assert.Equal(("a", Model.SectionId.Custom, 0), (m.Customs[0].Name, m.Customs[0].After, m.Customs[0].Data.Length));
        Assert.Equal(("b", Model.SectionId.Type, 1), (m.Customs[1].Name, m.Customs[1].After, m.Customs[1].Data.Length));
        Assert.Equal(("c", Model.SectionId.DataCount), (m.Customs[2].Name, m.Customs[2].After));
        Assert.Equal(0u, m.DataCount);
        Assert.Equal(Hex(Header + "0002 0161" + OneFuncType + "0003 0162 ff" + "0c01 00" + "0002 0163"), ModuleEncoder.Encode(m));
    }
}
