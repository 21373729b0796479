using System.Runtime.Intrinsics;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Runtime.Gc;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Gc;

/// <summary>Float values from bit patterns, opaque to constant folding (which may quiet signaling NaNs).</summary>
internal static class Bits
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static float F32(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static double F64(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
}

/// <summary>The GC object model and the GcOps helpers, on types canonicalized by the validator.</summary>
public class GcOpsTests
{
    /// <summary>Canonical type ids of the types of a module given as text.</summary>
    internal static int[] TypeIds(string wat) => Validator.Validate(WatParser.ParseText(wat)).CanonicalTypeIds;

    private static TrapKind TrapOf(Action a) => Assert.Throws<TrapException>(a).Kind;

    private const string StructTypes = """
        (module
          (type $s (struct (field i32) (field (mut i8)) (field (mut i16)) (field (mut i64))
                           (field (mut f32)) (field (mut f64)) (field (mut v128)) (field (mut anyref)) (field (mut v128)))))
        """;

    [Fact]
    public void StructFieldsOfEveryStorageType()
    {
        int t = TypeIds(StructTypes)[0];
        object s = GcOps.StructNewDefault(t);
        Assert.Equal(0, GcOps.StructGetI32(s, 0));
        Assert.Null(GcOps.StructGetRef(s, 7));

        GcOps.StructSetI32(s, -5, 0);
        Assert.Equal(-5, GcOps.StructGetI32(s, 0));

        GcOps.StructSetI32(s, 0x1FF, 1);            // i8: keeps the low 8 bits
        Assert.Equal(-1, GcOps.StructGetI8S(s, 1));
        Assert.Equal(0xFF, GcOps.StructGetI8U(s, 1));
        Assert.Equal(-1, GcOps.StructGetS(s, 1));
        Assert.Equal(0xFF, GcOps.StructGetU(s, 1));
        GcOps.StructSetI32(s, 0x7F, 1);
        Assert.Equal(0x7F, GcOps.StructGetI8S(s, 1));

        GcOps.StructSetI32(s, 0x18000, 2);          // i16: 0x8000
        Assert.Equal(-32768, GcOps.StructGetI16S(s, 2));
        Assert.Equal(0x8000, GcOps.StructGetI16U(s, 2));
        Assert.Equal(-32768, GcOps.StructGetS(s, 2));
        Assert.Equal(0x8000, GcOps.StructGetU(s, 2));

        GcOps.StructSetI64(s, long.MinValue + 3, 3);
        Assert.Equal(long.MinValue + 3, GcOps.StructGetI64(s, 3));

        float nan = Bits.F32(0x7FA0_0001);
        GcOps.StructSetF32(s, nan, 4);
        Assert.Equal(0x7FA0_0001u, BitConverter.SingleToUInt32Bits(GcOps.StructGetF32(s, 4)));
        double dnan = Bits.F64(0xFFF4_0000_0000_0007);
        GcOps.StructSetF64(s, dnan, 5);
        Assert.Equal(0xFFF4_0000_0000_0007ul, BitConverter.DoubleToUInt64Bits(GcOps.StructGetF64(s, 5)));

        var v1 = Vector128.Create(0x0102030405060708ul, 0x1112131415161718ul).AsByte();
        var v2 = Vector128.Create(0xAAul, 0xBBul).AsByte();
        GcOps.StructSetV128(s, v1, 6);
        GcOps.StructSetV128(s, v2, 8);
        Assert.Equal(v1, GcOps.StructGetV128(s, 6));
        Assert.Equal(v2, GcOps.StructGetV128(s, 8));
        Assert.Equal(0x7F, GcOps.StructGetI8S(s, 1));  // neighbours untouched
        Assert.Equal(long.MinValue + 3, GcOps.StructGetI64(s, 3));

        var host = new object();
        GcOps.StructSetRef(s, host, 7);
        Assert.Same(host, GcOps.StructGetRef(s, 7));

        // Untyped view.
        Assert.Equal(Value.I32(0x7F), GcOps.StructGetValue(s, 1));
        Assert.Equal(Value.I32(0x8000), GcOps.StructGetValue(s, 2));
        Assert.Equal(Value.F32Bits(0x7FA0_0001), GcOps.StructGetValue(s, 4));
        Assert.Equal(new V128(0x0102030405060708ul, 0x1112131415161718ul), GcOps.StructGetValue(s, 6).AsV128);
        Assert.Same(host, GcOps.StructGetValue(s, 7).Ref);
    }

    [Fact]
    public void StructNewOperandByOperandFromTheLastField()
    {
        int t = TypeIds("(module (type (struct (field i32) (field i64) (field f64) (field (ref null struct)))))")[0];
        object inner = GcOps.StructNewDefault(t);
        // Stack: 1, 2L, 3.5, inner; the compiler fills from the top down.
        object s = GcOps.StructNewDefault(t);
        s = GcOps.StructInitRef(inner, s, 3);
        s = GcOps.StructInitF64(3.5, s, 2);
        s = GcOps.StructInitI64(2L, s, 1);
        s = GcOps.StructInitI32(1, s, 0);
        Assert.Equal(1, GcOps.StructGetI32(s, 0));
        Assert.Equal(2L, GcOps.StructGetI64(s, 1));
        Assert.Equal(3.5, GcOps.StructGetF64(s, 2));
        Assert.Same(inner, GcOps.StructGetRef(s, 3));

        var u = GcOps.StructNew(t, [Value.I32(7), Value.I64(8), Value.F64(9), Value.Null(HeapType.Struct)]);
        Assert.Equal(7, GcOps.StructGetI32(u, 0));
        Assert.Equal(8L, GcOps.StructGetI64(u, 1));
        Assert.Equal(9.0, GcOps.StructGetF64(u, 2));
        Assert.Null(GcOps.StructGetRef(u, 3));
        Assert.Throws<ArgumentException>(() => GcOps.StructNew(t, [Value.I32(1)]));
    }

    [Fact]
    public void NullStructAccessTraps()
    {
        Assert.Equal(TrapKind.NullStructureReference, TrapOf(() => GcOps.StructGetI32(null, 0)));
        Assert.Equal(TrapKind.NullStructureReference, TrapOf(() => GcOps.StructGetI8S(null, 0)));
        Assert.Equal(TrapKind.NullStructureReference, TrapOf(() => GcOps.StructGetU(null, 0)));
        Assert.Equal(TrapKind.NullStructureReference, TrapOf(() => GcOps.StructGetV128(null, 0)));
        Assert.Equal(TrapKind.NullStructureReference, TrapOf(() => GcOps.StructSetF64(null, 1, 0)));
        Assert.Equal(TrapKind.NullStructureReference, TrapOf(() => GcOps.StructSetRef(null, null, 0)));
        Assert.Equal("null structure reference", Assert.Throws<TrapException>(() => GcOps.StructGetRef(null, 0)).Message);
    }

    [Fact]
    public void SubtypeFieldsKeepTheirSlots()
    {
        var ids = TypeIds("""
            (module
              (type $a (sub (struct (field (mut i32)) (field (mut anyref)))))
              (type $b (sub $a (struct (field (mut i32)) (field (mut anyref)) (field v128) (field (mut i64)) (field eqref)))))
            """);
        object b = GcOps.StructNewDefault(ids[1]);
        GcOps.StructSetI32(b, 42, 0);                 // through the supertype's field index
        GcOps.StructSetRef(b, "x", 1);
        GcOps.StructSetI64(b, 99, 3);
        Assert.Equal(42, GcOps.StructGetI32(b, 0));
        Assert.Equal("x", GcOps.StructGetRef(b, 1));
        Assert.Equal(99L, GcOps.StructGetI64(b, 3));
        Assert.Equal(Vector128<byte>.Zero, GcOps.StructGetV128(b, 2));
    }

    [Fact]
    public void ArraysOfEveryStorageType()
    {
        var ids = TypeIds("""
            (module
              (type (array (mut i8))) (type (array (mut i16))) (type (array (mut i32))) (type (array (mut i64)))
              (type (array (mut f32))) (type (array (mut f64))) (type (array (mut v128))) (type (array (mut anyref))))
            """);
        object a8 = GcOps.ArrayNewI32(0x1FE, 3, ids[0]);
        Assert.Equal(3, GcOps.ArrayLen(a8));
        Assert.Equal(-2, GcOps.ArrayGetI8S(a8, 2));
        Assert.Equal(0xFE, GcOps.ArrayGetI8U(a8, 2));
        GcOps.ArraySetI8(a8, 1, 0x17F);
        Assert.Equal(0x7F, GcOps.ArrayGetS(a8, 1));
        Assert.Equal(0xFE, GcOps.ArrayGetU(a8, 0));

        object a16 = GcOps.ArrayNewDefault(4, ids[1]);
        GcOps.ArraySetI16(a16, 3, 0x2_FFFE);
        Assert.Equal(-2, GcOps.ArrayGetI16S(a16, 3));
        Assert.Equal(0xFFFE, GcOps.ArrayGetI16U(a16, 3));
        Assert.Equal(-2, GcOps.ArrayGetS(a16, 3));
        Assert.Equal(0xFFFE, GcOps.ArrayGetU(a16, 3));
        Assert.Equal(0, GcOps.ArrayGetU(a16, 0));

        object a32 = GcOps.ArrayNewI32(-7, 2, ids[2]);
        GcOps.ArraySetI32(a32, 0, 11);
        Assert.Equal(11, GcOps.ArrayGetI32(a32, 0));
        Assert.Equal(-7, GcOps.ArrayGetI32(a32, 1));

        object a64 = GcOps.ArrayNewI64(long.MaxValue, 2, ids[3]);
        Assert.Equal(long.MaxValue, GcOps.ArrayGetI64(a64, 1));
        GcOps.ArraySetI64(a64, 1, -1);
        Assert.Equal(-1L, GcOps.ArrayGetI64(a64, 1));

        float nan = Bits.F32(0xFF80_0123);
        object af = GcOps.ArrayNewF32(nan, 2, ids[4]);
        Assert.Equal(0xFF80_0123u, BitConverter.SingleToUInt32Bits(GcOps.ArrayGetF32(af, 1)));
        GcOps.ArraySetF32(af, 0, -0.0f);
        Assert.Equal(0x8000_0000u, BitConverter.SingleToUInt32Bits(GcOps.ArrayGetF32(af, 0)));

        object ad = GcOps.ArrayNewF64(2.5, 1, ids[5]);
        GcOps.ArraySetF64(ad, 0, GcOps.ArrayGetF64(ad, 0) * 2);
        Assert.Equal(5.0, GcOps.ArrayGetF64(ad, 0));

        var v = Vector128.Create((byte)1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        object av = GcOps.ArrayNewV128(v, 2, ids[6]);
        Assert.Equal(v, GcOps.ArrayGetV128(av, 1));
        GcOps.ArraySetV128(av, 0, Vector128<byte>.AllBitsSet);
        Assert.Equal(Vector128<byte>.AllBitsSet, GcOps.ArrayGetV128(av, 0));
        Assert.Equal(new V128(0x0807060504030201, 0x100F0E0D0C0B0A09), GcOps.ArrayGetValue(av, 1).AsV128);

        var host = new object();
        object ar = GcOps.ArrayNewRef(host, 3, ids[7]);
        Assert.Same(host, GcOps.ArrayGetRef(ar, 2));
        GcOps.ArraySetRef(ar, 2, null);
        Assert.Null(GcOps.ArrayGetRef(ar, 2));
        Assert.Equal(0, GcOps.ArrayLen(GcOps.ArrayNewRef(host, 0, ids[7])));

        // array.new_fixed, from the last operand.
        object fx = GcOps.ArrayNewDefault(3, ids[0]);
        fx = GcOps.ArrayInitFixedI32(0x103, fx, 2);
        fx = GcOps.ArrayInitFixedI32(2, fx, 1);
        fx = GcOps.ArrayInitFixedI32(-1, fx, 0);
        Assert.Equal(-1, GcOps.ArrayGetI8S(fx, 0));
        Assert.Equal(2, GcOps.ArrayGetI8U(fx, 1));
        Assert.Equal(3, GcOps.ArrayGetI8U(fx, 2));
        var fixedValues = GcOps.ArrayNewFixed(ids[3], [Value.I64(5), Value.I64(6)]);
        Assert.Equal(6L, GcOps.ArrayGetI64(fixedValues, 1));
        Assert.Equal(Value.I32(0xFF), GcOps.ArrayGetValue(GcOps.ArrayNew(ids[0], Value.I32(-1), 1), 0));
    }

    [Fact]
    public void ArrayBoundsAndNullTraps()
    {
        var ids = TypeIds("(module (type (array (mut i32))) (type (array (mut i8))) (type (array (mut funcref))))");
        object a = GcOps.ArrayNewDefault(10, ids[0]);
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayGetI32(a, 10)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayGetI32(a, -1)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArraySetI32(a, 10, 7)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayGetValue(a, 10)));
        object b = GcOps.ArrayNewDefault(1, ids[1]);
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayGetI8S(b, 1)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayGetU(b, 1)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArraySetI8(b, 1, 0)));

        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayGetI32(null, 0)));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArraySetRef(null, 0, null)));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayLen(null)));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayGetS(null, 0)));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayFillI32(null, 0, 0, 0)));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayCopy(null, 0, a, 0, 0)));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayCopy(a, 0, null, 0, 0)));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayInitData(null, 0, 0, 0, [])));
        Assert.Equal(TrapKind.NullArrayReference, TrapOf(() => GcOps.ArrayInitElem(null, 0, 0, 0, [])));

        // fill: index + count may reach the end, not beyond it; a zero-length fill at the end is fine.
        GcOps.ArrayFillI32(a, 7, 3, 3);
        Assert.Equal(3, GcOps.ArrayGetI32(a, 9));
        Assert.Equal(0, GcOps.ArrayGetI32(a, 6));
        GcOps.ArrayFillI32(a, 10, 3, 0);
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayFillI32(a, 11, 0, 0)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayFillI32(a, 8, 0, 3)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayFillI32(a, 1, 0, -1)));
        GcOps.ArrayFillI32(b, 0, 0x1AB, 1);
        Assert.Equal(0xAB, GcOps.ArrayGetI8U(b, 0));
        object fr = GcOps.ArrayNewDefault(2, ids[2]);
        GcOps.ArrayFillRef(fr, 0, "f", 2);
        Assert.Equal("f", GcOps.ArrayGetRef(fr, 1));
    }

    [Fact]
    public void ArrayCopyHandlesOverlapInBothDirections()
    {
        int t = TypeIds("(module (type (array (mut i32))))")[0];
        object Make()
        {
            object a = GcOps.ArrayNewDefault(10, t);
            for (int i = 0; i < 10; i++) GcOps.ArraySetI32(a, i, i);
            return a;
        }
        int[] Contents(object a)
        {
            var r = new int[GcOps.ArrayLen(a)];
            for (int i = 0; i < r.Length; i++) r[i] = GcOps.ArrayGetI32(a, i);
            return r;
        }

        object up = Make();
        GcOps.ArrayCopy(up, 2, up, 0, 5);
        Assert.Equal([0, 1, 0, 1, 2, 3, 4, 7, 8, 9], Contents(up));

        object down = Make();
        GcOps.ArrayCopy(down, 0, down, 2, 5);
        Assert.Equal([2, 3, 4, 5, 6, 5, 6, 7, 8, 9], Contents(down));

        object dst = GcOps.ArrayNewDefault(4, t);
        GcOps.ArrayCopy(dst, 1, Make(), 7, 3);
        Assert.Equal([0, 7, 8, 9], Contents(dst));
        GcOps.ArrayCopy(dst, 4, dst, 0, 0);
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayCopy(dst, 2, dst, 0, 3)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayCopy(dst, 0, dst, 2, 3)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayCopy(dst, 5, dst, 0, 0)));
        Assert.Equal([0, 7, 8, 9], Contents(dst));
    }

    [Fact]
    public void ArrayCopyOfReferencesAndPackedElements()
    {
        var ids = TypeIds("(module (type (array (mut anyref))) (type (array (mut i16))))");
        object r = GcOps.ArrayNewDefault(3, ids[0]);
        GcOps.ArraySetRef(r, 0, "a");
        GcOps.ArraySetRef(r, 1, "b");
        GcOps.ArrayCopy(r, 1, r, 0, 2);
        Assert.Equal("a", GcOps.ArrayGetRef(r, 1));
        Assert.Equal("b", GcOps.ArrayGetRef(r, 2));
        object p = GcOps.ArrayNewI32(-3, 2, ids[1]);
        object q = GcOps.ArrayNewDefault(2, ids[1]);
        GcOps.ArrayCopy(q, 1, p, 0, 1);
        Assert.Equal(-3, GcOps.ArrayGetI16S(q, 1));
        Assert.Equal(0, GcOps.ArrayGetI16S(q, 0));
    }

    [Fact]
    public void ArrayNewDataReadsTheSegmentBytes()
    {
        var ids = TypeIds("(module (type (array (mut i8))) (type (array i16)) (type (array i32)) (type (array i64)) (type (array f32)) (type (array v128)))");
        byte[] seg = [0x61, 0x62, 0x63, 0x64, 0x01, 0x80, 0xFF, 0x7F, 0, 0, 0xC0, 0x7F, 9, 9, 9, 9, 9, 9, 9, 9];
        object a8 = GcOps.ArrayNewData(1, 2, seg, ids[0]);
        Assert.Equal(2, GcOps.ArrayLen(a8));
        Assert.Equal(0x62, GcOps.ArrayGetI8U(a8, 0));
        Assert.Equal(0x63, GcOps.ArrayGetI8U(a8, 1));
        object a16 = GcOps.ArrayNewData(4, 2, seg, ids[1]);
        Assert.Equal(unchecked((short)0x8001), GcOps.ArrayGetI16S(a16, 0));
        Assert.Equal(0x7FFF, GcOps.ArrayGetI16U(a16, 1));
        object a32 = GcOps.ArrayNewData(0, 2, seg, ids[2]);
        Assert.Equal(0x64636261, GcOps.ArrayGetI32(a32, 0));
        Assert.Equal(0x7FFF8001, GcOps.ArrayGetI32(a32, 1));
        object a64 = GcOps.ArrayNewData(1, 1, seg, ids[3]);   // unaligned offset
        Assert.Equal(0x7FFF_8001_6463_62L, GcOps.ArrayGetI64(a64, 0) & 0x00FF_FFFF_FFFF_FFFFL);
        object af = GcOps.ArrayNewData(8, 1, seg, ids[4]);
        Assert.Equal(0x7FC0_0000u, BitConverter.SingleToUInt32Bits(GcOps.ArrayGetF32(af, 0)));
        object av = GcOps.ArrayNewData(4, 1, seg, ids[5]);
        Assert.Equal(0x7FFF8001u, GcOps.ArrayGetV128(av, 0).AsUInt32().GetElement(0));
        Assert.Equal(0, GcOps.ArrayLen(GcOps.ArrayNewData(20, 0, seg, ids[0])));

        // Segment bounds: "out of bounds memory access", checked before allocating.
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayNewData(21, 0, seg, ids[0])));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayNewData(0, 21, seg, ids[0])));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayNewData(18, 1, seg, ids[2])));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayNewData(0, 1, [1, 2, 3], ids[2])));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayNewData(0, 1, [], ids[0])));   // dropped segment
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayNewData(-1, 0, seg, ids[0])));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayNewData(1, 0x4000_0000, seg, ids[3])));
    }

    [Fact]
    public void ArrayInitDataAndElem()
    {
        var ids = TypeIds("(module (type (array (mut i16))) (type (array (mut funcref))))");
        object a = GcOps.ArrayNewDefault(4, ids[0]);
        byte[] seg = [1, 0, 2, 0, 3, 0xFF];
        GcOps.ArrayInitData(a, 1, 2, 2, seg);
        Assert.Equal(0, GcOps.ArrayGetI16U(a, 0));
        Assert.Equal(2, GcOps.ArrayGetI16U(a, 1));
        Assert.Equal(0xFF03, GcOps.ArrayGetI16U(a, 2));
        GcOps.ArrayInitData(a, 4, 6, 0, seg);
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayInitData(a, 3, 0, 2, seg)));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayInitData(a, 3, 100, 2, seg)));   // array checked first
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayInitData(a, 0, 4, 2, seg)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, TrapOf(() => GcOps.ArrayInitData(a, 0, 7, 0, seg)));

        object[] elems = ["f0", "f1", "f2"];
        object r = GcOps.ArrayNewElem(1, 2, elems, ids[1]);
        Assert.Equal(2, GcOps.ArrayLen(r));
        Assert.Equal("f1", GcOps.ArrayGetRef(r, 0));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => GcOps.ArrayNewElem(2, 2, elems, ids[1])));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => GcOps.ArrayNewElem(0, 1, [], ids[1])));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => GcOps.ArrayNewElem(0, int.MinValue, elems, ids[1])));

        GcOps.ArrayInitElem(r, 0, 2, 1, elems);
        Assert.Equal("f2", GcOps.ArrayGetRef(r, 0));
        Assert.Equal(TrapKind.ArrayOutOfBounds, TrapOf(() => GcOps.ArrayInitElem(r, 1, 0, 2, elems)));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => GcOps.ArrayInitElem(r, 0, 2, 2, elems)));
    }

    [Fact]
    public void OversizedArraysTrapOutOfMemory()
    {
        var ids = TypeIds("(module (type (array (mut i64))) (type (array (mut i8))))");
        Assert.Equal(TrapKind.OutOfMemory, TrapOf(() => GcOps.ArrayNewDefault(-1, ids[0])));
        Assert.Equal(TrapKind.OutOfMemory, TrapOf(() => GcOps.ArrayNewI64(0, 0x7FFF_FFFF, ids[0])));
        Assert.Equal(TrapKind.OutOfMemory, TrapOf(() => GcOps.ArrayNewI32(0, int.MinValue, ids[1])));
    }

    [Fact]
    public void I31WrapsToThirtyOneBits()
    {
        Assert.Equal(-1, GcOps.I31GetS(GcOps.RefI31(0x7FFF_FFFF)));
        Assert.Equal(0x7FFF_FFFF, GcOps.I31GetU(GcOps.RefI31(0x7FFF_FFFF)));
        Assert.Equal(-0x4000_0000, GcOps.I31GetS(GcOps.RefI31(0x4000_0000)));
        Assert.Equal(0x4000_0000, GcOps.I31GetU(GcOps.RefI31(0x4000_0000)));
        Assert.Equal(0x3FFF_FFFF, GcOps.I31GetS(GcOps.RefI31(0x3FFF_FFFF)));
        Assert.Equal(0, GcOps.I31GetS(GcOps.RefI31(int.MinValue)));
        Assert.Equal(-1, GcOps.I31GetS(GcOps.RefI31(-1)));
        Assert.Equal(0x7FFF_FFFF, GcOps.I31GetU(GcOps.RefI31(-1)));
        Assert.Equal(123, GcOps.I31GetS(GcOps.RefI31(unchecked((int)0x8000_007B))));
        Assert.Equal(TrapKind.NullI31Reference, TrapOf(() => GcOps.I31GetS(null)));
        Assert.Equal(TrapKind.NullI31Reference, TrapOf(() => GcOps.I31GetU(null)));
    }

    [Fact]
    public void RefEqIsIdentityExceptForI31()
    {
        int t = TypeIds("(module (type (struct (field i32))))")[0];
        object a = GcOps.StructNewDefault(t), b = GcOps.StructNewDefault(t);
        Assert.Equal(1, GcOps.RefEq(a, a));
        Assert.Equal(0, GcOps.RefEq(a, b));                           // equal contents, different objects
        Assert.Equal(1, GcOps.RefEq(null, null));
        Assert.Equal(0, GcOps.RefEq(a, null));
        Assert.Equal(0, GcOps.RefEq(null, GcOps.RefI31(0)));
        Assert.Equal(1, GcOps.RefEq(GcOps.RefI31(5), GcOps.RefI31(5)));
        Assert.Equal(1, GcOps.RefEq(GcOps.RefI31(1_000_000), GcOps.RefI31(1_000_000)));   // not cached
        Assert.Equal(1, GcOps.RefEq(GcOps.RefI31(-1), GcOps.RefI31(0x7FFF_FFFF)));         // same 31 bits
        Assert.Equal(0, GcOps.RefEq(GcOps.RefI31(1_000_000), GcOps.RefI31(1_000_001)));
        Assert.Equal(0, GcOps.RefEq(GcOps.RefI31(0), a));
    }

    [Fact]
    public void CastsFollowDeclaredSubtypingAcrossModules()
    {
        const string wat = """
            (module
              (type $a (sub (struct (field i32))))
              (type $b (sub $a (struct (field i32) (field i64))))
              (type $c (sub final $b (struct (field i32) (field i64) (field f32))))
              (type $d (sub $a (struct (field i32) (field f64))))
              (type $e (struct (field i32)))
              (type $arr (sub (array i8)))
              (type $arr2 (sub $arr (array i8))))
            """;
        var m1 = TypeIds(wat);
        var m2 = TypeIds("(module (type $x (func)) " + wat[wat.IndexOf("(type", StringComparison.Ordinal)..]);
        // Canonicalization: the same definitions in another module get the same ids...
        Assert.Equal(m1[0], m2[1]);
        Assert.Equal(m1[2], m2[3]);
        // ...but the siblings $b and $d are different types, and
        // $e (final, no supertype) is not $a.
        Assert.NotEqual(m1[1], m1[3]);
        Assert.NotEqual(m1[0], m1[4]);
        int a = m1[0], b = m1[1], c = m1[2], d = m1[3], e = m1[4], arr = m1[5], arr2 = m1[6];

        object sc = GcOps.StructNewDefault(m2[3]);     // a $c made by the second module
        Assert.Equal(1, GcOps.RefTest(sc, a, false));
        Assert.Equal(1, GcOps.RefTest(sc, b, false));
        Assert.Equal(1, GcOps.RefTest(sc, c, false));
        Assert.Equal(0, GcOps.RefTest(sc, d, false));
        Assert.Equal(0, GcOps.RefTest(sc, e, false));
        Assert.Equal(0, GcOps.RefTest(sc, arr, false));
        object sb = GcOps.StructNewDefault(b);
        Assert.Equal(0, GcOps.RefTest(sb, c, true));
        Assert.Equal(1, GcOps.RefTest(sb, a, true));
        object sa = GcOps.StructNewDefault(a);
        Assert.Equal(0, GcOps.RefTest(sa, b, false));
        object se = GcOps.StructNewDefault(e);
        Assert.Equal(0, GcOps.RefTest(se, a, false));

        object ar2 = GcOps.ArrayNewDefault(1, arr2);
        Assert.Equal(1, GcOps.RefTest(ar2, arr, false));
        Assert.Equal(0, GcOps.RefTest(GcOps.ArrayNewDefault(1, arr), arr2, false));
        Assert.Equal(0, GcOps.RefTest(ar2, a, false));

        Assert.Same(sc, GcOps.RefCast(sc, a, false));
        Assert.Equal(TrapKind.CastFailure, TrapOf(() => GcOps.RefCast(sb, c, false)));
        Assert.Equal(TrapKind.CastFailure, TrapOf(() => GcOps.RefCast(null, a, false)));
        Assert.Null(GcOps.RefCast(null, a, true));
        Assert.Equal(1, GcOps.RefTest(null, a, true));
        Assert.Equal(0, GcOps.RefTest(null, a, false));
        Assert.Equal("cast failure", Assert.Throws<TrapException>(() => GcOps.RefCast(ar2, HeapType.Struct.Value, true)).Message);
    }

    [Fact]
    public void CastsToAbstractHeapTypes()
    {
        var ids = TypeIds("(module (type (struct)) (type (array i32)))");
        object s = GcOps.StructNewDefault(ids[0]);
        object a = GcOps.ArrayNewDefault(0, ids[1]);
        object i = GcOps.RefI31(3);
        object host = GcOps.AnyConvertExtern(new object())!;
        (object Ref, HeapType Heap, bool Expected)[] cases =
        [
            (s, HeapType.Any, true), (s, HeapType.Eq, true), (s, HeapType.Struct, true), (s, HeapType.Array, false), (s, HeapType.I31, false), (s, HeapType.None, false),
            (a, HeapType.Any, true), (a, HeapType.Eq, true), (a, HeapType.Struct, false), (a, HeapType.Array, true), (a, HeapType.I31, false),
            (i, HeapType.Any, true), (i, HeapType.Eq, true), (i, HeapType.Struct, false), (i, HeapType.Array, false), (i, HeapType.I31, true), (i, HeapType.None, false),
            (host, HeapType.Any, true), (host, HeapType.Eq, false), (host, HeapType.Struct, false), (host, HeapType.Array, false), (host, HeapType.I31, false),
            (host, HeapType.Extern, true), (host, HeapType.NoExtern, false), (s, HeapType.NoFunc, false), (s, HeapType.Exn, false),
        ];
        foreach (var (r, heap, expected) in cases)
        {
            Assert.True((expected ? 1 : 0) == GcOps.RefTest(r, heap.Value, false), r + " as " + heap);
            Assert.Equal(expected ? 1 : 0, GcOps.RefTest(r, heap.Value, true));
        }
        foreach (var heap in new[] { HeapType.Any, HeapType.Eq, HeapType.None, HeapType.NoExtern, HeapType.NoFunc, HeapType.NoExn })
        {
            Assert.Equal(1, GcOps.RefTest(null, heap.Value, true));
            Assert.Equal(0, GcOps.RefTest(null, heap.Value, false));
        }
        Assert.Equal(TrapKind.CastFailure, TrapOf(() => GcOps.RefCast(host, HeapType.Eq.Value, true)));
        Assert.Same(i, GcOps.RefCast(i, HeapType.I31.Value, false));
    }

    [Fact]
    public void FunctionReferencesCastByCanonicalFunctionType()
    {
        var ids = TypeIds("""
            (module
              (type $f (sub (func (param i32))))
              (type $g (sub $f (func (param i32))))
              (type $h (func (param i32))))
            """);
        var fn = new FunctionInstance(new HostFunction(TypeRegistry.Get(ids[1]).Type, _ => []), ids[1]);
        Assert.Equal(1, GcOps.RefTest(fn, ids[1], false));
        Assert.Equal(1, GcOps.RefTest(fn, ids[0], false));
        Assert.Equal(0, GcOps.RefTest(fn, ids[2], false));
        Assert.Equal(1, GcOps.RefTest(fn, HeapType.Func.Value, false));
        Assert.Equal(0, GcOps.RefTest(fn, HeapType.NoFunc.Value, false));
        Assert.Equal(TrapKind.CastFailure, TrapOf(() => GcOps.RefCast(fn, ids[2], true)));
        // A function reference smuggled into the any hierarchy as a host value is no struct.
        int st = TypeIds("(module (type (struct)))")[0];
        Assert.Equal(0, GcOps.RefTest(GcOps.AnyConvertExtern(fn), st, true));
    }

    [Fact]
    public void ExternAndAnyConversionsRoundTrip()
    {
        int t = TypeIds("(module (type (struct (field i32))))")[0];
        var host = new object();
        object? internalized = GcOps.AnyConvertExtern(host);
        Assert.Same(host, GcOps.ExternConvertAny(internalized));
        object s = GcOps.StructNewDefault(t);
        object? externalized = GcOps.ExternConvertAny(s);
        object? back = GcOps.AnyConvertExtern(externalized);
        Assert.Same(s, back);
        Assert.Equal(1, GcOps.RefTest(back, t, false));
        object i = GcOps.RefI31(77);
        Assert.Equal(77, GcOps.I31GetS(GcOps.AnyConvertExtern(GcOps.ExternConvertAny(i))));
        Assert.Null(GcOps.AnyConvertExtern(null));
        Assert.Null(GcOps.ExternConvertAny(null));
    }

    [Fact]
    public void KindOfNamesTheAbstractHeapType()
    {
        var ids = TypeIds("(module (type (struct)) (type (array i8)) (type (func)))");
        Assert.Equal(HeapType.Struct, GcOps.KindOf(GcOps.StructNewDefault(ids[0])));
        Assert.Equal(HeapType.Array, GcOps.KindOf(GcOps.ArrayNewDefault(1, ids[1])));
        Assert.Equal(HeapType.I31, GcOps.KindOf(GcOps.RefI31(1)));
        Assert.Equal(HeapType.Func, GcOps.KindOf(new FunctionInstance(new HostFunction(TypeRegistry.Get(ids[2]).Type, _ => []), ids[2])));
        Assert.Equal(HeapType.Exn, GcOps.KindOf(WasmKiln.Runtime.Exceptions.ExnOps.ExnNew(new WasmKiln.Runtime.Exceptions.TagInstance(ids[2]))));
        Assert.Equal(HeapType.Any, GcOps.KindOf(new object()));
    }

    [Fact]
    public void MethodForCoversEveryGcInstruction()
    {
        ValType[] storages = [ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128, ValType.AnyRef, ValType.I8, ValType.I16];
        Op[] everyType = [Op.StructNew, Op.StructNewDefault, Op.StructGet, Op.StructSet, Op.ArrayNew, Op.ArrayNewDefault, Op.ArrayNewFixed,
            Op.ArrayNewData, Op.ArrayNewElem, Op.ArrayGet, Op.ArraySet, Op.ArrayLen, Op.ArrayFill, Op.ArrayCopy, Op.ArrayInitData,
            Op.ArrayInitElem, Op.RefI31, Op.I31GetS, Op.I31GetU, Op.RefEq, Op.RefTest, Op.RefTestNull, Op.RefCast, Op.RefCastNull,
            Op.BrOnCast, Op.BrOnCastFail, Op.AnyConvertExtern, Op.ExternConvertAny];
        foreach (var op in everyType)
            foreach (var st in storages)
            {
                bool packedOnlyInvalid = st.IsPacked && op is Op.StructGet or Op.ArrayGet;
                if (packedOnlyInvalid) continue;
                Assert.True(GcOps.MethodFor(op, st) != null, op + " " + st);
            }
        foreach (var op in new[] { Op.StructGetS, Op.StructGetU, Op.ArrayGetS, Op.ArrayGetU })
        {
            Assert.NotNull(GcOps.MethodFor(op, ValType.I8));
            Assert.NotNull(GcOps.MethodFor(op, ValType.I16));
        }
        Assert.Equal(nameof(GcOps.ArraySetI8), GcOps.MethodFor(Op.ArraySet, ValType.I8)!.Name);
        Assert.Equal(nameof(GcOps.StructSetI32), GcOps.MethodFor(Op.StructSet, ValType.I16)!.Name);
        Assert.Equal(nameof(GcOps.StructGetI16S), GcOps.MethodFor(Op.StructGetS, ValType.I16)!.Name);
        Assert.Equal(nameof(GcOps.ArrayGetRef), GcOps.MethodFor(Op.ArrayGet, ValType.FuncRef)!.Name);
        Assert.Equal(typeof(Vector128<byte>), GcOps.MethodFor(Op.StructGet, ValType.V128)!.ReturnType);
        Assert.Null(GcOps.MethodFor(Op.I32Add, ValType.I32));
    }
}
