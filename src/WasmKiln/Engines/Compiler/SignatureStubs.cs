using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Compiler;

/// <summary>Calls a function with arguments and results in <see cref="ValueSlot"/>s (results overwrite the slots from 0).</summary>
internal delegate void SlotInvoker(ValueSlot[] slots, FunctionInstance function);

/// <summary>
/// Per-signature generated code: invokers (untyped host-to-WebAssembly calls) and host adapters
/// (the entry point of a host function, WebAssembly-to-host). Cached by IL signature.
/// </summary>
[UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The compiler engine requires dynamic code; it is only created when dynamic code is supported.")]
internal static class SignatureStubs
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, SlotInvoker> Invokers = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, nint> Adapters = new(StringComparer.Ordinal);

    private static readonly MethodInfo EntryOfMethod = typeof(FunctionInstance).GetMethod(nameof(FunctionInstance.EntryOf))!;
    private static readonly MethodInfo HostCallMethod = typeof(HostFunction).GetMethod(nameof(HostFunction.CallSlots), BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!;

    /// <summary>The invoker for functions of type <paramref name="type"/>.</summary>
    public static SlotInvoker Invoker(CompositeType type)
    {
        string key = CodeGen.SignatureKey(type);
        lock (Gate)
        {
            if (Invokers.TryGetValue(key, out var inv)) return inv;
            inv = BuildInvoker(type);
            Invokers[key] = inv;
            return inv;
        }
    }

    /// <summary>
    /// The entry point of host function <paramref name="f"/> (called by compiled code): for a
    /// typed host function, an adapter calling its delegate's <c>Invoke</c> directly (no boxing,
    /// no allocation); otherwise the generic adapter through the slot path.
    /// </summary>
    public static nint HostAdapter(FunctionInstance f)
    {
        if (f.Host?.Thunk is not { } thunk) return HostAdapter(f.Type);
        var delegateType = thunk.Target.GetType();
        var key = (CodeGen.SignatureKey(f.Type), delegateType, thunk.TakesCaller);
        lock (Gate)
        {
            if (TypedAdapters.TryGetValue(key, out var a)) return a;
            a = BuildTypedAdapter(f.Type, delegateType, thunk.TakesCaller);
            TypedAdapters[key] = a;
            return a;
        }
    }

    private static readonly Dictionary<(string, Type, bool), nint> TypedAdapters = [];

    private static MethodInfo HostMethod(string name) => typeof(HostFunction).GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!;

    /// <summary>Emits the conversion of a delegate value of type <paramref name="clr"/> to its IL representation (funcref: the runtime function).</summary>
    private static void ToIl(ILGenerator il, Type clr)
    {
        if (clr == typeof(Function)) il.Emit(OpCodes.Call, HostMethod(nameof(HostFunction.RefOf)));
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Delegate Invoke methods and ValueTuple fields are kept.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Delegate Invoke methods and ValueTuple fields are kept.")]
    private static nint BuildTypedAdapter(CompositeType type, Type delegateType, bool takesCaller)
    {
        var invoke = delegateType.GetMethod("Invoke")!;
        var dps = invoke.GetParameters();
        var tb = CodeGen.DefineType("HostTyped");
        var ptypes = CodeGen.ParamTypes(type);
        var ret = CodeGen.ReturnType(type);
        var mb = tb.DefineMethod("Call", MethodAttributes.Public | MethodAttributes.Static, ret, ptypes);
        var il = mb.GetILGenerator();
        var ps = type.Params;
        var rs = type.Results;
        int self = ptypes.Length - 1;
        var result = invoke.ReturnType == typeof(void) ? null : il.DeclareLocal(invoke.ReturnType);
        il.BeginExceptionBlock();
        il.Emit(OpCodes.Ldarg, self);
        il.Emit(OpCodes.Call, HostMethod(nameof(HostFunction.TargetOf)));
        il.Emit(OpCodes.Castclass, delegateType);
        int first = 0;
        if (takesCaller)
        {
            il.Emit(OpCodes.Ldarg, self);
            il.Emit(OpCodes.Call, HostMethod(nameof(HostFunction.CallerOf)));
            first = 1;
        }
        for (int i = 0; i < ps.Length; i++)
        {
            il.Emit(OpCodes.Ldarg, i);
            if (dps[first + i].ParameterType == typeof(Function))
                il.Emit(OpCodes.Call, typeof(Function).GetMethod(nameof(Function.FromRef), BindingFlags.Static | BindingFlags.NonPublic)!);
        }
        il.Emit(OpCodes.Callvirt, invoke);
        if (result != null) il.Emit(OpCodes.Stloc, result);
        il.BeginExceptFilterBlock();
        il.Emit(OpCodes.Castclass, typeof(Exception));
        il.Emit(OpCodes.Call, HostMethod(nameof(HostFunction.IsFailure)));
        il.BeginCatchBlock(null!);
        il.Emit(OpCodes.Castclass, typeof(Exception));
        il.Emit(OpCodes.Ldarg, self);
        il.Emit(OpCodes.Call, HostMethod(nameof(HostFunction.FailureOf)));
        il.Emit(OpCodes.Throw);
        il.EndExceptionBlock();
        if (rs.Length == 1)
        {
            il.Emit(OpCodes.Ldloc, result!);
            ToIl(il, invoke.ReturnType);
        }
        else if (rs.Length > 1)
        {
            var tuple = invoke.ReturnType;
            var items = tuple.GetGenericArguments();
            for (int i = 1; i < rs.Length; i++)
            {
                il.Emit(OpCodes.Ldarg, ps.Length + i - 1);
                il.Emit(OpCodes.Ldloc, result!);
                il.Emit(OpCodes.Ldfld, tuple.GetField("Item" + (i + 1))!);
                ToIl(il, items[i]);
                il.Emit(OpCodes.Stobj, CodeGen.ClrType(rs[i]));
            }
            il.Emit(OpCodes.Ldloc, result!);
            il.Emit(OpCodes.Ldfld, tuple.GetField("Item1")!);
            ToIl(il, items[0]);
        }
        il.Emit(OpCodes.Ret);
        var t = tb.CreateType();
        return t.GetMethod("Call")!.MethodHandle.GetFunctionPointer();
    }

    /// <summary>The entry point of host functions of type <paramref name="type"/> (through the slot path).</summary>
    public static nint HostAdapter(CompositeType type)
    {
        string key = CodeGen.SignatureKey(type);
        lock (Gate)
        {
            if (Adapters.TryGetValue(key, out var a)) return a;
            a = BuildAdapter(type);
            Adapters[key] = a;
            return a;
        }
    }

    private static readonly Dictionary<(string, Type), MethodInfo> Typed = [];

    /// <summary>
    /// A delegate of type <paramref name="delegateType"/> that calls <paramref name="function"/>
    /// directly with typed arguments (no boxing, no argument array). The delegate's parameters
    /// and return type must be the IL types of the function's parameters and (at most one) result.
    /// </summary>
    public static Delegate TypedInvoker(FunctionInstance function, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type delegateType)
    {
        var type = function.Type;
        var invoke = delegateType.GetMethod("Invoke") ?? throw new WasmException("not a delegate type: " + delegateType);
        var ps = invoke.GetParameters();
        bool ok = ps.Length == type.Params.Length && type.Results.Length <= 1 && invoke.ReturnType == CodeGen.ReturnType(type);
        for (int i = 0; ok && i < ps.Length; i++) ok = ps[i].ParameterType == CodeGen.ClrType(type.Params[i]);
        if (!ok) throw new WasmException("type mismatch: delegate " + delegateType.Name + " does not match the function's type");
        MethodInfo method;
        lock (Gate)
        {
            var key = (CodeGen.SignatureKey(type), delegateType);
            if (!Typed.TryGetValue(key, out method!))
            {
                method = BuildTyped(type);
                Typed[key] = method;
            }
        }
        return method.CreateDelegate(delegateType, function);
    }

    private static MethodInfo BuildTyped(CompositeType type)
    {
        var tb = CodeGen.DefineType("Typed");
        var ps = type.Params;
        var args = new Type[ps.Length + 1];
        args[0] = typeof(FunctionInstance);
        for (int i = 0; i < ps.Length; i++) args[i + 1] = CodeGen.ClrType(ps[i]);
        var ret = CodeGen.ReturnType(type);
        var mb = tb.DefineMethod("Call", MethodAttributes.Public | MethodAttributes.Static, ret, args);
        var il = mb.GetILGenerator();
        // The host boundary restores the call depth when a trap unwinds through it.
        var saved = il.DeclareLocal(typeof(int));
        var result = ret == typeof(void) ? null : il.DeclareLocal(ret);
        var depth = typeof(CallDepthGuard).GetProperty(nameof(CallDepthGuard.Depth))!;
        il.Emit(OpCodes.Call, depth.GetMethod!);
        il.Emit(OpCodes.Stloc, saved);
        il.BeginExceptionBlock();
        // A trap leaving WebAssembly gets its backtrace here (as in FunctionInstance.Invoke).
        il.BeginExceptionBlock();
        for (int i = 1; i < args.Length; i++) il.Emit(OpCodes.Ldarg, i);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, EntryOfMethod);
        il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, ret, CodeGen.ParamTypes(type), null);
        if (result != null) il.Emit(OpCodes.Stloc, result);
        il.BeginCatchBlock(typeof(TrapException));
        il.Emit(OpCodes.Call, typeof(Backtraces).GetMethod(nameof(Backtraces.Fill))!);
        il.Emit(OpCodes.Rethrow);
        il.EndExceptionBlock();
        il.BeginFaultBlock();
        il.Emit(OpCodes.Ldloc, saved);
        il.Emit(OpCodes.Call, depth.SetMethod!);
        il.EndExceptionBlock();
        if (result != null) il.Emit(OpCodes.Ldloc, result);
        il.Emit(OpCodes.Ret);
        return tb.CreateType().GetMethod("Call")!;
    }

    /// <summary>Emits loading the field of a slot (address on the stack) for type <paramref name="t"/>.</summary>
    internal static void LoadSlot(ILGenerator il, ValType t)
    {
        switch (t.Kind)
        {
            case ValKind.I64: il.Emit(OpCodes.Ldfld, SlotField(nameof(ValueSlot.I64))); break;
            case ValKind.F32: il.Emit(OpCodes.Ldfld, SlotField(nameof(ValueSlot.F32))); break;
            case ValKind.F64: il.Emit(OpCodes.Ldfld, SlotField(nameof(ValueSlot.F64))); break;
            case ValKind.V128: il.Emit(OpCodes.Call, typeof(Ops).GetMethod(nameof(Ops.SlotToV128))!); break;
            case ValKind.Ref: il.Emit(OpCodes.Ldfld, SlotField(nameof(ValueSlot.Ref))); break;
            default: il.Emit(OpCodes.Ldfld, SlotField(nameof(ValueSlot.I32))); break;
        }
    }

    /// <summary>Emits storing a value (slot address, then value on the stack) of type <paramref name="t"/>.</summary>
    internal static void StoreSlot(ILGenerator il, ValType t)
    {
        switch (t.Kind)
        {
            case ValKind.I64: il.Emit(OpCodes.Stfld, SlotField(nameof(ValueSlot.I64))); break;
            case ValKind.F32: il.Emit(OpCodes.Call, typeof(Ops).GetMethod(nameof(Ops.F32ToSlot))!); break;
            case ValKind.F64: il.Emit(OpCodes.Stfld, SlotField(nameof(ValueSlot.F64))); break;
            case ValKind.V128: il.Emit(OpCodes.Call, typeof(Ops).GetMethod(nameof(Ops.V128ToSlot))!); break;
            case ValKind.Ref: il.Emit(OpCodes.Stfld, SlotField(nameof(ValueSlot.Ref))); break;
            default: il.Emit(OpCodes.Call, typeof(Ops).GetMethod(nameof(Ops.I32ToSlot))!); break;
        }
    }

    private static FieldInfo SlotField(string name) => typeof(ValueSlot).GetField(name)!;

    private static SlotInvoker BuildInvoker(CompositeType type)
    {
        var tb = CodeGen.DefineType("Invoke");
        var mb = tb.DefineMethod("Invoke", MethodAttributes.Public | MethodAttributes.Static, typeof(void), [typeof(ValueSlot[]), typeof(FunctionInstance)]);
        var il = mb.GetILGenerator();
        var ps = type.Params;
        var rs = type.Results;
        var temps = new LocalBuilder[rs.Length];
        for (int i = 0; i < rs.Length; i++) temps[i] = il.DeclareLocal(CodeGen.ClrType(rs[i]));
        for (int i = 0; i < ps.Length; i++)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelema, typeof(ValueSlot));
            LoadSlot(il, ps[i]);
        }
        for (int i = 1; i < rs.Length; i++) il.Emit(OpCodes.Ldloca, temps[i]);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, EntryOfMethod);
        il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, CodeGen.ReturnType(type), CodeGen.ParamTypes(type), null);
        if (rs.Length > 0) il.Emit(OpCodes.Stloc, temps[0]);
        for (int i = 0; i < rs.Length; i++)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelema, typeof(ValueSlot));
            il.Emit(OpCodes.Ldloc, temps[i]);
            StoreSlot(il, rs[i]);
        }
        il.Emit(OpCodes.Ret);
        var t = tb.CreateType();
        return t.GetMethod("Invoke")!.CreateDelegate<SlotInvoker>();
    }

    private static nint BuildAdapter(CompositeType type)
    {
        var tb = CodeGen.DefineType("Host");
        var ptypes = CodeGen.ParamTypes(type);
        var mb = tb.DefineMethod("Call", MethodAttributes.Public | MethodAttributes.Static, CodeGen.ReturnType(type), ptypes);
        var il = mb.GetILGenerator();
        var ps = type.Params;
        var rs = type.Results;
        var arr = il.DeclareLocal(typeof(ValueSlot[]));
        il.Emit(OpCodes.Ldc_I4, Math.Max(ps.Length, rs.Length));
        il.Emit(OpCodes.Newarr, typeof(ValueSlot));
        il.Emit(OpCodes.Stloc, arr);
        for (int i = 0; i < ps.Length; i++)
        {
            il.Emit(OpCodes.Ldloc, arr);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelema, typeof(ValueSlot));
            il.Emit(OpCodes.Ldarg, i);
            StoreSlot(il, ps[i]);
        }
        il.Emit(OpCodes.Ldloc, arr);
        il.Emit(OpCodes.Ldarg, ptypes.Length - 1);
        il.Emit(OpCodes.Call, HostCallMethod);
        for (int i = 1; i < rs.Length; i++)
        {
            il.Emit(OpCodes.Ldarg, ps.Length + i - 1);
            il.Emit(OpCodes.Ldloc, arr);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelema, typeof(ValueSlot));
            LoadSlot(il, rs[i]);
            il.Emit(OpCodes.Stobj, CodeGen.ClrType(rs[i]));
        }
        if (rs.Length > 0)
        {
            il.Emit(OpCodes.Ldloc, arr);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ldelema, typeof(ValueSlot));
            LoadSlot(il, rs[0]);
        }
        il.Emit(OpCodes.Ret);
        var t = tb.CreateType();
        return t.GetMethod("Call")!.MethodHandle.GetFunctionPointer();
    }
}
