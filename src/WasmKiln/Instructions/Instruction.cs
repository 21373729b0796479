using System.Runtime.InteropServices;
using WasmKiln.Model;

namespace WasmKiln.Instructions;

/// <summary>A 128-bit vector value, little-endian (byte 0 is lane 0 of i8x16).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct V128 : IEquatable<V128>
{
    public ulong Lo;
    public ulong Hi;

    public V128(ulong lo, ulong hi) { Lo = lo; Hi = hi; }

    public static V128 FromBytes(ReadOnlySpan<byte> b) =>
        new(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b), System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[8..]));

    public readonly void WriteTo(Span<byte> b)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b, Lo);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b[8..], Hi);
    }

    public readonly byte Byte(int i) => (byte)((i < 8 ? Lo >> (i * 8) : Hi >> ((i - 8) * 8)) & 0xFF);

    public readonly bool Equals(V128 other) => Lo == other.Lo && Hi == other.Hi;
    public override readonly bool Equals(object? obj) => obj is V128 v && Equals(v);
    public override readonly int GetHashCode() => HashCode.Combine(Lo, Hi);
}

internal enum BlockTypeKind : byte { Empty, Value, Index }

/// <summary>The type of a block, loop, if, try or try_table: empty, one value type, or a type index.</summary>
internal readonly record struct BlockType(BlockTypeKind Kind, ValType Value = default, uint Index = 0)
{
    public static readonly BlockType Empty = new(BlockTypeKind.Empty);
    public static BlockType Of(ValType t) => new(BlockTypeKind.Value, t);
    public static BlockType OfIndex(uint index) => new(BlockTypeKind.Index, default, index);
}

/// <summary>Kinds of try_table catch clauses, with their binary codes.</summary>
internal enum CatchKind : byte { Catch = 0, CatchRef = 1, CatchAll = 2, CatchAllRef = 3 }

internal readonly record struct CatchClause(CatchKind Kind, uint Tag, uint Label);

/// <summary>
/// One decoded instruction with its immediates. Which fields are meaningful depends on the
/// row's <see cref="Imm"/>:
/// <list type="bullet">
/// <item>Label, Func, Type, Local, Global, Table, Memory, Tag, Data, Elem, Lane: <see cref="A"/>.</item>
/// <item>CallIndirect (type, table), TableInit (elem, table), TableCopy (dst, src), MemoryInit
/// (data, mem), MemoryCopy (dst, src), TypeField, TypeU32, TypeData, TypeElem, TypeType: <see cref="A"/>, <see cref="B"/>.</item>
/// <item>MemArg: <see cref="A"/> = memory index, <see cref="AlignLog2"/>, <see cref="MemOffset"/>; MemArgLane adds <see cref="B"/> = lane.</item>
/// <item>I32/I64: <see cref="Int"/>; F32/F64: <see cref="Bits"/>; V128 and Shuffle: <see cref="Vector"/>.</item>
/// <item>BlockType: <see cref="Block"/>; TryTable: <see cref="Block"/> and <see cref="Catches"/>.</item>
/// <item>BrTable: <see cref="Labels"/> (targets, then the default last).</item>
/// <item>SelectT: <see cref="Types"/>. HeapType: <see cref="Heap"/>.</item>
/// <item>BrOnCast: <see cref="A"/> = label, <see cref="Heap"/>/<see cref="Null1"/> = source,
/// <see cref="Heap2"/>/<see cref="Null2"/> = target.</item>
/// </list>
/// </summary>
internal struct Instruction
{
    public Op Op;
    /// <summary>Absolute byte offset of the opcode in the module.</summary>
    public int Offset;
    public uint A;
    public uint B;
    public uint AlignLog2;
    public ulong MemOffset;
    public long Int;
    public ulong Bits;
    public V128 Vector;
    public BlockType Block;
    public HeapType Heap;
    public HeapType Heap2;
    public bool Null1;
    public bool Null2;
    public uint[]? Labels;
    public ValType[]? Types;
    public CatchClause[]? Catches;

    public readonly OpInfo Info => OpTable.Info(Op);

    public static Instruction Of(Op op) => new() { Op = op };
}
