using WasmKiln.Binary;

namespace WasmKiln.Instructions;

/// <summary>Encodes instructions, driven by the instruction table (the mirror of <see cref="InstructionReader"/>).</summary>
internal static class InstructionWriter
{
    public static void WriteOpcode(WasmWriter w, Op op)
    {
        var info = OpTable.Info(op);
        if (info.Prefix == 0)
        {
            w.Byte((byte)info.Code);
        }
        else
        {
            w.Byte(info.Prefix);
            w.U32(info.Code);
        }
    }

    public static void Write(WasmWriter w, in Instruction ins)
    {
        WriteOpcode(w, ins.Op);
        var info = OpTable.Info(ins.Op);
        switch (info.Imm)
        {
            case Imm.None: break;
            case Imm.BlockType: TypeCodec.WriteBlockType(w, ins.Block); break;
            case Imm.Label:
            case Imm.Func:
            case Imm.Type:
            case Imm.Local:
            case Imm.Global:
            case Imm.Table:
            case Imm.Memory:
            case Imm.Tag:
            case Imm.Data:
            case Imm.Elem:
                w.U32(ins.A);
                break;
            case Imm.CallIndirect:
            case Imm.TableInit:
            case Imm.TableCopy:
            case Imm.MemoryInit:
            case Imm.MemoryCopy:
            case Imm.TypeField:
            case Imm.TypeU32:
            case Imm.TypeData:
            case Imm.TypeElem:
            case Imm.TypeType:
                w.U32(ins.A);
                w.U32(ins.B);
                break;
            case Imm.BrTable:
            {
                var labels = ins.Labels!;
                w.U32((uint)(labels.Length - 1));
                foreach (var l in labels) w.U32(l);
                break;
            }
            case Imm.MemArg:
                WriteMemArg(w, ins);
                break;
            case Imm.MemArgLane:
                WriteMemArg(w, ins);
                w.Byte((byte)ins.B);
                break;
            case Imm.I32: w.S32((int)ins.Int); break;
            case Imm.I64: w.S64(ins.Int); break;
            case Imm.F32: w.F32Bits((uint)ins.Bits); break;
            case Imm.F64: w.F64Bits(ins.Bits); break;
            case Imm.V128:
            case Imm.Shuffle:
            {
                Span<byte> b = stackalloc byte[16];
                ins.Vector.WriteTo(b);
                w.Bytes(b);
                break;
            }
            case Imm.Lane: w.Byte((byte)ins.A); break;
            case Imm.SelectT:
            {
                var types = ins.Types!;
                w.U32((uint)types.Length);
                foreach (var t in types) TypeCodec.WriteValType(w, t);
                break;
            }
            case Imm.HeapType: TypeCodec.WriteHeapType(w, ins.Heap); break;
            case Imm.TryTable:
            {
                TypeCodec.WriteBlockType(w, ins.Block);
                var catches = ins.Catches!;
                w.U32((uint)catches.Length);
                foreach (var c in catches)
                {
                    w.Byte((byte)c.Kind);
                    if (c.Kind is CatchKind.Catch or CatchKind.CatchRef) w.U32(c.Tag);
                    w.U32(c.Label);
                }
                break;
            }
            case Imm.BrOnCast:
                w.Byte((byte)((ins.Null1 ? 1 : 0) | (ins.Null2 ? 2 : 0)));
                w.U32(ins.A);
                TypeCodec.WriteHeapType(w, ins.Heap);
                TypeCodec.WriteHeapType(w, ins.Heap2);
                break;
            case Imm.Zero: w.Byte(0); break;
            default:
                throw new InvalidOperationException("unhandled immediate kind " + info.Imm);
        }
    }

    /// <summary>Memory index 0 is implicit; any other index sets flag bit 6 and follows the alignment.</summary>
    private static void WriteMemArg(WasmWriter w, in Instruction ins)
    {
        if (ins.A == 0)
        {
            w.U32(ins.AlignLog2);
        }
        else
        {
            w.U32(ins.AlignLog2 | 0x40);
            w.U32(ins.A);
        }
        w.U64(ins.MemOffset);
    }
}
