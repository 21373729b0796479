using WasmKiln.Binary;
using WasmKiln.Model;
using WasmKiln.Text;
using WasmKiln.Validation;

namespace WasmKiln.Script;

/// <summary>
/// Runs .wast scripts and counts every command as one unit: each module (any form), register,
/// top-level invoke/get and each assertion passes or fails; nothing is skipped.
/// <para>
/// Modules: a text module is parsed (<see cref="WatParser.ParseModule"/>), encoded
/// (<see cref="ModuleEncoder"/>) and decoded again (<see cref="ModuleDecoder"/>), so text and binary
/// modules go through the same decoder; a binary module is decoded; a quote module is parsed from
/// its concatenated strings (<see cref="WatParser.ParseText"/>), then encoded and decoded. Every module
/// is then validated (<see cref="Validator"/>).
/// </para>
/// <para>
/// <c>assert_malformed</c> passes when loading fails as malformed (a text parse error, or for binary
/// and quote modules a malformed binary) with the expected message; a plain text module in
/// <c>assert_malformed</c> must fail while parsing. <c>assert_invalid</c> passes when validation
/// fails with the expected message. A module that fails the wrong way fails the command with both
/// messages. Messages match when ours contains the expected text or an alternative listed in
/// <see cref="ExpectedMessages"/>. The <c>_custom</c> forms (custom annotations and sections) pass
/// on any load error with the expected message, since custom annotations are checked by the
/// stage that reads them (the text parser), whatever the assertion calls the error.
/// </para>
/// <para>
/// With an engine that cannot execute (the <c>none</c> engine), a module command that decodes and
/// validates PASSES, both for <c>module definition</c> and for a plain module; instantiation is not
/// performed, and that is recorded, so every later command that needs an instance or execution
/// (register, invoke, get, assert_return, assert_trap, assert_exhaustion, assert_exception,
/// assert_unlinkable, assert_uninstantiable, module instance) FAILS with a message starting
/// with "no engine:". Modules inside assertions that need execution are still decoded and validated
/// first, so a broken module is reported as such.
/// </para>
/// <para>
/// Every file runs in a fresh store (a new engine object). The files are run as given: threads
/// versions of core files (proposals/threads) are not substituted for core ones automatically.
/// </para>
/// <para>
/// Feature baseline: a file below a <c>proposals/NAME/</c> folder is checked against the baseline
/// that proposal's tests were written for (<see cref="FeaturesFor"/>); every other file against
/// all features. The threads proposal's copies of core files predate reference types,
/// multi-memory and memory64 and expect, for example, two memories to be invalid.
/// </para>
/// </summary>
internal sealed class SpecRunner(string engineName, Func<IScriptEngine> createEngine)
{
    /// <summary>A runner for the engine called <paramref name="engineName"/> (see <see cref="ScriptEngines"/>).</summary>
    public SpecRunner(string engineName) : this(engineName, () => ScriptEngines.Create(engineName)) { }

    /// <summary>The engine's name.</summary>
    public string EngineName { get; } = engineName;

    /// <summary>Runs a script file; <paramref name="displayPath"/> is the path reported.</summary>
    public FileResult RunFile(string path, string displayPath)
    {
        var features = FeaturesFor(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var r = new FileResult(displayPath);
            r.Fail(0, "script", "cannot read file: " + e.Message);
            return r;
        }
        return RunText(text, displayPath, features);
    }

    /// <summary>
    /// The features a script file is checked with: the threads proposal's baseline for files in a
    /// <c>proposals/threads/</c> folder, all features otherwise.
    /// </summary>
    public static WasmFeatures FeaturesFor(string path) =>
        path.Replace('\\', '/').Contains("proposals/threads/", StringComparison.Ordinal) ? WasmFeatures.ThreadsProposal : WasmFeatures.All;

    /// <summary>Runs a script given as text.</summary>
    public FileResult RunText(string text, string displayPath, WasmFeatures features = WasmFeatures.All)
    {
        var result = new FileResult(displayPath);
        WastScript script;
        try
        {
            script = WastParser.Parse(text);
        }
        catch (TextParseException e)
        {
            result.Fail(e.Line, "script", $"{e.Line}:{e.Column}: {e.Message}");
            return result;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.Fail(0, "script", "internal error: " + DescribeException(e));
            return result;
        }
        var engine = createEngine();
        try
        {
            new Session(engine, result, features).Run(script);
        }
        finally
        {
            (engine as IDisposable)?.Dispose();
        }
        return result;
    }

    /// <summary>Decodes (or parses, encodes and decodes) and validates a module form.</summary>
    public static ValidatedModule Load(ModuleForm form, WasmFeatures features = WasmFeatures.All)
    {
        var bytes = form.Kind switch
        {
            ModuleFormKind.Binary => form.Binary ?? [],
            ModuleFormKind.Quote => ModuleEncoder.Encode(WatParser.ParseText(form.Quote ?? "", features)),
            _ => ModuleEncoder.Encode(WatParser.ParseModule(form.Source, features)),
        };
        var module = ModuleDecoder.Decode(bytes);
        return Validator.Validate(module, features);
    }

    internal static string DescribeException(Exception e) => e.GetType().Name + ": " + e.Message;

    /// <summary>A module bound in a script: what was loaded, and its instance when one was made.</summary>
    private sealed class ModuleState(ValidatedModule? module, IScriptInstance? instance, string? missingInstance)
    {
        public ValidatedModule? Module { get; } = module;
        public IScriptInstance? Instance { get; } = instance;
        /// <summary>Why there is no instance (for messages).</summary>
        public string? MissingInstance { get; } = missingInstance;
    }

    /// <summary>The state of one script run: the store, named modules, registrations.</summary>
    private sealed class Session(IScriptEngine engine, FileResult result, WasmFeatures features) : IImportResolver
    {
        private readonly Dictionary<string, ModuleState> _named = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IScriptInstance> _registered = new(StringComparer.Ordinal);
        private ModuleState? _current;
        private ModuleState? _lastDefinition;

        public void Run(WastScript script)
        {
            if (engine.CanExecute)
            {
                try
                {
                    _registered["spectest"] = engine.CreateSpectest();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    result.Fail(0, "script", "cannot create the spectest module: " + DescribeException(e));
                }
            }
            foreach (var command in script.Commands)
            {
                string? failure;
                try
                {
                    failure = Execute(command);
                }
                catch (WasmException e)
                {
                    failure = e.Message;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failure = "internal error: " + DescribeException(e);
                }
                if (failure == null) result.Pass(command.KindName);
                else result.Fail(command.Line, command.KindName, failure);
            }
        }

        public bool TryResolve(string module, string name, out ExternValue value)
        {
            value = default;
            return _registered.TryGetValue(module, out var inst) && inst.TryGetExport(name, out value);
        }

        /// <summary>Runs one command; null when it passed, else why it failed.</summary>
        private string? Execute(ScriptCommand command) => command switch
        {
            ModuleCommand m => RunModule(m),
            ModuleInstanceCommand mi => RunModuleInstance(mi),
            RegisterCommand r => RunRegister(r),
            ActionCommand a => RunAction(a),
            ModuleAssertCommand ma => RunModuleAssert(ma),
            _ => "unsupported command " + command.KindName,
        };

        private static string Kind(ModuleForm form) => form.Kind switch
        {
            ModuleFormKind.Binary => "binary module",
            ModuleFormKind.Quote => "quote module",
            _ => "text module",
        };

        /// <summary>Loads a module; on failure returns null and sets <paramref name="error"/> to "kind: message".</summary>
        private ValidatedModule? TryLoad(ModuleForm form, out string error, out Exception? exception)
        {
            try
            {
                error = "";
                exception = null;
                return Load(form, features);
            }
            catch (TextParseException e)
            {
                exception = e;
                error = $"malformed (text {e.Line}:{e.Column}): {e.Message}";
            }
            catch (MalformedModuleException e)
            {
                exception = e;
                error = $"malformed{At(e.Offset)}: {e.Message}";
            }
            catch (InvalidModuleException e)
            {
                exception = e;
                error = $"invalid{At(e.Offset, e.FunctionIndex)}: {e.Message}";
            }
            catch (WasmException e)
            {
                exception = e;
                error = "error: " + e.Message;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                exception = e;
                error = "internal error: " + DescribeException(e);
            }
            return null;
        }

        /// <summary>" (0xOFFSET, func N)" as far as known, for messages.</summary>
        private static string At(long offset, int function = -1)
        {
            if (offset < 0 && function < 0) return "";
            var parts = new List<string>(2);
            if (offset >= 0) parts.Add($"0x{offset:x}");
            if (function >= 0) parts.Add($"func {function}");
            return " (" + string.Join(", ", parts) + ")";
        }

        private string? RunModule(ModuleCommand command)
        {
            var form = command.Form;
            var module = TryLoad(form, out var error, out _);
            if (module == null)
            {
                var failed = new ModuleState(null, null, $"the module at line {command.Line} failed to load");
                Bind(form.Id, failed, form.IsDefinition);
                return $"{Kind(form)} failed to load: {error}";
            }
            if (form.IsDefinition)
            {
                Bind(form.Id, new ModuleState(module, null, "a module definition has no instance"), true);
                return null;
            }
            if (!engine.CanExecute)
            {
                Bind(form.Id, new ModuleState(module, null, $"the module at line {command.Line} was not instantiated (engine {engine.Name})"), false);
                return null;
            }
            // Bound as failed first: if the engine throws, later commands must not use an older module.
            Bind(form.Id, new ModuleState(module, null, $"the module at line {command.Line} failed to instantiate"), false);
            var outcome = engine.Instantiate(module, this);
            if (outcome.Kind != OutcomeKind.Returned || outcome.Instance == null)
                return $"instantiation failed: {Describe(outcome)}";
            Bind(form.Id, new ModuleState(module, outcome.Instance, null), false);
            return null;
        }

        private void Bind(string? id, ModuleState state, bool definition)
        {
            if (id != null) _named[id] = state;
            if (definition) _lastDefinition = state;
            else _current = state;
        }

        private static string NoEngine(string what) => "no engine: " + what;

        private string? RunModuleInstance(ModuleInstanceCommand command)
        {
            ModuleState? def;
            if (command.DefinitionId != null)
            {
                if (!_named.TryGetValue(command.DefinitionId, out def)) return $"unknown module ${command.DefinitionId}";
            }
            else
            {
                def = _lastDefinition;
                if (def == null) return "no module definition to instantiate";
            }
            if (!engine.CanExecute) return NoEngine("module instance needs instantiation");
            if (def.Module == null) return def.MissingInstance ?? "the module failed to load";
            Bind(command.InstanceId, new ModuleState(def.Module, null, $"the module instance at line {command.Line} failed to instantiate"), false);
            var outcome = engine.Instantiate(def.Module, this);
            if (outcome.Kind != OutcomeKind.Returned || outcome.Instance == null)
                return $"instantiation failed: {Describe(outcome)}";
            Bind(command.InstanceId, new ModuleState(def.Module, outcome.Instance, null), false);
            return null;
        }

        private string? RunRegister(RegisterCommand command)
        {
            if (!engine.CanExecute) return NoEngine($"register \"{command.Name}\" needs an instance");
            var instance = Instance(command.ModuleId, out var error);
            if (instance == null) return error;
            _registered[command.Name] = instance;
            return null;
        }

        private IScriptInstance? Instance(string? id, out string error)
        {
            error = "";
            ModuleState? state;
            if (id != null)
            {
                if (!_named.TryGetValue(id, out state))
                {
                    error = $"unknown module ${id}";
                    return null;
                }
            }
            else
            {
                state = _current;
                if (state == null)
                {
                    error = "no current module";
                    return null;
                }
            }
            if (state.Instance == null) error = "no instance: " + (state.MissingInstance ?? "not instantiated");
            return state.Instance;
        }

        private string? RunAction(ActionCommand command)
        {
            var action = command.Action;
            string what = (action.IsGet ? "get" : "invoke") + " \"" + action.Name + "\"";
            if (!engine.CanExecute) return NoEngine(command.KindName + " needs to " + what);
            var instance = Instance(action.ModuleId, out var error);
            if (instance == null) return error;
            var outcome = action.IsGet ? engine.GetGlobal(instance, action.Name) : engine.Invoke(instance, action.Name, action.Args);
            switch (command.Kind)
            {
                case CommandKind.Invoke:
                case CommandKind.Get:
                    return outcome.Kind == OutcomeKind.Returned ? null : $"{what}: {Describe(outcome)}";
                case CommandKind.AssertReturn:
                {
                    if (outcome.Kind != OutcomeKind.Returned) return $"{what}: expected {ExpectedResult.Format(command.Expected)}, got {Describe(outcome)}";
                    var values = outcome.Values;
                    bool ok = values.Length == command.Expected.Length;
                    for (int i = 0; ok && i < values.Length; i++) ok = command.Expected[i].Matches(values[i], engine);
                    return ok ? null : $"{what}: expected {ExpectedResult.Format(command.Expected)}, got {ScriptValues.Format(values, engine)}";
                }
                case CommandKind.AssertTrap:
                    return Expect(what, outcome, OutcomeKind.Trap, command.Message!);
                case CommandKind.AssertExhaustion:
                    return Expect(what, outcome, OutcomeKind.Exhaustion, command.Message!);
                case CommandKind.AssertException:
                    return outcome.Kind == OutcomeKind.Exception ? null : $"{what}: expected an exception, got {Describe(outcome)}";
                default:
                    return "unsupported action command " + command.KindName;
            }
        }

        private string? Expect(string what, Outcome outcome, OutcomeKind kind, string message)
        {
            if (outcome.Kind != kind)
                return $"{what}: expected {KindText(kind)} \"{message}\", got {Describe(outcome)}";
            return ExpectedMessages.Matches(message, outcome.Message) ? null
                : $"{what}: expected {KindText(kind)} \"{message}\", got {KindText(kind)} \"{outcome.Message}\"";
        }

        private static string KindText(OutcomeKind kind) => kind switch
        {
            OutcomeKind.Returned => "a normal return",
            OutcomeKind.Trap => "trap",
            OutcomeKind.Exception => "exception",
            OutcomeKind.Exhaustion => "exhaustion",
            OutcomeKind.Unlinkable => "link error",
            _ => kind.ToString(),
        };

        private string Describe(Outcome outcome) => outcome.Kind == OutcomeKind.Returned
            ? "a normal return with " + ScriptValues.Format(outcome.Values, engine)
            : KindText(outcome.Kind) + " \"" + outcome.Message + "\"";

        private string? RunModuleAssert(ModuleAssertCommand command)
        {
            var form = command.Module;
            string expected = command.Message;
            var module = TryLoad(form, out var error, out var exception);
            switch (command.Kind)
            {
                case CommandKind.AssertMalformedCustom:
                case CommandKind.AssertInvalidCustom:
                {
                    // Custom annotations are checked by whichever stage reads them (the text parser
                    // for annotations): any load error with the expected message passes.
                    string what = command.Kind == CommandKind.AssertMalformedCustom ? "malformed" : "invalid";
                    if (module != null) return $"expected {what} \"{expected}\", but the {Kind(form)} loaded";
                    bool loadError = exception is TextParseException or MalformedModuleException or InvalidModuleException;
                    return loadError && ExpectedMessages.Matches(expected, exception!.Message) ? null
                        : $"expected {what} \"{expected}\", got {error}";
                }
                case CommandKind.AssertMalformed:
                {
                    if (module != null) return $"expected malformed \"{expected}\", but the {Kind(form)} loaded";
                    bool malformed = exception is TextParseException
                        || (exception is MalformedModuleException && form.Kind != ModuleFormKind.Text);
                    if (!malformed) return $"expected malformed \"{expected}\", got {error}";
                    return ExpectedMessages.Matches(expected, exception!.Message) ? null
                        : $"expected malformed \"{expected}\", got {error}";
                }
                case CommandKind.AssertInvalid:
                    if (module != null) return $"expected invalid \"{expected}\", but the {Kind(form)} validated";
                    if (exception is not InvalidModuleException) return $"expected invalid \"{expected}\", got {error}";
                    return ExpectedMessages.Matches(expected, exception.Message) ? null
                        : $"expected invalid \"{expected}\", got {error}";
                case CommandKind.AssertUnlinkable:
                case CommandKind.AssertTrap:
                case CommandKind.AssertUninstantiable:
                {
                    if (module == null) return $"{Kind(form)} failed to load: {error}";
                    var kind = command.Kind == CommandKind.AssertUnlinkable ? OutcomeKind.Unlinkable : OutcomeKind.Trap;
                    if (!engine.CanExecute) return NoEngine($"{command.KindName} needs instantiation");
                    var outcome = engine.Instantiate(module, this);
                    return Expect("instantiation", outcome, kind, expected);
                }
                default:
                    return "unsupported module assertion " + command.KindName;
            }
        }
    }
}
