using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Runtime.Exceptions;

/// <summary>
/// Exception handling helpers that compiled code calls (operands in stack order, immediates trailing).
/// </summary>
/// <remarks>
/// <para><c>throw $t</c> without spilling the operands: load the tag object, call
/// <see cref="ExnNew"/>, then for each parameter from the last to the first push its index and
/// call the matching <c>ExnInit*</c> (value, exception, index), which stores and returns the
/// exception; finally call <see cref="Throw"/>.</para>
/// <para>Handlers: <c>catch (WasmThrow e) when (ExnOps.Matches(e, tag))</c> (or <see cref="IsTag"/>
/// on an exception object), then push the payload with the <c>ExnGet*</c> helpers and, for
/// <c>catch_ref</c>/<c>catch_all_ref</c>, the exception object itself (the exnref).</para>
/// </remarks>
internal static class ExnOps
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    /// <summary>A new exception of <paramref name="tag"/> (a <see cref="TagInstance"/>) with a zero/null payload.</summary>
    public static WasmExceptionObject ExnNew(object tag)
    {
        var t = (TagInstance)tag;
        var ps = t.Params;
        var payload = ps.Length == 0 ? [] : new Value[ps.Length];
        for (int i = 0; i < ps.Length; i++) payload[i] = Value.Default(ps[i]);
        return new WasmExceptionObject(t, payload);
    }

    /// <summary>Stores i32 payload value <paramref name="index"/>; returns the exception.</summary>
    [MethodImpl(Inline)] public static WasmExceptionObject ExnInitI32(int value, WasmExceptionObject e, int index) { e.Payload[index] = Value.I32(value); return e; }
    /// <summary>Stores i64 payload value <paramref name="index"/>; returns the exception.</summary>
    [MethodImpl(Inline)] public static WasmExceptionObject ExnInitI64(long value, WasmExceptionObject e, int index) { e.Payload[index] = Value.I64(value); return e; }
    /// <summary>Stores f32 payload value <paramref name="index"/> (bit-exact); returns the exception.</summary>
    [MethodImpl(Inline)] public static WasmExceptionObject ExnInitF32(float value, WasmExceptionObject e, int index) { e.Payload[index] = Value.F32(value); return e; }
    /// <summary>Stores f64 payload value <paramref name="index"/> (bit-exact); returns the exception.</summary>
    [MethodImpl(Inline)] public static WasmExceptionObject ExnInitF64(double value, WasmExceptionObject e, int index) { e.Payload[index] = Value.F64(value); return e; }
    /// <summary>Stores v128 payload value <paramref name="index"/>; returns the exception.</summary>
    [MethodImpl(Inline)]
    public static WasmExceptionObject ExnInitV128(Vector128<byte> value, WasmExceptionObject e, int index)
    {
        var u = value.AsUInt64();
        e.Payload[index] = Value.V128(new V128(u.GetElement(0), u.GetElement(1)));
        return e;
    }
    /// <summary>Stores reference payload value <paramref name="index"/> (typed as the tag's parameter); returns the exception.</summary>
    [MethodImpl(Inline)] public static WasmExceptionObject ExnInitRef(object? value, WasmExceptionObject e, int index) { e.Payload[index] = Value.Reference(e.Tag.Params[index], value); return e; }

    /// <summary><c>throw</c>: raises <paramref name="e"/>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(WasmExceptionObject e) => throw new WasmThrow(e);

    /// <summary><c>throw_ref</c> (and <c>rethrow</c>): raises the exception <paramref name="exn"/>; a null reference traps ("null reference").</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowRef(object? exn)
    {
        if (exn is null) Trap.NullReference();
        throw new WasmThrow((WasmExceptionObject)exn);
    }

    /// <summary>Exception filter: whether <paramref name="t"/> carries an exception of tag <paramref name="tag"/> (identity).</summary>
    [MethodImpl(Inline)] public static bool Matches(WasmThrow t, object tag) => ReferenceEquals(t.Exception.Tag, tag);

    /// <summary>Whether <paramref name="e"/> was thrown with tag <paramref name="tag"/> (identity).</summary>
    [MethodImpl(Inline)] public static bool IsTag(WasmExceptionObject e, object tag) => ReferenceEquals(e.Tag, tag);

    /// <summary>The exception object (exnref) a caught <see cref="WasmThrow"/> carries.</summary>
    [MethodImpl(Inline)] public static WasmExceptionObject ExnOf(WasmThrow t) => t.Exception;

    /// <summary>i32 payload value <paramref name="index"/>.</summary>
    [MethodImpl(Inline)] public static int ExnGetI32(WasmExceptionObject e, int index) => e.Payload[index].AsI32;
    /// <summary>i64 payload value <paramref name="index"/>.</summary>
    [MethodImpl(Inline)] public static long ExnGetI64(WasmExceptionObject e, int index) => e.Payload[index].AsI64;
    /// <summary>f32 payload value <paramref name="index"/> (bit-exact).</summary>
    [MethodImpl(Inline)] public static float ExnGetF32(WasmExceptionObject e, int index) => e.Payload[index].AsF32;
    /// <summary>f64 payload value <paramref name="index"/> (bit-exact).</summary>
    [MethodImpl(Inline)] public static double ExnGetF64(WasmExceptionObject e, int index) => e.Payload[index].AsF64;
    /// <summary>v128 payload value <paramref name="index"/>.</summary>
    [MethodImpl(Inline)]
    public static Vector128<byte> ExnGetV128(WasmExceptionObject e, int index)
    {
        var v = e.Payload[index];
        return Vector128.Create(v.Lo, v.Hi).AsByte();
    }
    /// <summary>Reference payload value <paramref name="index"/>.</summary>
    [MethodImpl(Inline)] public static object? ExnGetRef(WasmExceptionObject e, int index) => e.Payload[index].Ref;

    /// <summary>Name of the typed <c>ExnInit*</c>/<c>ExnGet*</c> helper suffix for a payload of type <paramref name="t"/> (e.g. "I32", "Ref").</summary>
    public static string Suffix(ValType t) => t.Kind switch
    {
        ValKind.I64 => "I64", ValKind.F32 => "F32", ValKind.F64 => "F64", ValKind.V128 => "V128", ValKind.Ref => "Ref", _ => "I32",
    };
}
