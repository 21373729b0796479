using WasmKiln.Engines.Compiler;
using WasmKiln.Engines.Interpreter;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln.Script;

using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>The script engine that compiles WebAssembly to .NET IL ("compiler").</summary>
internal static class CompilerScriptEngine
{
    /// <summary>The engine's name.</summary>
    public const string EngineName = "compiler";

    /// <summary>A new engine (one store) on the compiler tier.</summary>
    public static IScriptEngine Create() => new TierScriptEngine(EngineName, CompilerTier.Shared, CodeGen.IsSupported);
}

/// <summary>The script engine that runs WebAssembly with the interpreter ("interpreter"; needs no dynamic code).</summary>
internal static class InterpreterScriptEngine
{
    /// <summary>The engine's name.</summary>
    public const string EngineName = "interpreter";

    /// <summary>A new engine (one store) on the interpreter tier.</summary>
    public static IScriptEngine Create() => new TierScriptEngine(EngineName, InterpreterTier.Shared, canExecute: true);
}

/// <summary>A script engine running every module of a script in one store of the given execution tier.</summary>
internal sealed class TierScriptEngine(string name, IExecutionTier tier, bool canExecute) : IScriptEngine
{
    private readonly Store _store = new() { Tier = tier };

    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public bool CanExecute => canExecute;

    /// <inheritdoc/>
    public RefClass Classify(in Value value, out uint? hostId)
    {
        hostId = null;
        var heap = value.Type.Heap;
        if (value.Ref is not null and not HostRef && (heap == HeapType.Extern || heap == HeapType.NoExtern)) return RefClass.Extern;
        switch (value.Ref)
        {
            case FunctionInstance: return RefClass.Func;
            case Runtime.Gc.WasmStruct: return RefClass.Struct;
            case Runtime.Gc.WasmArray: return RefClass.Array;
            case Runtime.Gc.WasmI31: return RefClass.I31;
            case Runtime.Exceptions.WasmExceptionObject: return RefClass.Exn;
        }
        return ScriptValues.DefaultClassify(value, out hostId);
    }

    /// <inheritdoc/>
    public IScriptInstance CreateSpectest() => new ScriptInstance(Spectest.Create(_store));

    /// <inheritdoc/>
    public Outcome Instantiate(ValidatedModule module, IImportResolver imports)
    {
        return Run(() =>
        {
            var inst = Linker.Instantiate(module, _store, imp => imports.TryResolve(imp.Module, imp.Name, out var ev) ? ev.Handle : null);
            return Outcome.Instantiated(new ScriptInstance(inst.Exports));
        });
    }

    /// <inheritdoc/>
    public Outcome Invoke(IScriptInstance instance, string export, Value[] args)
    {
        if (!instance.TryGetExport(export, out var ev) || ev.Handle is not FunctionInstance f)
            return Outcome.Failed(OutcomeKind.Trap, "unknown function export \"" + export + "\"");
        return Run(() => Outcome.Return(f.Invoke(args)));
    }

    /// <inheritdoc/>
    public Outcome GetGlobal(IScriptInstance instance, string export)
    {
        if (!instance.TryGetExport(export, out var ev) || ev.Handle is not Global g)
            return Outcome.Failed(OutcomeKind.Trap, "unknown global export \"" + export + "\"");
        return Outcome.Return([g.Value]);
    }

    private static Outcome Run(Func<Outcome> action)
    {
        int depth = CallDepthGuard.Depth;
        try
        {
            return action();
        }
        catch (LinkException e)
        {
            return Outcome.Failed(OutcomeKind.Unlinkable, e.Message);
        }
        catch (Runtime.Exceptions.WasmThrow e)
        {
            return Outcome.Failed(OutcomeKind.Exception, e.Message);
        }
        catch (TrapException e)
        {
            return Outcome.Failed(e.Kind == TrapKind.CallStackExhausted ? OutcomeKind.Exhaustion : OutcomeKind.Trap, e.Message);
        }
        finally
        {
            CallDepthGuard.Depth = depth;
        }
    }

    /// <summary>An instance as the script runner sees it: its exports.</summary>
    private sealed class ScriptInstance(Dictionary<string, (ExternKind Kind, object Value)> exports) : IScriptInstance
    {
        public bool TryGetExport(string name, out ExternValue value)
        {
            if (exports.TryGetValue(name, out var e))
            {
                value = new ExternValue(e.Kind, e.Value);
                return true;
            }
            value = default;
            return false;
        }
    }
}
