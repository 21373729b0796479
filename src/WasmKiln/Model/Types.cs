namespace WasmKiln.Model;

/// <summary>The form of a composite type.</summary>
internal enum CompositeKind : byte { Func, Struct, Array }

/// <summary>A field of a struct type, or the element of an array type.</summary>
internal readonly record struct FieldType(ValType Type, bool Mutable);

/// <summary>A function, struct or array type.</summary>
internal sealed class CompositeType
{
    public CompositeKind Kind { get; }
    public ValType[] Params { get; } = [];
    public ValType[] Results { get; } = [];
    /// <summary>Struct fields; for an array, its single element type.</summary>
    public FieldType[] Fields { get; } = [];

    private CompositeType(CompositeKind kind, ValType[] p, ValType[] r, FieldType[] f)
    {
        Kind = kind; Params = p; Results = r; Fields = f;
    }

    public static CompositeType Func(ValType[] parameters, ValType[] results) => new(CompositeKind.Func, parameters, results, []);
    public static CompositeType Struct(FieldType[] fields) => new(CompositeKind.Struct, [], [], fields);
    public static CompositeType Array(FieldType element) => new(CompositeKind.Array, [], [], [element]);

    public FieldType Element => Fields[0];
}

/// <summary>A type definition: a composite type with its declared supertypes and finality.</summary>
internal sealed class SubType(CompositeType type, bool final, uint[] supers)
{
    public CompositeType Type { get; } = type;
    public bool Final { get; } = final;
    /// <summary>Declared supertype indices (at most one is valid).</summary>
    public uint[] Supers { get; } = supers;
    /// <summary>Index of the first type of this type's recursion group.</summary>
    public int RecGroupStart { get; set; }
    /// <summary>Number of types in this type's recursion group.</summary>
    public int RecGroupSize { get; set; } = 1;
    /// <summary>True when written with an explicit <c>sub</c> (or <c>rec</c>) form in the source.</summary>
    public bool ExplicitSub { get; set; }
    /// <summary>True when this type was the first of an explicit <c>(rec ...)</c> group.</summary>
    public bool ExplicitRec { get; set; }

    public bool IsFunc => Type.Kind == CompositeKind.Func;
}

/// <summary>Limits of a memory or table, with its address type.</summary>
internal readonly record struct Limits(ulong Min, ulong? Max, bool Is64 = false, bool Shared = false)
{
    public ValType AddressType => Is64 ? ValType.I64 : ValType.I32;
}

internal readonly record struct TableType(ValType ElemType, Limits Limits);

internal readonly record struct MemoryType(Limits Limits, uint? PageSizeLog2 = null);

internal readonly record struct GlobalType(ValType Type, bool Mutable);

internal readonly record struct TagType(uint TypeIndex);

/// <summary>Kinds of external values, with their binary codes.</summary>
internal enum ExternKind : byte { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 }
