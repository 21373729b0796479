using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln;

/// <summary>
/// An instantiated module: its exported functions, memories, globals and tables. Made by
/// <see cref="Linker.Instantiate"/>.
/// </summary>
public sealed partial class Instance
{
    internal Instance(Runtime.Instance runtime, Module module, Store store)
    {
        Runtime = runtime;
        Module = module;
        Store = store;
    }

    internal Runtime.Instance Runtime { get; }

    /// <summary>The module this is an instance of.</summary>
    public Module Module { get; }

    /// <summary>The store the instance lives in.</summary>
    public Store Store { get; }

    /// <summary>The exports (names and types), in the module's order.</summary>
    public IReadOnlyList<ExportType> Exports => Module.Exports;

    /// <summary>The exported function <paramref name="name"/>.</summary>
    /// <exception cref="WasmException">No function is exported under that name.</exception>
    public Function GetFunction(string name) =>
        Function.FromRef(Export(name, ExternKind.Func, "function"))!;

    /// <summary>The exported function <paramref name="name"/>, or null when there is none.</summary>
    public Function? TryGetFunction(string name) =>
        Runtime.Exports.TryGetValue(name, out var e) && e.Kind == ExternKind.Func ? Function.FromRef(e.Value) : null;

    /// <summary>Calls the exported function <paramref name="name"/> with <paramref name="arguments"/> and returns its results.</summary>
    /// <exception cref="WasmException">No such function, or the arguments do not match its parameters.</exception>
    /// <exception cref="TrapException">The function trapped.</exception>
    public Value[] Invoke(string name, params ReadOnlySpan<Value> arguments) => GetFunction(name).Invoke(arguments);

    /// <summary>The exported memory <paramref name="name"/> (default <c>memory</c>).</summary>
    /// <exception cref="WasmException">No memory is exported under that name.</exception>
    public Memory GetMemory(string name = "memory") => (Memory)Export(name, ExternKind.Memory, "memory");

    /// <summary>The exported global <paramref name="name"/>.</summary>
    /// <exception cref="WasmException">No global is exported under that name.</exception>
    public Global GetGlobal(string name) => (Global)Export(name, ExternKind.Global, "global");

    /// <summary>The exported table <paramref name="name"/>.</summary>
    /// <exception cref="WasmException">No table is exported under that name.</exception>
    public Table GetTable(string name) => (Table)Export(name, ExternKind.Table, "table");

    private object Export(string name, ExternKind kind, string what)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Runtime.Exports.TryGetValue(name, out var e))
            throw new WasmException("unknown export `" + name + "`: module " + Module.Name + " exports no " + what + " of that name");
        if (e.Kind != kind)
            throw new WasmException("export `" + name + "` of module " + Module.Name + " is a " + KindName(e.Kind) + ", not a " + what);
        return e.Value;
    }

    internal static string KindName(ExternKind kind) => kind switch
    {
        ExternKind.Func => "function",
        ExternKind.Table => "table",
        ExternKind.Memory => "memory",
        ExternKind.Global => "global",
        _ => "tag",
    };

    /// <summary>The module's name.</summary>
    public override string ToString() => "instance of " + Module.Name;
}
