using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Validation;

/// <summary>
/// Validates a whole module against the WebAssembly 3.0 type system (with threads and legacy
/// exception handling): types, imports, every definition, constant expressions and function bodies.
/// </summary>
internal static class Validator
{
    /// <summary>Most pages a 32-bit memory may have (4 GiB of 64 KiB pages).</summary>
    public const ulong MaxPages32 = 65536;
    /// <summary>Most pages a 64-bit memory may have.</summary>
    public const ulong MaxPages64 = 1UL << 48;

    /// <summary>
    /// Validates a module using only <paramref name="features"/> (all by default). Throws
    /// <see cref="InvalidModuleException"/> (or <see cref="MalformedModuleException"/> for a body
    /// that does not decode).
    /// </summary>
    public static ValidatedModule Validate(ModuleInfo module, WasmFeatures features = WasmFeatures.All)
    {
        var section = SectionId.Type;
        try
        {
            return ValidateSections(module, features, ref section);
        }
        catch (InvalidModuleException e) when (e.Offset < 0 && module.SectionOffset(section) >= 0)
        {
            // A module-level rule broke: report the offset of the section being checked.
            throw new InvalidModuleException(e.Message, module.SectionOffset(section), e.FunctionIndex);
        }
    }

    /// <summary>Validates section by section; <paramref name="section"/> tells which one is being checked.</summary>
    private static ValidatedModule ValidateSections(ModuleInfo module, WasmFeatures features, ref SectionId section)
    {
        var types = TypeContext.Build(module);
        CheckFeatures(module, features);

        // Imports.
        section = SectionId.Import;
        foreach (var imp in module.Imports)
        {
            switch (imp.Kind)
            {
                case ExternKind.Func: CheckFuncType(types, imp.TypeIndex); break;
                case ExternKind.Table: CheckTableType(types, imp.Table); break;
                case ExternKind.Memory: CheckMemoryType(imp.Memory); break;
                case ExternKind.Global: types.CanonChecked(imp.Global.Type); break;
                case ExternKind.Tag: CheckTagType(types, imp.TypeIndex); break;
            }
        }
        section = SectionId.Function;
        foreach (var f in module.Functions) CheckFuncType(types, f);
        section = SectionId.Table;
        foreach (var t in module.Tables) CheckTableType(types, t.Type);
        section = SectionId.Memory;
        foreach (var m in module.Memories) CheckMemoryType(m);
        section = SectionId.Tag;
        foreach (var t in module.Tags) CheckTagType(types, t.TypeIndex);
        if (module.Codes.Count != module.Functions.Count)
            throw new MalformedModuleException("function and code section have inconsistent lengths", -1);

        var ctx = new ModuleContext(module, types, features);
        var fv = new FunctionValidator(ctx);

        // Declared function references (C.refs): every ref.func outside function bodies.
        foreach (var e in module.Exports)
            if (e.Kind == ExternKind.Func && e.Index < (uint)ctx.DeclaredRefs.Length) ctx.DeclaredRefs[e.Index] = true;
        foreach (var g in module.Globals) MarkRefs(ctx, g.Init);
        foreach (var t in module.Tables) if (t.Init is { } init) MarkRefs(ctx, init);
        foreach (var el in module.Elements)
        {
            if (el.FuncIndices != null)
            {
                foreach (var fi in el.FuncIndices) if (fi < (uint)ctx.DeclaredRefs.Length) ctx.DeclaredRefs[fi] = true;
            }
            else foreach (var x in el.Exprs!) MarkRefs(ctx, x);
            if (el.Mode == SegmentMode.Active) MarkRefs(ctx, el.Offset);
        }
        foreach (var d in module.Datas) if (d.Mode == SegmentMode.Active) MarkRefs(ctx, d.Offset);

        section = SectionId.Global;
        // Globals: each sees the imported and the earlier defined globals.
        int importedGlobals = module.ImportedGlobalCount;
        for (int i = 0; i < module.Globals.Count; i++)
            fv.ValidateConst(module.Globals[i].Init, ctx.Globals[importedGlobals + i].Type, importedGlobals + i);

        // Tables.
        section = SectionId.Table;
        for (int i = 0; i < module.Tables.Count; i++)
        {
            var t = module.Tables[i];
            var et = ctx.Tables[module.ImportedTableCount + i].ElemType;
            if (t.Init is { } init) fv.ValidateConst(init, et, module.ImportedGlobalCount);
            else if (!et.Nullable) throw new InvalidModuleException("type mismatch: a table of non-nullable references needs an initializer", -1);
        }

        // Exports.
        section = SectionId.Export;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in module.Exports)
        {
            if (!names.Add(e.Name)) throw new InvalidModuleException("duplicate export name \"" + e.Name + "\"", -1);
            int limit = e.Kind switch
            {
                ExternKind.Func => module.TotalFuncs,
                ExternKind.Table => module.TotalTables,
                ExternKind.Memory => module.TotalMemories,
                ExternKind.Global => module.TotalGlobals,
                _ => module.TotalTags,
            };
            if (e.Index >= (uint)limit) throw new InvalidModuleException("unknown " + KindName(e.Kind) + " " + e.Index, -1);
        }

        // Start function.
        section = SectionId.Start;
        if (module.Start is uint start)
        {
            if (start >= (uint)module.TotalFuncs) throw new InvalidModuleException("unknown function " + start, -1);
            var ft = ctx.FuncType(start);
            if (ft.Params.Length != 0 || ft.Results.Length != 0) throw new InvalidModuleException("start function must have type [] -> []", -1);
        }

        // Element segments.
        section = SectionId.Element;
        for (int i = 0; i < module.Elements.Count; i++)
        {
            var el = module.Elements[i];
            var et = ctx.ElemTypes[i];
            if (el.Mode == SegmentMode.Active)
            {
                if (el.TableIndex >= (uint)ctx.Tables.Length) throw new InvalidModuleException("unknown table " + el.TableIndex, el.Offset.Offset);
                var tt = ctx.Tables[el.TableIndex];
                fv.ValidateConst(el.Offset, tt.Limits.AddressType, ctx.Globals.Length);
                if (!TypeContext.IsSubtype(et, tt.ElemType)) throw new InvalidModuleException("type mismatch: element segment does not match its table", el.Offset.Offset);
            }
            if (el.FuncIndices != null)
            {
                foreach (var fi in el.FuncIndices)
                {
                    if (fi >= (uint)module.TotalFuncs) throw new InvalidModuleException("unknown function " + fi, -1);
                    var rt = ValType.Ref(new HeapType(types.CanonicalIds[(int)ctx.FuncTypeIndices[fi]]), false);
                    if (!TypeContext.IsSubtype(rt, et)) throw new InvalidModuleException("type mismatch: element segment function type", -1);
                }
            }
            else
            {
                foreach (var x in el.Exprs!) fv.ValidateConst(x, et, ctx.Globals.Length);
            }
        }

        // Data segments.
        section = SectionId.Data;
        foreach (var d in module.Datas)
        {
            if (d.Mode != SegmentMode.Active) continue;
            if (d.MemoryIndex >= (uint)ctx.Memories.Length) throw new InvalidModuleException("unknown memory " + d.MemoryIndex, d.Offset.Offset);
            fv.ValidateConst(d.Offset, ctx.Memories[d.MemoryIndex].Limits.AddressType, ctx.Globals.Length);
        }

        // Function bodies.
        section = SectionId.Code;
        var infos = new FunctionInfo[module.Functions.Count];
        for (int i = 0; i < infos.Length; i++) infos[i] = fv.ValidateFunction(i);

        return new ValidatedModule(module, ctx, infos);
    }

    private static string KindName(ExternKind k) => k switch
    {
        ExternKind.Func => "function", ExternKind.Table => "table", ExternKind.Memory => "memory",
        ExternKind.Global => "global", _ => "tag",
    };

    private static void CheckFuncType(TypeContext types, uint typeIndex)
    {
        if (typeIndex >= (uint)types.Count) throw new InvalidModuleException("unknown type " + typeIndex, -1);
        if (types[typeIndex].Kind != CompositeKind.Func) throw new InvalidModuleException("type mismatch: type " + typeIndex + " is not a function type", -1);
    }

    /// <summary>Module-level uses of proposals that are not in <paramref name="features"/>.</summary>
    private static void CheckFeatures(ModuleInfo module, WasmFeatures features)
    {
        if (features == WasmFeatures.All) return;
        if (module.TotalTables > 1 && (features & WasmFeatures.ReferenceTypes) == 0) throw new InvalidModuleException("multiple tables", -1);
        if (module.TotalMemories > 1 && (features & WasmFeatures.MultiMemory) == 0) throw new InvalidModuleException("multiple memories", -1);
        for (uint i = 0; i < (uint)module.TotalTables; i++)
            if (module.TableType(i).Limits.Is64) Require(features, WasmFeatures.Memory64, "a table with 64-bit indices");
        for (uint i = 0; i < (uint)module.TotalMemories; i++)
        {
            var l = module.MemoryType(i).Limits;
            if (l.Is64) Require(features, WasmFeatures.Memory64, "a memory with 64-bit addresses");
            if (l.Shared) Require(features, WasmFeatures.Threads, "a shared memory");
        }
        if (module.TotalTags > 0) Require(features, WasmFeatures.Exceptions | WasmFeatures.LegacyExceptions, "a tag");
        foreach (var t in module.Types)
            if (!t.IsFunc || t.RecGroupSize > 1 || t.ExplicitSub) Require(features, WasmFeatures.Gc, "a struct, array, sub or rec type");
    }

    private static void Require(WasmFeatures features, WasmFeatures needed, string what)
    {
        if ((features & needed) == 0) throw new InvalidModuleException(WasmFeatureSet.NotEnabled(needed, what), -1);
    }

    private static void CheckTagType(TypeContext types, uint typeIndex)
    {
        CheckFuncType(types, typeIndex);
        if (types[typeIndex].Type.Results.Length != 0) throw new InvalidModuleException("non-empty tag result type", -1);
    }

    private static void CheckTableType(TypeContext types, TableType t)
    {
        types.CanonChecked(t.ElemType);
        var l = t.Limits;
        if (!l.Is64)
        {
            if (l.Min > uint.MaxValue || l.Max > uint.MaxValue) throw new InvalidModuleException("table size must be at most 2^32-1", -1);
        }
        if (l.Max is ulong max && l.Min > max) throw new InvalidModuleException("size minimum must not be greater than maximum", -1);
    }

    private static void CheckMemoryType(MemoryType m)
    {
        var l = m.Limits;
        ulong limit = l.Is64 ? MaxPages64 : MaxPages32;
        string text = l.Is64 ? "memory size must be at most 2^48 pages" : "memory size must be at most 65536 pages (4GiB)";
        if (m.PageSizeLog2 is uint log2 && log2 != 16)
        {
            if (log2 != 0) throw new InvalidModuleException("invalid custom page size", -1);
            limit = l.Is64 ? ulong.MaxValue : uint.MaxValue;
            text = "memory size must be at most 2^32-1 pages";
        }
        if (l.Min > limit || l.Max > limit) throw new InvalidModuleException(text, -1);
        if (l.Max is ulong max && l.Min > max) throw new InvalidModuleException("size minimum must not be greater than maximum", -1);
        if (l.Shared && l.Max is null) throw new InvalidModuleException("shared memory must have maximum", -1);
    }

    /// <summary>Marks every function a constant expression references with <c>ref.func</c> as declared.</summary>
    private static void MarkRefs(ModuleContext ctx, Expr expr)
    {
        var r = new InstructionReader(expr.Code.Span, expr.Offset);
        while (!r.AtEnd)
        {
            r.Read(out var ins);
            if (ins.Op == Op.RefFunc && ins.A < (uint)ctx.DeclaredRefs.Length) ctx.DeclaredRefs[ins.A] = true;
        }
    }
}

/// <summary>A module that passed validation, with what the engines need from validation.</summary>
internal sealed class ValidatedModule
{
    public ValidatedModule(ModuleInfo module, ModuleContext context, FunctionInfo[] functions)
    {
        Module = module;
        Context = context;
        Functions = functions;
    }

    public ModuleInfo Module { get; }
    /// <summary>Module facts in canonical form (function, table, global, tag, element types).</summary>
    public ModuleContext Context { get; }
    /// <summary>One entry per defined function (not imported), in order.</summary>
    public FunctionInfo[] Functions { get; }
    /// <summary>Canonical types of the module and subtyping between canonical types.</summary>
    public TypeContext Types => Context.Types;
    /// <summary>Canonical type id of every type index of the module.</summary>
    public int[] CanonicalTypeIds => Context.Types.CanonicalIds;
    /// <summary>For each function index, whether <c>ref.func</c> may name it in a function body.</summary>
    public bool[] DeclaredFunctionRefs => Context.DeclaredRefs;
}
