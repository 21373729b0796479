namespace WasmKiln.Model;

/// <summary>The kind of a value type (or of a storage type, for packed fields).</summary>
internal enum ValKind : byte
{
    I32, I64, F32, F64, V128, Ref,
    /// <summary>Packed storage types, only in struct and array fields.</summary>
    I8, I16,
    /// <summary>The unknown type of a value popped from an unreachable stack (validation only).</summary>
    Bot,
}

/// <summary>
/// A heap type: a non-negative value is a type index of the module (or, after canonicalization
/// in the validator, a canonical type id); a negative value is an abstract heap type whose
/// value is its binary code read as a signed LEB128 (for example 0x70 <c>func</c> = -16).
/// </summary>
internal readonly record struct HeapType(int Value)
{
    public static readonly HeapType NoExn = new(-0x0C);   // 0x74
    public static readonly HeapType NoFunc = new(-0x0D);  // 0x73
    public static readonly HeapType NoExtern = new(-0x0E);// 0x72
    public static readonly HeapType None = new(-0x0F);    // 0x71
    public static readonly HeapType Func = new(-0x10);    // 0x70
    public static readonly HeapType Extern = new(-0x11);  // 0x6F
    public static readonly HeapType Any = new(-0x12);     // 0x6E
    public static readonly HeapType Eq = new(-0x13);      // 0x6D
    public static readonly HeapType I31 = new(-0x14);     // 0x6C
    public static readonly HeapType Struct = new(-0x15);  // 0x6B
    public static readonly HeapType Array = new(-0x16);   // 0x6A
    public static readonly HeapType Exn = new(-0x17);     // 0x69
    /// <summary>The bottom heap type used by the validator for unreachable code.</summary>
    public static readonly HeapType Bot = new(int.MinValue);

    public bool IsIndex => Value >= 0;
    public bool IsAbstract => Value < 0 && Value != int.MinValue;

    /// <summary>True when <paramref name="code"/> (a single byte) encodes an abstract heap type.</summary>
    public static bool IsAbstractCode(byte code) => code >= 0x69 && code <= 0x74;
    public static HeapType FromCode(byte code) => new((sbyte)(code | 0x80));
    public byte Code => (byte)(Value & 0x7F);

    /// <summary>Text name of an abstract heap type (<c>func</c>, <c>any</c>, ...), or null.</summary>
    public string? AbstractName => Value switch
    {
        -0x0C => "noexn", -0x0D => "nofunc", -0x0E => "noextern", -0x0F => "none", -0x10 => "func",
        -0x11 => "extern", -0x12 => "any", -0x13 => "eq", -0x14 => "i31", -0x15 => "struct",
        -0x16 => "array", -0x17 => "exn", _ => null,
    };

    public static HeapType? FromAbstractName(string name) => name switch
    {
        "noexn" => NoExn, "nofunc" => NoFunc, "noextern" => NoExtern, "none" => None, "func" => Func,
        "extern" => Extern, "any" => Any, "eq" => Eq, "i31" => I31, "struct" => Struct,
        "array" => Array, "exn" => Exn, _ => null,
    };

    public override string ToString() => AbstractName ?? (Value == int.MinValue ? "bot" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>A value type (or storage type): a number, vector or reference type.</summary>
internal readonly record struct ValType(ValKind Kind, bool Nullable = false, HeapType Heap = default)
{
    public static readonly ValType I32 = new(ValKind.I32);
    public static readonly ValType I64 = new(ValKind.I64);
    public static readonly ValType F32 = new(ValKind.F32);
    public static readonly ValType F64 = new(ValKind.F64);
    public static readonly ValType V128 = new(ValKind.V128);
    public static readonly ValType I8 = new(ValKind.I8);
    public static readonly ValType I16 = new(ValKind.I16);
    public static readonly ValType Bot = new(ValKind.Bot);
    public static readonly ValType FuncRef = Ref(HeapType.Func, true);
    public static readonly ValType ExternRef = Ref(HeapType.Extern, true);
    public static readonly ValType AnyRef = Ref(HeapType.Any, true);
    public static readonly ValType EqRef = Ref(HeapType.Eq, true);
    public static readonly ValType I31Ref = Ref(HeapType.I31, true);
    public static readonly ValType StructRef = Ref(HeapType.Struct, true);
    public static readonly ValType ArrayRef = Ref(HeapType.Array, true);
    public static readonly ValType ExnRef = Ref(HeapType.Exn, true);
    public static readonly ValType NullRef = Ref(HeapType.None, true);
    public static readonly ValType NullFuncRef = Ref(HeapType.NoFunc, true);
    public static readonly ValType NullExternRef = Ref(HeapType.NoExtern, true);
    public static readonly ValType NullExnRef = Ref(HeapType.NoExn, true);

    public static ValType Ref(HeapType heap, bool nullable) => new(ValKind.Ref, nullable, heap);

    public bool IsRef => Kind == ValKind.Ref;
    public bool IsNum => Kind <= ValKind.F64;
    public bool IsPacked => Kind is ValKind.I8 or ValKind.I16;
    /// <summary>The value type a packed storage type unpacks to.</summary>
    public ValType Unpacked => IsPacked ? I32 : this;
    /// <summary>Whether the type has a default value (numbers, vectors, nullable references).</summary>
    public bool Defaultable => Kind != ValKind.Ref || Nullable;
    public ValType AsNonNull => this with { Nullable = false };

    /// <summary>Size in bytes for packed and numeric storage types (reference: 8).</summary>
    public int ByteSize => Kind switch
    {
        ValKind.I8 => 1, ValKind.I16 => 2, ValKind.I32 or ValKind.F32 => 4, ValKind.V128 => 16, _ => 8,
    };

    public override string ToString() => Kind switch
    {
        ValKind.I32 => "i32", ValKind.I64 => "i64", ValKind.F32 => "f32", ValKind.F64 => "f64",
        ValKind.V128 => "v128", ValKind.I8 => "i8", ValKind.I16 => "i16", ValKind.Bot => "bot",
        _ => Nullable && Heap.IsAbstract ? Heap.Value switch
            {
                -0x0F => "nullref", -0x0D => "nullfuncref", -0x0E => "nullexternref", -0x0C => "nullexnref",
                _ => Heap.AbstractName + "ref",
            }
           : "(ref " + (Nullable ? "null " : "") + (Heap.IsAbstract ? Heap.AbstractName : Heap.ToString()) + ")",
    };
}
