using System.Runtime.CompilerServices;
using WasmKiln.Engines.Compiler;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>A branch condition evaluated from an instruction's operands (fused compares and null tests).</summary>
internal unsafe interface ICond
{
    /// <summary>Whether the condition holds.</summary>
    static abstract bool Test(Inst* ip, ref Machine m);
}

#pragma warning disable CS1591
/// <summary>i32 slot B is not zero.</summary>
internal unsafe struct CondNz : ICond { public static bool Test(Inst* ip, ref Machine m) => *(int*)(m.Fp + ip->B) != 0; }
/// <summary>A fused compare of slots B and C.</summary>
internal unsafe struct CondBin<TA, TOp> : ICond where TA : unmanaged where TOp : IBin<TA, int>
{ public static bool Test(Inst* ip, ref Machine m) => TOp.Op(*(TA*)(m.Fp + ip->B), *(TA*)(m.Fp + ip->C)) != 0; }
/// <summary>A fused compare of slot B with the immediate K.</summary>
internal unsafe struct CondBinK<TA, TOp> : ICond where TA : unmanaged where TOp : IBin<TA, int>
{ public static bool Test(Inst* ip, ref Machine m) => TOp.Op(*(TA*)(m.Fp + ip->B), *(TA*)&ip->K) != 0; }
/// <summary>A fused unary test (eqz) of slot B.</summary>
internal unsafe struct CondUn<TA, TOp> : ICond where TA : unmanaged where TOp : IUn<TA, int>
{ public static bool Test(Inst* ip, ref Machine m) => TOp.Op(*(TA*)(m.Fp + ip->B)) != 0; }
/// <summary>Reference slot B is null.</summary>
internal unsafe struct CondRefNull : ICond { public static bool Test(Inst* ip, ref Machine m) => m.Refs[m.FpIndex + ip->B] is null; }
/// <summary>Reference slot B is not null.</summary>
internal unsafe struct CondRefNonNull : ICond { public static bool Test(Inst* ip, ref Machine m) => m.Refs[m.FpIndex + ip->B] is not null; }

/// <summary>The first half of a fused counter step (<see cref="Handlers.StepBrIf{TS, TR, TOp}"/>): the new i32 value.</summary>
internal unsafe interface IStep { static abstract int Step(Inst* ip, ulong* fp); }
/// <summary>Slot B + K.</summary>
internal unsafe struct StepAddK : IStep { public static int Step(Inst* ip, ulong* fp) => *(int*)(fp + ip->B) + (int)ip->K; }
/// <summary>Slot B + slot C.</summary>
internal unsafe struct StepAdd : IStep { public static int Step(Inst* ip, ulong* fp) => *(int*)(fp + ip->B) + *(int*)(fp + ip->C); }
/// <summary>The right operand of a fused counter step's compare.</summary>
internal unsafe interface IRhs { static abstract int Rhs(Inst* ip, ulong* fp); }
/// <summary>The immediate C.</summary>
internal unsafe struct RhsImmC : IRhs { public static int Rhs(Inst* ip, ulong* fp) => ip->C; }
/// <summary>Slot C.</summary>
internal unsafe struct RhsSlotC : IRhs { public static int Rhs(Inst* ip, ulong* fp) => *(int*)(fp + ip->C); }
/// <summary>The immediate K.</summary>
internal unsafe struct RhsImmK : IRhs { public static int Rhs(Inst* ip, ulong* fp) => (int)ip->K; }
#pragma warning restore CS1591

/// <summary>
/// The instruction handlers (see <see cref="Interpreter"/> for the operand conventions). Each
/// group lives in its own partial file; new groups add files.
/// </summary>
internal static unsafe partial class Handlers
{
    /// <summary>Never executed (data entries of a br_table).</summary>
    public static Inst* Invalid(Inst* ip, ref Machine m) => throw new InvalidOperationException("interpreter: executed a data entry");

    /// <summary>unreachable.</summary>
    public static Inst* Unreachable(Inst* ip, ref Machine m)
    {
        Trap.Unreachable();
        return null;
    }

    // ---- fuel and interruption ----

    /// <summary>Flag of <see cref="Charge"/>: subtract K from the fuel.</summary>
    public const int ChargeFuel = 1;
    /// <summary>Flag of <see cref="Charge"/>: trap when the fuel is negative.</summary>
    public const int CheckFuel = 2;
    /// <summary>Flag of <see cref="Charge"/>: trap when an interrupt was requested.</summary>
    public const int CheckInterrupt = 4;

    /// <summary>Charges K fuel and checks fuel and interruption, as the flags in B say (see <see cref="InterruptState"/>).</summary>
    public static Inst* Charge(Inst* ip, ref Machine m)
    {
        var s = m.Instance.Store.Interrupts;
        int flags = ip->B;
        if ((flags & ChargeFuel) != 0) s.Remaining -= ip->K;
        if ((flags & CheckFuel) != 0 && s.Remaining < 0) InterruptState.ThrowOutOfFuel();
        if ((flags & CheckInterrupt) != 0 && s.Requested != 0) InterruptState.ThrowInterrupted();
        return ip + 1;
    }

    // ---- moves and constants ----

    /// <summary>Slot A = K.</summary>
    public static Inst* Const(Inst* ip, ref Machine m)
    {
        *(long*)(m.Fp + ip->A) = ip->K;
        return ip + 1;
    }

    /// <summary>Slot A = slot B (one numeric slot).</summary>
    public static Inst* Copy(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        fp[ip->A] = fp[ip->B];
        return ip + 1;
    }

    /// <summary>Slots A, A+1 = slots B, B+1 (a v128).</summary>
    public static Inst* Copy2(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        ulong lo = fp[ip->B], hi = fp[ip->B + 1];
        fp[ip->A] = lo;
        fp[ip->A + 1] = hi;
        return ip + 1;
    }

    /// <summary>Reference slot A = reference slot B.</summary>
    public static Inst* CopyRef(Inst* ip, ref Machine m)
    {
        var refs = m.Refs;
        refs[m.FpIndex + ip->A] = refs[m.FpIndex + ip->B];
        return ip + 1;
    }

    /// <summary>select: slot A = slot D (i32) != 0 ? slot B : slot C.</summary>
    public static Inst* Select(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        fp[ip->A] = *(int*)(fp + ip->D) != 0 ? fp[ip->B] : fp[ip->C];
        return ip + 1;
    }

    /// <summary>select of v128 values.</summary>
    public static Inst* Select2(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        int src = *(int*)(fp + ip->D) != 0 ? ip->B : ip->C;
        ulong lo = fp[src], hi = fp[src + 1];
        fp[ip->A] = lo;
        fp[ip->A + 1] = hi;
        return ip + 1;
    }

    /// <summary>select of references.</summary>
    public static Inst* SelectRef(Inst* ip, ref Machine m)
    {
        var refs = m.Refs;
        int fpi = m.FpIndex;
        refs[fpi + ip->A] = *(int*)(m.Fp + ip->D) != 0 ? refs[fpi + ip->B] : refs[fpi + ip->C];
        return ip + 1;
    }

    // ---- branches ----

    /// <summary>br: jump by D.</summary>
    public static Inst* Br(Inst* ip, ref Machine m) => ip + ip->D;

    /// <summary>Jump by D when the condition holds.</summary>
    public static Inst* BrIf<TC>(Inst* ip, ref Machine m) where TC : ICond => TC.Test(ip, ref m) ? ip + ip->D : ip + 1;

    /// <summary>Jump by D when the condition does not hold.</summary>
    public static Inst* BrIfNot<TC>(Inst* ip, ref Machine m) where TC : ICond => TC.Test(ip, ref m) ? ip + 1 : ip + ip->D;

    /// <summary>A counter step and a branch: slot A = step(B, ...), jump by D when compare(A, rhs) holds.</summary>
    public static Inst* StepBrIf<TS, TR, TOp>(Inst* ip, ref Machine m) where TS : IStep where TR : IRhs where TOp : IBin<int, int>
    {
        ulong* fp = m.Fp;
        int v = TS.Step(ip, fp);
        *(int*)(fp + ip->A) = v;
        return TOp.Op(v, TR.Rhs(ip, fp)) != 0 ? ip + ip->D : ip + 1;
    }

    /// <summary>A counter step and a branch: slot A = step(B, ...), jump by D when compare(A, rhs) does not hold.</summary>
    public static Inst* StepBrIfNot<TS, TR, TOp>(Inst* ip, ref Machine m) where TS : IStep where TR : IRhs where TOp : IBin<int, int>
    {
        ulong* fp = m.Fp;
        int v = TS.Step(ip, fp);
        *(int*)(fp + ip->A) = v;
        return TOp.Op(v, TR.Rhs(ip, fp)) != 0 ? ip + 1 : ip + ip->D;
    }

    /// <summary>Two moves: slot A = slot B, then slot C = slot D.</summary>
    public static Inst* CopyPair(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        fp[ip->A] = fp[ip->B];
        fp[ip->C] = fp[ip->D];
        return ip + 1;
    }

    /// <summary>br_table: index in slot B, C targets plus the default, as the C+1 entries that follow (each jumps by its D).</summary>
    public static Inst* BrTable(Inst* ip, ref Machine m)
    {
        uint i = *(uint*)(m.Fp + ip->B);
        uint n = (uint)ip->C;
        if (i > n) i = n;
        Inst* e = ip + 1 + i;
        return e + e->D;
    }

    // ---- globals ----

    /// <summary>Slot A = global B (numeric).</summary>
    public static Inst* GlobalGet(Inst* ip, ref Machine m)
    {
        m.Fp[ip->A] = m.Instance.Globals[ip->B].Slot.Lo;
        return ip + 1;
    }

    /// <summary>Global B = slot A (numeric).</summary>
    public static Inst* GlobalSet(Inst* ip, ref Machine m)
    {
        m.Instance.Globals[ip->B].Slot.Lo = m.Fp[ip->A];
        return ip + 1;
    }

    /// <summary>Slots A, A+1 = global B (v128).</summary>
    public static Inst* GlobalGet2(Inst* ip, ref Machine m)
    {
        var g = m.Instance.Globals[ip->B];
        m.Fp[ip->A] = g.Slot.Lo;
        m.Fp[ip->A + 1] = g.Slot.Hi;
        return ip + 1;
    }

    /// <summary>Global B = slots A, A+1 (v128).</summary>
    public static Inst* GlobalSet2(Inst* ip, ref Machine m)
    {
        var g = m.Instance.Globals[ip->B];
        g.Slot.Lo = m.Fp[ip->A];
        g.Slot.Hi = m.Fp[ip->A + 1];
        return ip + 1;
    }

    /// <summary>Reference slot A = global B.</summary>
    public static Inst* GlobalGetRef(Inst* ip, ref Machine m)
    {
        m.Refs[m.FpIndex + ip->A] = m.Instance.Globals[ip->B].Slot.Ref;
        return ip + 1;
    }

    /// <summary>Global B = reference slot A.</summary>
    public static Inst* GlobalSetRef(Inst* ip, ref Machine m)
    {
        m.Instance.Globals[ip->B].Slot.Ref = m.Refs[m.FpIndex + ip->A];
        return ip + 1;
    }

    // ---- references ----

    /// <summary>Reference slot A = null.</summary>
    public static Inst* RefNull(Inst* ip, ref Machine m)
    {
        m.Refs[m.FpIndex + ip->A] = null;
        return ip + 1;
    }

    /// <summary>Reference slot A = function B.</summary>
    public static Inst* RefFunc(Inst* ip, ref Machine m)
    {
        m.Refs[m.FpIndex + ip->A] = m.Instance.Functions[ip->B];
        return ip + 1;
    }

    /// <summary>Slot A (i32) = reference slot B is null.</summary>
    public static Inst* RefIsNull(Inst* ip, ref Machine m)
    {
        *(int*)(m.Fp + ip->A) = m.Refs[m.FpIndex + ip->B] is null ? 1 : 0;
        return ip + 1;
    }

    /// <summary>Reference slot A = reference slot B, trapping when null.</summary>
    public static Inst* RefAsNonNull(Inst* ip, ref Machine m)
    {
        var refs = m.Refs;
        refs[m.FpIndex + ip->A] = InstanceOps.AsNonNull(refs[m.FpIndex + ip->B]);
        return ip + 1;
    }

    // ---- calls ----

    /// <summary>call: function B, arguments from slot A.</summary>
    public static Inst* Call(Inst* ip, ref Machine m) => Interpreter.Enter(ref m, m.Instance.Functions[ip->B], ip->A, ip + 1);

    /// <summary>call_indirect through table C with a 32-bit index in slot D; expected type id B; arguments from slot A.</summary>
    public static Inst* CallIndirect(Inst* ip, ref Machine m)
    {
        var f = InstanceOps.ResolveIndirect(m.Instance.Tables[ip->C], *(uint*)(m.Fp + ip->D), ip->B);
        return Interpreter.Enter(ref m, f, ip->A, ip + 1);
    }

    /// <summary>call_indirect with a 64-bit index.</summary>
    public static Inst* CallIndirect64(Inst* ip, ref Machine m)
    {
        var f = InstanceOps.ResolveIndirect(m.Instance.Tables[ip->C], m.Fp[ip->D], ip->B);
        return Interpreter.Enter(ref m, f, ip->A, ip + 1);
    }

    /// <summary>call_ref of the reference in slot D; arguments from slot A.</summary>
    public static Inst* CallRef(Inst* ip, ref Machine m)
    {
        var f = InstanceOps.NonNullFunc(m.Refs[m.FpIndex + ip->D]);
        return Interpreter.Enter(ref m, f, ip->A, ip + 1);
    }

    /// <summary>return: the results are in slots 0...</summary>
    public static Inst* Ret(Inst* ip, ref Machine m) => Interpreter.Leave(ref m);

    /// <summary>Slot A = slot B (the last result moved into place), then return.</summary>
    public static Inst* CopyRet(Inst* ip, ref Machine m)
    {
        ulong* fp = m.Fp;
        fp[ip->A] = fp[ip->B];
        return Interpreter.Leave(ref m);
    }

    /// <summary>return_call of function B with C argument slots at slot A.</summary>
    public static Inst* ReturnCall(Inst* ip, ref Machine m) => Interpreter.TailEnter(ref m, m.Instance.Functions[ip->B], ip->A, ip->C);

    /// <summary>return_call_indirect: table K, index slot D (32-bit), type id B, C argument slots at A.</summary>
    public static Inst* ReturnCallIndirect(Inst* ip, ref Machine m)
    {
        var f = InstanceOps.ResolveIndirect(m.Instance.Tables[(int)ip->K], *(uint*)(m.Fp + ip->D), ip->B);
        return Interpreter.TailEnter(ref m, f, ip->A, ip->C);
    }

    /// <summary>return_call_indirect with a 64-bit index.</summary>
    public static Inst* ReturnCallIndirect64(Inst* ip, ref Machine m)
    {
        var f = InstanceOps.ResolveIndirect(m.Instance.Tables[(int)ip->K], m.Fp[ip->D], ip->B);
        return Interpreter.TailEnter(ref m, f, ip->A, ip->C);
    }

    /// <summary>return_call_ref of the reference in slot D.</summary>
    public static Inst* ReturnCallRef(Inst* ip, ref Machine m)
    {
        var f = InstanceOps.NonNullFunc(m.Refs[m.FpIndex + ip->D]);
        return Interpreter.TailEnter(ref m, f, ip->A, ip->C);
    }

    // ---- numeric ----

    /// <summary>Slot A = op(slot B, slot C).</summary>
    public static Inst* Bin<TA, TR, TOp>(Inst* ip, ref Machine m) where TA : unmanaged where TR : unmanaged where TOp : IBin<TA, TR>
    {
        ulong* fp = m.Fp;
        *(TR*)(fp + ip->A) = TOp.Op(*(TA*)(fp + ip->B), *(TA*)(fp + ip->C));
        return ip + 1;
    }

    /// <summary>Slot A = op(slot B, K).</summary>
    public static Inst* BinK<TA, TR, TOp>(Inst* ip, ref Machine m) where TA : unmanaged where TR : unmanaged where TOp : IBin<TA, TR>
    {
        ulong* fp = m.Fp;
        *(TR*)(fp + ip->A) = TOp.Op(*(TA*)(fp + ip->B), *(TA*)&ip->K);
        return ip + 1;
    }

    /// <summary>Slot A = op(slot B).</summary>
    public static Inst* Un<TA, TR, TOp>(Inst* ip, ref Machine m) where TA : unmanaged where TR : unmanaged where TOp : IUn<TA, TR>
    {
        ulong* fp = m.Fp;
        *(TR*)(fp + ip->A) = TOp.Op(*(TA*)(fp + ip->B));
        return ip + 1;
    }
}
