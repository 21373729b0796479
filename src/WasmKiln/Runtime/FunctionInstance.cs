using System.Runtime.CompilerServices;
using WasmKiln.Engines.Compiler;
using WasmKiln.Model;
using WasmKiln.Validation;

namespace WasmKiln.Runtime;

/// <summary>
/// A function of the store: a WebAssembly function of an instance (compiled lazily to .NET IL) or
/// a host function. Funcref values are these objects.
/// </summary>
/// <remarks>
/// <para>Calling convention of <see cref="Code"/> (a managed function pointer): the WebAssembly
/// parameters as IL parameters (i32 <c>int</c>, i64 <c>long</c>, f32 <c>float</c>, f64 <c>double</c>,
/// v128 <c>Vector128&lt;byte&gt;</c>, references <c>object</c>), then one by-reference parameter
/// for each result after the first (the callee stores them; no allocation per call), then this
/// <see cref="FunctionInstance"/>. The first result, if any, is the IL return value.</para>
/// <para><see cref="Code"/> is 0 until the function is compiled; <see cref="EntryOf"/> compiles
/// on first use and patches it.</para>
/// </remarks>
internal sealed class FunctionInstance
{
    /// <summary>The entry point (see the class remarks), or 0 while not compiled yet.</summary>
    public nint Code;

    /// <summary>Code of this function prepared by an execution tier other than the compiler (the interpreter's lowered function), or null.</summary>
    internal object? TierCode;

    /// <summary>The instance a WebAssembly function belongs to (null for a host function).</summary>
    public readonly Instance? Instance;

    /// <summary>The host implementation (null for a WebAssembly function).</summary>
    public readonly HostFunction? Host;

    /// <summary>Index among the module's defined (not imported) functions, or -1 for a host function.</summary>
    public readonly int DefinedIndex;

    /// <summary>Canonical type id of the function's type.</summary>
    public readonly int TypeId;

    /// <summary>The function's type (heap types are canonical ids).</summary>
    public readonly CompositeType Type;

    /// <summary>A WebAssembly function of <paramref name="instance"/>.</summary>
    public FunctionInstance(Instance instance, int definedIndex, int typeId)
    {
        Instance = instance;
        DefinedIndex = definedIndex;
        TypeId = typeId;
        Type = TypeRegistry.Get(typeId).Type;
    }

    /// <summary>A host function of canonical type <paramref name="typeId"/>.</summary>
    /// <remarks>No code is generated here: the compiler tier's adapter is made on first use by
    /// <see cref="EntryOf"/>, so host functions also work where dynamic code is not supported.</remarks>
    public FunctionInstance(HostFunction host, int typeId) : this(host, typeId, null) { }

    /// <summary>A typed host function (its type id is <see cref="HostFunction.TypeId"/>).</summary>
    public FunctionInstance(HostFunction host) : this(host, host.TypeId >= 0 ? host.TypeId : throw new ArgumentException("untyped host function needs a type id", nameof(host)), null) { }

    private FunctionInstance(HostFunction host, int typeId, Caller? caller)
    {
        Host = host;
        DefinedIndex = -1;
        TypeId = typeId;
        Type = TypeRegistry.Get(typeId).Type;
        Caller = caller;
    }

    /// <summary>For a host function taking a <see cref="WasmKiln.Caller"/>: the caller of the instance that imported this function (null when unbound).</summary>
    public readonly Caller? Caller;

    /// <summary>Cached slot invoker of the compiler tier (null until first used).</summary>
    internal SlotInvoker? CachedInvoker;

    /// <summary>The public wrapper of this function (made once, on first need).</summary>
    internal Function? Wrapper;

    /// <summary>
    /// This host function bound to <paramref name="importer"/>: when the host function takes a
    /// <see cref="WasmKiln.Caller"/>, a new function instance whose caller is <paramref name="importer"/>;
    /// otherwise this function itself.
    /// </summary>
    internal FunctionInstance BindCaller(Instance importer) =>
        Host is { TakesCaller: true } && Caller == null ? new FunctionInstance(Host, TypeId, new Caller(importer)) : this;

    /// <summary>The entry point of <paramref name="f"/>, compiling it first when needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint EntryOf(FunctionInstance f)
    {
        nint code = f.Code;
        return code != 0 ? code : f.CompileNow();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private nint CompileNow()
    {
        nint code = Host != null ? SignatureStubs.HostAdapter(this) : Instance!.Code.EntryPoint(DefinedIndex);
        Volatile.Write(ref Code, code);
        return code;
    }

    /// <summary>
    /// A typed delegate calling this function without boxing (for the embedding API), e.g.
    /// <c>Func&lt;int, int, int&gt;</c> for <c>(i32, i32) -&gt; i32</c>. Traps surface as <see cref="TrapException"/>.
    /// </summary>
    /// <exception cref="WasmException">The delegate's signature does not match the function's type.</exception>
    public TDelegate AsDelegate<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicMethods)] TDelegate>() where TDelegate : Delegate =>
        (TDelegate)SignatureStubs.TypedInvoker(this, typeof(TDelegate));

    /// <summary>Calls the function with untyped arguments (for scripts and the host); results in a new array.</summary>
    public Value[] Invoke(ReadOnlySpan<Value> args)
    {
        var ps = Type.Params;
        if (args.Length != ps.Length) throw new WasmException("wrong number of arguments: expected " + ps.Length + ", got " + args.Length);
        var slots = new ValueSlot[Math.Max(ps.Length, Type.Results.Length)];
        for (int i = 0; i < ps.Length; i++)
        {
            if (args[i].Kind != ps[i].Kind) throw new WasmException("type mismatch: argument " + i + " must be " + ps[i]);
            slots[i].Set(args[i]);
        }
        int saved = CallDepthGuard.Depth;
        try
        {
            InvokeSlots(slots);
        }
        catch (TrapException trap)
        {
            Backtraces.Fill(trap);
            throw;
        }
        finally
        {
            CallDepthGuard.Depth = saved;
        }
        var rs = Type.Results;
        var results = new Value[rs.Length];
        for (int i = 0; i < rs.Length; i++) results[i] = slots[i].Get(rs[i]);
        return results;
    }

    /// <summary>
    /// Calls the function on <paramref name="slots"/> (arguments in <c>slots[0..params)</c>, results
    /// overwrite the slots from 0; the array has room for both): a host function through its slot
    /// path, a WebAssembly function through its store's execution tier. Traps propagate as
    /// <see cref="TrapException"/>; the caller restores <see cref="CallDepthGuard.Depth"/> when it is the host boundary.
    /// </summary>
    public void InvokeSlots(ValueSlot[] slots)
    {
        if (Host != null) Host.InvokeSlots(slots, this);
        else Instance!.Store.Tier.Invoke(this, slots);
    }

    /// <inheritdoc/>
    public override string ToString() => "function";
}
