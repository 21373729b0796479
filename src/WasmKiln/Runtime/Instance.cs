using WasmKiln.Engines.Compiler;
using WasmKiln.Model;
using WasmKiln.Validation;

namespace WasmKiln.Runtime;

/// <summary>
/// An instance of a module: its memories, tables, globals, functions, tags and segments (imports
/// first in each index space). Compiled code reads these fields directly.
/// </summary>
internal sealed class Instance
{
    /// <summary>Creates an empty instance of <paramref name="module"/> (filled by <see cref="Linker"/>).</summary>
    public Instance(ValidatedModule module, Store store)
    {
        Module = module;
        Store = store;
        Code = CompiledModule.For(module, (store.ConsumeFuel ? CompileOptions.Fuel : 0) | (store.Interruptible ? CompileOptions.Interrupts : 0));
        var m = module.Module;
        Memories = new Memory[m.TotalMemories];
        Tables = new Table[m.TotalTables];
        Globals = new Global[m.TotalGlobals];
        Functions = new FunctionInstance[m.TotalFuncs];
        Tags = new object[m.TotalTags];
        ElemSegments = new object?[m.Elements.Count][];
        DataSegments = new byte[m.Datas.Count][];
    }

    /// <summary>The module.</summary>
    public readonly ValidatedModule Module;
    /// <summary>The store the instance lives in.</summary>
    public readonly Store Store;
    /// <summary>The module's compiled code.</summary>
    public readonly CompiledModule Code;
    /// <summary>Memories, by index.</summary>
    public readonly Memory[] Memories;
    /// <summary>Tables, by index.</summary>
    public readonly Table[] Tables;
    /// <summary>Globals, by index.</summary>
    public readonly Global[] Globals;
    /// <summary>Functions, by index.</summary>
    public readonly FunctionInstance[] Functions;
    /// <summary>Tags (tag identity objects), by index.</summary>
    public readonly object[] Tags;
    /// <summary>Element segments as references; a dropped segment is empty.</summary>
    public readonly object?[][] ElemSegments;
    /// <summary>Data segments; a dropped segment is empty.</summary>
    public readonly byte[][] DataSegments;

    /// <summary>Exports by name: kind and the runtime object (FunctionInstance, Table, Memory, Global, tag).</summary>
    public Dictionary<string, (ExternKind Kind, object Value)> Exports { get; } = new(StringComparer.Ordinal);
}
