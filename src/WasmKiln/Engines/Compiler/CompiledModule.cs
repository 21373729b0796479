using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Compiler;

/// <summary>
/// The compiled code of one validated module, shared by all its instances (compiled code takes
/// its instance from the <see cref="Runtime.FunctionInstance"/> it is called with). Functions are
/// compiled lazily, on first call, each to a method of its own type in the dynamic assembly.
/// </summary>
internal sealed class CompiledModule
{
    private static readonly ConditionalWeakTable<ValidatedModule, CompiledModule> Table = new();

    private readonly ValidatedModule _module;
    private readonly nint[] _entries;
    private readonly Lock _gate = new();

    private CompiledModule(ValidatedModule module)
    {
        _module = module;
        _entries = new nint[module.Functions.Length];
    }

    /// <summary>The compiled code of <paramref name="module"/>.</summary>
    public static CompiledModule For(ValidatedModule module) => Table.GetValue(module, static m => new CompiledModule(m));

    /// <summary>How many functions have been compiled so far.</summary>
    public int CompiledCount
    {
        get
        {
            int n = 0;
            foreach (var e in _entries) if (e != 0) n++;
            return n;
        }
    }

    /// <summary>The entry point of defined function <paramref name="definedIndex"/>, compiling it first when needed.</summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The compiler engine requires dynamic code.")]
    public nint EntryPoint(int definedIndex)
    {
        nint e = Volatile.Read(ref _entries[definedIndex]);
        if (e != 0) return e;
        lock (_gate)
        {
            e = _entries[definedIndex];
            if (e != 0) return e;
            e = FunctionCompiler.Compile(_module, definedIndex);
            Volatile.Write(ref _entries[definedIndex], e);
            return e;
        }
    }
}
