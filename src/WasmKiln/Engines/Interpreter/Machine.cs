using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// One lowered instruction (32 bytes): its handler and four operands plus a 64-bit immediate.
/// See <see cref="Interpreter"/> for the conventions (A = destination slot of value-producing
/// instructions, B/C = operand slots, D = relative branch offset or a fourth operand,
/// K = immediate).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Inst
{
    /// <summary>The handler: executes the instruction and returns the next one (null leaves the interpreter loop).</summary>
    public delegate*<Inst*, ref Machine, Inst*> H;
    /// <summary>Destination slot (value-producing instructions) or first operand.</summary>
    public int A;
    /// <summary>First source slot, or an index immediate.</summary>
    public int B;
    /// <summary>Second source slot, or an index immediate.</summary>
    public int C;
    /// <summary>Branch offset in instructions, relative to this instruction; or a fourth operand.</summary>
    public int D;
    /// <summary>Immediate: constant bits, memory offset, type id...</summary>
    public long K;
}

/// <summary>
/// The registers of the interpreter loop, kept in one struct on the .NET stack and passed by
/// reference to every handler: the current frame, its instance and the cached memory 0.
/// </summary>
internal unsafe struct Machine
{
    /// <summary>Slot 0 of the current frame (8-byte slots; v128 uses two).</summary>
    public ulong* Fp;
    /// <summary>Index of <see cref="Fp"/> in the thread's slot array (also the index of slot 0 in <see cref="Refs"/>).</summary>
    public int FpIndex;
    /// <summary>Reference slots, parallel to the numeric slots.</summary>
    public object?[] Refs;
    /// <summary>Base of memory 0 of the current instance (null without memory).</summary>
    public byte* Mem0;
    /// <summary>Byte length of memory 0, reloaded after anything that may grow it.</summary>
    public ulong Mem0Len;
    /// <summary>Memory 0 of the current instance.</summary>
    public Memory? Mem0Object;
    /// <summary>The current instance.</summary>
    public Instance Instance;
    /// <summary>The current function.</summary>
    public LoweredFunction Func;
    /// <summary>The thread's interpreter state.</summary>
    public ExecThread T;
    /// <summary>The thread's call depth guard.</summary>
    public CallStack Calls;

    /// <summary>Reloads the memory 0 cache from the current instance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void LoadMemory()
    {
        var ms = Instance.Memories;
        if (ms.Length != 0)
        {
            var mem = ms[0];
            Mem0Object = mem;
            Mem0 = mem.Base;
            Mem0Len = mem.ByteLength;
        }
        else
        {
            Mem0Object = null;
            Mem0 = null;
            Mem0Len = 0;
        }
    }

    /// <summary>Reloads the frame pointer after the slot array may have been replaced (growth in a nested call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Rebase()
    {
        Fp = T.Base + FpIndex;
        Refs = T.Refs;
    }
}

/// <summary>A suspended caller: where to continue and its frame.</summary>
internal unsafe struct CallRecord
{
    /// <summary>The instruction after the call, or null for the frame that entered the interpreter.</summary>
    public Inst* ReturnIp;
    /// <summary>The caller's frame index.</summary>
    public int FpIndex;
    /// <summary>The caller's function.</summary>
    public LoweredFunction? Func;
    /// <summary>The caller's instance.</summary>
    public Instance? Instance;
}

/// <summary>
/// The interpreter state of one thread: the value stack (8-byte slots in a pinned array, with a
/// parallel array of references) and the stack of suspended callers. Both grow on demand up to
/// <see cref="MaxSlots"/>; frames are addressed by index, so growth only rebases pointers.
/// </summary>
internal sealed unsafe class ExecThread
{
    /// <summary>Largest number of value slots per thread (512 MiB of numbers and as many references).</summary>
    public const int MaxSlots = 64 * 1024 * 1024;

    [ThreadStatic] private static ExecThread? t_current;

    /// <summary>The numeric slots (pinned).</summary>
    private ulong[] _slots;
    /// <summary>Address of slot 0.</summary>
    public ulong* Base;
    /// <summary>The reference slots.</summary>
    public object?[] Refs;
    /// <summary>Number of slots.</summary>
    public int Capacity;
    /// <summary>First slot not used by an active frame (maintained at host boundaries only).</summary>
    public int Top;
    /// <summary>Suspended callers.</summary>
    public CallRecord[] Frames = new CallRecord[256];
    /// <summary>Number of active records in <see cref="Frames"/>.</summary>
    public int FrameCount;
    private ValueSlot[][] _scratch = new ValueSlot[8][];
    private int _scratchDepth;

    private ExecThread()
    {
        Capacity = 64 * 1024;
        _slots = GC.AllocateArray<ulong>(Capacity, pinned: true);
        Base = (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_slots));
        Refs = new object?[Capacity];
    }

    /// <summary>The current thread's state.</summary>
    public static ExecThread Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Create();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ExecThread Create() => t_current = new ExecThread();

    /// <summary>Makes room for <paramref name="needed"/> slots; traps when the limit is reached.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Grow(long needed)
    {
        if (needed > MaxSlots) Trap.CallStackExhausted();
        long n = Capacity;
        while (n < needed) n *= 2;
        int size = (int)Math.Min(n, MaxSlots);
        var slots = GC.AllocateArray<ulong>(size, pinned: true);
        Array.Copy(_slots, slots, Capacity);
        var refs = new object?[size];
        Array.Copy(Refs, refs, Capacity);
        _slots = slots;
        Base = (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(slots));
        Refs = refs;
        Capacity = size;
    }

    /// <summary>Pushes a caller record (growing the record array when full).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref CallRecord PushRecord()
    {
        if (FrameCount == Frames.Length) Array.Resize(ref Frames, Frames.Length * 2);
        return ref Frames[FrameCount++];
    }

    /// <summary>A reusable slot array of at least <paramref name="length"/> for a host call (one per nesting level).</summary>
    public ValueSlot[] RentScratch(int length)
    {
        int d = _scratchDepth++;
        if (d == _scratch.Length) Array.Resize(ref _scratch, d * 2);
        var s = _scratch[d];
        if (s == null || s.Length < length) _scratch[d] = s = new ValueSlot[Math.Max(length, 4)];
        return s;
    }

    /// <summary>Returns the array of the innermost <see cref="RentScratch"/>.</summary>
    public void ReturnScratch(ValueSlot[] scratch)
    {
        _scratchDepth--;
        Array.Clear(scratch);
    }
}
