namespace WasmKiln.Wasi;

/// <summary>Maps host failures (.NET exceptions, host errno values) to WASI errno values.</summary>
internal static class WasiErrors
{
    /// <summary>The WASI errno for an exception a .NET file-system call threw.</summary>
    public static int FromException(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => Errno.NoEnt,
        PathTooLongException => Errno.NameTooLong,
        UnauthorizedAccessException => Errno.Acces,
        EndOfStreamException => Errno.Io,
        IOException io => FromHResult(io.HResult),
        ArgumentOutOfRangeException => Errno.Inval,
        ArgumentException => Errno.Inval,
        NotSupportedException => Errno.NotSup,
        ObjectDisposedException => Errno.BadF,
        _ => Errno.Io,
    };

    /// <summary>
    /// The WASI errno for an IOException's HResult: on Unix .NET stores the raw errno there; on
    /// Windows an HRESULT wrapping a Win32 error.
    /// </summary>
    public static int FromHResult(int hresult)
    {
        if (OperatingSystem.IsWindows() || (hresult & 0xFFFF0000) == 0x80070000)
        {
            return (hresult & 0xFFFF) switch
            {
                2 => Errno.NoEnt, 3 => Errno.NoEnt, 5 => Errno.Acces, 32 => Errno.Busy, 33 => Errno.Busy,
                80 or 183 => Errno.Exist, 112 => Errno.NoSpc, 145 => Errno.NotEmpty, 206 => Errno.NameTooLong,
                267 => Errno.NotDir, 1142 => Errno.MLink, 17 => Errno.XDev,
                _ => Errno.Io,
            };
        }
        return FromHostErrno(hresult);
    }

    /// <summary>The WASI errno for a host (Linux or macOS) errno value.</summary>
    public static int FromHostErrno(int errno)
    {
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            switch (errno)
            {
                case 11: return Errno.DeadLk;
                case 35: return Errno.Again;
                case 45: return Errno.NotSup;
                case 62: return Errno.Loop;
                case 63: return Errno.NameTooLong;
                case 66: return Errno.NotEmpty;
                case 69: return Errno.DQuot;
                case 78: return Errno.NoSys;
                case 84: return Errno.Overflow;
                case 92: return Errno.IlSeq;
            }
        }
        else
        {
            switch (errno)
            {
                case 11: return Errno.Again;
                case 35: return Errno.DeadLk;
                case 36: return Errno.NameTooLong;
                case 38: return Errno.NoSys;
                case 39: return Errno.NotEmpty;
                case 40: return Errno.Loop;
                case 75: return Errno.Overflow;
                case 84: return Errno.IlSeq;
                case 95: return Errno.NotSup;
                case 122: return Errno.DQuot;
            }
        }
        return errno switch
        {
            1 => Errno.Perm, 2 => Errno.NoEnt, 3 => Errno.Srch, 4 => Errno.Intr, 5 => Errno.Io, 6 => Errno.NxIo,
            7 => Errno.TooBig, 8 => Errno.NoExec, 9 => Errno.BadF, 10 => Errno.Child, 12 => Errno.NoMem,
            13 => Errno.Acces, 14 => Errno.Fault, 16 => Errno.Busy, 17 => Errno.Exist, 18 => Errno.XDev,
            19 => Errno.NoDev, 20 => Errno.NotDir, 21 => Errno.IsDir, 22 => Errno.Inval, 23 => Errno.NFile,
            24 => Errno.MFile, 25 => Errno.NotTy, 26 => Errno.TxtBsy, 27 => Errno.FBig, 28 => Errno.NoSpc,
            29 => Errno.SPipe, 30 => Errno.RoFs, 31 => Errno.MLink, 32 => Errno.Pipe, 33 => Errno.Dom,
            34 => Errno.Range,
            _ => Errno.Io,
        };
    }
}
