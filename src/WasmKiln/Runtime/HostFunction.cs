using WasmKiln.Model;
using WasmKiln.Runtime.Exceptions;
using WasmKiln.Validation;

namespace WasmKiln.Runtime;

/// <summary>
/// A function implemented by the host. Two forms: an untyped implementation receiving the
/// arguments as <see cref="Value"/>s and returning the results, or a typed delegate
/// (<see cref="HostThunk"/>, made by <see cref="HostFunctions"/>) that reads its arguments from
/// and writes its results to <see cref="ValueSlot"/>s without boxing.
/// </summary>
/// <remarks>
/// A host function is shared by every instance that imports it; when it takes a
/// <see cref="Caller"/>, instantiation binds it to the importing instance (one
/// <see cref="FunctionInstance"/> per importer, see <see cref="FunctionInstance.BindCaller"/>).
/// Exceptions: <see cref="TrapException"/>, WebAssembly exceptions and exit requests pass
/// through; any other exception becomes a <see cref="TrapException"/> of kind
/// <see cref="TrapKind.HostFunctionFailed"/> naming the function, with the exception as inner exception.
/// </remarks>
internal sealed class HostFunction
{
    /// <summary>An untyped host function of type <paramref name="type"/> (heap types canonical).</summary>
    public HostFunction(CompositeType type, Func<Value[], Value[]> implementation, string name = "host")
    {
        Type = type;
        Implementation = implementation;
        Name = name;
        TypeId = -1;
    }

    private HostFunction(CompositeType type, int typeId, HostThunk thunk, string name)
    {
        Type = type;
        TypeId = typeId;
        Thunk = thunk;
        Name = name;
    }

    /// <summary>The function type (heap types canonical).</summary>
    public CompositeType Type { get; }

    /// <summary>Canonical type id of <see cref="Type"/>, or -1 when made by the untyped constructor (the id is then given to <see cref="FunctionInstance"/>).</summary>
    public int TypeId { get; }

    /// <summary>The untyped implementation (null for a typed host function).</summary>
    public Func<Value[], Value[]>? Implementation { get; }

    /// <summary>The typed implementation (null for an untyped host function).</summary>
    internal HostThunk? Thunk { get; }

    /// <summary>A name for messages, e.g. <c>`env`.`log`</c>.</summary>
    public string Name { get; }

    /// <summary>Whether the implementation takes a <see cref="Caller"/> first.</summary>
    public bool TakesCaller => Thunk is { TakesCaller: true };

    /// <summary>
    /// A typed host function: <paramref name="thunk"/> with the WebAssembly type given by the
    /// .NET types of its parameters and result (see <see cref="HostTypes"/>).
    /// </summary>
    /// <exception cref="WasmException">A parameter or result type has no WebAssembly equivalent.</exception>
    internal static HostFunction Create(HostThunk thunk, Type[] parameters, Type? result, string name)
    {
        var ps = new ValType[parameters.Length];
        for (int i = 0; i < ps.Length; i++) ps[i] = HostTypes.ValTypeOf(parameters[i], name);
        var rs = HostTypes.ResultTypes(result, name);
        var type = CompositeType.Func(ps, rs);
        return new HostFunction(type, FuncTypeId(type), thunk, name);
    }

    /// <summary>The canonical type id of a function type whose heap types are abstract or canonical ids.</summary>
    internal static int FuncTypeId(CompositeType funcType) =>
        TypeRegistry.RegisterGroup([new SubType(funcType, true, [])], 0, 1, []);

    /// <summary>
    /// Runs the function on <paramref name="slots"/>: arguments in <c>slots[0..params)</c>, results
    /// written from slot 0 (the array has room for both). <paramref name="self"/> gives the bound caller.
    /// </summary>
    internal void InvokeSlots(ValueSlot[] slots, FunctionInstance self)
    {
        try
        {
            if (Thunk != null) Thunk.Invoke(slots, self.Caller ?? Caller.Unbound);
            else InvokeUntyped(slots);
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw Failure(e);
        }
    }

    private void InvokeUntyped(ValueSlot[] slots)
    {
        var ps = Type.Params;
        var values = new Value[ps.Length];
        for (int i = 0; i < values.Length; i++) values[i] = slots[i].Get(ps[i]);
        var results = Implementation!(values);
        var rs = Type.Results;
        if (results.Length != rs.Length) throw new WasmException("host function " + Name + " returned " + results.Length + " values, expected " + rs.Length);
        for (int i = 0; i < rs.Length; i++) slots[i].Set(results[i]);
    }

    /// <summary>Whether <paramref name="e"/>, thrown by a host function, becomes a trap (else it passes through unchanged).</summary>
    internal static bool IsFailure(Exception e) =>
        e is not (TrapException or WasmThrow) && !PassesThrough(e);

    /// <summary>Exceptions that must reach the embedder unchanged (e.g. a WASI exit request).</summary>
    private static bool PassesThrough(Exception e) => e is IHostPassThrough or WasiExitException;

    /// <summary>The trap reporting that this function failed with <paramref name="e"/>.</summary>
    internal TrapException Failure(Exception e) =>
        new(TrapKind.HostFunctionFailed, "host function " + Name + " failed: " + e.Message, e);

    /// <summary>Used by the typed IL host adapter: the user delegate of typed host function <paramref name="self"/>.</summary>
    internal static Delegate TargetOf(FunctionInstance self) => self.Host!.Thunk!.Target;

    /// <summary>Used by the typed IL host adapter: the caller bound to <paramref name="self"/>.</summary>
    internal static Caller CallerOf(FunctionInstance self) => self.Caller ?? Caller.Unbound;

    /// <summary>Used by the typed IL host adapter: the trap for exception <paramref name="e"/> of <paramref name="self"/>.</summary>
    internal static Exception FailureOf(Exception e, FunctionInstance self) => self.Host!.Failure(e);

    /// <summary>Used by the typed IL host adapter: the runtime reference of a <see cref="Function"/>.</summary>
    internal static object? RefOf(Function? f) => f?.Target;

    /// <summary>Used by the generic IL host adapter: runs the function on <paramref name="slots"/> (see <see cref="InvokeSlots"/>).</summary>
    internal static void CallSlots(ValueSlot[] slots, FunctionInstance self) => self.Host!.InvokeSlots(slots, self);
}

/// <summary>
/// Marker for exceptions a host function may throw that must pass through WebAssembly frames to
/// the embedder unchanged (not turned into a trap), such as a WASI <c>proc_exit</c> request.
/// </summary>
internal interface IHostPassThrough;
