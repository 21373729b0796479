using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// Threads lowering: atomic loads, stores, read-modify-writes, compare-exchange, wait/notify and
/// fence, through <see cref="Memory"/>'s atomic accessors. Each access is two instructions: the
/// effective address into a scratch slot above the operands, then the access.
/// </summary>
internal sealed unsafe partial class Lowerer
{
    partial void LowerAtomics(in Instruction ins, OpInfo info, ref bool handled)
    {
        if (ins.Op == Op.AtomicFence)
        {
            handled = true;
            Emit(&Handlers.AtomicFence);
            return;
        }
        if (info.Prefix != 0xFE) return;
        handled = true;
        int mem = (int)ins.A;
        bool is64 = _ctx.Memories[mem].Limits.Is64;
        int size = info.NaturalAlignment;
        int nOperands = info.Params.Length - 1;
        Span<int> ops = stackalloc int[2];
        for (int i = 0; i < nOperands; i++) ops[i] = Use(nOperands - 1 - i);
        int addr = Use(nOperands);
        int ea = ScratchSlot();
        Emit(&Handlers.AtomicAddress, ea, addr, 0, is64 ? 1 : 0, (long)ins.MemOffset);
        _sp -= nOperands + 1;
        string name = info.Name;
        delegate*<Inst*, ref Machine, Inst*> h;
        int d = 0;
        long k = 0;
        switch (ins.Op)
        {
            case Op.MemoryAtomicNotify: h = &Handlers.AtomicNotify; d = ops[0]; break;
            case Op.MemoryAtomicWait32: h = &Handlers.AtomicWait32; d = ops[0]; k = ops[1]; break;
            case Op.MemoryAtomicWait64: h = &Handlers.AtomicWait64; d = ops[0]; k = ops[1]; break;
            default:
                if (name.Contains(".atomic.load", StringComparison.Ordinal)) { h = &Handlers.AtomicLoad; k = size; }
                else if (name.Contains(".atomic.store", StringComparison.Ordinal))
                {
                    Emit(&Handlers.AtomicStore, ops[0], ea, mem, 0, size);
                    return;
                }
                else if (name.EndsWith("cmpxchg", StringComparison.Ordinal) || name.EndsWith("cmpxchg_u", StringComparison.Ordinal))
                {
                    h = &Handlers.AtomicCmpxchg;
                    d = ops[0];
                    k = (uint)size | ((long)ops[1] << 8);
                }
                else
                {
                    string opName = name[(name.LastIndexOf('.') + 1)..].Replace("_u", "", StringComparison.Ordinal);
                    var rmw = opName switch
                    {
                        "add" => AtomicRmwOp.Add, "sub" => AtomicRmwOp.Sub, "and" => AtomicRmwOp.And, "or" => AtomicRmwOp.Or,
                        "xor" => AtomicRmwOp.Xor, "xchg" => AtomicRmwOp.Xchg, _ => throw Unsupported(ins.Op),
                    };
                    h = &Handlers.AtomicRmw;
                    d = ops[0];
                    k = (uint)size | ((long)rmw << 8);
                }
                break;
        }
        int dst = PushSlot(info.Results[0].Type);
        MarkResult(Emit(h, dst, ea, mem, d, k));
    }
}
