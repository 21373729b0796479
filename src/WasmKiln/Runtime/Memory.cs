using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Runtime;

/// <summary>
/// A WebAssembly linear memory: a little-endian byte array measured in pages (64 KiB unless the
/// module declares another page size) that can grow but never shrink. The bytes live in
/// unmanaged memory reserved once for the memory's whole capacity, so their address never
/// changes while the memory is alive; <see cref="Dispose"/> (or the finalizer of the underlying
/// handle) releases them.
/// </summary>
/// <remarks>
/// The capacity is the smallest of the declared maximum, the largest size the address type
/// allows and the host limit given at creation (<see cref="DefaultHostMaxPages"/> by default);
/// <see cref="Grow"/> beyond it fails with -1, as the specification allows. Accessors check
/// bounds and trap with <see cref="TrapKind.MemoryOutOfBounds"/>. After <see cref="Dispose"/>
/// the memory has size 0: engine accesses trap and the host accessors throw
/// <see cref="ObjectDisposedException"/>, instead of touching released memory. A memory that is
/// never disposed is released by the finalizer of its native handle.
/// </remarks>
public sealed unsafe partial class Memory : IDisposable
{
    /// <summary>The default page size, 64 KiB.</summary>
    public const ulong DefaultPageSize = 65536;

    /// <summary>The default host limit on the size of one memory, in 64 KiB pages (65536 pages = 4 GiB).</summary>
    public const ulong DefaultHostMaxPages = 65536;

    /// <summary>
    /// Address of byte 0. Engines read this field directly; it never changes. After
    /// <see cref="Dispose"/> the length is 0, so bounds checks fail before it is used.
    /// </summary>
    internal byte* Base;

    /// <summary>
    /// Current size in bytes. Engines read this field directly for bounds checks. It only grows
    /// (written after the new pages are usable) until <see cref="Dispose"/> sets it to 0.
    /// </summary>
    internal ulong ByteLength;

    private readonly MemoryBuffer _buffer;
    private readonly Lock _growLock = new();
    private readonly int _pageShift;
    private readonly ulong _maxPages;
    private WaiterTable? _waiters;
    private bool _disposed;

    /// <summary>
    /// Creates a memory of <paramref name="minimumPages"/> 64 KiB pages, zero-filled.
    /// </summary>
    /// <param name="minimumPages">Initial size in pages.</param>
    /// <param name="maximumPages">Declared maximum in pages, or null for none.</param>
    /// <param name="shared">Whether the memory is shared between threads (requires a maximum).</param>
    /// <param name="is64Bit">Whether addresses are 64-bit (memory64) rather than 32-bit.</param>
    /// <param name="hostMaxPages">The host's limit on the size, in 64 KiB pages; growth beyond it fails.</param>
    /// <exception cref="WasmException">The limits are inconsistent, exceed the host limit, or
    /// the memory cannot be allocated.</exception>
    public Memory(ulong minimumPages, ulong? maximumPages = null, bool shared = false, bool is64Bit = false, ulong hostMaxPages = DefaultHostMaxPages)
        : this(new MemoryType(new Limits(minimumPages, maximumPages, is64Bit, shared)), hostMaxPages)
    {
    }

    /// <summary>Creates a memory of the given type (see the public constructor).</summary>
    internal Memory(MemoryType type, ulong hostMaxPages = DefaultHostMaxPages)
    {
        if (!BitConverter.IsLittleEndian)
            throw new WasmException("linear memories are not supported on big-endian hosts");
        uint log2 = type.PageSizeLog2 ?? 16;
        if (log2 > 16) throw new WasmException("invalid custom page size");
        var limits = type.Limits;
        int shift = (int)log2;
        // Largest page count the address space allows: 2^32 or 2^64 bytes.
        ulong typeMax = limits.Is64 ? (shift == 0 ? ulong.MaxValue : 1UL << (64 - shift)) : 1UL << (32 - shift);
        if (limits.Min > typeMax) throw new WasmException("memory size must be at most " + typeMax + " pages");
        if (limits.Max is ulong declared)
        {
            if (declared > typeMax) throw new WasmException("memory size must be at most " + typeMax + " pages");
            if (declared < limits.Min) throw new WasmException("size minimum must not be greater than maximum");
        }
        else if (limits.Shared)
        {
            throw new WasmException("shared memory must have maximum");
        }

        ulong limit = Math.Min(limits.Max ?? typeMax, typeMax);
        // The host limit is given in 64 KiB pages; convert it to this memory's pages.
        ulong hostBytes = hostMaxPages > (ulong.MaxValue >> 16) ? ulong.MaxValue : hostMaxPages << 16;
        limit = Math.Min(limit, hostBytes >> shift);
        limit = Math.Min(limit, (ulong)nint.MaxValue >> shift);
        if (limits.Min > limit)
            throw new WasmException("memory of " + limits.Min + " pages exceeds the host limit of " + limit + " pages");

        ulong initialBytes = limits.Min << shift;
        ulong capacity = limit << shift;
        // Reserve the whole capacity. When the address space is short, first let the finalizers
        // of unreachable memories release theirs, then settle for less (growth beyond what could
        // be reserved then fails, as the specification allows).
        MemoryBuffer? buffer = MemoryBuffer.TryCreate(capacity, initialBytes);
        if (buffer == null)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            buffer = MemoryBuffer.TryCreate(capacity, initialBytes);
        }
        while (buffer == null && capacity > initialBytes)
        {
            capacity = Math.Max(initialBytes, (capacity >> 1) >> shift << shift);
            buffer = MemoryBuffer.TryCreate(capacity, initialBytes);
        }
        if (buffer == null)
            throw new WasmException("cannot allocate a memory of " + initialBytes + " bytes");

        Type = type;
        _pageShift = shift;
        _maxPages = capacity >> shift;
        _buffer = buffer;
        Base = buffer.Address;
        ByteLength = initialBytes;
    }

    /// <summary>The memory's type (limits, address type, sharing, page size).</summary>
    internal MemoryType Type { get; }

    /// <summary>Size of a page in bytes (65536 unless a custom page size was declared).</summary>
    public ulong PageSize => 1UL << _pageShift;

    /// <summary>Current size in bytes.</summary>
    public ulong SizeInBytes => Volatile.Read(ref ByteLength);

    /// <summary>Current size in pages.</summary>
    public ulong SizeInPages => Volatile.Read(ref ByteLength) >> _pageShift;

    /// <summary>The declared minimum size in pages.</summary>
    public ulong MinimumPages => Type.Limits.Min;

    /// <summary>The declared maximum size in pages, or null when none was declared.</summary>
    public ulong? MaximumPages => Type.Limits.Max;

    /// <summary>The largest size in pages this memory can actually reach (declared and host limits).</summary>
    public ulong CapacityPages => _maxPages;

    /// <summary>Whether the memory is shared between threads.</summary>
    public bool IsShared => Type.Limits.Shared;

    /// <summary>Whether the memory uses 64-bit addresses (memory64).</summary>
    public bool Is64Bit => Type.Limits.Is64;

    /// <summary>
    /// Grows the memory by <paramref name="deltaPages"/> zero-filled pages (the semantics of
    /// <c>memory.grow</c>).
    /// </summary>
    /// <returns>The previous size in pages, or -1 when the memory cannot grow that much.</returns>
    public long Grow(ulong deltaPages)
    {
        lock (_growLock)
        {
            if (_disposed) return -1;
            ulong oldPages = ByteLength >> _pageShift;
            if (deltaPages > _maxPages - oldPages) return -1;
            if (deltaPages != 0)
            {
                ulong newBytes = (oldPages + deltaPages) << _pageShift;
                if (!_buffer.TryCommit(newBytes)) return -1;
                Volatile.Write(ref ByteLength, newBytes);
            }
            return (long)oldPages;
        }
    }

    /// <summary>Releases the memory's bytes. Afterwards its size is 0 and every access traps.</summary>
    public void Dispose()
    {
        lock (_growLock)
        {
            if (_disposed) return;
            _disposed = true;
            // Base is left as it is: a reader that saw the old length before this write holds a
            // lease (host API) or must not race Dispose (engines); either way a stale Base is
            // never dereferenced after release, whereas a null Base could be.
            Volatile.Write(ref ByteLength, 0);
        }
        _buffer.Dispose();
    }

    // ---- Engine helpers (no lease: the caller's instance keeps the memory alive) ----

    /// <summary>
    /// The effective address <paramref name="address"/> + <paramref name="offset"/>; traps when
    /// the sum overflows 64 bits (possible with memory64).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong EffectiveAddress(ulong address, ulong offset)
    {
        ulong ea = address + offset;
        if (ea < address) Trap.MemoryOutOfBounds();
        return ea;
    }

    /// <summary>Pointer to <paramref name="size"/> bytes at <paramref name="ea"/>, after a bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* Ptr(ulong ea, ulong size)
    {
        ulong len = ByteLength;
        if (ea > len || size > len - ea) Trap.MemoryOutOfBounds();
        return Base + ea;
    }

    /// <summary>A span over bytes of the memory (bounds-checked). See <see cref="GetSpan"/> for its lifetime.</summary>
    internal Span<byte> SpanAt(ulong ea, int length) => new(Ptr(ea, (ulong)length), length);

    /// <summary><c>memory.fill</c>: sets <paramref name="length"/> bytes at <paramref name="dst"/> to <paramref name="value"/>.</summary>
    internal void Fill(ulong dst, byte value, ulong length)
    {
        byte* p = Ptr(dst, length);
        NativeMemory.Fill(p, (nuint)length, value);
    }

    /// <summary><c>memory.copy</c> within this memory; overlapping ranges are copied as if through a buffer.</summary>
    internal void Copy(ulong dst, ulong src, ulong length) => Copy(this, dst, this, src, length);

    /// <summary><c>memory.copy</c> between two memories (or within one), overlap-safe; bounds of both are checked first.</summary>
    internal static void Copy(Memory dstMemory, ulong dst, Memory srcMemory, ulong src, ulong length)
    {
        byte* s = srcMemory.Ptr(src, length);
        byte* d = dstMemory.Ptr(dst, length);
        Buffer.MemoryCopy(s, d, length, length);
    }

    /// <summary>
    /// <c>memory.init</c>: copies <paramref name="length"/> bytes of <paramref name="data"/> from
    /// <paramref name="srcOffset"/> to <paramref name="dst"/>. Traps when either range is out of bounds.
    /// </summary>
    internal void Init(ulong dst, ReadOnlySpan<byte> data, ulong srcOffset, ulong length)
    {
        if (srcOffset > (ulong)data.Length || length > (ulong)data.Length - srcOffset) Trap.MemoryOutOfBounds();
        byte* d = Ptr(dst, length);
        data.Slice((int)srcOffset, (int)length).CopyTo(new Span<byte>(d, (int)length));
    }

    /// <summary>Loads a 128-bit vector at <paramref name="ea"/>.</summary>
    internal V128 LoadV128(ulong ea) => Unsafe.ReadUnaligned<V128>(Ptr(ea, 16));

    /// <summary>Stores a 128-bit vector at <paramref name="ea"/>.</summary>
    internal void StoreV128(ulong ea, V128 value) => Unsafe.WriteUnaligned(Ptr(ea, 16), value);

    // ---- Host API (bounds-checked, safe against a concurrent Dispose) ----

    /// <summary>
    /// A span over <paramref name="length"/> bytes at <paramref name="address"/> for engines and
    /// tests. The bytes never move, so the span stays valid across <see cref="Grow"/>; the caller
    /// must not use it after <see cref="Dispose"/> (the host API uses <see cref="Access{TState}"/>,
    /// which cannot outlive the memory).
    /// </summary>
    /// <exception cref="TrapException">The range is outside the memory.</exception>
    public Span<byte> GetSpan(ulong address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return SpanAt(address, length);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a span over <paramref name="length"/> bytes at
    /// <paramref name="address"/>, without copying. The memory cannot be released while the
    /// action runs (a concurrent <see cref="Dispose"/> completes when it returns), and the span
    /// cannot escape the action.
    /// </summary>
    /// <exception cref="TrapException">The range is outside the memory.</exception>
    /// <exception cref="ObjectDisposedException">The memory was disposed.</exception>
    public void Access<TState>(ulong address, int length, TState state, System.Buffers.SpanAction<byte, TState> action)
        where TState : allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(action);
        bool added = false;
        _buffer.DangerousAddRef(ref added);
        try { action(SpanAt(address, length), state); }
        finally { if (added) _buffer.DangerousRelease(); }
    }

    /// <summary>Copies bytes from address <paramref name="address"/> into <paramref name="destination"/>.</summary>
    public void Read(ulong address, Span<byte> destination)
    {
        bool added = false;
        _buffer.DangerousAddRef(ref added);
        try { new ReadOnlySpan<byte>(Ptr(address, (ulong)destination.Length), destination.Length).CopyTo(destination); }
        finally { if (added) _buffer.DangerousRelease(); }
    }

    /// <summary>Copies <paramref name="source"/> to address <paramref name="address"/>.</summary>
    public void Write(ulong address, ReadOnlySpan<byte> source)
    {
        bool added = false;
        _buffer.DangerousAddRef(ref added);
        try { source.CopyTo(new Span<byte>(Ptr(address, (ulong)source.Length), source.Length)); }
        finally { if (added) _buffer.DangerousRelease(); }
    }

    /// <summary>Reads the byte at <paramref name="address"/>.</summary>
    public byte ReadByte(ulong address) => ReadValue<byte>(address);

    /// <summary>Reads a little-endian 16-bit integer.</summary>
    public short ReadInt16(ulong address) => ReadValue<short>(address);

    /// <summary>Reads a little-endian 32-bit integer.</summary>
    public int ReadInt32(ulong address) => ReadValue<int>(address);

    /// <summary>Reads a little-endian 64-bit integer.</summary>
    public long ReadInt64(ulong address) => ReadValue<long>(address);

    /// <summary>Reads a little-endian 32-bit float, bit for bit (NaN payloads kept).</summary>
    public float ReadSingle(ulong address) => BitConverter.Int32BitsToSingle(ReadValue<int>(address));

    /// <summary>Reads a little-endian 64-bit float, bit for bit (NaN payloads kept).</summary>
    public double ReadDouble(ulong address) => BitConverter.Int64BitsToDouble(ReadValue<long>(address));

    /// <summary>Reads 16 bytes as a vector (byte 0 is lane 0).</summary>
    public Vector128<byte> ReadVector128(ulong address) => ReadValue<Vector128<byte>>(address);

    /// <summary>Writes a byte.</summary>
    public void WriteByte(ulong address, byte value) => WriteValue(address, value);

    /// <summary>Writes a little-endian 16-bit integer.</summary>
    public void WriteInt16(ulong address, short value) => WriteValue(address, value);

    /// <summary>Writes a little-endian 32-bit integer.</summary>
    public void WriteInt32(ulong address, int value) => WriteValue(address, value);

    /// <summary>Writes a little-endian 64-bit integer.</summary>
    public void WriteInt64(ulong address, long value) => WriteValue(address, value);

    /// <summary>Writes a little-endian 32-bit float, bit for bit.</summary>
    public void WriteSingle(ulong address, float value) => WriteValue(address, BitConverter.SingleToInt32Bits(value));

    /// <summary>Writes a little-endian 64-bit float, bit for bit.</summary>
    public void WriteDouble(ulong address, double value) => WriteValue(address, BitConverter.DoubleToInt64Bits(value));

    /// <summary>Writes 16 bytes from a vector (lane 0 at the lowest address).</summary>
    public void WriteVector128(ulong address, Vector128<byte> value) => WriteValue(address, value);

    private T ReadValue<T>(ulong address) where T : unmanaged
    {
        bool added = false;
        _buffer.DangerousAddRef(ref added);
        try { return Unsafe.ReadUnaligned<T>(Ptr(address, (ulong)sizeof(T))); }
        finally { if (added) _buffer.DangerousRelease(); }
    }

    private void WriteValue<T>(ulong address, T value) where T : unmanaged
    {
        bool added = false;
        _buffer.DangerousAddRef(ref added);
        try { Unsafe.WriteUnaligned(Ptr(address, (ulong)sizeof(T)), value); }
        finally { if (added) _buffer.DangerousRelease(); }
    }
}
