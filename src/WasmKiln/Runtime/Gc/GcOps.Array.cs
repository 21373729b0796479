using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using WasmKiln.Model;

namespace WasmKiln.Runtime.Gc;

internal static partial class GcOps
{
    /// <summary>
    /// Host limit on the bytes of one array's elements (references count 8 bytes); a larger
    /// <c>array.new*</c> traps with "out of memory". Default 1 GiB.
    /// </summary>
    public static long MaxArrayBytes { get; set; } = 1L << 30;

    [MethodImpl(Inline)]
    private static WasmArray A(object? a)
    {
        if (a is null) Trap.NullArrayReference();
        return (WasmArray)a;
    }

    [MethodImpl(Inline)]
    private static T[] D<T>(object? a, int i)
    {
        if (a is null) Trap.NullArrayReference();
        var data = ((WasmArray<T>)a).Data;
        if ((uint)i >= (uint)data.Length) Trap.ArrayOutOfBounds();
        return data;
    }

    /// <summary>Size in bytes of one element of storage kind <paramref name="k"/> in data segments (and for the size limit).</summary>
    private static int ElementSize(ValKind k) => k switch
    {
        ValKind.I8 => 1, ValKind.I16 => 2, ValKind.I32 or ValKind.F32 => 4, ValKind.V128 => 16, _ => 8,
    };

    /// <summary>Allocates an array of <paramref name="rtt"/> with <paramref name="length"/> (unsigned) default elements, trapping when too large.</summary>
    private static WasmArray Allocate(Rtt rtt, int length)
    {
        uint n = (uint)length;
        if (n > (uint)Array.MaxLength || (long)n * ElementSize(rtt.ElementKind) > MaxArrayBytes) Trap.OutOfMemory();
        try
        {
            return WasmArray.Create(rtt, (int)n);
        }
        catch (OutOfMemoryException)
        {
            return Trap.Throw<WasmArray>(TrapKind.OutOfMemory);
        }
    }

    [MethodImpl(Inline)]
    private static void CheckRange(int index, int count, int length)
    {
        if ((ulong)(uint)index + (uint)count > (ulong)(uint)length) Trap.ArrayOutOfBounds();
    }

    // ---- allocation ----

    /// <summary><c>array.new_default</c>.</summary>
    public static object ArrayNewDefault(int length, int typeId) => Allocate(Rtt.For(typeId), length);

    /// <summary><c>array.new</c> of an i32, i16 or i8 array.</summary>
    public static object ArrayNewI32(int init, int length, int typeId)
    {
        var a = Allocate(Rtt.For(typeId), length);
        FillI32(a, init, 0, a.Length);
        return a;
    }
    /// <summary><c>array.new</c> of an i64 array.</summary>
    public static object ArrayNewI64(long init, int length, int typeId) => New(init, length, typeId);
    /// <summary><c>array.new</c> of an f32 array.</summary>
    public static object ArrayNewF32(float init, int length, int typeId) => New(init, length, typeId);
    /// <summary><c>array.new</c> of an f64 array.</summary>
    public static object ArrayNewF64(double init, int length, int typeId) => New(init, length, typeId);
    /// <summary><c>array.new</c> of a v128 array.</summary>
    public static object ArrayNewV128(Vector128<byte> init, int length, int typeId) => New(init, length, typeId);
    /// <summary><c>array.new</c> of a reference array.</summary>
    public static object ArrayNewRef(object? init, int length, int typeId) => New(init, length, typeId);

    private static WasmArray New<T>(T init, int length, int typeId)
    {
        var a = (WasmArray<T>)Allocate(Rtt.For(typeId), length);
        a.Data.AsSpan().Fill(init);
        return a;
    }

    /// <summary><c>array.new_data</c>: elements read little-endian from <paramref name="segment"/> at byte <paramref name="offset"/>.</summary>
    public static object ArrayNewData(int offset, int length, byte[] segment, int typeId)
    {
        var rtt = Rtt.For(typeId);
        ulong bytes = (ulong)(uint)length * (uint)ElementSize(rtt.ElementKind);
        if ((uint)offset + bytes > (ulong)segment.Length) Trap.MemoryOutOfBounds();
        var a = Allocate(rtt, length);
        CopyBytes(a, 0, segment.AsSpan(offset, (int)bytes));
        return a;
    }

    /// <summary><c>array.new_elem</c>: elements from <paramref name="segment"/> starting at <paramref name="offset"/>.</summary>
    public static object ArrayNewElem(int offset, int length, object?[] segment, int typeId)
    {
        if ((ulong)(uint)offset + (uint)length > (ulong)segment.Length) Trap.TableOutOfBounds();
        var a = (WasmArray<object?>)Allocate(Rtt.For(typeId), length);
        segment.AsSpan(offset, length).CopyTo(a.Data);
        return a;
    }

    // ---- array.new_fixed, operand by operand from the last element ----

    /// <summary>Stores element <paramref name="index"/> (i32, i16 or i8 array) of an array being built; returns the array.</summary>
    public static object ArrayInitFixedI32(int value, object a, int index)
    {
        switch (a)
        {
            case WasmArray<int> w: w.Data[index] = value; break;
            case WasmArray<byte> b: b.Data[index] = (byte)value; break;
            default: ((WasmArray<ushort>)a).Data[index] = (ushort)value; break;
        }
        return a;
    }
    /// <summary>Stores element <paramref name="index"/> of an i64 array being built; returns the array.</summary>
    [MethodImpl(Inline)] public static object ArrayInitFixedI64(long value, object a, int index) { ((WasmArray<long>)a).Data[index] = value; return a; }
    /// <summary>Stores element <paramref name="index"/> of an f32 array being built; returns the array.</summary>
    [MethodImpl(Inline)] public static object ArrayInitFixedF32(float value, object a, int index) { ((WasmArray<float>)a).Data[index] = value; return a; }
    /// <summary>Stores element <paramref name="index"/> of an f64 array being built; returns the array.</summary>
    [MethodImpl(Inline)] public static object ArrayInitFixedF64(double value, object a, int index) { ((WasmArray<double>)a).Data[index] = value; return a; }
    /// <summary>Stores element <paramref name="index"/> of a v128 array being built; returns the array.</summary>
    [MethodImpl(Inline)] public static object ArrayInitFixedV128(Vector128<byte> value, object a, int index) { ((WasmArray<Vector128<byte>>)a).Data[index] = value; return a; }
    /// <summary>Stores element <paramref name="index"/> of a reference array being built; returns the array.</summary>
    [MethodImpl(Inline)] public static object ArrayInitFixedRef(object? value, object a, int index) { ((WasmArray<object?>)a).Data[index] = value; return a; }

    // ---- array.get ----

    /// <summary><c>array.get</c> of an i32 array.</summary>
    [MethodImpl(Inline)] public static int ArrayGetI32(object? a, int i) => D<int>(a, i)[i];
    /// <summary><c>array.get</c> of an i64 array.</summary>
    [MethodImpl(Inline)] public static long ArrayGetI64(object? a, int i) => D<long>(a, i)[i];
    /// <summary><c>array.get</c> of an f32 array.</summary>
    [MethodImpl(Inline)] public static float ArrayGetF32(object? a, int i) => D<float>(a, i)[i];
    /// <summary><c>array.get</c> of an f64 array.</summary>
    [MethodImpl(Inline)] public static double ArrayGetF64(object? a, int i) => D<double>(a, i)[i];
    /// <summary><c>array.get</c> of a v128 array.</summary>
    [MethodImpl(Inline)] public static Vector128<byte> ArrayGetV128(object? a, int i) => D<Vector128<byte>>(a, i)[i];
    /// <summary><c>array.get</c> of a reference array.</summary>
    [MethodImpl(Inline)] public static object? ArrayGetRef(object? a, int i) => D<object?>(a, i)[i];
    /// <summary><c>array.get_s</c> of an i8 array.</summary>
    [MethodImpl(Inline)] public static int ArrayGetI8S(object? a, int i) => (sbyte)D<byte>(a, i)[i];
    /// <summary><c>array.get_u</c> of an i8 array.</summary>
    [MethodImpl(Inline)] public static int ArrayGetI8U(object? a, int i) => D<byte>(a, i)[i];
    /// <summary><c>array.get_s</c> of an i16 array.</summary>
    [MethodImpl(Inline)] public static int ArrayGetI16S(object? a, int i) => (short)D<ushort>(a, i)[i];
    /// <summary><c>array.get_u</c> of an i16 array.</summary>
    [MethodImpl(Inline)] public static int ArrayGetI16U(object? a, int i) => D<ushort>(a, i)[i];

    /// <summary><c>array.get_s</c> of a packed array, whatever its width.</summary>
    public static int ArrayGetS(object? a, int i) => A(a) is WasmArray<byte> ? ArrayGetI8S(a, i) : ArrayGetI16S(a, i);
    /// <summary><c>array.get_u</c> of a packed array, whatever its width.</summary>
    public static int ArrayGetU(object? a, int i) => A(a) is WasmArray<byte> ? ArrayGetI8U(a, i) : ArrayGetI16U(a, i);

    // ---- array.set ----

    /// <summary><c>array.set</c> of an i32 array.</summary>
    [MethodImpl(Inline)] public static void ArraySetI32(object? a, int i, int value) => D<int>(a, i)[i] = value;
    /// <summary><c>array.set</c> of an i8 array (stores the low 8 bits).</summary>
    [MethodImpl(Inline)] public static void ArraySetI8(object? a, int i, int value) => D<byte>(a, i)[i] = (byte)value;
    /// <summary><c>array.set</c> of an i16 array (stores the low 16 bits).</summary>
    [MethodImpl(Inline)] public static void ArraySetI16(object? a, int i, int value) => D<ushort>(a, i)[i] = (ushort)value;
    /// <summary><c>array.set</c> of an i64 array.</summary>
    [MethodImpl(Inline)] public static void ArraySetI64(object? a, int i, long value) => D<long>(a, i)[i] = value;
    /// <summary><c>array.set</c> of an f32 array.</summary>
    [MethodImpl(Inline)] public static void ArraySetF32(object? a, int i, float value) => D<float>(a, i)[i] = value;
    /// <summary><c>array.set</c> of an f64 array.</summary>
    [MethodImpl(Inline)] public static void ArraySetF64(object? a, int i, double value) => D<double>(a, i)[i] = value;
    /// <summary><c>array.set</c> of a v128 array.</summary>
    [MethodImpl(Inline)] public static void ArraySetV128(object? a, int i, Vector128<byte> value) => D<Vector128<byte>>(a, i)[i] = value;
    /// <summary><c>array.set</c> of a reference array.</summary>
    [MethodImpl(Inline)] public static void ArraySetRef(object? a, int i, object? value) => D<object?>(a, i)[i] = value;

    // ---- array.len, fill, copy, init ----

    /// <summary><c>array.len</c>.</summary>
    [MethodImpl(Inline)] public static int ArrayLen(object? a) => A(a).Length;

    /// <summary><c>array.fill</c> of an i32, i16 or i8 array.</summary>
    public static void ArrayFillI32(object? a, int i, int value, int n)
    {
        var arr = A(a);
        CheckRange(i, n, arr.Length);
        FillI32(arr, value, i, n);
    }
    /// <summary><c>array.fill</c> of an i64 array.</summary>
    public static void ArrayFillI64(object? a, int i, long value, int n) => Fill(a, i, value, n);
    /// <summary><c>array.fill</c> of an f32 array.</summary>
    public static void ArrayFillF32(object? a, int i, float value, int n) => Fill(a, i, value, n);
    /// <summary><c>array.fill</c> of an f64 array.</summary>
    public static void ArrayFillF64(object? a, int i, double value, int n) => Fill(a, i, value, n);
    /// <summary><c>array.fill</c> of a v128 array.</summary>
    public static void ArrayFillV128(object? a, int i, Vector128<byte> value, int n) => Fill(a, i, value, n);
    /// <summary><c>array.fill</c> of a reference array.</summary>
    public static void ArrayFillRef(object? a, int i, object? value, int n) => Fill(a, i, value, n);

    private static void Fill<T>(object? a, int i, T value, int n)
    {
        var arr = A(a);
        CheckRange(i, n, arr.Length);
        ((WasmArray<T>)arr).Data.AsSpan(i, n).Fill(value);
    }

    private static void FillI32(WasmArray a, int value, int i, int n)
    {
        switch (a)
        {
            case WasmArray<int> w: w.Data.AsSpan(i, n).Fill(value); break;
            case WasmArray<byte> b: b.Data.AsSpan(i, n).Fill((byte)value); break;
            default: ((WasmArray<ushort>)a).Data.AsSpan(i, n).Fill((ushort)value); break;
        }
    }

    /// <summary><c>array.copy</c>: <paramref name="n"/> elements from <paramref name="src"/>[<paramref name="s"/>..] to <paramref name="dst"/>[<paramref name="d"/>..]; overlapping ranges copy as if through a temporary.</summary>
    public static void ArrayCopy(object? dst, int d, object? src, int s, int n)
    {
        var to = A(dst);
        var from = A(src);
        CheckRange(d, n, to.Length);
        CheckRange(s, n, from.Length);
        to.CopyFrom(from, s, d, n);
    }

    /// <summary><c>array.init_data</c>: <paramref name="n"/> elements read from <paramref name="segment"/> at byte <paramref name="s"/> into <paramref name="a"/>[<paramref name="d"/>..].</summary>
    public static void ArrayInitData(object? a, int d, int s, int n, byte[] segment)
    {
        var arr = A(a);
        CheckRange(d, n, arr.Length);
        ulong bytes = (ulong)(uint)n * (uint)ElementSize(arr.Rtt.ElementKind);
        if ((uint)s + bytes > (ulong)segment.Length) Trap.MemoryOutOfBounds();
        CopyBytes(arr, d, segment.AsSpan(s, (int)bytes));
    }

    /// <summary><c>array.init_elem</c>: <paramref name="n"/> references from <paramref name="segment"/>[<paramref name="s"/>..] into <paramref name="a"/>[<paramref name="d"/>..].</summary>
    public static void ArrayInitElem(object? a, int d, int s, int n, object?[] segment)
    {
        var arr = A(a);
        CheckRange(d, n, arr.Length);
        if ((ulong)(uint)s + (uint)n > (ulong)segment.Length) Trap.TableOutOfBounds();
        segment.AsSpan(s, n).CopyTo(((WasmArray<object?>)arr).Data.AsSpan(d, n));
    }

    /// <summary>Copies little-endian element bytes into a numeric array from element <paramref name="d"/> on (the host is little-endian; see <see cref="Memory"/>).</summary>
    private static void CopyBytes(WasmArray a, int d, ReadOnlySpan<byte> bytes)
    {
        int n = bytes.Length;
        if (n == 0) return;
        switch (a)
        {
            case WasmArray<byte> x: bytes.CopyTo(x.Data.AsSpan(d)); break;
            case WasmArray<ushort> x: bytes.CopyTo(MemoryMarshal.AsBytes(x.Data.AsSpan(d))); break;
            case WasmArray<int> x: bytes.CopyTo(MemoryMarshal.AsBytes(x.Data.AsSpan(d))); break;
            case WasmArray<long> x: bytes.CopyTo(MemoryMarshal.AsBytes(x.Data.AsSpan(d))); break;
            case WasmArray<float> x: bytes.CopyTo(MemoryMarshal.AsBytes(x.Data.AsSpan(d))); break;
            case WasmArray<double> x: bytes.CopyTo(MemoryMarshal.AsBytes(x.Data.AsSpan(d))); break;
            case WasmArray<Vector128<byte>> x: bytes.CopyTo(MemoryMarshal.AsBytes(x.Data.AsSpan(d))); break;
            default: throw new WasmException("array.new_data/array.init_data on an array of references");
        }
    }

    // ---- untyped access (constant expressions, hosts, interpreters) ----

    /// <summary><c>array.new</c> with the initial value as a <see cref="Value"/>.</summary>
    public static WasmArray ArrayNew(int typeId, in Value init, int length)
    {
        var a = Allocate(Rtt.For(typeId), length);
        for (int i = 0; i < a.Length; i++) ArraySetValue(a, i, init);
        return a;
    }

    /// <summary><c>array.new_fixed</c> with the elements as <see cref="Value"/>s.</summary>
    public static WasmArray ArrayNewFixed(int typeId, ReadOnlySpan<Value> elements)
    {
        var a = Allocate(Rtt.For(typeId), elements.Length);
        for (int i = 0; i < elements.Length; i++) ArraySetValue(a, i, elements[i]);
        return a;
    }

    /// <summary>Element <paramref name="i"/> as a <see cref="Value"/> (packed elements zero-extended to i32).</summary>
    public static Value ArrayGetValue(object? a, int i)
    {
        var arr = A(a);
        if ((uint)i >= (uint)arr.Length) Trap.ArrayOutOfBounds();
        return arr switch
        {
            WasmArray<byte> x => Value.I32(x.Data[i]),
            WasmArray<ushort> x => Value.I32(x.Data[i]),
            WasmArray<int> x => Value.I32(x.Data[i]),
            WasmArray<long> x => Value.I64(x.Data[i]),
            WasmArray<float> x => Value.F32(x.Data[i]),
            WasmArray<double> x => Value.F64(x.Data[i]),
            WasmArray<Vector128<byte>> x => Value.V128(new Instructions.V128(x.Data[i].AsUInt64().GetElement(0), x.Data[i].AsUInt64().GetElement(1))),
            _ => Value.Reference(arr.Rtt.Fields[0].Type, ((WasmArray<object?>)arr).Data[i]),
        };
    }

    /// <summary>Stores <paramref name="value"/> at element <paramref name="i"/> (no mutability check: also used to build arrays).</summary>
    public static void ArraySetValue(object? a, int i, in Value value)
    {
        var arr = A(a);
        if ((uint)i >= (uint)arr.Length) Trap.ArrayOutOfBounds();
        switch (arr)
        {
            case WasmArray<byte> x: x.Data[i] = (byte)value.Lo; break;
            case WasmArray<ushort> x: x.Data[i] = (ushort)value.Lo; break;
            case WasmArray<int> x: x.Data[i] = value.AsI32; break;
            case WasmArray<long> x: x.Data[i] = value.AsI64; break;
            case WasmArray<float> x: x.Data[i] = value.AsF32; break;
            case WasmArray<double> x: x.Data[i] = value.AsF64; break;
            case WasmArray<Vector128<byte>> x: x.Data[i] = Vector128.Create(value.Lo, value.Hi).AsByte(); break;
            default: ((WasmArray<object?>)arr).Data[i] = value.Ref; break;
        }
    }
}
