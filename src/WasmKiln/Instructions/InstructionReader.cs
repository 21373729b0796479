using WasmKiln.Binary;
using WasmKiln.Model;

namespace WasmKiln.Instructions;

/// <summary>
/// Decodes encoded instructions (a function body after its locals, or a constant expression)
/// one at a time, driven by the instruction table.
/// </summary>
internal ref struct InstructionReader
{
    private WasmReader _r;

    public InstructionReader(ReadOnlySpan<byte> code, int baseOffset, string endMessage = "unexpected end")
    {
        _r = new WasmReader(code, baseOffset, endMessage);
    }

    public InstructionReader(WasmReader reader) => _r = reader;

    public readonly bool AtEnd => _r.AtEnd;
    public readonly int Offset => _r.Offset;
    public readonly int Position => _r.Position;

    /// <summary>Reads the next instruction with all its immediates.</summary>
    public void Read(out Instruction ins)
    {
        ins = default;
        ins.Offset = _r.Offset;
        ins.Op = ReadOp();
        ReadImmediates(ref ins);
    }

    public Op ReadOp()
    {
        int at = _r.Offset;
        byte b = _r.ReadByte();
        if (OpTable.IsPrefix(b))
        {
            uint code = _r.ReadU32();
            if (OpTable.TryGetPrefixed(b, code, out var pop)) return pop;
            throw new MalformedModuleException($"illegal opcode {b:x2} {code:x2}", at);
        }
        if (OpTable.TryGetSingleByte(b, out var op)) return op;
        throw new MalformedModuleException($"illegal opcode {b:x2}", at);
    }

    private void ReadImmediates(ref Instruction ins)
    {
        var info = OpTable.Info(ins.Op);
        switch (info.Imm)
        {
            case Imm.None: break;
            case Imm.BlockType: ins.Block = TypeCodec.ReadBlockType(ref _r); break;
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
                ins.A = _r.ReadU32();
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
                ins.A = _r.ReadU32();
                ins.B = _r.ReadU32();
                break;
            case Imm.BrTable:
            {
                uint n = _r.ReadCount();
                var labels = new uint[n + 1];
                for (int i = 0; i <= n; i++) labels[i] = _r.ReadU32();
                ins.Labels = labels;
                break;
            }
            case Imm.MemArg:
                ReadMemArg(ref ins);
                break;
            case Imm.MemArgLane:
                ReadMemArg(ref ins);
                ins.B = _r.ReadByte();
                break;
            case Imm.I32: ins.Int = _r.ReadS32(); break;
            case Imm.I64: ins.Int = _r.ReadS64(); break;
            case Imm.F32: ins.Bits = _r.ReadF32Bits(); break;
            case Imm.F64: ins.Bits = _r.ReadF64Bits(); break;
            case Imm.V128:
            case Imm.Shuffle:
                ins.Vector = V128.FromBytes(_r.ReadBytes(16));
                break;
            case Imm.Lane: ins.A = _r.ReadByte(); break;
            case Imm.SelectT:
            {
                uint n = _r.ReadCount();
                var types = new ValType[n];
                for (int i = 0; i < n; i++) types[i] = TypeCodec.ReadValType(ref _r);
                ins.Types = types;
                break;
            }
            case Imm.HeapType: ins.Heap = TypeCodec.ReadHeapType(ref _r); break;
            case Imm.TryTable:
            {
                ins.Block = TypeCodec.ReadBlockType(ref _r);
                uint n = _r.ReadCount();
                var catches = new CatchClause[n];
                for (int i = 0; i < n; i++)
                {
                    int at = _r.Offset;
                    byte kind = _r.ReadByte();
                    if (kind > 3) throw new MalformedModuleException("malformed catch clause", at);
                    uint tag = kind <= 1 ? _r.ReadU32() : 0;
                    catches[i] = new CatchClause((CatchKind)kind, tag, _r.ReadU32());
                }
                ins.Catches = catches;
                break;
            }
            case Imm.BrOnCast:
            {
                int at = _r.Offset;
                byte flags = _r.ReadByte();
                if (flags > 3) throw new MalformedModuleException("malformed br_on_cast flags", at);
                ins.Null1 = (flags & 1) != 0;
                ins.Null2 = (flags & 2) != 0;
                ins.A = _r.ReadU32();
                ins.Heap = TypeCodec.ReadHeapType(ref _r);
                ins.Heap2 = TypeCodec.ReadHeapType(ref _r);
                break;
            }
            case Imm.Zero:
            {
                int at = _r.Offset;
                if (_r.ReadByte() != 0) throw new MalformedModuleException("zero byte expected", at);
                break;
            }
            default:
                throw new InvalidOperationException("unhandled immediate kind " + info.Imm);
        }
    }

    private void ReadMemArg(ref Instruction ins)
    {
        int at = _r.Offset;
        uint flags = _r.ReadU32();
        if ((flags & 0x40) != 0)
        {
            flags &= ~0x40u;
            ins.A = _r.ReadU32();
        }
        if (flags >= 0x40) throw new MalformedModuleException("malformed memop flags", at);
        ins.AlignLog2 = flags;
        ins.MemOffset = _r.ReadU64();
    }
}
