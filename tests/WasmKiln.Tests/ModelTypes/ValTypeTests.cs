using WasmKiln.Model;
using Xunit;

namespace WasmKiln.Tests.ModelTypes;

public class ValTypeTests
{
    [Theory]
    [InlineData(-0x0F, true, "nullref")]
    [InlineData(-0x0D, true, "nullfuncref")]
    [InlineData(-0x0E, true, "nullexternref")]
    [InlineData(-0x0C, true, "nullexnref")]
    [InlineData(-0x10, true, "funcref")]
    [InlineData(-0x12, true, "anyref")]
    [InlineData(-0x10, false, "(ref func)")]
    [InlineData(-0x0F, false, "(ref none)")]
    [InlineData(3, true, "(ref null 3)")]
    public void ReferenceTypesPrintWithTheirTextNames(int heap, bool nullable, string text) =>
        Assert.Equal(text, ValType.Ref(new HeapType(heap), nullable).ToString());
}
