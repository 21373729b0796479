using System.Reflection;
using System.Runtime.CompilerServices;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime.Exceptions;

namespace WasmKiln.Runtime.Gc;

internal static partial class GcOps
{
    // ---- i31 ----

    /// <summary><c>ref.i31</c>: the low 31 bits of <paramref name="value"/> as a reference.</summary>
    [MethodImpl(Inline)] public static object RefI31(int value) => WasmI31.Of(value);

    /// <summary><c>i31.get_s</c>.</summary>
    [MethodImpl(Inline)]
    public static int I31GetS(object? r)
    {
        if (r is null) Trap.NullI31Reference();
        return ((WasmI31)r).Value;
    }

    /// <summary><c>i31.get_u</c>.</summary>
    [MethodImpl(Inline)]
    public static int I31GetU(object? r)
    {
        if (r is null) Trap.NullI31Reference();
        return ((WasmI31)r).Unsigned;
    }

    // ---- ref.eq, conversions ----

    /// <summary><c>ref.eq</c>: 1 when both are null, the same object, or i31 references of equal value.</summary>
    [MethodImpl(Inline)]
    public static int RefEq(object? a, object? b) =>
        ReferenceEquals(a, b) || (a is WasmI31 x && b is WasmI31 y && x.Value == y.Value) ? 1 : 0;

    /// <summary>
    /// <c>any.convert_extern</c>: the identity. A host object (anything but a struct, array or i31)
    /// seen as an <c>anyref</c> matches only <c>any</c> in casts, so no wrapper is needed and
    /// <see cref="ExternConvertAny"/> gives the original object back exactly.
    /// </summary>
    [MethodImpl(Inline)] public static object? AnyConvertExtern(object? r) => r;

    /// <summary><c>extern.convert_any</c>: the identity (see <see cref="AnyConvertExtern"/>).</summary>
    [MethodImpl(Inline)] public static object? ExternConvertAny(object? r) => r;

    // ---- ref.test, ref.cast, br_on_cast ----

    /// <summary>
    /// <c>ref.test</c> (and the check of <c>br_on_cast</c>/<c>br_on_cast_fail</c>): 1 when
    /// <paramref name="r"/> has type <c>(ref null? heap)</c>, else 0. <paramref name="heap"/> is a
    /// canonical type id (non-negative) or an abstract heap type (<see cref="HeapType.Value"/>).
    /// </summary>
    public static int RefTest(object? r, int heap, bool nullable)
    {
        if (r is null) return nullable ? 1 : 0;
        return Matches(r, heap) ? 1 : 0;
    }

    /// <summary><c>ref.cast</c>: <paramref name="r"/> when it has type <c>(ref null? heap)</c>, else a "cast failure" trap.</summary>
    public static object? RefCast(object? r, int heap, bool nullable)
    {
        if (r is null)
        {
            if (!nullable) Trap.CastFailure();
            return null;
        }
        if (!Matches(r, heap)) Trap.CastFailure();
        return r;
    }

    /// <summary>Whether the non-null reference <paramref name="r"/> belongs to heap type <paramref name="heap"/>.</summary>
    public static bool Matches(object r, int heap)
    {
        if (heap >= 0)
        {
            var target = Rtt.For(heap);
            switch (target.Kind)
            {
                case CompositeKind.Struct: return r is WasmStruct s && s.Rtt.IsSubtypeOf(target);
                case CompositeKind.Array: return r is WasmArray a && a.Rtt.IsSubtypeOf(target);
                default: return r is FunctionInstance f && (f.TypeId == heap || Rtt.For(f.TypeId).IsSubtypeOf(target));
            }
        }
        switch (heap)
        {
            case -0x12: return true;                                              // any (includes host objects)
            case -0x13: return r is WasmStruct or WasmArray or WasmI31;           // eq
            case -0x14: return r is WasmI31;                                      // i31
            case -0x15: return r is WasmStruct;                                   // struct
            case -0x16: return r is WasmArray;                                    // array
            case -0x10: return r is FunctionInstance;                             // func
            case -0x11: return true;                                              // extern
            case -0x17: return r is WasmExceptionObject;                          // exn
            default: return false;                                                // none, nofunc, noextern, noexn
        }
    }

    /// <summary>
    /// The most specific abstract heap type of the non-null reference <paramref name="r"/>, for
    /// describing values (scripts, hosts): struct, array, i31, func, exn; <c>any</c> for a host
    /// object (which is an <c>extern</c> or an internalized host value, depending on where it is).
    /// </summary>
    public static HeapType KindOf(object r) => r switch
    {
        WasmStruct => HeapType.Struct,
        WasmArray => HeapType.Array,
        WasmI31 => HeapType.I31,
        FunctionInstance => HeapType.Func,
        WasmExceptionObject => HeapType.Exn,
        _ => HeapType.Any,
    };

    // ---- reflection for code generators ----

    /// <summary>
    /// The helper that implements GC instruction <paramref name="op"/> for fields/elements of
    /// storage type <paramref name="storage"/> (ignored where one helper serves every type), or
    /// null for an instruction that is not a GC helper call. For <c>struct.new</c> and
    /// <c>array.new_fixed</c> it is the per-operand <c>*Init*</c> helper (see the class remarks).
    /// </summary>
    public static MethodInfo? MethodFor(Op op, ValType storage)
    {
        string sfx = storage.Kind switch
        {
            ValKind.I64 => "I64", ValKind.F32 => "F32", ValKind.F64 => "F64", ValKind.V128 => "V128", ValKind.Ref => "Ref", _ => "I32",
        };
        string packed = storage.Kind switch { ValKind.I8 => "I8", ValKind.I16 => "I16", _ => sfx };
        string? name = op switch
        {
            Op.StructNew => "StructInit" + sfx,
            Op.StructNewDefault => nameof(StructNewDefault),
            Op.StructGet => "StructGet" + sfx,
            Op.StructGetS => "StructGet" + packed + "S",
            Op.StructGetU => "StructGet" + packed + "U",
            Op.StructSet => "StructSet" + sfx,
            Op.ArrayNew => "ArrayNew" + sfx,
            Op.ArrayNewDefault => nameof(ArrayNewDefault),
            Op.ArrayNewFixed => "ArrayInitFixed" + sfx,
            Op.ArrayNewData => nameof(ArrayNewData),
            Op.ArrayNewElem => nameof(ArrayNewElem),
            Op.ArrayGet => "ArrayGet" + sfx,
            Op.ArrayGetS => "ArrayGet" + packed + "S",
            Op.ArrayGetU => "ArrayGet" + packed + "U",
            Op.ArraySet => "ArraySet" + packed,
            Op.ArrayLen => nameof(ArrayLen),
            Op.ArrayFill => "ArrayFill" + sfx,
            Op.ArrayCopy => nameof(ArrayCopy),
            Op.ArrayInitData => nameof(ArrayInitData),
            Op.ArrayInitElem => nameof(ArrayInitElem),
            Op.RefI31 => nameof(RefI31),
            Op.I31GetS => nameof(I31GetS),
            Op.I31GetU => nameof(I31GetU),
            Op.RefEq => nameof(RefEq),
            Op.RefTest or Op.RefTestNull or Op.BrOnCast or Op.BrOnCastFail => nameof(RefTest),
            Op.RefCast or Op.RefCastNull => nameof(RefCast),
            Op.AnyConvertExtern => nameof(AnyConvertExtern),
            Op.ExternConvertAny => nameof(ExternConvertAny),
            _ => null,
        };
        return name is null ? null : typeof(GcOps).GetMethod(name, BindingFlags.Public | BindingFlags.Static);
    }
}
