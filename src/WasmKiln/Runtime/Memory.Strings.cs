using System.Text;

namespace WasmKiln.Runtime;

public sealed partial class Memory
{
    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="address"/> as UTF-8 text (invalid sequences become U+FFFD).</summary>
    /// <exception cref="TrapException">The range is outside the memory.</exception>
    public string ReadString(ulong address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return Encoding.UTF8.GetString(GetSpan(address, length));
    }

    /// <summary>Reads the zero-terminated UTF-8 string at <paramref name="address"/> (up to the end of the memory).</summary>
    /// <exception cref="TrapException">The address is outside the memory, or no zero byte follows it.</exception>
    public string ReadNullTerminatedString(ulong address)
    {
        ulong size = SizeInBytes;
        if (address >= size) throw new TrapException(TrapKind.MemoryOutOfBounds);
        var span = GetSpan(address, (int)Math.Min(size - address, int.MaxValue));
        int end = span.IndexOf((byte)0);
        if (end < 0) throw new TrapException(TrapKind.MemoryOutOfBounds, "out of bounds memory access: no terminating zero byte");
        return Encoding.UTF8.GetString(span[..end]);
    }

    /// <summary>Writes <paramref name="value"/> as UTF-8 at <paramref name="address"/> (no terminator) and returns the number of bytes written.</summary>
    /// <exception cref="TrapException">The bytes do not fit in the memory.</exception>
    public int WriteString(ulong address, string value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, GetSpan(address, n));
        return n;
    }
}
