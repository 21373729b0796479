using System.Text;

namespace WasmKiln.Cli;

/// <summary>
/// The streams a command works with: the writers its own messages go to, and the byte streams a
/// guest's WASI standard input, output and error are connected to. The process uses the
/// console for both; in-process callers (tests) capture everything in their writers.
/// </summary>
/// <param name="Out">Where results go (standard output).</param>
/// <param name="Err">Where errors go (standard error).</param>
/// <param name="GuestIn">The guest's standard input.</param>
/// <param name="GuestOut">The guest's standard output.</param>
/// <param name="GuestErr">The guest's standard error.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Err, Stream GuestIn, Stream GuestOut, Stream GuestErr)
{
    /// <summary>The process console: guest bytes go to the standard streams unchanged (not through a text encoder).</summary>
    public static CliConsole Process() =>
        new(Console.Out, Console.Error, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.OpenStandardError());

    /// <summary>Writers only: the guest's output is decoded as UTF-8 into them and its input is empty.</summary>
    public static CliConsole OfWriters(TextWriter stdout, TextWriter stderr) =>
        new(stdout, stderr, Stream.Null, new TextWriterStream(stdout), new TextWriterStream(stderr));

    /// <summary>Flushes everything written so far (before the process exits or a message follows the guest's output).</summary>
    public void Flush()
    {
        GuestOut.Flush();
        GuestErr.Flush();
        Out.Flush();
        Err.Flush();
    }
}

/// <summary>A write-only stream that decodes UTF-8 bytes into a <see cref="TextWriter"/> (sequences split across writes are kept).</summary>
internal sealed class TextWriterStream(TextWriter writer) : Stream
{
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private char[] _chars = new char[256];

    /// <inheritdoc/>
    public override bool CanRead => false;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => true;
    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int need = _decoder.GetCharCount(buffer, flush: false);
        if (need > _chars.Length) _chars = new char[Math.Max(need, _chars.Length * 2)];
        int n = _decoder.GetChars(buffer, _chars, flush: false);
        writer.Write(_chars, 0, n);
    }

    /// <inheritdoc/>
    public override void Flush() => writer.Flush();
    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}
