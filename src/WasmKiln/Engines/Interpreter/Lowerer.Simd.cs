using System.Runtime.Intrinsics;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// SIMD lowering. Each instruction becomes one handler of its signature's shape (see
/// <see cref="Handlers"/>, Handlers.Simd.cs) with the <see cref="Simd.SimdOps"/> method as a
/// function pointer in K. Memory instructions take two: a bounds-checked effective address
/// written as a pointer to a scratch slot above the operands, then the access through it.
/// </summary>
internal sealed unsafe partial class Lowerer
{
    private Instruction _simdIns;
    private OpInfo? _simdInfo;

    partial void LowerSimd(in Instruction ins, OpInfo info, ref bool handled)
    {
        if (info.Feature is not (Feature.Simd or Feature.RelaxedSimd)) return;
        handled = true;
        if (ins.Op == Op.V128Const)
        {
            int d = PushSlot(ValType.V128);
            Emit(&Handlers.Const, d, k: (long)ins.Vector.Lo);
            Emit(&Handlers.Const, d + 1, k: (long)ins.Vector.Hi);
            return;
        }
        _simdIns = ins;
        _simdInfo = info;
        if (!LowerSimdOp(ins.Op)) throw Unsupported(ins.Op);
    }

    /// <summary>A scratch slot pair above every entry on the stack model.</summary>
    private int ScratchSlot()
    {
        int s = NextSlot;
        if (s + 2 > _maxSlot) _maxSlot = s + 2;
        return s;
    }

    private static long Fn(void* f) => (long)f;

    private void SimdResult(ValType t, delegate*<Inst*, ref Machine, Inst*> h, int b, int c, int d, long k, int pop)
    {
        _sp -= pop;
        int dst = PushSlot(t);
        MarkResult(Emit(h, dst, b, c, d, k));
    }

    private void SimdUn(delegate*<Vector128<byte>, Vector128<byte>> f) => SimdResult(ValType.V128, &Handlers.SimdUn, Use(0), 0, 0, Fn(f), 1);

    private void SimdBin(delegate*<Vector128<byte>, Vector128<byte>, Vector128<byte>> f)
    {
        int b = Use(0), a = Use(1);
        SimdResult(ValType.V128, &Handlers.SimdBin, a, b, 0, Fn(f), 2);
    }

    private void SimdTern(delegate*<Vector128<byte>, Vector128<byte>, Vector128<byte>, Vector128<byte>> f)
    {
        if (_simdInfo!.Imm == Imm.Shuffle)
        {
            // i8x16.shuffle: the lane indices as a third vector operand in a scratch slot.
            int lanes = ScratchSlot();
            Emit(&Handlers.Const, lanes, k: (long)_simdIns.Vector.Lo);
            Emit(&Handlers.Const, lanes + 1, k: (long)_simdIns.Vector.Hi);
            int sb = Use(0), sa = Use(1);
            SimdResult(ValType.V128, &Handlers.SimdTern, sa, sb, lanes, Fn(f), 2);
            return;
        }
        int c = Use(0), b = Use(1), a = Use(2);
        SimdResult(ValType.V128, &Handlers.SimdTern, a, b, c, Fn(f), 3);
    }

    private void SimdShift(delegate*<Vector128<byte>, int, Vector128<byte>> f)
    {
        int n = Use(0), v = Use(1);
        SimdResult(ValType.V128, &Handlers.SimdShift, v, n, 0, Fn(f), 2);
    }

    private void SimdTest(delegate*<Vector128<byte>, int> f) => SimdResult(ValType.I32, &Handlers.SimdTest, Use(0), 0, 0, Fn(f), 1);

    private void SimdSplatI32(delegate*<int, Vector128<byte>> f) => SimdResult(ValType.V128, &Handlers.SimdSplat<int>, Use(0), 0, 0, Fn(f), 1);
    private void SimdSplatI64(delegate*<long, Vector128<byte>> f) => SimdResult(ValType.V128, &Handlers.SimdSplat<long>, Use(0), 0, 0, Fn(f), 1);
    private void SimdSplatF32(delegate*<float, Vector128<byte>> f) => SimdResult(ValType.V128, &Handlers.SimdSplat<float>, Use(0), 0, 0, Fn(f), 1);
    private void SimdSplatF64(delegate*<double, Vector128<byte>> f) => SimdResult(ValType.V128, &Handlers.SimdSplat<double>, Use(0), 0, 0, Fn(f), 1);

    private int Lane => (int)_simdIns.A;

    private void SimdExtractI32(delegate*<Vector128<byte>, int, int> f) => SimdResult(ValType.I32, &Handlers.SimdExtract<int>, Use(0), Lane, 0, Fn(f), 1);
    private void SimdExtractI64(delegate*<Vector128<byte>, int, long> f) => SimdResult(ValType.I64, &Handlers.SimdExtract<long>, Use(0), Lane, 0, Fn(f), 1);
    private void SimdExtractF32(delegate*<Vector128<byte>, int, float> f) => SimdResult(ValType.F32, &Handlers.SimdExtract<float>, Use(0), Lane, 0, Fn(f), 1);
    private void SimdExtractF64(delegate*<Vector128<byte>, int, double> f) => SimdResult(ValType.F64, &Handlers.SimdExtract<double>, Use(0), Lane, 0, Fn(f), 1);

    private void SimdReplace(delegate*<Inst*, ref Machine, Inst*> h, long f)
    {
        int x = Use(0), v = Use(1);
        SimdResult(ValType.V128, h, v, x, Lane, f, 2);
    }

    private void SimdReplaceI32(delegate*<Vector128<byte>, int, int, Vector128<byte>> f) => SimdReplace(&Handlers.SimdReplace<int>, Fn(f));
    private void SimdReplaceI64(delegate*<Vector128<byte>, long, int, Vector128<byte>> f) => SimdReplace(&Handlers.SimdReplace<long>, Fn(f));
    private void SimdReplaceF32(delegate*<Vector128<byte>, float, int, Vector128<byte>> f) => SimdReplace(&Handlers.SimdReplace<float>, Fn(f));
    private void SimdReplaceF64(delegate*<Vector128<byte>, double, int, Vector128<byte>> f) => SimdReplace(&Handlers.SimdReplace<double>, Fn(f));

    /// <summary>Emits the effective-address instruction for the memory operand at <paramref name="addrDepth"/>; returns the slot holding the pointer.</summary>
    private int SimdAddress(int addrDepth)
    {
        var ins = _simdIns;
        int mem = (int)ins.A;
        bool is64 = _ctx.Memories[mem].Limits.Is64;
        int addr = Use(addrDepth);
        int p = ScratchSlot();
        Emit(is64 ? &Handlers.SimdAddress64 : &Handlers.SimdAddress32, p, addr, mem, _simdInfo!.NaturalAlignment, (long)ins.MemOffset);
        return p;
    }

    private void SimdLoad(delegate*<byte*, Vector128<byte>> f)
    {
        int p = SimdAddress(0);
        SimdResult(ValType.V128, &Handlers.SimdLoad, p, 0, 0, Fn(f), 1);
    }

    private void SimdLoadLane(delegate*<byte*, Vector128<byte>, int, Vector128<byte>> f)
    {
        int v = Use(0);
        int p = SimdAddress(1);
        SimdResult(ValType.V128, &Handlers.SimdLoadLane, p, v, (int)_simdIns.B, Fn(f), 2);
    }

    private void SimdStore(delegate*<byte*, Vector128<byte>, void> f)
    {
        int v = Use(0);
        int p = SimdAddress(1);
        _sp -= 2;
        Emit(&Handlers.SimdStore, v, p, 0, 0, Fn(f));
    }

    private void SimdStoreLane(delegate*<byte*, Vector128<byte>, int, void> f)
    {
        int v = Use(0);
        int p = SimdAddress(1);
        _sp -= 2;
        Emit(&Handlers.SimdStoreLane, v, p, (int)_simdIns.B, 0, Fn(f));
    }
}
