using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Model;

namespace WasmKiln.Runtime;

/// <summary>
/// The typed implementation of a host function: a user delegate plus the code that reads its
/// arguments from <see cref="ValueSlot"/>s and writes its results back (no boxing, no
/// Reflection.Emit; generic subclasses per arity are in HostFunctions.g.cs).
/// </summary>
internal abstract class HostThunk
{
    /// <summary>The user's delegate (called directly by the compiler tier's IL adapter).</summary>
    public abstract Delegate Target { get; }

    /// <summary>Whether <see cref="Target"/>'s first parameter is a <see cref="Caller"/>.</summary>
    public abstract bool TakesCaller { get; }

    /// <summary>Calls <see cref="Target"/> with the arguments in <paramref name="slots"/> and stores its results from slot 0.</summary>
    public abstract void Invoke(ValueSlot[] slots, Caller caller);
}

/// <summary>The .NET types usable for WebAssembly values in typed host functions and typed calls.</summary>
/// <remarks>
/// i32: <c>int</c> (or <c>uint</c>), i64: <c>long</c> (or <c>ulong</c>), f32: <c>float</c>,
/// f64: <c>double</c>, v128: <c>Vector128&lt;byte&gt;</c>, externref: <c>object</c>,
/// funcref: <see cref="Function"/>. Several results: a <c>ValueTuple</c> of those.
/// </remarks>
internal static class HostTypes
{
    /// <summary>The WebAssembly type of .NET type <paramref name="t"/>.</summary>
    /// <exception cref="WasmException">No WebAssembly type corresponds.</exception>
    public static ValType ValTypeOf(Type t, string context)
    {
        if (t == typeof(int) || t == typeof(uint)) return ValType.I32;
        if (t == typeof(long) || t == typeof(ulong)) return ValType.I64;
        if (t == typeof(float)) return ValType.F32;
        if (t == typeof(double)) return ValType.F64;
        if (t == typeof(Vector128<byte>)) return ValType.V128;
        if (t == typeof(object)) return ValType.ExternRef;
        if (t == typeof(Function)) return ValType.FuncRef;
        if (t == typeof(Caller))
            throw new WasmException(context + ": a Caller can only be the first parameter, with the WebAssembly parameter types as the only type arguments (e.g. Func<Caller, int, int> is From<int, int>)");
        throw new WasmException(context + ": the .NET type " + t.Name + " has no WebAssembly equivalent (use int, uint, long, ulong, float, double, Vector128<byte>, object for externref, Function for funcref, a ValueTuple of them for several results)");
    }

    /// <summary>The WebAssembly result types of a .NET return type (null or void: none; a ValueTuple: one per element).</summary>
    public static ValType[] ResultTypes(Type? result, string context)
    {
        if (result == null || result == typeof(void)) return [];
        if (IsValueTuple(result))
        {
            var args = result.GetGenericArguments();
            var rs = new ValType[args.Length];
            for (int i = 0; i < rs.Length; i++) rs[i] = ValTypeOf(args[i], context);
            return rs;
        }
        return [ValTypeOf(result, context)];
    }

    /// <summary>Whether <paramref name="t"/> is <c>ValueTuple&lt;...&gt;</c> with 2 to 7 elements.</summary>
    public static bool IsValueTuple(Type t)
    {
        if (!t.IsGenericType) return false;
        var d = t.GetGenericTypeDefinition();
        return d == typeof(ValueTuple<,>) || d == typeof(ValueTuple<,,>) || d == typeof(ValueTuple<,,,>)
            || d == typeof(ValueTuple<,,,,>) || d == typeof(ValueTuple<,,,,,>) || d == typeof(ValueTuple<,,,,,,>);
    }
}

/// <summary>Typed reads and writes of <see cref="ValueSlot"/>s (the type tests fold away for value types).</summary>
internal static class SlotConvert
{
    /// <summary>The value in <paramref name="s"/> as <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(ref ValueSlot s)
    {
        if (typeof(T) == typeof(int)) { int v = (int)s.Lo; return Unsafe.As<int, T>(ref v); }
        if (typeof(T) == typeof(uint)) { uint v = (uint)s.Lo; return Unsafe.As<uint, T>(ref v); }
        if (typeof(T) == typeof(long)) { long v = (long)s.Lo; return Unsafe.As<long, T>(ref v); }
        if (typeof(T) == typeof(ulong)) { ulong v = s.Lo; return Unsafe.As<ulong, T>(ref v); }
        if (typeof(T) == typeof(float)) { float v = BitConverter.Int32BitsToSingle((int)s.Lo); return Unsafe.As<float, T>(ref v); }
        if (typeof(T) == typeof(double)) { double v = BitConverter.Int64BitsToDouble((long)s.Lo); return Unsafe.As<double, T>(ref v); }
        if (typeof(T) == typeof(Vector128<byte>)) { var v = Vector128.Create(s.Lo, s.Hi).AsByte(); return Unsafe.As<Vector128<byte>, T>(ref v); }
        if (typeof(T) == typeof(Function)) return (T)(object?)Function.FromRef(s.Ref)!;
        return (T)s.Ref!;
    }

    /// <summary>Stores <paramref name="value"/> in <paramref name="s"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<T>(ref ValueSlot s, T value)
    {
        if (typeof(T) == typeof(int)) { s.Lo = (uint)Unsafe.As<T, int>(ref value); return; }
        if (typeof(T) == typeof(uint)) { s.Lo = Unsafe.As<T, uint>(ref value); return; }
        if (typeof(T) == typeof(long) || typeof(T) == typeof(ulong)) { s.Lo = Unsafe.As<T, ulong>(ref value); return; }
        if (typeof(T) == typeof(float)) { s.Lo = (uint)BitConverter.SingleToInt32Bits(Unsafe.As<T, float>(ref value)); return; }
        if (typeof(T) == typeof(double)) { s.Lo = (ulong)BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref value)); return; }
        if (typeof(T) == typeof(Vector128<byte>)) { var u = Unsafe.As<T, Vector128<byte>>(ref value).AsUInt64(); s.Lo = u.GetElement(0); s.Hi = u.GetElement(1); return; }
        if (typeof(T) == typeof(Function)) { s.Ref = (value as Function)?.Target; return; }
        s.Ref = value;
    }

    /// <summary>Stores a host function's return value: one slot, or one per element of a ValueTuple.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteResult<T>(ValueSlot[] slots, T value)
    {
        if (typeof(T).IsValueType && TupleSlots<T>.Writer is { } w) w.Write(slots, value);
        else Write(ref slots[0], value);
    }
}

/// <summary>Writes the elements of a ValueTuple to consecutive slots and reads them back.</summary>
internal abstract class TupleWriter<T>
{
    /// <summary>Stores the elements of <paramref name="value"/> in <c>slots[0..n)</c>.</summary>
    public abstract void Write(ValueSlot[] slots, T value);

    /// <summary>The tuple made of <c>slots[0..n)</c>.</summary>
    public abstract T Read(ValueSlot[] slots);
}

/// <summary>The tuple writer of <typeparamref name="T"/> (null when <typeparamref name="T"/> is not a ValueTuple).</summary>
internal static class TupleSlots<T>
{
    /// <summary>The writer, made once per tuple type.</summary>
    public static readonly TupleWriter<T>? Writer = Make();

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Falls back to a boxing writer when the generic instantiation is not available.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "The tuple writer types are referenced statically.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The tuple writer types are referenced statically.")]
    private static TupleWriter<T>? Make()
    {
        var t = typeof(T);
        if (!HostTypes.IsValueTuple(t)) return null;
        var args = t.GetGenericArguments();
        Type def = args.Length switch
        {
            2 => typeof(TupleWriter2<,>),
            3 => typeof(TupleWriter3<,,>),
            4 => typeof(TupleWriter4<,,,>),
            5 => typeof(TupleWriter5<,,,,>),
            6 => typeof(TupleWriter6<,,,,,>),
            _ => typeof(TupleWriter7<,,,,,,>),
        };
        try
        {
            return (TupleWriter<T>)Activator.CreateInstance(def.MakeGenericType(args))!;
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or TypeLoadException)
        {
            return new BoxingTupleWriter<T>();
        }
    }
}

/// <summary>Tuple writer for platforms that cannot instantiate the typed writers (boxes each element).</summary>
internal sealed class BoxingTupleWriter<T> : TupleWriter<T>
{
    /// <inheritdoc/>
    public override void Write(ValueSlot[] slots, T value)
    {
        var tuple = (ITuple)value!;
        for (int i = 0; i < tuple.Length; i++)
        {
            object? item = tuple[i];
            ref var s = ref slots[i];
            switch (item)
            {
                case int v: s.Lo = (uint)v; break;
                case uint v: s.Lo = v; break;
                case long v: s.Lo = (ulong)v; break;
                case ulong v: s.Lo = v; break;
                case float v: s.Lo = (uint)BitConverter.SingleToInt32Bits(v); break;
                case double v: s.Lo = (ulong)BitConverter.DoubleToInt64Bits(v); break;
                case Vector128<byte> v: SlotConvert.Write(ref s, v); break;
                case Function f: s.Ref = f.Target; break;
                default: s.Ref = item; break;
            }
        }
    }

    /// <inheritdoc/>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "ValueTuple constructors are kept.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2087", Justification = "ValueTuple constructors are kept.")]
    public override T Read(ValueSlot[] slots)
    {
        var args = typeof(T).GetGenericArguments();
        var items = new object?[args.Length];
        for (int i = 0; i < items.Length; i++)
        {
            var t = args[i];
            ref var s = ref slots[i];
            items[i] = t == typeof(int) ? (int)s.Lo : t == typeof(uint) ? (uint)s.Lo : t == typeof(long) ? (long)s.Lo : t == typeof(ulong) ? s.Lo
                : t == typeof(float) ? BitConverter.Int32BitsToSingle((int)s.Lo) : t == typeof(double) ? BitConverter.Int64BitsToDouble((long)s.Lo)
                : t == typeof(Vector128<byte>) ? Vector128.Create(s.Lo, s.Hi).AsByte() : t == typeof(Function) ? Function.FromRef(s.Ref) : s.Ref;
        }
        return (T)Activator.CreateInstance(typeof(T), items)!;
    }
}
