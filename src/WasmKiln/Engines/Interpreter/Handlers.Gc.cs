using System.Runtime.CompilerServices;
using WasmKiln.Model;
using WasmKiln.Runtime.Gc;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>Reference slot B has type <c>(ref null? C)</c> (null allowed when K != 0): br_on_cast.</summary>
internal unsafe struct CondRefTest : ICond
{
    /// <inheritdoc/>
    public static bool Test(Inst* ip, ref Machine m) => GcOps.RefTest(m.Refs[m.FpIndex + ip->B], ip->C, ip->K != 0) != 0;
}

/// <summary>
/// GC handlers. A storage kind operand is a <see cref="ValKind"/> (I8/I16 for packed fields);
/// for reads of packed values <see cref="GcPackedS"/> is or-ed in for sign extension.
/// </summary>
internal static unsafe partial class Handlers
{
    /// <summary>Flag in a get's kind operand: sign-extend the packed value.</summary>
    public const int GcPackedS = 0x100;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref object? RefSlot(ref Machine m, int slot) => ref m.Refs[m.FpIndex + slot];

    /// <summary>Reference slot A = new struct of type K with default fields.</summary>
    public static Inst* GcStructNewDefault(Inst* ip, ref Machine m)
    {
        RefSlot(ref m, ip->A) = GcOps.StructNewDefault((int)ip->K);
        return ip + 1;
    }

    /// <summary>Reference slot A = new array of type K with B default elements (array.new_fixed fills it next).</summary>
    public static Inst* GcArrayNewFixed(Inst* ip, ref Machine m)
    {
        RefSlot(ref m, ip->A) = GcOps.ArrayNewDefault(ip->B, (int)ip->K);
        return ip + 1;
    }

    /// <summary>Field C of the struct in reference slot A = slot B (storage kind D).</summary>
    public static Inst* GcStructSet(Inst* ip, ref Machine m)
    {
        object? s = RefSlot(ref m, ip->A);
        ulong* v = m.Fp + ip->B;
        int f = ip->C;
        switch ((ValKind)ip->D)
        {
            case ValKind.I64: GcOps.StructSetI64(s, *(long*)v, f); break;
            case ValKind.F32: GcOps.StructSetF32(s, *(float*)v, f); break;
            case ValKind.F64: GcOps.StructSetF64(s, *(double*)v, f); break;
            case ValKind.V128: GcOps.StructSetV128(s, V(m.Fp, ip->B), f); break;
            case ValKind.Ref: GcOps.StructSetRef(s, RefSlot(ref m, ip->B), f); break;
            default: GcOps.StructSetI32(s, *(int*)v, f); break;
        }
        return ip + 1;
    }

    /// <summary>Slot A = field C of the struct in reference slot B (kind D).</summary>
    public static Inst* GcStructGet(Inst* ip, ref Machine m)
    {
        object? s = RefSlot(ref m, ip->B);
        int f = ip->C;
        ulong* d = m.Fp + ip->A;
        switch (ip->D)
        {
            case (int)ValKind.I32: *d = (uint)GcOps.StructGetI32(s, f); break;
            case (int)ValKind.I64: *(long*)d = GcOps.StructGetI64(s, f); break;
            case (int)ValKind.F32: *d = BitConverter.SingleToUInt32Bits(GcOps.StructGetF32(s, f)); break;
            case (int)ValKind.F64: *(double*)d = GcOps.StructGetF64(s, f); break;
            case (int)ValKind.V128: PutV(m.Fp, ip->A, GcOps.StructGetV128(s, f)); break;
            case (int)ValKind.Ref: RefSlot(ref m, ip->A) = GcOps.StructGetRef(s, f); break;
            case (int)ValKind.I8: *d = (uint)GcOps.StructGetI8U(s, f); break;
            case (int)ValKind.I8 | GcPackedS: *d = (uint)GcOps.StructGetI8S(s, f); break;
            case (int)ValKind.I16: *d = (uint)GcOps.StructGetI16U(s, f); break;
            default: *d = (uint)GcOps.StructGetI16S(s, f); break;
        }
        return ip + 1;
    }

    /// <summary>Reference slot A = new array of type K, length slot C, every element slot B (kind D).</summary>
    public static Inst* GcArrayNew(Inst* ip, ref Machine m)
    {
        ulong* v = m.Fp + ip->B;
        int len = *(int*)(m.Fp + ip->C);
        int t = (int)ip->K;
        object a = (ValKind)ip->D switch
        {
            ValKind.I64 => GcOps.ArrayNewI64(*(long*)v, len, t),
            ValKind.F32 => GcOps.ArrayNewF32(*(float*)v, len, t),
            ValKind.F64 => GcOps.ArrayNewF64(*(double*)v, len, t),
            ValKind.V128 => GcOps.ArrayNewV128(V(m.Fp, ip->B), len, t),
            ValKind.Ref => GcOps.ArrayNewRef(RefSlot(ref m, ip->B), len, t),
            _ => GcOps.ArrayNewI32(*(int*)v, len, t),
        };
        RefSlot(ref m, ip->A) = a;
        return ip + 1;
    }

    /// <summary>Reference slot A = new array of type K with slot B default elements.</summary>
    public static Inst* GcArrayNewDefault(Inst* ip, ref Machine m)
    {
        RefSlot(ref m, ip->A) = GcOps.ArrayNewDefault(*(int*)(m.Fp + ip->B), (int)ip->K);
        return ip + 1;
    }

    /// <summary>Reference slot A = new array of type K from data segment D at offset slot B, length slot C.</summary>
    public static Inst* GcArrayNewData(Inst* ip, ref Machine m)
    {
        RefSlot(ref m, ip->A) = GcOps.ArrayNewData(*(int*)(m.Fp + ip->B), *(int*)(m.Fp + ip->C), m.Instance.DataSegments[ip->D], (int)ip->K);
        return ip + 1;
    }

    /// <summary>Reference slot A = new array of type K from element segment D at offset slot B, length slot C.</summary>
    public static Inst* GcArrayNewElem(Inst* ip, ref Machine m)
    {
        RefSlot(ref m, ip->A) = GcOps.ArrayNewElem(*(int*)(m.Fp + ip->B), *(int*)(m.Fp + ip->C), m.Instance.ElemSegments[ip->D], (int)ip->K);
        return ip + 1;
    }

    /// <summary>Element C of the array being built in reference slot A = slot B (kind D).</summary>
    public static Inst* GcArrayInitFixed(Inst* ip, ref Machine m)
    {
        object a = RefSlot(ref m, ip->A)!;
        ulong* v = m.Fp + ip->B;
        int i = ip->C;
        switch ((ValKind)ip->D)
        {
            case ValKind.I64: GcOps.ArrayInitFixedI64(*(long*)v, a, i); break;
            case ValKind.F32: GcOps.ArrayInitFixedF32(*(float*)v, a, i); break;
            case ValKind.F64: GcOps.ArrayInitFixedF64(*(double*)v, a, i); break;
            case ValKind.V128: GcOps.ArrayInitFixedV128(V(m.Fp, ip->B), a, i); break;
            case ValKind.Ref: GcOps.ArrayInitFixedRef(RefSlot(ref m, ip->B), a, i); break;
            default: GcOps.ArrayInitFixedI32(*(int*)v, a, i); break;
        }
        return ip + 1;
    }

    /// <summary>Slot A = element (slot C) of the array in reference slot B (kind D).</summary>
    public static Inst* GcArrayGet(Inst* ip, ref Machine m)
    {
        object? a = RefSlot(ref m, ip->B);
        int i = *(int*)(m.Fp + ip->C);
        ulong* d = m.Fp + ip->A;
        switch (ip->D)
        {
            case (int)ValKind.I32: *d = (uint)GcOps.ArrayGetI32(a, i); break;
            case (int)ValKind.I64: *(long*)d = GcOps.ArrayGetI64(a, i); break;
            case (int)ValKind.F32: *d = BitConverter.SingleToUInt32Bits(GcOps.ArrayGetF32(a, i)); break;
            case (int)ValKind.F64: *(double*)d = GcOps.ArrayGetF64(a, i); break;
            case (int)ValKind.V128: PutV(m.Fp, ip->A, GcOps.ArrayGetV128(a, i)); break;
            case (int)ValKind.Ref: RefSlot(ref m, ip->A) = GcOps.ArrayGetRef(a, i); break;
            case (int)ValKind.I8: *d = (uint)GcOps.ArrayGetI8U(a, i); break;
            case (int)ValKind.I8 | GcPackedS: *d = (uint)GcOps.ArrayGetI8S(a, i); break;
            case (int)ValKind.I16: *d = (uint)GcOps.ArrayGetI16U(a, i); break;
            default: *d = (uint)GcOps.ArrayGetI16S(a, i); break;
        }
        return ip + 1;
    }

    /// <summary>Element (slot B) of the array in reference slot A = slot C (kind D).</summary>
    public static Inst* GcArraySet(Inst* ip, ref Machine m)
    {
        object? a = RefSlot(ref m, ip->A);
        int i = *(int*)(m.Fp + ip->B);
        ulong* v = m.Fp + ip->C;
        switch ((ValKind)ip->D)
        {
            case ValKind.I8: GcOps.ArraySetI8(a, i, *(int*)v); break;
            case ValKind.I16: GcOps.ArraySetI16(a, i, *(int*)v); break;
            case ValKind.I64: GcOps.ArraySetI64(a, i, *(long*)v); break;
            case ValKind.F32: GcOps.ArraySetF32(a, i, *(float*)v); break;
            case ValKind.F64: GcOps.ArraySetF64(a, i, *(double*)v); break;
            case ValKind.V128: GcOps.ArraySetV128(a, i, V(m.Fp, ip->C)); break;
            case ValKind.Ref: GcOps.ArraySetRef(a, i, RefSlot(ref m, ip->C)); break;
            default: GcOps.ArraySetI32(a, i, *(int*)v); break;
        }
        return ip + 1;
    }

    /// <summary>array.fill: array reference slot A, start slot B, value slot C, count slot D, kind K.</summary>
    public static Inst* GcArrayFill(Inst* ip, ref Machine m)
    {
        object? a = RefSlot(ref m, ip->A);
        int i = *(int*)(m.Fp + ip->B);
        ulong* v = m.Fp + ip->C;
        int n = *(int*)(m.Fp + ip->D);
        switch ((ValKind)ip->K)
        {
            case ValKind.I64: GcOps.ArrayFillI64(a, i, *(long*)v, n); break;
            case ValKind.F32: GcOps.ArrayFillF32(a, i, *(float*)v, n); break;
            case ValKind.F64: GcOps.ArrayFillF64(a, i, *(double*)v, n); break;
            case ValKind.V128: GcOps.ArrayFillV128(a, i, V(m.Fp, ip->C), n); break;
            case ValKind.Ref: GcOps.ArrayFillRef(a, i, RefSlot(ref m, ip->C), n); break;
            default: GcOps.ArrayFillI32(a, i, *(int*)v, n); break;
        }
        return ip + 1;
    }

    /// <summary>Slot A = length of the array in reference slot B.</summary>
    public static Inst* GcArrayLen(Inst* ip, ref Machine m)
    {
        m.Fp[ip->A] = (uint)GcOps.ArrayLen(RefSlot(ref m, ip->B));
        return ip + 1;
    }

    /// <summary>array.copy: destination reference slot A at slot B, source reference slot C at slot D, count slot K.</summary>
    public static Inst* GcArrayCopy(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        GcOps.ArrayCopy(RefSlot(ref m, ip->A), *(int*)(fp + ip->B), RefSlot(ref m, ip->C), *(int*)(fp + ip->D), *(int*)(fp + (int)ip->K));
        return ip + 1;
    }

    /// <summary>array.init_data: array reference slot A, destination slot B, source slot C, count slot D, data segment K.</summary>
    public static Inst* GcArrayInitData(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        GcOps.ArrayInitData(RefSlot(ref m, ip->A), *(int*)(fp + ip->B), *(int*)(fp + ip->C), *(int*)(fp + ip->D), m.Instance.DataSegments[(int)ip->K]);
        return ip + 1;
    }

    /// <summary>array.init_elem: as <see cref="GcArrayInitData"/> with element segment K.</summary>
    public static Inst* GcArrayInitElem(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        GcOps.ArrayInitElem(RefSlot(ref m, ip->A), *(int*)(fp + ip->B), *(int*)(fp + ip->C), *(int*)(fp + ip->D), m.Instance.ElemSegments[(int)ip->K]);
        return ip + 1;
    }

    /// <summary>Reference slot A = ref.i31(slot B).</summary>
    public static Inst* GcRefI31(Inst* ip, ref Machine m)
    {
        RefSlot(ref m, ip->A) = GcOps.RefI31(*(int*)(m.Fp + ip->B));
        return ip + 1;
    }

    /// <summary>Slot A = i31.get_s(reference slot B).</summary>
    public static Inst* GcI31GetS(Inst* ip, ref Machine m)
    {
        m.Fp[ip->A] = (uint)GcOps.I31GetS(RefSlot(ref m, ip->B));
        return ip + 1;
    }

    /// <summary>Slot A = i31.get_u(reference slot B).</summary>
    public static Inst* GcI31GetU(Inst* ip, ref Machine m)
    {
        m.Fp[ip->A] = (uint)GcOps.I31GetU(RefSlot(ref m, ip->B));
        return ip + 1;
    }

    /// <summary>Slot A = ref.eq(reference slots B, C).</summary>
    public static Inst* GcRefEq(Inst* ip, ref Machine m)
    {
        m.Fp[ip->A] = (uint)GcOps.RefEq(RefSlot(ref m, ip->B), RefSlot(ref m, ip->C));
        return ip + 1;
    }

    /// <summary>Slot A = ref.test(reference slot B, heap C, nullable D).</summary>
    public static Inst* GcRefTest(Inst* ip, ref Machine m)
    {
        m.Fp[ip->A] = (uint)GcOps.RefTest(RefSlot(ref m, ip->B), ip->C, ip->D != 0);
        return ip + 1;
    }

    /// <summary>Reference slot A = ref.cast(reference slot B, heap C, nullable D).</summary>
    public static Inst* GcRefCast(Inst* ip, ref Machine m)
    {
        RefSlot(ref m, ip->A) = GcOps.RefCast(RefSlot(ref m, ip->B), ip->C, ip->D != 0);
        return ip + 1;
    }
}
