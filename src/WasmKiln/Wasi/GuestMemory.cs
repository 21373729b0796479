using System.Buffers.Binary;
using WasmKiln.Runtime;

namespace WasmKiln.Wasi;

/// <summary>
/// Bounds-checked access to the guest's linear memory for WASI calls: every accessor reports an
/// out-of-bounds range (or a missing memory) by returning false, which the calls turn into
/// errno <c>fault</c>; nothing here throws.
/// </summary>
internal static unsafe class GuestMemory
{
    /// <summary>A span over <paramref name="length"/> bytes at <paramref name="address"/>, when they are inside the memory.</summary>
    public static bool TrySpan(Memory? memory, uint address, uint length, out Span<byte> span)
    {
        span = default;
        if (memory == null) return length == 0 && address == 0;
        ulong size = Volatile.Read(ref memory.ByteLength);
        if ((ulong)address + length > size || length > int.MaxValue) return false;
        span = new Span<byte>(memory.Base + address, (int)length);
        return true;
    }

    public static bool InBounds(Memory? memory, uint address, ulong length)
    {
        if (memory == null) return false;
        return (ulong)address + length <= Volatile.Read(ref memory.ByteLength);
    }

    public static bool WriteU8(Memory? m, uint address, byte value)
    {
        if (!TrySpan(m, address, 1, out var s)) return false;
        s[0] = value;
        return true;
    }

    public static bool WriteU16(Memory? m, uint address, ushort value)
    {
        if (!TrySpan(m, address, 2, out var s)) return false;
        BinaryPrimitives.WriteUInt16LittleEndian(s, value);
        return true;
    }

    public static bool WriteU32(Memory? m, uint address, uint value)
    {
        if (!TrySpan(m, address, 4, out var s)) return false;
        BinaryPrimitives.WriteUInt32LittleEndian(s, value);
        return true;
    }

    public static bool WriteU64(Memory? m, uint address, ulong value)
    {
        if (!TrySpan(m, address, 8, out var s)) return false;
        BinaryPrimitives.WriteUInt64LittleEndian(s, value);
        return true;
    }

    public static bool ReadU32(Memory? m, uint address, out uint value)
    {
        value = 0;
        if (!TrySpan(m, address, 4, out var s)) return false;
        value = BinaryPrimitives.ReadUInt32LittleEndian(s);
        return true;
    }

    /// <summary>
    /// Checks an iovec (or ciovec) array of <paramref name="count"/> entries at <paramref name="iovs"/>
    /// and every buffer it names; false when any is out of bounds.
    /// </summary>
    public static bool CheckIovecs(Memory? m, uint iovs, uint count)
    {
        if (count == 0) return true;
        ulong bytes = (ulong)count * 8;
        if (bytes > uint.MaxValue || !TrySpan(m, iovs, (uint)bytes, out var arr)) return false;
        for (int i = 0; i < (int)count; i++)
        {
            uint buf = BinaryPrimitives.ReadUInt32LittleEndian(arr.Slice(i * 8));
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(arr.Slice(i * 8 + 4));
            if (!InBounds(m, buf, len)) return false;
        }
        return true;
    }

    /// <summary>The buffer of iovec <paramref name="index"/> (checked before with <see cref="CheckIovecs"/>), at most 2 GiB.</summary>
    public static Span<byte> Iovec(Memory m, uint iovs, int index)
    {
        var entry = new ReadOnlySpan<byte>(m.Base + iovs + (uint)index * 8, 8);
        uint buf = BinaryPrimitives.ReadUInt32LittleEndian(entry);
        uint len = Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(entry.Slice(4)), int.MaxValue);
        return new Span<byte>(m.Base + buf, (int)len);
    }
}
