using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace WasmKiln.Binary;

/// <summary>
/// Reads the primitive encodings of the binary format (bytes, LEB128 integers, floats, names)
/// from a span. <see cref="BaseOffset"/> is the offset of the span's first byte in the whole
/// module, so every error carries an absolute byte offset.
/// </summary>
internal ref struct WasmReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public WasmReader(ReadOnlySpan<byte> data, int baseOffset = 0, string endMessage = "unexpected end")
    {
        _data = data;
        _pos = 0;
        BaseOffset = baseOffset;
        EndMessage = endMessage;
    }

    /// <summary>Offset of the first byte of the span in the module.</summary>
    public int BaseOffset { get; }

    /// <summary>The message used when a read runs past the end of the span.</summary>
    public string EndMessage { get; }

    /// <summary>Position relative to the span.</summary>
    public int Position { readonly get => _pos; set => _pos = value; }

    /// <summary>Absolute offset of the next byte.</summary>
    public readonly int Offset => BaseOffset + _pos;

    public readonly int Remaining => _data.Length - _pos;
    public readonly bool AtEnd => _pos >= _data.Length;
    public readonly int Length => _data.Length;
    public readonly ReadOnlySpan<byte> Data => _data;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if ((uint)_pos >= (uint)_data.Length) ThrowEnd();
        return _data[_pos++];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly byte PeekByte()
    {
        if ((uint)_pos >= (uint)_data.Length) ThrowEnd();
        return _data[_pos];
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _data.Length - _pos) ThrowEnd();
        var s = _data.Slice(_pos, count);
        _pos += count;
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadU32()
    {
        if ((uint)_pos < (uint)_data.Length && _data[_pos] < 0x80) return _data[_pos++];
        return (uint)ReadUnsigned(32);
    }

    public ulong ReadU64() => ReadUnsigned(64);

    public int ReadS32() => (int)ReadSigned(32);

    public long ReadS33() => ReadSigned(33);

    /// <summary>A 7-bit signed LEB128 (the type constructor codes of the type section).</summary>
    public long ReadS7() => ReadSigned(7);

    public long ReadS64() => ReadSigned(64);

    public uint ReadF32Bits() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    public ulong ReadF64Bits() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    /// <summary>A vector length, checked against the bytes left (each element needs at least one byte).</summary>
    public uint ReadCount()
    {
        int at = Offset;
        uint n = ReadU32();
        if (n > (uint)Remaining) throw new MalformedModuleException(EndMessage, at);
        return n;
    }

    /// <summary>A name: a length-prefixed UTF-8 string, validated.</summary>
    public string ReadName()
    {
        uint len = ReadU32();
        if (len > (uint)Remaining) ThrowEnd();
        int at = Offset;
        var bytes = ReadBytes((int)len);
        return DecodeUtf8(bytes, at);
    }

    public static string DecodeUtf8(ReadOnlySpan<byte> bytes, int offset)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MalformedModuleException("malformed UTF-8 encoding", offset);
        }
    }

    private static readonly UTF8Encoding Strict = new(false, true);

    // LEB128 as the reference interpreter reads it: with n bits still to fill, a byte whose
    // payload does not fit is "integer too large"; a continuation past the last byte is
    // "integer representation too long".
    private ulong ReadUnsigned(int bits)
    {
        int start = Offset;
        ulong result = 0;
        for (int n = bits, shift = 0; ; n -= 7, shift += 7)
        {
            if (n <= 0) throw new MalformedModuleException("integer representation too long", start);
            byte b = ReadByte();
            if (n < 7 && (b & 0x7F) >= 1 << n) throw new MalformedModuleException("integer too large", start);
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    private long ReadSigned(int bits)
    {
        int start = Offset;
        long result = 0;
        for (int n = bits, shift = 0; ; n -= 7, shift += 7)
        {
            if (n <= 0) throw new MalformedModuleException("integer representation too long", start);
            byte b = ReadByte();
            if (n < 7)
            {
                int mask = (-1 << (n - 1)) & 0x7F;
                if ((b & mask) != 0 && (b & mask) != mask) throw new MalformedModuleException("integer too large", start);
            }
            result |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                if (shift + 7 < 64 && (b & 0x40) != 0) result |= -1L << (shift + 7);
                return result;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowEnd() => throw new MalformedModuleException(EndMessage, Offset);
}
