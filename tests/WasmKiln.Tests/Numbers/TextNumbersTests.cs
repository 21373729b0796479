using WasmKiln.Text;
using Xunit;

namespace WasmKiln.Tests.Numbers;

public class TextNumbersTests
{
    [Theory]
    [InlineData("0", 0u)]
    [InlineData("4_294_967_295", 4294967295u)]
    [InlineData("0xFFFF_FFFF", 4294967295u)]
    [InlineData("-2147483648", 2147483648u)]
    [InlineData("-1", 4294967295u)]
    [InlineData("+7", 7u)]
    public void I32LiteralsGiveTheirBitPattern(string text, uint expected)
    {
        Assert.True(TextNumbers.TryParseInt(text, 32, out var v));
        Assert.Equal(expected, (uint)v);
    }

    [Theory]
    [InlineData("4294967296")]
    [InlineData("-2147483649")]
    [InlineData("0x1_0000_0000")]
    [InlineData("1__0")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("0x")]
    [InlineData("0x_1")]
    [InlineData("")]
    [InlineData("1.0")]
    public void BadI32LiteralsAreRejected(string text) => Assert.False(TextNumbers.TryParseInt(text, 32, out _));

    [Fact]
    public void SyntaxIsToldApartFromRange()
    {
        Assert.True(TextNumbers.IsIntSyntax("0x1_0000_0000_0000_0000_0000"));
        Assert.False(TextNumbers.IsIntSyntax("0x1g"));
        Assert.True(TextNumbers.IsFloatSyntax("1e400"));
        Assert.False(TextNumbers.IsFloatSyntax("1e"));
        Assert.False(TextNumbers.TryParseF64("1e400", out _));
    }

    [Theory]
    [InlineData("0x1p+0", 0x3F800000u)]
    [InlineData("-0x1.8p+1", 0xC0400000u)]
    [InlineData("0x1p-149", 0x00000001u)]
    [InlineData("0x1p-150", 0x00000000u)]          // ties to even: rounds down to zero
    [InlineData("0x1.000001p-149", 0x00000001u)]   // just above the tie: rounds up
    [InlineData("0x1.fffffefp127", 0x7F7FFFFFu)]
    [InlineData("0x1.00000100000000000001p0", 0x3F800001u)] // sticky bit beyond 64 bits
    [InlineData("0x1.000001p0", 0x3F800000u)]      // exact tie, even stays
    [InlineData("0x1.000003p0", 0x3F800002u)]      // exact tie, odd rounds up
    [InlineData("inf", 0x7F800000u)]
    [InlineData("-inf", 0xFF800000u)]
    [InlineData("nan", 0x7FC00000u)]
    [InlineData("-nan:0x200000", 0xFFA00000u)]
    [InlineData("1.5", 0x3FC00000u)]
    [InlineData("-0", 0x80000000u)]
    [InlineData("3.4028234663852886e+38", 0x7F7FFFFFu)]
    [InlineData("1_000.5", 0x447A2000u)]
    public void F32LiteralsRoundCorrectly(string text, uint expected)
    {
        Assert.True(TextNumbers.TryParseF32(text, out var bits), text);
        Assert.Equal(expected, bits);
    }

    [Theory]
    [InlineData("0x1p128")]
    [InlineData("0x1.ffffffp127")]
    [InlineData("1e39")]
    [InlineData("nan:0x0")]
    [InlineData("nan:0x800000")]
    public void F32OutOfRangeIsRejected(string text) => Assert.False(TextNumbers.TryParseF32(text, out _));

    [Theory]
    [InlineData("0x1p-1074", 0x0000000000000001UL)]
    [InlineData("0x1.fffffffffffffp1023", 0x7FEFFFFFFFFFFFFFUL)]
    [InlineData("0x0.0000000000001p-1022", 0x0000000000000001UL)]
    [InlineData("nan:0xf_ffff_ffff_ffff", 0x7FFFFFFFFFFFFFFFUL)]
    [InlineData("2.2250738585072012e-308", 0x0010000000000000UL)]
    public void F64LiteralsRoundCorrectly(string text, ulong expected)
    {
        Assert.True(TextNumbers.TryParseF64(text, out var bits), text);
        Assert.Equal(expected, bits);
    }
}
