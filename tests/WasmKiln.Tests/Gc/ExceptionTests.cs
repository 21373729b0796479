using System.Runtime.Intrinsics;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Runtime.Exceptions;
using WasmKiln.Runtime.Gc;
using Xunit;

namespace WasmKiln.Tests.Gc;

/// <summary>The exception model: tags, exception objects, WasmThrow and the ExnOps helpers.</summary>
public class ExceptionTests
{
    private static int FuncType(string sig) => GcOpsTests.TypeIds("(module (type (func " + sig + ")))")[0];

    [Fact]
    public void ThrowAndCatchByTagIdentity()
    {
        int ty = FuncType("(param i32 i64 f32 f64 v128 externref)");
        var tag = new TagInstance(ty);
        var sameType = new TagInstance(ty);
        Assert.Equal(ty, tag.TypeId);
        Assert.Equal(6, tag.Params.Length);
        Assert.True(tag is ITagIdentity { TypeId: var id } && id == ty);

        var host = new object();
        float nan = Bits.F32(0x7F80_0001);
        var vec = Vector128.Create(0x1122334455667788ul, 0x99AABBCCDDEEFF00ul).AsByte();
        // Operands 1, 2L, nan, 4.5, vec, host: filled from the last one.
        var e = ExnOps.ExnNew(tag);
        e = ExnOps.ExnInitRef(host, e, 5);
        e = ExnOps.ExnInitV128(vec, e, 4);
        e = ExnOps.ExnInitF64(4.5, e, 3);
        e = ExnOps.ExnInitF32(nan, e, 2);
        e = ExnOps.ExnInitI64(2L, e, 1);
        e = ExnOps.ExnInitI32(1, e, 0);

        var thrown = Assert.Throws<WasmThrow>(() => ExnOps.Throw(e));
        Assert.True(ExnOps.Matches(thrown, tag));
        Assert.False(ExnOps.Matches(thrown, sameType));     // same type, different tag
        Assert.Same(e, ExnOps.ExnOf(thrown));
        Assert.True(ExnOps.IsTag(e, tag));
        Assert.False(ExnOps.IsTag(e, sameType));
        Assert.Equal(1, ExnOps.ExnGetI32(e, 0));
        Assert.Equal(2L, ExnOps.ExnGetI64(e, 1));
        Assert.Equal(0x7F80_0001u, BitConverter.SingleToUInt32Bits(ExnOps.ExnGetF32(e, 2)));
        Assert.Equal(4.5, ExnOps.ExnGetF64(e, 3));
        Assert.Equal(vec, ExnOps.ExnGetV128(e, 4));
        Assert.Same(host, ExnOps.ExnGetRef(e, 5));
        Assert.Equal(ValType.ExternRef, e.Payload[5].Type);
        Assert.Equal(Value.I32(1), e.Payload[0]);
        Assert.IsNotType<TrapException>(thrown);
        Assert.Equal("uncaught exception", thrown.Message);
    }

    [Fact]
    public void ThrowRefKeepsIdentityAndTrapsOnNull()
    {
        var tag = new TagInstance(FuncType(""));
        var e = ExnOps.ExnNew(tag);
        Assert.Empty(e.Payload);
        var first = Assert.Throws<WasmThrow>(() => ExnOps.Throw(e));
        var again = Assert.Throws<WasmThrow>(() => ExnOps.ThrowRef(ExnOps.ExnOf(first)));
        Assert.Same(e, again.Exception);
        Assert.Equal(TrapKind.NullReference, Assert.Throws<TrapException>(() => ExnOps.ThrowRef(null)).Kind);
        // exnref values are the exception objects: they cast to exn only.
        Assert.Equal(1, GcOps.RefTest(e, HeapType.Exn.Value, false));
        Assert.Equal(0, GcOps.RefTest(e, HeapType.NoExn.Value, true));
    }

    [Fact]
    public void NewExceptionHasDefaultPayload()
    {
        var tag = new TagInstance(FuncType("(param i32 anyref)"));
        var e = ExnOps.ExnNew(tag);
        Assert.Equal(Value.I32(0), e.Payload[0]);
        Assert.True(e.Payload[1].IsNull);
        Assert.Equal("I32", ExnOps.Suffix(ValType.I32));
        Assert.Equal("Ref", ExnOps.Suffix(ValType.AnyRef));
        Assert.Equal("V128", ExnOps.Suffix(ValType.V128));
        Assert.NotNull(typeof(ExnOps).GetMethod("ExnGet" + ExnOps.Suffix(ValType.F32)));
        Assert.NotNull(typeof(ExnOps).GetMethod("ExnInit" + ExnOps.Suffix(ValType.I64)));
    }
}
