using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Runtime;

public class ValueTests
{
    [Theory]
    [InlineData(0x7FC00000u)]
    [InlineData(0xFFC00000u)]
    [InlineData(0x7FA00001u)]   // signalling NaN
    [InlineData(0xFF800001u)]
    [InlineData(0x80000000u)]   // -0
    [InlineData(0x00000001u)]   // smallest subnormal
    public void F32KeepsEveryBit(uint bits)
    {
        var v = Value.F32(BitConverter.UInt32BitsToSingle(bits));
        Assert.Equal(bits, v.AsF32Bits);
        Assert.Equal(bits, BitConverter.SingleToUInt32Bits(v.AsF32));
        Assert.Equal(v, Value.F32Bits(bits));
        Assert.Equal(ValKind.F32, v.Kind);
    }

    [Theory]
    [InlineData(0x7FF8000000000000UL)]
    [InlineData(0x7FF4000000000001UL)]  // signalling NaN
    [InlineData(0xFFFFFFFFFFFFFFFFUL)]
    [InlineData(0x8000000000000000UL)]
    public void F64KeepsEveryBit(ulong bits)
    {
        var v = Value.F64(BitConverter.UInt64BitsToDouble(bits));
        Assert.Equal(bits, v.AsF64Bits);
        Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(v.AsF64));
        Assert.Equal(v, Value.F64Bits(bits));
    }

    [Fact]
    public void EqualityIsBitwiseAndTyped()
    {
        Assert.NotEqual(Value.F32(0.0f), Value.F32(-0.0f));
        Assert.NotEqual(Value.F32Bits(0x7FC00000), Value.F32Bits(0x7FC00001));
        Assert.Equal(Value.F32Bits(0x7FC00001), Value.F32Bits(0x7FC00001));
        Assert.NotEqual(Value.I32(1), Value.I64(1));
        Assert.NotEqual(Value.I32(1), Value.F32Bits(1));
        Assert.Equal(-1, Value.I32(-1).AsI32);
        Assert.Equal(0xFFFFFFFFUL, Value.I32(-1).Lo);       // zero-extended, so equal i32s compare equal
        Assert.Equal(long.MinValue, Value.I64(long.MinValue).AsI64);
        Assert.True(Value.I64(5) == Value.I64(5));
        Assert.True(Value.I64(5) != Value.I64(6));
        Assert.Equal(Value.I64(5).GetHashCode(), Value.I64(5).GetHashCode());
    }

    [Fact]
    public void VectorsAndReferences()
    {
        var v = Value.V128(new V128(0x0102030405060708, 0x1112131415161718));
        Assert.Equal(new V128(0x0102030405060708, 0x1112131415161718), v.AsV128);
        Assert.NotEqual(v, Value.V128(new V128(0x0102030405060708, 0)));

        var host = new object();
        Assert.Equal(Value.ExternRef(host), Value.ExternRef(host));
        Assert.NotEqual(Value.ExternRef(host), Value.ExternRef(new object()));
        Assert.NotEqual(Value.ExternRef(null), Value.FuncRef(null));
        Assert.True(Value.FuncRef(null).IsNull);
        Assert.False(Value.ExternRef(host).IsNull);
        Assert.False(Value.I32(0).IsNull);
        Assert.Equal(Value.Null(HeapType.Func), Value.FuncRef(null));
        Assert.Equal(Value.Null(HeapType.Any), Value.AnyRef(null));
        Assert.Equal(Value.Null(HeapType.Extern), Value.Default(ValType.ExternRef));
        Assert.Equal(Value.I32(0), Value.Default(ValType.I8));
        Assert.Throws<ArgumentException>(() => Value.Reference(ValType.I32, null));
    }

    [Fact]
    public void ToStringShowsNaNPayloads()
    {
        Assert.Equal("i32:-1", Value.I32(-1).ToString());
        Assert.Equal("f32:nan:0x7fa00001", Value.F32Bits(0x7FA00001).ToString());
        Assert.Equal("f64:1.5", Value.F64(1.5).ToString());
        Assert.Equal("funcref:null", Value.FuncRef(null).ToString());
    }

    [Fact]
    public void GlobalsStoreValuesWithoutLosingBits()
    {
        var g = new Global(new GlobalType(ValType.F32, true), Value.F32Bits(0x7FA00001));
        Assert.True(g.IsMutable);
        Assert.Equal(0x7FA00001, g.Slot.I32);
        Assert.Equal(0x7FA00001u, BitConverter.SingleToUInt32Bits(g.Slot.F32));
        Assert.Equal(Value.F32Bits(0x7FA00001), g.Value);
        g.SetValue(Value.F32(2.5f));
        Assert.Equal(2.5f, g.Slot.F32);
        g.Slot.F32 = -1.0f;                          // engines write the field directly
        Assert.Equal(Value.F32(-1.0f), g.Value);
        Assert.Throws<WasmException>(() => g.SetValue(Value.I32(1)));

        var c = new Global(new GlobalType(ValType.I64, false), Value.I64(-7));
        Assert.False(c.IsMutable);
        Assert.Equal(-7L, c.Slot.I64);
        Assert.Throws<WasmException>(() => c.SetValue(Value.I64(1)));

        var v = new Global(new GlobalType(ValType.V128, true), Value.V128(new V128(1, 2)));
        Assert.Equal(2UL, v.Slot.Hi);
        Assert.Equal(Value.V128(new V128(1, 2)), v.Value);

        var host = new object();
        var r = new Global(new GlobalType(ValType.ExternRef, true), Value.ExternRef(host));
        Assert.Same(host, r.Slot.Ref);
        Assert.Equal(Value.ExternRef(host), r.Value);
        r.SetValue(Value.ExternRef(null));
        Assert.True(r.Value.IsNull);
        Assert.Throws<WasmException>(() => new Global(new GlobalType(ValType.I32, false), Value.I64(0)));
    }
}
