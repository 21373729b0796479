using System.Runtime.CompilerServices;
using WasmKiln.Engines.Compiler;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln;

/// <summary>Shared parts of typed calls from the host into WebAssembly.</summary>
internal static class TypedCalls
{
    [ThreadStatic] private static ValueSlot[][]? t_pool;
    [ThreadStatic] private static int t_depth;

    /// <summary>A scratch slot array for one call (nested calls get their own; release with <see cref="Return"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueSlot[] Rent()
    {
        var pool = t_pool;
        int d = t_depth;
        if (pool != null && d < pool.Length && pool[d] is { } slots)
        {
            t_depth = d + 1;
            return slots;
        }
        return RentSlow();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueSlot[] RentSlow()
    {
        var pool = t_pool ??= new ValueSlot[16][];
        int d = t_depth;
        if (d >= pool.Length)
        {
            Array.Resize(ref pool, pool.Length * 2);
            t_pool = pool;
        }
        t_depth = d + 1;
        return pool[d] ??= new ValueSlot[16];
    }

    /// <summary>Releases the array of the innermost <see cref="Rent"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Return(ValueSlot[] slots)
    {
        // Drop references so the scratch array does not keep guest objects alive.
        for (int i = 0; i < slots.Length; i++) slots[i].Ref = null;
        t_depth--;
    }

    /// <summary>Calls <paramref name="f"/> on <paramref name="slots"/> as the host boundary: restores the call depth after a trap and fills its backtrace.</summary>
    public static void Call(FunctionInstance f, ValueSlot[] slots)
    {
        int saved = CallDepthGuard.Depth;
        try
        {
            f.InvokeSlots(slots);
        }
        catch (TrapException trap)
        {
            Backtraces.Fill(trap);
            CallDepthGuard.Depth = saved;
            throw;
        }
        catch
        {
            CallDepthGuard.Depth = saved;
            throw;
        }
    }

    /// <summary>Reads a call's result: one slot, or one per element of a ValueTuple.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReadResult<T>(ValueSlot[] slots) =>
        typeof(T).IsValueType && TupleSlots<T>.Writer is { } w ? w.Read(slots) : SlotConvert.Read<T>(ref slots[0]);

    /// <summary>
    /// Checks that a delegate with parameters <paramref name="parameters"/> and result
    /// <paramref name="result"/> (void: none) can call <paramref name="f"/>.
    /// </summary>
    /// <exception cref="WasmException">The types differ (the message gives both).</exception>
    public static void Check(FunctionInstance f, Type[] parameters, Type? result, string name)
    {
        var type = f.Type;
        bool ok = parameters.Length == type.Params.Length;
        ValType[] rs = [];
        try
        {
            for (int i = 0; ok && i < parameters.Length; i++) ok = Same(HostTypes.ValTypeOf(parameters[i], name), type.Params[i]);
            rs = HostTypes.ResultTypes(result, name);
        }
        catch (WasmException)
        {
            ok = false;
        }
        ok = ok && rs.Length == type.Results.Length;
        for (int i = 0; ok && i < rs.Length; i++) ok = Same(rs[i], type.Results[i]);
        if (ok) return;
        var sb = new System.Text.StringBuilder();
        foreach (var p in parameters) sb.Append(sb.Length == 0 ? "" : ", ").Append(p.Name);
        throw new WasmException("type mismatch: `" + name + "` has type " + ExternType.FuncText("func", type)
            + " but the delegate has parameters (" + sb + ") and result " + (result == null || result == typeof(void) ? "void" : result.Name));
    }

    private static bool Same(ValType clr, ValType wasm) =>
        clr.Kind == wasm.Kind && (clr.Kind != ValKind.Ref || TypeContext.Top(clr.Heap) == TypeContext.Top(wasm.Heap));

    /// <summary>
    /// Whether the compiler tier's direct typed invoker can be used: compiler tier, at most one
    /// result, and every type exactly the compiled code's IL type.
    /// </summary>
    public static bool CanUseDirect(FunctionInstance f, Type[] parameters, Type? result)
    {
        if (f.Host != null || f.Instance!.Store.Tier is not CompilerTier) return false;
        if (f.Type.Results.Length > 1) return false;
        for (int i = 0; i < parameters.Length; i++) if (!IsIlType(parameters[i])) return false;
        return result == null || result == typeof(void) || IsIlType(result);
    }

    private static bool IsIlType(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(float) || t == typeof(double)
        || t == typeof(System.Runtime.Intrinsics.Vector128<byte>) || t == typeof(object);

    /// <summary>The compiler's direct typed invoker of <paramref name="f"/> as <typeparamref name="TDelegate"/>.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2087", Justification = "Func/Action Invoke methods are kept.")]
    public static TDelegate Direct<TDelegate>(FunctionInstance f) where TDelegate : Delegate =>
        (TDelegate)SignatureStubs.TypedInvoker(f, typeof(TDelegate));
}
