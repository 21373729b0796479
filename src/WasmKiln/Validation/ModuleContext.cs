using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Validation;

/// <summary>
/// The module-level facts the body and constant expression validators look up, with every type
/// already in canonical form (heap type indices replaced by canonical ids).
/// </summary>
internal sealed class ModuleContext
{
    public ModuleContext(ModuleInfo module, TypeContext types, WasmFeatures features = WasmFeatures.All)
    {
        Module = module;
        Types = types;
        Features = features;
        var groups = Enum.GetValues<Feature>();
        GroupEnabled = new bool[groups.Length];
        foreach (var g in groups) GroupEnabled[(int)g] = (features & WasmFeatureSet.Of(g)) == WasmFeatureSet.Of(g);
        int nf = module.TotalFuncs;
        FuncTypeIndices = new uint[nf];
        for (int i = 0; i < nf; i++) FuncTypeIndices[i] = module.FuncTypeIndex((uint)i);
        int nt = module.TotalTables;
        Tables = new TableType[nt];
        for (int i = 0; i < nt; i++)
        {
            var t = module.TableType((uint)i);
            Tables[i] = t with { ElemType = types.CanonChecked(t.ElemType) };
        }
        int nm = module.TotalMemories;
        Memories = new MemoryType[nm];
        for (int i = 0; i < nm; i++) Memories[i] = module.MemoryType((uint)i);
        int ng = module.TotalGlobals;
        Globals = new GlobalType[ng];
        for (int i = 0; i < ng; i++)
        {
            var g = module.GlobalType((uint)i);
            Globals[i] = g with { Type = types.CanonChecked(g.Type) };
        }
        int ntag = module.TotalTags;
        TagTypeIndices = new uint[ntag];
        for (int i = 0; i < ntag; i++) TagTypeIndices[i] = module.TagTypeIndex((uint)i);
        ElemTypes = new ValType[module.Elements.Count];
        for (int i = 0; i < ElemTypes.Length; i++)
        {
            // Segments of function indices hold non-null function references (WebAssembly 3.0).
            var el = module.Elements[i];
            ElemTypes[i] = el.FuncIndices != null && el.Type == ValType.FuncRef ? ValType.Ref(HeapType.Func, false) : types.CanonChecked(el.Type);
        }
        DataSegmentCount = module.DataCount.HasValue ? (int)module.DataCount.Value : module.Datas.Count;
        DeclaredRefs = new bool[nf];
    }

    public ModuleInfo Module { get; }
    public TypeContext Types { get; }
    /// <summary>The proposals the module may use.</summary>
    public WasmFeatures Features { get; }
    /// <summary>Whether each instruction group of the instruction table (by <see cref="Feature"/>) is enabled.</summary>
    public bool[] GroupEnabled { get; }
    /// <summary>Module type index of every function (imports first); checked to be function types by the validator.</summary>
    public uint[] FuncTypeIndices { get; }
    /// <summary>Tables with canonical element types.</summary>
    public TableType[] Tables { get; }
    public MemoryType[] Memories { get; }
    /// <summary>Globals with canonical types.</summary>
    public GlobalType[] Globals { get; }
    /// <summary>Module type index of every tag.</summary>
    public uint[] TagTypeIndices { get; }
    /// <summary>Canonical element type of every element segment.</summary>
    public ValType[] ElemTypes { get; }
    public int DataSegmentCount { get; }
    /// <summary>Functions that may be referenced by <c>ref.func</c> in function bodies.</summary>
    public bool[] DeclaredRefs { get; }

    /// <summary>The function type of function <paramref name="funcIndex"/> (checked in range).</summary>
    public CompositeType FuncType(uint funcIndex) => Types[FuncTypeIndices[funcIndex]].Type;
}

internal static class TypeContextExtensions
{
    /// <summary>Canonicalizes a module value type after checking its type index is in range ("unknown type").</summary>
    public static ValType CanonChecked(this TypeContext types, ValType t)
    {
        if (t.Kind == ValKind.Ref && t.Heap.IsIndex && t.Heap.Value >= types.Count)
            throw new InvalidModuleException("unknown type " + t.Heap.Value, -1);
        return types.Canon(t);
    }
}
