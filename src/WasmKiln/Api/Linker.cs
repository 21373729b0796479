using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln;

/// <summary>
/// Resolves the imports of modules by name (<c>`module`.`name`</c>) to host functions and to
/// exports of other instances, and instantiates modules. Definitions are independent of stores:
/// one linker can instantiate modules in many stores (of the same engine).
/// </summary>
public sealed partial class Linker
{
    private readonly Dictionary<(string Module, string Name), object> _items = [];
    private bool _wasi;

    /// <summary>Creates an empty linker for <paramref name="engine"/>.</summary>
    public Linker(Engine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
    }

    /// <summary>The engine.</summary>
    public Engine Engine { get; }

    /// <summary>Whether a definition may replace an earlier one of the same name (default false: redefining throws).</summary>
    public bool AllowShadowing { get; set; }

    /// <summary>Defines <c>`module`.`name`</c> as <paramref name="function"/> (e.g. an export of another instance).</summary>
    /// <exception cref="WasmException">The name is already defined.</exception>
    public Linker Define(string module, string name, Function function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Add(module, name, function.Target);
    }

    /// <summary>Defines <c>`module`.`name`</c> as <paramref name="memory"/>.</summary>
    /// <exception cref="WasmException">The name is already defined.</exception>
    public Linker Define(string module, string name, Memory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return Add(module, name, memory);
    }

    /// <summary>Defines <c>`module`.`name`</c> as <paramref name="global"/>.</summary>
    /// <exception cref="WasmException">The name is already defined.</exception>
    public Linker Define(string module, string name, Global global)
    {
        ArgumentNullException.ThrowIfNull(global);
        return Add(module, name, global);
    }

    /// <summary>Defines <c>`module`.`name`</c> as <paramref name="table"/>.</summary>
    /// <exception cref="WasmException">The name is already defined.</exception>
    public Linker Define(string module, string name, Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Add(module, name, table);
    }

    /// <summary>
    /// Defines <c>`module`.`name`</c> as an untyped host function of the given parameter and
    /// result kinds: <paramref name="function"/> receives one <see cref="Value"/> per parameter
    /// and returns one per result. (Typed <c>DefineFunction</c> overloads are faster.)
    /// </summary>
    /// <exception cref="WasmException">A kind is not a number, vector, funcref or externref, or the name is already defined.</exception>
    public Linker DefineFunction(string module, string name, IReadOnlyList<ValueKind> parameters, IReadOnlyList<ValueKind> results, Func<Value[], Value[]> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var type = CompositeType.Func(ToTypes(parameters), ToTypes(results));
        int id = HostFunction.FuncTypeId(type);
        return Add(module, name, new FunctionInstance(new HostFunction(TypeRegistry.Get(id).Type, function, Label(module, name)), id));
    }

    /// <summary>Defines every export of <paramref name="instance"/> under module name <paramref name="module"/>.</summary>
    /// <exception cref="WasmException">A name is already defined.</exception>
    public Linker DefineInstance(string module, Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        foreach (var (name, e) in instance.Runtime.Exports) Add(module, name, e.Value);
        return this;
    }

    private Linker DefineHost(string module, string name, HostFunction host) => Add(module, name, new FunctionInstance(host));

    private static string Label(string module, string name) => "`" + module + "`.`" + name + "`";

    private Linker Add(string module, string name, object item)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(name);
        if (!AllowShadowing && _items.ContainsKey((module, name)))
            throw new WasmException("import " + Label(module, name) + " is already defined (set AllowShadowing to replace it)");
        _items[(module, name)] = item;
        return this;
    }

    private static ValType[] ToTypes(IReadOnlyList<ValueKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var types = new ValType[kinds.Count];
        for (int i = 0; i < types.Length; i++)
            types[i] = kinds[i] switch
            {
                ValueKind.I32 => ValType.I32,
                ValueKind.I64 => ValType.I64,
                ValueKind.F32 => ValType.F32,
                ValueKind.F64 => ValType.F64,
                ValueKind.V128 => ValType.V128,
                ValueKind.FuncRef => ValType.FuncRef,
                ValueKind.ExternRef => ValType.ExternRef,
                _ => throw new WasmException("a host function cannot have a parameter or result of kind " + kinds[i]),
            };
        return types;
    }

    /// <summary>
    /// Instantiates <paramref name="module"/> in <paramref name="store"/>: resolves its imports
    /// against the definitions, creates its memories, tables and globals, initializes them and
    /// runs its start function.
    /// </summary>
    /// <exception cref="WasmException">An import is not defined or has an incompatible type (the message names it and gives both types).</exception>
    /// <exception cref="TrapException">Initialization or the start function trapped.</exception>
    public Instance Instantiate(Store store, Module module)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        if (store.Engine.Tier != Engine.Tier || module.Engine.Tier != Engine.Tier)
            throw new WasmException("the store, the module and the linker must use the same execution tier");
        var vm = module.Validated;
        Func<Import, object?>? wasi = _wasi ? store.WasiResolver() : null;
        Import? current = null;
        object? currentItem = null;
        Runtime.Instance inst;
        int saved = CallDepthGuard.Depth;
        try
        {
            inst = Runtime.Linker.Instantiate(vm, store.Runtime, imp =>
            {
                current = imp;
                currentItem = _items.GetValueOrDefault((imp.Module, imp.Name)) ?? wasi?.Invoke(imp);
                if (currentItem == null)
                    throw new LinkException("unknown import " + Label(imp.Module, imp.Name) + ": the linker has no definition (expected " + ExpectedType(module, imp) + ")");
                return currentItem;
            });
        }
        catch (LinkException e) when (current != null && currentItem != null && e.Message.StartsWith("incompatible import type", StringComparison.Ordinal))
        {
            string got = ExternType.Of(currentItem)?.ToString() ?? currentItem.GetType().Name;
            throw new LinkException("incompatible import type for " + Label(current.Module, current.Name) + ": expected " + ExpectedType(module, current) + " got " + got);
        }
        catch (TrapException trap)
        {
            Engines.Compiler.Backtraces.Fill(trap);
            CallDepthGuard.Depth = saved;
            throw;
        }
        return new Instance(inst, module, store);
    }

    private static ExternType ExpectedType(Module module, Import imp)
    {
        var imports = module.Validated.Module.Imports;
        for (int i = 0; i < imports.Count; i++)
            if (ReferenceEquals(imports[i], imp)) return module.Imports[i].Type;
        throw new InvalidOperationException("import not in module");
    }

    /// <summary>
    /// Defines the WASI preview 1 functions (<c>wasi_snapshot_preview1</c>). Each store gets its
    /// own WASI state from <see cref="Store.Wasi"/> (arguments, environment, preopened directories,
    /// standard streams); a guest calling <c>proc_exit</c> ends the call with <see cref="WasiExitException"/>.
    /// </summary>
    public Linker DefineWasi()
    {
        _wasi = true;
        return this;
    }
}
