using System.Text;
using WasmKiln.Runtime;
using WasmKiln.Wasi;

namespace WasmKiln.Tests.Wasi;

/// <summary>
/// Base of the WASI function tests: a temporary host directory preopened as fd 3 ("/sandbox"),
/// a second one outside it (the "outside" that escapes must not reach), one page of guest
/// memory, and helpers that lay out guest strings and iovecs.
/// </summary>
public abstract class WasiTestBase : IDisposable
{
    protected const int Preopen = 3;
    protected const uint Scratch = 1024; // strings and buffers start here; low addresses hold results

    protected readonly DirectoryInfo Root;
    protected readonly DirectoryInfo Outside;
    internal readonly Memory Mem = new(1);
    internal readonly MemoryStream StdoutStream = new();
    internal readonly MemoryStream StderrStream = new();
    internal WasiContext Ctx;
    private uint _next = Scratch;

    protected WasiTestBase() : this(readOnly: false) { }

    protected WasiTestBase(bool readOnly)
    {
        var parent = Directory.CreateTempSubdirectory("wasi-test-");
        Root = parent.CreateSubdirectory("sandbox");
        Outside = parent.CreateSubdirectory("outside");
        File.WriteAllText(Path.Combine(Outside.FullName, "secret.txt"), "secret");
        Ctx = new WasiContext(Configure(new WasiConfiguration(), readOnly));
    }

    internal virtual WasiConfiguration Configure(WasiConfiguration c, bool readOnly) =>
        c.WithPreopenedDirectory(Root.FullName, "/sandbox", readOnly)
         .WithStandardOutput(StdoutStream)
         .WithStandardError(StderrStream);

    public void Dispose()
    {
        Ctx.Dispose();
        Mem.Dispose();
        try { Root.Parent!.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }

    protected string HostPath(string relative) => Path.Combine(Root.FullName, relative);

    /// <summary>Writes <paramref name="bytes"/> into guest memory at a fresh address; returns the address.</summary>
    protected int Put(byte[] bytes)
    {
        uint at = _next;
        Mem.Write(at, bytes);
        _next += (uint)bytes.Length + 8 & ~7u;
        return (int)at;
    }

    /// <summary>Writes a UTF-8 string (no terminator); returns (address, length).</summary>
    protected (int Ptr, int Len) Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        return (Put(b), b.Length);
    }

    /// <summary>Reserves <paramref name="size"/> zeroed bytes; returns the address.</summary>
    protected int Alloc(int size) => Put(new byte[size]);

    /// <summary>An iovec array naming the given buffers; returns the array's address.</summary>
    protected int Iovecs(params (int Ptr, int Len)[] bufs)
    {
        var arr = new byte[bufs.Length * 8];
        for (int i = 0; i < bufs.Length; i++)
        {
            BitConverter.TryWriteBytes(arr.AsSpan(i * 8), bufs[i].Ptr);
            BitConverter.TryWriteBytes(arr.AsSpan(i * 8 + 4), bufs[i].Len);
        }
        return Put(arr);
    }

    protected string ReadString(int ptr, int len)
    {
        var b = new byte[len];
        Mem.Read((uint)ptr, b);
        return Encoding.UTF8.GetString(b);
    }

    protected int U32(int ptr) => Mem.ReadInt32((uint)ptr);

    protected long U64(int ptr) => Mem.ReadInt64((uint)ptr);

    /// <summary>path_open under <paramref name="dirFd"/>; returns the errno and the new descriptor.</summary>
    protected (int Errno, int Fd) Open(string path, int oflags = 0, ulong rights = ulong.MaxValue, int fdflags = 0, int dirFd = Preopen, int lookup = 1)
    {
        var (p, l) = Str(path);
        int result = Alloc(4);
        int err = Ctx.PathOpen(Mem, dirFd, lookup, p, l, oflags, (long)rights, -1, fdflags, result);
        return (err, err == 0 ? U32(result) : -1);
    }

    protected int OpenOk(string path, int oflags = 0, ulong rights = ulong.MaxValue, int fdflags = 0, int dirFd = Preopen)
    {
        var (err, fd) = Open(path, oflags, rights, fdflags, dirFd);
        Xunit.Assert.Equal(0, err);
        return fd;
    }

    /// <summary>fd_write of a string; returns (errno, bytes written).</summary>
    protected (int Errno, int Written) Write(int fd, string text)
    {
        var buf = Str(text);
        int iov = Iovecs(buf);
        int n = Alloc(4);
        int err = Ctx.FdWrite(Mem, fd, iov, 1, n);
        return (err, U32(n));
    }

    /// <summary>fd_read of up to <paramref name="max"/> bytes; returns (errno, text read).</summary>
    protected (int Errno, string Text) Read(int fd, int max = 256)
    {
        int buf = Alloc(max);
        int iov = Iovecs((buf, max));
        int n = Alloc(4);
        int err = Ctx.FdRead(Mem, fd, iov, 1, n);
        return (err, err == 0 ? ReadString(buf, U32(n)) : "");
    }

    protected int PathCall(Func<int, int, int> call, string path)
    {
        var (p, l) = Str(path);
        return call(p, l);
    }
}
