using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Script;
using WasmKiln.Validation;

namespace WasmKiln.Tests.Script;

/// <summary>
/// A test engine that executes nothing real: exported functions behave by their export name
/// ("add" sums i32 arguments, "id" returns its arguments, "unreachable" traps, "deep" exhausts the
/// stack, "throw" throws, "nan" returns an f32 NaN, anything else returns nothing); exported globals
/// read 42. Imports must resolve through the resolver (else unlinkable); a start function traps;
/// a module with a memory makes the engine throw.
/// </summary>
internal sealed class FakeEngine : IScriptEngine, IDisposable
{
    public List<string> Log { get; } = [];

    public string Name => "fake";

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;

    public bool CanExecute => true;

    public RefClass Classify(in Value value, out uint? hostId) => ScriptValues.DefaultClassify(value, out hostId);

    public IScriptInstance CreateSpectest() => new Instance(new Dictionary<string, ExternKind>
    {
        ["print_i32"] = ExternKind.Func, ["global_i32"] = ExternKind.Global, ["memory"] = ExternKind.Memory,
    });

    public Outcome Instantiate(ValidatedModule module, IImportResolver imports)
    {
        foreach (var import in module.Module.Imports)
        {
            if (!imports.TryResolve(import.Module, import.Name, out var value))
                return Outcome.Failed(OutcomeKind.Unlinkable, $"unknown import {import.Module}.{import.Name}");
            if (value.Kind != import.Kind) return Outcome.Failed(OutcomeKind.Unlinkable, "incompatible import type");
        }
        if (module.Module.Start != null) return Outcome.Failed(OutcomeKind.Trap, "unreachable executed");
        if (module.Module.Memories.Count > 0) throw new WasmException("not supported by the fake engine: memories");
        var exports = new Dictionary<string, ExternKind>();
        foreach (var e in module.Module.Exports) exports[e.Name] = e.Kind;
        Log.Add("instantiate");
        return Outcome.Instantiated(new Instance(exports));
    }

    public Outcome Invoke(IScriptInstance instance, string export, Value[] args)
    {
        Log.Add("invoke " + export);
        if (!instance.TryGetExport(export, out var v) || v.Kind != ExternKind.Func)
            return Outcome.Failed(OutcomeKind.Trap, "no function " + export);
        switch (export)
        {
            case "add":
                int sum = 0;
                foreach (var a in args) sum += a.AsI32;
                return Outcome.Return([Value.I32(sum)]);
            case "id": return Outcome.Return(args);
            case "unreachable": return Outcome.Failed(OutcomeKind.Trap, "unreachable executed");
            case "deep": return Outcome.Failed(OutcomeKind.Exhaustion, "call stack exhausted");
            case "throw": return Outcome.Failed(OutcomeKind.Exception, "uncaught exception");
            case "nan": return Outcome.Return([Value.F32Bits(0x7FC0_0000)]);
            default: return Outcome.Return([]);
        }
    }

    public Outcome GetGlobal(IScriptInstance instance, string export) =>
        instance.TryGetExport(export, out var v) && v.Kind == ExternKind.Global
            ? Outcome.Return([Value.I32(42)])
            : Outcome.Failed(OutcomeKind.Trap, "no global " + export);

    private sealed class Instance(Dictionary<string, ExternKind> exports) : IScriptInstance
    {
        public bool TryGetExport(string name, out ExternValue value)
        {
            value = default;
            if (!exports.TryGetValue(name, out var kind)) return false;
            value = new ExternValue(kind, this);
            return true;
        }
    }
}
