namespace WasmKiln.Model;

/// <summary>
/// A constant or body expression: encoded instructions ending with <c>end</c> (0x0B).
/// <see cref="Offset"/> is where <see cref="Code"/> starts in the module's binary (for errors).
/// </summary>
internal readonly record struct Expr(ReadOnlyMemory<byte> Code, int Offset);

internal sealed class Import(string module, string name, ExternKind kind)
{
    public string Module { get; } = module;
    public string Name { get; } = name;
    public ExternKind Kind { get; } = kind;
    /// <summary>Type index for a function import; type index of the tag for a tag import.</summary>
    public uint TypeIndex { get; init; }
    public TableType Table { get; init; }
    public MemoryType Memory { get; init; }
    public GlobalType Global { get; init; }
}

internal readonly record struct Export(string Name, ExternKind Kind, uint Index);

internal sealed class TableDef(TableType type, Expr? init)
{
    public TableType Type { get; } = type;
    /// <summary>Initial value of every element (the 0x40 0x00 table form), or null for null.</summary>
    public Expr? Init { get; } = init;
}

internal readonly record struct GlobalDef(GlobalType Type, Expr Init);

internal enum SegmentMode : byte { Active, Passive, Declarative }

internal sealed class ElementSegment
{
    public SegmentMode Mode { get; init; }
    public uint TableIndex { get; init; }
    public Expr Offset { get; init; }
    public ValType Type { get; init; } = ValType.FuncRef;
    /// <summary>Function indices when the segment uses the index form, else null.</summary>
    public uint[]? FuncIndices { get; init; }
    /// <summary>Element expressions when the segment uses the expression form, else null.</summary>
    public Expr[]? Exprs { get; init; }
    public int Count => FuncIndices?.Length ?? Exprs!.Length;
}

internal sealed class DataSegment
{
    public SegmentMode Mode { get; init; }
    public uint MemoryIndex { get; init; }
    public Expr Offset { get; init; }
    public ReadOnlyMemory<byte> Bytes { get; init; }
}

/// <summary>
/// A function body as located in the code section: the local declarations followed by the
/// instructions, ending with <c>end</c>. Decoded on demand (see <c>FunctionBodyReader</c>).
/// </summary>
internal readonly record struct FunctionBody(ReadOnlyMemory<byte> Bytes, int Offset);

/// <summary>Section ids of the binary format, in their required order where applicable.</summary>
internal enum SectionId : byte
{
    Custom = 0, Type = 1, Import = 2, Function = 3, Table = 4, Memory = 5, Global = 6, Export = 7,
    Start = 8, Element = 9, Code = 10, Data = 11, DataCount = 12, Tag = 13,
}

/// <summary>A custom section, kept as bytes, with the section it follows.</summary>
internal sealed record CustomSection(string Name, ReadOnlyMemory<byte> Data, SectionId After, int Offset);

/// <summary>The decoded <c>name</c> custom section (and names given in text).</summary>
internal sealed class NameSection
{
    public string? Module { get; set; }
    public Dictionary<uint, string> Functions { get; } = [];
    public Dictionary<uint, Dictionary<uint, string>> Locals { get; } = [];
    public Dictionary<uint, Dictionary<uint, string>> Labels { get; } = [];
    public Dictionary<uint, string> Types { get; } = [];
    public Dictionary<uint, string> Tables { get; } = [];
    public Dictionary<uint, string> Memories { get; } = [];
    public Dictionary<uint, string> Globals { get; } = [];
    public Dictionary<uint, string> Elements { get; } = [];
    public Dictionary<uint, string> Datas { get; } = [];
    public Dictionary<uint, Dictionary<uint, string>> Fields { get; } = [];
    public Dictionary<uint, string> Tags { get; } = [];
}

/// <summary>
/// A WebAssembly module as decoded from binary or parsed from text: the shared representation
/// every later stage (validation, encoding, printing, engines) works on.
/// </summary>
internal sealed class ModuleInfo
{
    public List<SubType> Types { get; } = [];
    public List<Import> Imports { get; } = [];
    /// <summary>Type index of each function defined in the module (not imported).</summary>
    public List<uint> Functions { get; } = [];
    public List<TableDef> Tables { get; } = [];
    public List<MemoryType> Memories { get; } = [];
    public List<GlobalDef> Globals { get; } = [];
    public List<Export> Exports { get; } = [];
    public uint? Start { get; set; }
    public List<ElementSegment> Elements { get; } = [];
    public List<DataSegment> Datas { get; } = [];
    public uint? DataCount { get; set; }
    public List<TagType> Tags { get; } = [];
    public List<FunctionBody> Codes { get; } = [];
    public List<CustomSection> Customs { get; } = [];
    public NameSection? Names { get; set; }

    /// <summary>Byte offset of each section (by <see cref="SectionId"/>) in the binary it was decoded from; -1 when absent or not decoded.</summary>
    private readonly int[] _sectionOffsets = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];

    /// <summary>Byte offset of the section <paramref name="id"/> in the decoded binary, or -1.</summary>
    public int SectionOffset(SectionId id) => _sectionOffsets[(int)id];

    /// <summary>Records where section <paramref name="id"/> starts (the decoder calls this).</summary>
    public void SetSectionOffset(SectionId id, int offset) => _sectionOffsets[(int)id] = offset;

    /// <summary>Imports of each kind, in order, indexed by <see cref="ExternKind"/>.</summary>
    private readonly List<Import>[] _importsByKind = [[], [], [], [], []];

    public int ImportedFuncCount => _importsByKind[(int)ExternKind.Func].Count;
    public int ImportedTableCount => _importsByKind[(int)ExternKind.Table].Count;
    public int ImportedMemoryCount => _importsByKind[(int)ExternKind.Memory].Count;
    public int ImportedGlobalCount => _importsByKind[(int)ExternKind.Global].Count;
    public int ImportedTagCount => _importsByKind[(int)ExternKind.Tag].Count;

    public int TotalFuncs => ImportedFuncCount + Functions.Count;
    public int TotalTables => ImportedTableCount + Tables.Count;
    public int TotalMemories => ImportedMemoryCount + Memories.Count;
    public int TotalGlobals => ImportedGlobalCount + Globals.Count;
    public int TotalTags => ImportedTagCount + Tags.Count;

    /// <summary>Adds an import and keeps the per-kind import lists.</summary>
    public void AddImport(Import import)
    {
        Imports.Add(import);
        _importsByKind[(int)import.Kind].Add(import);
    }

    /// <summary>The imports of one kind, in order.</summary>
    public IReadOnlyList<Import> ImportsOf(ExternKind kind) => _importsByKind[(int)kind];

    /// <summary>Type index of function <paramref name="funcIndex"/> (imports first).</summary>
    public uint FuncTypeIndex(uint funcIndex) =>
        funcIndex < ImportedFuncCount ? ImportsOf(ExternKind.Func)[(int)funcIndex].TypeIndex : Functions[(int)(funcIndex - ImportedFuncCount)];

    public TableType TableType(uint index) =>
        index < ImportedTableCount ? ImportsOf(ExternKind.Table)[(int)index].Table : Tables[(int)(index - ImportedTableCount)].Type;

    public MemoryType MemoryType(uint index) =>
        index < ImportedMemoryCount ? ImportsOf(ExternKind.Memory)[(int)index].Memory : Memories[(int)(index - ImportedMemoryCount)];

    public GlobalType GlobalType(uint index) =>
        index < ImportedGlobalCount ? ImportsOf(ExternKind.Global)[(int)index].Global : Globals[(int)(index - ImportedGlobalCount)].Type;

    public uint TagTypeIndex(uint index) =>
        index < ImportedTagCount ? ImportsOf(ExternKind.Tag)[(int)index].TypeIndex : Tags[(int)(index - ImportedTagCount)].TypeIndex;
}
