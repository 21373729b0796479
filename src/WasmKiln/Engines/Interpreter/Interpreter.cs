using System.Runtime.CompilerServices;
using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// The interpreter engine: runs WebAssembly functions of the shared runtime objects (instances,
/// memories, tables, globals, <see cref="FunctionInstance"/>) without generating code, so it
/// works where dynamic code is unavailable (NativeAOT).
/// </summary>
/// <remarks>
/// <para><b>Lowering.</b> Each validated function is lowered once, lazily on its first call, by
/// <see cref="Lowerer"/> into an array of fixed-size <see cref="Inst"/>s (cached per
/// <c>ValidatedModule</c> in <see cref="LoweredModule"/> and on the function's
/// <see cref="FunctionInstance.TierCode"/>). The code is register-style: every operand is a frame
/// slot, so <c>local.get a; local.get b; i32.add; local.set c</c> becomes the one instruction
/// <c>i32.add c &lt;- a, b</c>. The lowerer keeps a model of the operand stack whose entries are
/// lazy (a local or a constant, not yet copied) until an instruction consumes them; constants
/// become immediates (<c>K</c>), a result followed by <c>local.set</c> is written straight to the
/// local, and a compare followed by <c>br_if</c>/<c>if</c> becomes one fused conditional branch.
/// Further fused forms: a memory-0 load or store absorbs the <c>i32.add</c> (or <c>i32.sub</c> of a
/// constant) that computed its address, a constant address and a constant stored value; an
/// <c>i32.add</c> whose result a compare-and-branch tests next (a loop counter step) is one
/// instruction; two consecutive moves are one; a move just before a return is part of it. Only
/// instructions with no branch target between them are merged. Branch targets are resolved to
/// relative offsets (<c>D</c>) while lowering: no block or end is scanned at run time. Unreachable
/// code is not lowered.</para>
/// <para><b>Instruction contract</b> (every handler follows it): <c>A</c> = destination slot of a
/// value-producing instruction (the lowerer may retarget it to a local, so a handler reads all
/// its operands before writing <c>A</c>); <c>B</c>, <c>C</c> = operand slots or index
/// immediates; <c>D</c> = branch offset relative to the instruction (or a fourth operand for
/// non-branches); <c>K</c> = 64-bit immediate. Slots are relative to the frame pointer
/// <see cref="Machine.Fp"/>: 8 bytes each (i32/f32 in the low 4 bytes, the high bytes are
/// undefined), v128 takes two consecutive slots, and references live in the parallel
/// <see cref="Machine.Refs"/> array at index <c>FpIndex + slot</c>. A frame is
/// [parameters][declared locals][operand stack]; a call's arguments are the caller's top operand
/// slots, which become the callee's first slots (no copying), and results are left from slot 0.</para>
/// <para><b>Dispatch.</b> A handler is a static method reached through a function pointer
/// (<c>delegate*&lt;Inst*, ref Machine, Inst*&gt;</c>, valid under NativeAOT) and returns the next
/// instruction; <see cref="Run"/> is the whole loop. Handlers are small and mostly generic over
/// struct "operation" types (<see cref="IBin{TA,TR}"/>, <see cref="IUn{TA,TR}"/>,
/// <see cref="ILoad"/>, <see cref="IStore"/>, <see cref="ICond"/>), so RyuJIT compiles one
/// specialized, optimized method per operation instead of one giant switch. (A <c>switch</c> over
/// the most frequent few dozen handlers, inlined into the loop, was measured as the alternative:
/// no better overall, slower on float-heavy code.)</para>
/// <para><b>Calls and frames.</b> Calls between interpreted functions do not recurse on the .NET
/// stack: <see cref="Enter"/> pushes a <see cref="CallRecord"/> on the thread's
/// <see cref="ExecThread"/> and continues in the callee; <see cref="Leave"/> pops it. The value
/// stack is a per-thread pinned array that grows on demand; the depth is limited by the shared
/// <see cref="CallDepthGuard"/> (trap "call stack exhausted"). Host functions and functions of
/// another tier are called through their slot path with a reused argument array. Traps are the
/// shared <see cref="TrapException"/>s; the boundary (<see cref="Invoke"/>) restores the thread
/// state and the depth and adds the WebAssembly backtrace.</para>
/// <para><b>Extending</b> (SIMD, GC, exceptions, atomics): add a partial file of
/// <see cref="Lowerer"/> implementing the matching hook (<c>LowerSimd</c>, <c>LowerGc</c>,
/// <c>LowerExceptions</c>, <c>LowerAtomics</c>) with the stack-model helpers (<c>Use</c>,
/// <c>PushResult</c>, <c>Emit</c>...), and a partial file of <see cref="Handlers"/> with the
/// handlers. v128 values already have their two slots and are moved/copied correctly.
/// Exception handling additionally needs handler tables per function, consulted by a catch
/// around <see cref="Run"/> in <see cref="Invoke"/> that unwinds <see cref="ExecThread.Frames"/>.</para>
/// </remarks>
internal static unsafe class Interpreter
{
    /// <summary>
    /// Calls <paramref name="f"/> (a WebAssembly function) with the arguments in
    /// <paramref name="slots"/>[0..n); its results overwrite <paramref name="slots"/> from 0.
    /// </summary>
    /// <exception cref="TrapException">The function trapped.</exception>
    /// <exception cref="WasmException">The function uses an instruction the interpreter does not support yet.</exception>
    public static void Invoke(FunctionInstance f, ValueSlot[] slots)
    {
        var lf = f.TierCode as LoweredFunction ?? Prepare(f);
        var t = ExecThread.Current;
        var cs = CallStack.Current;
        int savedTop = t.Top, savedFrames = t.FrameCount, savedDepth = cs.Depth;
        var m = new Machine { T = t, Calls = cs, Func = lf, Instance = f.Instance! };
        try
        {
            int fp = t.Top;
            if (fp + (long)lf.FrameSize > t.Capacity) t.Grow(fp + (long)lf.FrameSize);
            m.FpIndex = fp;
            m.Rebase();
            var ps = lf.Type.Params;
            int s = 0;
            for (int i = 0; i < ps.Length; i++)
            {
                WriteSlot(ref m, s, ps[i], in slots[i]);
                s += SlotSize(ps[i]);
            }
            ClearLocals(ref m, lf);
            m.LoadMemory();
            cs.Enter();
            ref var r = ref t.PushRecord();
            r.ReturnIp = null;
            r.FpIndex = fp;
            r.Func = null;
            r.Instance = null;
            Run(lf.Code, ref m);
            m.FpIndex = fp;
            m.Rebase();
            var rs = lf.Type.Results;
            s = 0;
            for (int i = 0; i < rs.Length; i++)
            {
                ReadSlot(ref m, s, rs[i], ref slots[i]);
                s += SlotSize(rs[i]);
            }
        }
        catch (TrapException trap)
        {
            AddBacktrace(trap, ref m, savedFrames);
            throw;
        }
        finally
        {
            t.Top = savedTop;
            t.FrameCount = savedFrames;
            cs.Depth = savedDepth;
        }
    }

    /// <summary>The interpreter loop: runs handlers until one returns null (the entry frame returned).</summary>
    /// <remarks>Compiled fully optimized at once: a loop entered once per call from the host would otherwise run its first iterations unoptimized and continue in on-stack-replacement code.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Inst* ip, ref Machine m)
    {
        do ip = ip->H(ip, ref m);
        while (ip != null);
    }

    /// <summary>Whether <paramref name="f"/> is run by this interpreter (a WebAssembly function whose store uses it).</summary>
    internal static bool IsInterpreted(FunctionInstance f) => f.Instance is { } inst && inst.Store.Tier == InterpreterTier.Shared;

    /// <summary>Lowers <paramref name="f"/> (a WebAssembly function) and caches its code on it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static LoweredFunction Prepare(FunctionInstance f)
    {
        var inst = f.Instance ?? throw new WasmException("interpreter: not a WebAssembly function");
        var store = inst.Store;
        var options = (store.ConsumeFuel ? Compiler.CompileOptions.Fuel : 0) | (store.Interruptible ? Compiler.CompileOptions.Interrupts : 0);
        var lf = LoweredModule.For(inst.Module, options).Get(f.DefinedIndex);
        f.TierCode = lf;
        return lf;
    }

    // ------------------------------------------------------------------ calls

    /// <summary>
    /// Enters <paramref name="f"/> with its arguments at <paramref name="argSlot"/> of the current
    /// frame; returns the first instruction to run (the callee's, or <paramref name="returnIp"/>
    /// after a host call).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Inst* Enter(ref Machine m, FunctionInstance f, int argSlot, Inst* returnIp)
    {
        if (f.TierCode is LoweredFunction lf)
        {
            var t = m.T;
            int fp = m.FpIndex + argSlot;
            if (fp + lf.FrameSize > t.Capacity) Grow(ref m, fp + (long)lf.FrameSize);
            m.Calls.Enter();
            ref var r = ref t.PushRecord();
            r.ReturnIp = returnIp;
            r.FpIndex = m.FpIndex;
            r.Func = m.Func;
            r.Instance = m.Instance;
            m.FpIndex = fp;
            m.Fp = t.Base + fp;
            m.Func = lf;
            ClearLocals(ref m, lf);
            var inst = f.Instance!;
            if (inst != m.Instance)
            {
                m.Instance = inst;
                m.LoadMemory();
            }
            return lf.Code;
        }
        return EnterSlow(ref m, f, argSlot, returnIp);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Inst* EnterSlow(ref Machine m, FunctionInstance f, int argSlot, Inst* returnIp)
    {
        if (IsInterpreted(f))
        {
            Prepare(f);
            return Enter(ref m, f, argSlot, returnIp);
        }
        try
        {
            CallForeign(ref m, f, argSlot);
        }
        catch (Runtime.Exceptions.WasmThrow e)
        {
            // A WebAssembly exception thrown through a host function (or another tier): unwound
            // from the call instruction like any throw, so handlers of this and outer frames see it.
            RecoverFromForeign(ref m);
            return Handlers.Unwind(returnIp - 1, ref m, e.Exception);
        }
        return returnIp;
    }

    /// <summary>After a host call ended by an exception: the slot array may have grown and the memory changed.</summary>
    private static void RecoverFromForeign(ref Machine m)
    {
        m.Rebase();
        m.LoadMemory();
    }

    /// <summary>Returns from the current function (its results are already in slots 0..); null when it was the entry frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Inst* Leave(ref Machine m)
    {
        var t = m.T;
        ref var r = ref t.Frames[--t.FrameCount];
        m.Calls.Exit();
        Inst* ret = r.ReturnIp;
        if (ret == null) return null;
        m.FpIndex = r.FpIndex;
        m.Fp = t.Base + r.FpIndex;
        m.Func = r.Func!;
        // The memory cache is current while the instance stays the same: growth inside the callee
        // (memory.grow, host calls) reloads it on the spot.
        if (r.Instance != m.Instance)
        {
            m.Instance = r.Instance!;
            m.LoadMemory();
        }
        return ret;
    }

    /// <summary>
    /// A tail call: moves the <paramref name="argSlots"/> argument slots at <paramref name="argSlot"/>
    /// to slot 0 and replaces the current function by <paramref name="f"/>.
    /// </summary>
    internal static Inst* TailEnter(ref Machine m, FunctionInstance f, int argSlot, int argSlots)
    {
        if (argSlot != 0 && argSlots != 0)
        {
            new Span<ulong>(m.Fp + argSlot, argSlots).CopyTo(new Span<ulong>(m.Fp, argSlots));
            Array.Copy(m.Refs, m.FpIndex + argSlot, m.Refs, m.FpIndex, argSlots);
        }
        var lf = f.TierCode as LoweredFunction;
        if (lf == null)
        {
            if (!IsInterpreted(f))
            {
                try
                {
                    CallForeign(ref m, f, 0);
                }
                catch (Runtime.Exceptions.WasmThrow e)
                {
                    // The tail call replaced this frame: the exception continues from the caller's call.
                    RecoverFromForeign(ref m);
                    if (m.T.Frames[m.T.FrameCount - 1].ReturnIp == null) throw;
                    return Handlers.Unwind(Leave(ref m) - 1, ref m, e.Exception);
                }
                return Leave(ref m);
            }
            lf = Prepare(f);
        }
        var t = m.T;
        if (m.FpIndex + (long)lf.FrameSize > t.Capacity) Grow(ref m, m.FpIndex + (long)lf.FrameSize);
        m.Func = lf;
        ClearLocals(ref m, lf);
        var inst = f.Instance!;
        if (inst != m.Instance)
        {
            m.Instance = inst;
            m.LoadMemory();
        }
        return lf.Code;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Grow(ref Machine m, long needed)
    {
        m.T.Grow(needed);
        m.Rebase();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClearLocals(ref Machine m, LoweredFunction lf)
    {
        int n = lf.LocalSlots - lf.ParamSlots;
        if (n == 0) return;
        new Span<ulong>(m.Fp + lf.ParamSlots, n).Clear();
        if (lf.HasRefLocals) Array.Clear(m.Refs, m.FpIndex + lf.ParamSlots, n);
    }

    /// <summary>Calls a host function (or a function of another tier) through its slot path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void CallForeign(ref Machine m, FunctionInstance f, int argSlot)
    {
        var t = m.T;
        var ps = f.Type.Params;
        var rs = f.Type.Results;
        var scratch = t.RentScratch(Math.Max(ps.Length, rs.Length));
        int savedTop = t.Top;
        try
        {
            int s = argSlot;
            for (int i = 0; i < ps.Length; i++)
            {
                ReadSlot(ref m, s, ps[i], ref scratch[i]);
                s += SlotSize(ps[i]);
            }
            t.Top = m.FpIndex + m.Func.FrameSize;
            InvokeForeign(f, scratch);
            m.Rebase();
            m.LoadMemory();
            s = argSlot;
            for (int i = 0; i < rs.Length; i++)
            {
                WriteSlot(ref m, s, rs[i], in scratch[i]);
                s += SlotSize(rs[i]);
            }
        }
        finally
        {
            t.Top = savedTop;
            t.ReturnScratch(scratch);
        }
    }

    private static void InvokeForeign(FunctionInstance f, ValueSlot[] slots) => f.InvokeSlots(slots);

    // ------------------------------------------------------------------ slot conversion

    /// <summary>Slots a value of type <paramref name="t"/> takes (2 for v128, else 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SlotSize(ValType t) => t.Kind == ValKind.V128 ? 2 : 1;

    private static void WriteSlot(ref Machine m, int slot, ValType t, in ValueSlot v)
    {
        ulong* p = m.Fp + slot;
        switch (t.Kind)
        {
            case ValKind.I32: case ValKind.F32: *p = (uint)v.Lo; break;
            case ValKind.I64: case ValKind.F64: *p = v.Lo; break;
            case ValKind.V128: p[0] = v.Lo; p[1] = v.Hi; break;
            default: m.Refs[m.FpIndex + slot] = v.Ref; break;
        }
    }

    private static void ReadSlot(ref Machine m, int slot, ValType t, ref ValueSlot v)
    {
        ulong* p = m.Fp + slot;
        switch (t.Kind)
        {
            case ValKind.I32: case ValKind.F32: v.Lo = *(uint*)p; v.Hi = 0; v.Ref = null; break;
            case ValKind.I64: case ValKind.F64: v.Lo = *p; v.Hi = 0; v.Ref = null; break;
            case ValKind.V128: v.Lo = p[0]; v.Hi = p[1]; v.Ref = null; break;
            default: v.Lo = 0; v.Hi = 0; v.Ref = m.Refs[m.FpIndex + slot]; break;
        }
    }

    // ------------------------------------------------------------------ backtraces

    private static void AddBacktrace(TrapException trap, ref Machine m, int baseFrames)
    {
        if (trap.Kind == TrapKind.CallStackExhausted || m.Func == null) return;
        var t = m.T;
        int added = 0;
        AddFrame(trap, m.Func, m.Instance);
        for (int i = t.FrameCount - 1; i > baseFrames && added < Engines.Compiler.Backtraces.MaxFrames; i--, added++)
        {
            ref var r = ref t.Frames[i];
            if (r.Func != null) AddFrame(trap, r.Func, r.Instance);
        }
    }

    private static void AddFrame(TrapException trap, LoweredFunction f, Instance? inst)
    {
        var names = inst?.Module.Module.Names;
        string? name = names != null && names.Functions.TryGetValue(f.FuncIndex, out var n) ? n : null;
        trap.AddFrame(new WasmFrame((int)f.FuncIndex, name, names?.Module));
    }
}
