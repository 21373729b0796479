using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln.Script;

/// <summary>An exported (or importable) entity of an instance: its kind and the engine's own object for it.</summary>
internal readonly record struct ExternValue(ExternKind Kind, object Handle);

/// <summary>How an action or an instantiation ended.</summary>
internal enum OutcomeKind : byte
{
    /// <summary>Returned normally (an action's results are in <see cref="Outcome.Values"/>).</summary>
    Returned,
    /// <summary>Trapped; <see cref="Outcome.Message"/> says why.</summary>
    Trap,
    /// <summary>Ended with an uncaught WebAssembly exception.</summary>
    Exception,
    /// <summary>Ran out of call stack (reported as a trap by the spec, kept apart here).</summary>
    Exhaustion,
    /// <summary>Instantiation failed at import matching.</summary>
    Unlinkable,
}

/// <summary>The outcome of an action (invoke/get) or of an instantiation.</summary>
internal readonly record struct Outcome(OutcomeKind Kind, Value[] Values, string Message, IScriptInstance? Instance = null)
{
    /// <summary>A normal return with <paramref name="values"/>.</summary>
    public static Outcome Return(Value[] values) => new(OutcomeKind.Returned, values, "");

    /// <summary>A successful instantiation.</summary>
    public static Outcome Instantiated(IScriptInstance instance) => new(OutcomeKind.Returned, [], "", instance);

    /// <summary>An abnormal end of the given kind.</summary>
    public static Outcome Failed(OutcomeKind kind, string message) => new(kind, [], message);
}

/// <summary>Resolves the imports of a module being instantiated: <c>(module name, field name)</c> to an extern value.</summary>
internal interface IImportResolver
{
    /// <summary>
    /// Looks up the export <paramref name="name"/> of the instance registered as <paramref name="module"/>
    /// (the engine's <c>spectest</c> instance is registered as "spectest" before a script starts).
    /// </summary>
    bool TryResolve(string module, string name, out ExternValue value);
}

/// <summary>An instance made by an engine.</summary>
internal interface IScriptInstance
{
    /// <summary>The export named <paramref name="name"/>, when there is one.</summary>
    bool TryGetExport(string name, out ExternValue value);
}

/// <summary>
/// What the script runner needs from an execution engine (an interpreter, a compiler). One engine
/// object serves one script file (one store). Host values that scripts pass
/// (<c>ref.extern N</c>, <c>ref.host N</c>) arrive as <c>externref</c>/<c>anyref</c> values whose
/// <see cref="Value.Ref"/> is a <see cref="HostRef"/>; the engine's <see cref="IRefClassifier.Classify"/>
/// must report them back as Extern/Host with their id (see <see cref="ScriptValues.DefaultClassify"/>).
/// An engine that also implements <see cref="IDisposable"/> is disposed when its script ends
/// (memories may hold native memory).
/// </summary>
internal interface IScriptEngine : IRefClassifier
{
    /// <summary>The name the engine is chosen by (<c>--engine NAME</c>).</summary>
    string Name { get; }

    /// <summary>False for an engine that cannot execute anything (then the runner fails every command that needs execution with "no engine").</summary>
    bool CanExecute { get; }

    /// <summary>
    /// The <c>spectest</c> host module: functions <c>print</c>, <c>print_i32</c>, <c>print_i64</c>,
    /// <c>print_f32</c>, <c>print_f64</c>, <c>print_i32_f32</c>, <c>print_f64_f64</c>; globals
    /// <c>global_i32</c>/<c>global_i64</c> = 666, <c>global_f32</c>/<c>global_f64</c> = 666.6;
    /// <c>table</c> and <c>table64</c> (funcref, 10..20), <c>memory</c> (1..2 pages),
    /// <c>shared_memory</c> (1..2 pages, shared).
    /// </summary>
    IScriptInstance CreateSpectest();

    /// <summary>
    /// Instantiates a validated module, resolving each import through <paramref name="imports"/>.
    /// Returns <see cref="Outcome.Instantiated"/>, or an Unlinkable outcome (missing or
    /// mismatched import), or a Trap/Exception/Exhaustion outcome (start function, segment
    /// initialization).
    /// </summary>
    Outcome Instantiate(ValidatedModule module, IImportResolver imports);

    /// <summary>Calls the exported function <paramref name="export"/> with <paramref name="args"/>.</summary>
    Outcome Invoke(IScriptInstance instance, string export, Value[] args);

    /// <summary>Reads the exported global <paramref name="export"/> (one value on return).</summary>
    Outcome GetGlobal(IScriptInstance instance, string export);
}

/// <summary>The engine that executes nothing: only decoding and validation can pass with it.</summary>
internal sealed class NoEngine : IScriptEngine
{
    /// <summary>The engine's name.</summary>
    public const string EngineName = "none";

    /// <inheritdoc/>
    public string Name => EngineName;

    /// <inheritdoc/>
    public bool CanExecute => false;

    /// <inheritdoc/>
    public RefClass Classify(in Value value, out uint? hostId) => ScriptValues.DefaultClassify(value, out hostId);

    /// <inheritdoc/>
    public IScriptInstance CreateSpectest() => throw new WasmException("no engine: the spectest module needs an engine");

    /// <inheritdoc/>
    public Outcome Instantiate(ValidatedModule module, IImportResolver imports) => throw new WasmException("no engine: instantiation needs an engine");

    /// <inheritdoc/>
    public Outcome Invoke(IScriptInstance instance, string export, Value[] args) => throw new WasmException("no engine: invoke needs an engine");

    /// <inheritdoc/>
    public Outcome GetGlobal(IScriptInstance instance, string export) => throw new WasmException("no engine: get needs an engine");
}

/// <summary>The engines scripts can be run with, by name.</summary>
internal static class ScriptEngines
{
    /// <summary>
    /// The engine used when none is named: the IL compiler where dynamic code is supported, else
    /// (NativeAOT) the interpreter.
    /// </summary>
    public static string DefaultName => ExecutionTiers.Resolve(EngineTier.Auto) == EngineTier.Compiler
        ? CompilerScriptEngine.EngineName
        : InterpreterScriptEngine.EngineName;

    private static readonly (string Name, Func<IScriptEngine> Create)[] Factories =
    [
        (NoEngine.EngineName, static () => new NoEngine()),
        (CompilerScriptEngine.EngineName, CompilerScriptEngine.Create),
        (InterpreterScriptEngine.EngineName, InterpreterScriptEngine.Create),
    ];

    /// <summary>The names of all engines, in a stable order.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            var names = new string[Factories.Length];
            for (int i = 0; i < names.Length; i++) names[i] = Factories[i].Name;
            return names;
        }
    }

    /// <summary>True when an engine is called <paramref name="name"/>.</summary>
    public static bool Exists(string name)
    {
        foreach (var f in Factories)
            if (f.Name == name) return true;
        return false;
    }

    /// <summary>Why the engine called <paramref name="name"/> cannot run here (the compiler without dynamic code, e.g. under NativeAOT), or null when it can.</summary>
    public static string? Unavailable(string name) =>
        name == CompilerScriptEngine.EngineName && ExecutionTiers.Unavailable(EngineTier.Compiler) is { } why
            ? $"engine '{name}': {why}; use --engine {InterpreterScriptEngine.EngineName}"
            : null;

    /// <summary>A new engine (one store) of the given name. Throws <see cref="WasmException"/> for an unknown name.</summary>
    public static IScriptEngine Create(string name)
    {
        foreach (var f in Factories)
            if (f.Name == name) return f.Create();
        throw new WasmException($"unknown engine '{name}' (available: {string.Join(", ", Names)})");
    }
}
