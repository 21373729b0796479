using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Binary;

/// <summary>Binary encodings of value, heap, reference and block types, shared by the decoder,
/// the instruction reader and the encoder.</summary>
internal static class TypeCodec
{
    public static bool IsNumOrVecCode(byte b) => b >= 0x7B && b <= 0x7F;

    public static ValType ReadValType(ref WasmReader r)
    {
        int at = r.Offset;
        byte b = r.ReadByte();
        switch (b)
        {
            case 0x7F: return ValType.I32;
            case 0x7E: return ValType.I64;
            case 0x7D: return ValType.F32;
            case 0x7C: return ValType.F64;
            case 0x7B: return ValType.V128;
            case 0x64: return ValType.Ref(ReadHeapType(ref r), false);
            case 0x63: return ValType.Ref(ReadHeapType(ref r), true);
        }
        if (HeapType.IsAbstractCode(b)) return ValType.Ref(HeapType.FromCode(b), true);
        throw new MalformedModuleException("malformed value type", at);
    }

    public static ValType ReadRefType(ref WasmReader r)
    {
        int at = r.Offset;
        var t = ReadValType(ref r);
        if (!t.IsRef) throw new MalformedModuleException("malformed reference type", at);
        return t;
    }

    /// <summary>A storage type: a value type or a packed type (i8, i16).</summary>
    public static ValType ReadStorageType(ref WasmReader r)
    {
        byte b = r.PeekByte();
        if (b == 0x78) { r.ReadByte(); return ValType.I8; }
        if (b == 0x77) { r.ReadByte(); return ValType.I16; }
        return ReadValType(ref r);
    }

    public static HeapType ReadHeapType(ref WasmReader r)
    {
        int at = r.Offset;
        long v = r.ReadS33();
        if (v >= 0)
        {
            if (v > int.MaxValue) throw new MalformedModuleException("malformed heap type", at);
            return new HeapType((int)v);
        }
        if (v >= -0x17 && v <= -0x0C) return new HeapType((int)v);
        throw new MalformedModuleException("malformed heap type", at);
    }

    public static BlockType ReadBlockType(ref WasmReader r)
    {
        byte b = r.PeekByte();
        if (b == 0x40) { r.ReadByte(); return BlockType.Empty; }
        if (IsNumOrVecCode(b) || b == 0x63 || b == 0x64 || HeapType.IsAbstractCode(b)) return BlockType.Of(ReadValType(ref r));
        int at = r.Offset;
        long v = r.ReadS33();
        if (v < 0) throw new MalformedModuleException("malformed block type", at);
        return BlockType.OfIndex((uint)v);
    }

    public static void WriteValType(WasmWriter w, ValType t)
    {
        switch (t.Kind)
        {
            case ValKind.I32: w.Byte(0x7F); return;
            case ValKind.I64: w.Byte(0x7E); return;
            case ValKind.F32: w.Byte(0x7D); return;
            case ValKind.F64: w.Byte(0x7C); return;
            case ValKind.V128: w.Byte(0x7B); return;
            case ValKind.I8: w.Byte(0x78); return;
            case ValKind.I16: w.Byte(0x77); return;
            case ValKind.Ref:
                if (t.Nullable && t.Heap.IsAbstract) { w.Byte(t.Heap.Code); return; }
                w.Byte(t.Nullable ? (byte)0x63 : (byte)0x64);
                WriteHeapType(w, t.Heap);
                return;
            default: throw new InvalidOperationException("cannot encode type " + t);
        }
    }

    public static void WriteHeapType(WasmWriter w, HeapType h) => w.S64(h.Value);

    public static void WriteBlockType(WasmWriter w, BlockType bt)
    {
        switch (bt.Kind)
        {
            case BlockTypeKind.Empty: w.Byte(0x40); break;
            case BlockTypeKind.Value: WriteValType(w, bt.Value); break;
            default: w.S64(bt.Index); break;
        }
    }
}
