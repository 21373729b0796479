using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Compiler;

/// <summary>
/// The compiled code of one validated module, shared by all its instances (compiled code takes
/// its instance from the <see cref="Runtime.FunctionInstance"/> it is called with). The module is
/// compiled to IL when one of its functions is first called, all functions at once (so that calls
/// between them are direct); the JIT then compiles each method on its first call.
/// </summary>
internal sealed class CompiledModule
{
    // Per module, one CompiledModule per combination of compile options (index: the flags).
    private static readonly ConditionalWeakTable<ValidatedModule, CompiledModule?[]> Table = new();

    private readonly ValidatedModule _module;
    private nint[]? _entries;

    /// <summary>
    /// The body methods of the defined functions (see <see cref="FunctionCompiler.CompileModule"/>),
    /// set before any function of the module runs; compiled code calls them for call_indirect
    /// within its own instance.
    /// </summary>
    public nint[] Bodies = [];
    private readonly Lock _gate = new();

    private CompiledModule(ValidatedModule module, CompileOptions options)
    {
        _module = module;
        Options = options;
    }

    /// <summary>The options the functions are compiled with.</summary>
    public CompileOptions Options { get; }

    /// <summary>The compiled code of <paramref name="module"/> without fuel or interruption checks.</summary>
    public static CompiledModule For(ValidatedModule module) => For(module, CompileOptions.None);

    /// <summary>The compiled code of <paramref name="module"/> with <paramref name="options"/> (part of the cache key).</summary>
    public static CompiledModule For(ValidatedModule module, CompileOptions options)
    {
        var variants = Table.GetValue(module, static _ => new CompiledModule?[(int)CompileOptions.All + 1]);
        int i = (int)(options & CompileOptions.All);
        var c = Volatile.Read(ref variants[i]);
        if (c != null) return c;
        c = new CompiledModule(module, options & CompileOptions.All);
        return Interlocked.CompareExchange(ref variants[i], c, null) ?? c;
    }

    /// <summary>How many functions have been compiled so far (all of them once any was called).</summary>
    public int CompiledCount => Volatile.Read(ref _entries)?.Length ?? 0;

    /// <summary>The entry point of defined function <paramref name="definedIndex"/>, compiling the module first when needed.</summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The compiler engine requires dynamic code.")]
    public nint EntryPoint(int definedIndex)
    {
        var e = Volatile.Read(ref _entries);
        if (e != null) return e[definedIndex];
        lock (_gate)
        {
            e = _entries;
            if (e == null)
            {
                e = FunctionCompiler.CompileModule(_module, Options, out var bodies);
                Bodies = bodies;
                Volatile.Write(ref _entries, e);
            }
            return e[definedIndex];
        }
    }
}

/// <summary>Options of compiled code that change the generated IL.</summary>
[Flags]
internal enum CompileOptions
{
    /// <summary>Plain code.</summary>
    None = 0,
    /// <summary>Charge fuel per straight-line run and check it at function entry and loop headers.</summary>
    Fuel = 1,
    /// <summary>Check the store's interrupt flag at function entry and loop headers.</summary>
    Interrupts = 2,
    /// <summary>Every option.</summary>
    All = Fuel | Interrupts,
}
