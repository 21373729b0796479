using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmKiln.Engines.Compiler;
using WasmKiln.Model;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>The lowered code of one function: pinned instructions and its frame layout.</summary>
internal sealed unsafe class LoweredFunction
{
    private readonly Inst[] _code;

    /// <summary>Wraps lowered instructions (copied to a pinned array).</summary>
    public LoweredFunction(ReadOnlySpan<Inst> code, CompositeType type, uint funcIndex, int paramSlots, int localSlots, int frameSize, bool hasRefLocals)
    {
        _code = GC.AllocateArray<Inst>(code.Length, pinned: true);
        code.CopyTo(_code);
        Code = (Inst*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_code));
        Type = type;
        FuncIndex = funcIndex;
        ParamSlots = paramSlots;
        LocalSlots = localSlots;
        FrameSize = frameSize;
        HasRefLocals = hasRefLocals;
    }

    /// <summary>The first instruction (the array is pinned and lives as long as this object).</summary>
    public readonly Inst* Code;
    /// <summary>Number of instructions.</summary>
    public int Length => _code.Length;
    /// <summary>The function's type.</summary>
    public readonly CompositeType Type;
    /// <summary>Index in the module's function index space (for backtraces).</summary>
    public readonly uint FuncIndex;
    /// <summary>Slots taken by the parameters (slot 0 up).</summary>
    public readonly int ParamSlots;
    /// <summary>Slots taken by parameters and declared locals; the operand stack starts here.</summary>
    public readonly int LocalSlots;
    /// <summary>Slots the frame needs (locals and the deepest operand stack).</summary>
    public readonly int FrameSize;
    /// <summary>Whether some declared local is a reference (its slot must be cleared on entry).</summary>
    public readonly bool HasRefLocals;
    /// <summary>The function's try regions, innermost first (exception handling), or null.</summary>
    public CatchRegion[]? CatchRegions;
}

/// <summary>
/// The lowered functions of one validated module, shared by all its instances; each function is
/// lowered once, on its first call.
/// </summary>
internal sealed class LoweredModule
{
    private static readonly ConditionalWeakTable<ValidatedModule, LoweredModule[]> Cache = new();

    private readonly ValidatedModule _module;
    private readonly CompileOptions _options;
    private readonly LoweredFunction?[] _functions;
    private readonly Lock _gate = new();

    private LoweredModule(ValidatedModule module, CompileOptions options)
    {
        _module = module;
        _options = options;
        _functions = new LoweredFunction?[module.Functions.Length];
    }

    /// <summary>The lowered code of <paramref name="module"/> with <paramref name="options"/> (fuel and interruption checks, as for compiled code).</summary>
    public static LoweredModule For(ValidatedModule module, CompileOptions options = CompileOptions.None)
    {
        var byOptions = Cache.GetValue(module, static m =>
        {
            var a = new LoweredModule[(int)CompileOptions.All + 1];
            for (int i = 0; i < a.Length; i++) a[i] = new LoweredModule(m, (CompileOptions)i);
            return a;
        });
        return byOptions[(int)options];
    }

    /// <summary>How many functions have been lowered so far.</summary>
    public int LoweredCount
    {
        get
        {
            int n = 0;
            foreach (var f in _functions) if (f != null) n++;
            return n;
        }
    }

    /// <summary>Defined function <paramref name="definedIndex"/>, lowering it first when needed.</summary>
    /// <exception cref="WasmException">The function uses an instruction the interpreter does not support yet.</exception>
    public LoweredFunction Get(int definedIndex)
    {
        var f = Volatile.Read(ref _functions[definedIndex]);
        if (f != null) return f;
        lock (_gate)
        {
            f = _functions[definedIndex];
            if (f != null) return f;
            f = Lowerer.Lower(_module, definedIndex, _options);
            Volatile.Write(ref _functions[definedIndex], f);
            return f;
        }
    }
}
