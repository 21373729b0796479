using System.Buffers.Binary;
using System.Text;

namespace WasmKiln.Binary;

/// <summary>A growable byte buffer with the primitive encodings of the binary format (canonical LEB128).</summary>
internal sealed class WasmWriter
{
    private byte[] _buf;
    private int _len;

    public WasmWriter(int capacity = 256) => _buf = new byte[Math.Max(16, capacity)];

    public int Length => _len;
    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, _len);
    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();
    public void Clear() => _len = 0;

    private Span<byte> Grow(int n)
    {
        if (_len + n > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        var s = _buf.AsSpan(_len, n);
        _len += n;
        return s;
    }

    public void Byte(byte b) => Grow(1)[0] = b;

    public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    public void U32(uint v) => U64(v);

    public void U64(ulong v)
    {
        do
        {
            byte b = (byte)(v & 0x7F);
            v >>= 7;
            if (v != 0) b |= 0x80;
            Byte(b);
        } while (v != 0);
    }

    public void S32(int v) => S64(v);

    public void S64(long v)
    {
        while (true)
        {
            byte b = (byte)(v & 0x7F);
            v >>= 7;
            bool done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            Byte(done ? b : (byte)(b | 0x80));
            if (done) return;
        }
    }

    public void F32Bits(uint bits) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), bits);

    public void F64Bits(ulong bits) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), bits);

    public void Name(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        U32((uint)n);
        Encoding.UTF8.GetBytes(s, Grow(n));
    }

    /// <summary>Writes <paramref name="bytes"/> prefixed by their length.</summary>
    public void Vec(ReadOnlySpan<byte> bytes)
    {
        U32((uint)bytes.Length);
        Bytes(bytes);
    }
}
