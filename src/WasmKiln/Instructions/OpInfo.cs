using WasmKiln.Model;

namespace WasmKiln.Instructions;

/// <summary>The immediate operands an instruction carries, as named in instructions.txt.</summary>
internal enum Imm : byte
{
    None,
    BlockType,      // blocktype
    Label,          // labelidx
    BrTable,        // vec(labelidx) labelidx
    Func,           // funcidx
    CallIndirect,   // typeidx tableidx
    Type,           // typeidx
    Local,          // localidx
    Global,         // globalidx
    Table,          // tableidx
    Memory,         // memidx
    MemArg,         // memarg (align with memory-index flag, optional memidx, offset)
    MemArgLane,     // memarg laneidx
    I32, I64, F32, F64, V128,
    Lane,           // laneidx (u8)
    Shuffle,        // 16 x laneidx
    SelectT,        // vec(valtype)
    HeapType,       // heaptype
    Tag,            // tagidx
    TryTable,       // blocktype vec(catch)
    TableInit,      // elemidx tableidx
    TableCopy,      // tableidx tableidx
    MemoryInit,     // dataidx memidx
    MemoryCopy,     // memidx memidx
    Data,           // dataidx
    Elem,           // elemidx
    TypeField,      // typeidx fieldidx
    TypeU32,        // typeidx u32
    TypeData,       // typeidx dataidx
    TypeElem,       // typeidx elemidx
    TypeType,       // typeidx typeidx
    BrOnCast,       // castflags labelidx heaptype heaptype
    Zero,           // a reserved 0x00 byte
}

/// <summary>One row of the instruction table.</summary>
internal sealed class OpInfo
{
    public OpInfo(Op op, byte prefix, int code, string name, string imm, string signature, Feature feature)
    {
        Op = op;
        Prefix = prefix;
        Code = (uint)code;
        Name = name;
        Feature = feature;
        int colon = imm.IndexOf(':');
        string immName = colon < 0 ? imm : imm[..colon];
        NaturalAlignment = colon < 0 ? 0 : int.Parse(imm[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Imm = ParseImm(immName);
        IsSpecial = signature == "special";
        if (!IsSpecial) (Params, Results) = ParseSignature(signature);
    }

    public Op Op { get; }
    /// <summary>0 for single-byte opcodes, else the prefix byte (0xFB, 0xFC, 0xFD, 0xFE).</summary>
    public byte Prefix { get; }
    /// <summary>The opcode byte, or the LEB128 sub-opcode after a prefix.</summary>
    public uint Code { get; }
    /// <summary>The text-format mnemonic.</summary>
    public string Name { get; }
    public Imm Imm { get; }
    public Feature Feature { get; }
    /// <summary>Natural alignment in bytes for memory instructions; 0 otherwise.</summary>
    public int NaturalAlignment { get; }
    /// <summary>log2 of <see cref="NaturalAlignment"/>.</summary>
    public int NaturalAlignLog2 => System.Numerics.BitOperations.Log2((uint)Math.Max(1, NaturalAlignment));
    /// <summary>True when the validator types this instruction by hand rather than from a signature.</summary>
    public bool IsSpecial { get; }
    /// <summary>Operand types popped (in stack order, first pushed first), for non-special instructions.</summary>
    public SigType[] Params { get; } = [];
    /// <summary>Operand types pushed, for non-special instructions.</summary>
    public SigType[] Results { get; } = [];
    /// <summary>True for the atomic memory instructions (threads), whose alignment must be exact.</summary>
    public bool IsAtomic => Prefix == 0xFE;

    public override string ToString() => Name;

    private static Imm ParseImm(string s) => s switch
    {
        "-" => Imm.None, "blocktype" => Imm.BlockType, "label" => Imm.Label, "br_table" => Imm.BrTable,
        "func" => Imm.Func, "call_indirect" => Imm.CallIndirect, "type" => Imm.Type, "local" => Imm.Local,
        "global" => Imm.Global, "table" => Imm.Table, "memory" => Imm.Memory, "memarg" => Imm.MemArg,
        "memarg_lane" => Imm.MemArgLane, "i32" => Imm.I32, "i64" => Imm.I64, "f32" => Imm.F32,
        "f64" => Imm.F64, "v128" => Imm.V128, "lane" => Imm.Lane, "shuffle" => Imm.Shuffle,
        "select_t" => Imm.SelectT, "heaptype" => Imm.HeapType, "tag" => Imm.Tag, "try_table" => Imm.TryTable,
        "table_init" => Imm.TableInit, "table_copy" => Imm.TableCopy, "memory_init" => Imm.MemoryInit,
        "memory_copy" => Imm.MemoryCopy, "data" => Imm.Data, "elem" => Imm.Elem, "type_field" => Imm.TypeField,
        "type_u32" => Imm.TypeU32, "type_data" => Imm.TypeData, "type_elem" => Imm.TypeElem,
        "type_type" => Imm.TypeType, "br_on_cast" => Imm.BrOnCast, "zero" => Imm.Zero,
        _ => throw new InvalidOperationException("instructions.txt: unknown immediate kind " + s),
    };

    private static (SigType[], SigType[]) ParseSignature(string sig)
    {
        int arrow = sig.IndexOf("->", StringComparison.Ordinal);
        string left = arrow < 0 ? sig : sig[..arrow];
        string right = arrow < 0 ? "" : sig[(arrow + 2)..];
        return (ParseTypes(left), ParseTypes(right));
    }

    private static SigType[] ParseTypes(string s)
    {
        var parts = s.Replace("(ref i31)", "ref_i31", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = new SigType[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            result[i] = parts[i] switch
            {
                "i32" => new SigType(ValType.I32),
                "i64" => new SigType(ValType.I64),
                "f32" => new SigType(ValType.F32),
                "f64" => new SigType(ValType.F64),
                "v128" => new SigType(ValType.V128),
                "eqref" => new SigType(ValType.EqRef),
                "i31ref" => new SigType(ValType.I31Ref),
                "ref_i31" => new SigType(ValType.Ref(HeapType.I31, false)),
                "addr" => new SigType(default, true),
                _ => throw new InvalidOperationException("instructions.txt: unknown signature type " + parts[i]),
            };
        }
        return result;
    }
}

/// <summary>A type in an instruction signature: a fixed value type, or the memory's address type.</summary>
internal readonly record struct SigType(ValType Type, bool IsAddress = false)
{
    /// <summary>The concrete type, given the address type of the instruction's memory.</summary>
    public ValType Resolve(ValType addressType) => IsAddress ? addressType : Type;
}

/// <summary>Lookup of instruction rows by <see cref="Op"/>, by opcode bytes and by mnemonic.</summary>
internal static partial class OpTable
{
    private static readonly OpInfo[] Rows = CreateRows();
    private static readonly Op[] SingleByte = new Op[256];
    private static readonly bool[] SingleByteValid = new bool[256];
    private static readonly Dictionary<uint, Op>[] Prefixed = new Dictionary<uint, Op>[4];
    private static readonly Dictionary<string, Op> ByName = new(StringComparer.Ordinal);

    static OpTable()
    {
        for (int i = 0; i < 4; i++) Prefixed[i] = [];
        foreach (var row in Rows)
        {
            if (row.Prefix == 0)
            {
                SingleByte[row.Code] = row.Op;
                SingleByteValid[row.Code] = true;
            }
            else
            {
                Prefixed[row.Prefix - 0xFB][row.Code] = row.Op;
            }
            ByName.TryAdd(row.Name, row.Op);
        }
    }

    /// <summary>Every row, indexed by <c>(int)Op</c>.</summary>
    public static ReadOnlySpan<OpInfo> All => Rows;

    public static OpInfo Info(Op op) => Rows[(int)op];

    public static bool IsPrefix(byte b) => b >= 0xFB && b <= 0xFE;

    public static bool TryGetSingleByte(byte code, out Op op)
    {
        op = SingleByte[code];
        return SingleByteValid[code];
    }

    public static bool TryGetPrefixed(byte prefix, uint code, out Op op) => Prefixed[prefix - 0xFB].TryGetValue(code, out op);

    /// <summary>
    /// Finds an instruction by its text mnemonic. Where two opcodes share a mnemonic
    /// (<c>select</c>, <c>ref.test</c>, <c>ref.cast</c>) this returns the first; the text parser
    /// chooses the other from the immediates.
    /// </summary>
    public static bool TryGetByName(string name, out Op op) => ByName.TryGetValue(name, out op);
}
