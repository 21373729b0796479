namespace WasmKiln.Wasi;

/// <summary>The <c>errno</c> values of wasi_snapshot_preview1 (typenames.witx).</summary>
internal static class Errno
{
    public const int Success = 0, TooBig = 1, Acces = 2, AddrInUse = 3, AddrNotAvail = 4, AfNoSupport = 5, Again = 6,
        Already = 7, BadF = 8, BadMsg = 9, Busy = 10, Canceled = 11, Child = 12, ConnAborted = 13, ConnRefused = 14,
        ConnReset = 15, DeadLk = 16, DestAddrReq = 17, Dom = 18, DQuot = 19, Exist = 20, Fault = 21, FBig = 22,
        HostUnreach = 23, IdRm = 24, IlSeq = 25, InProgress = 26, Intr = 27, Inval = 28, Io = 29, IsConn = 30,
        IsDir = 31, Loop = 32, MFile = 33, MLink = 34, MsgSize = 35, MultiHop = 36, NameTooLong = 37, NetDown = 38,
        NetReset = 39, NetUnreach = 40, NFile = 41, NoBufs = 42, NoDev = 43, NoEnt = 44, NoExec = 45, NoLck = 46,
        NoLink = 47, NoMem = 48, NoMsg = 49, NoProtoOpt = 50, NoSpc = 51, NoSys = 52, NotConn = 53, NotDir = 54,
        NotEmpty = 55, NotRecoverable = 56, NotSock = 57, NotSup = 58, NotTy = 59, NxIo = 60, Overflow = 61,
        OwnerDead = 62, Perm = 63, Pipe = 64, Proto = 65, ProtoNoSupport = 66, ProtoType = 67, Range = 68, RoFs = 69,
        SPipe = 70, Srch = 71, Stale = 72, TimedOut = 73, TxtBsy = 74, XDev = 75, NotCapable = 76;
}

/// <summary>The <c>rights</c> bits of wasi_snapshot_preview1.</summary>
internal static class Rights
{
    public const ulong FdDatasync = 1UL << 0, FdRead = 1UL << 1, FdSeek = 1UL << 2, FdFdstatSetFlags = 1UL << 3,
        FdSync = 1UL << 4, FdTell = 1UL << 5, FdWrite = 1UL << 6, FdAdvise = 1UL << 7, FdAllocate = 1UL << 8,
        PathCreateDirectory = 1UL << 9, PathCreateFile = 1UL << 10, PathLinkSource = 1UL << 11,
        PathLinkTarget = 1UL << 12, PathOpen = 1UL << 13, FdReaddir = 1UL << 14, PathReadlink = 1UL << 15,
        PathRenameSource = 1UL << 16, PathRenameTarget = 1UL << 17, PathFilestatGet = 1UL << 18,
        PathFilestatSetSize = 1UL << 19, PathFilestatSetTimes = 1UL << 20, FdFilestatGet = 1UL << 21,
        FdFilestatSetSize = 1UL << 22, FdFilestatSetTimes = 1UL << 23, PathSymlink = 1UL << 24,
        PathRemoveDirectory = 1UL << 25, PathUnlinkFile = 1UL << 26, PollFdReadwrite = 1UL << 27,
        SockShutdown = 1UL << 28, SockAccept = 1UL << 29;

    /// <summary>Every right defined by the specification.</summary>
    public const ulong All = (1UL << 30) - 1;

    /// <summary>Rights that only make sense on a regular file (or a stream).</summary>
    public const ulong FileOnly = FdDatasync | FdRead | FdSeek | FdSync | FdTell | FdWrite | FdAdvise | FdAllocate
        | FdFilestatSetSize | PollFdReadwrite;

    /// <summary>Rights that only make sense on a directory.</summary>
    public const ulong DirectoryOnly = PathCreateDirectory | PathCreateFile | PathLinkSource | PathLinkTarget | PathOpen
        | FdReaddir | PathReadlink | PathRenameSource | PathRenameTarget | PathFilestatGet | PathFilestatSetSize
        | PathFilestatSetTimes | PathSymlink | PathRemoveDirectory | PathUnlinkFile;

    /// <summary>Rights that modify the file system; removed under a read-only preopen.</summary>
    public const ulong Mutating = FdDatasync | FdWrite | FdAllocate | FdFilestatSetSize | FdFilestatSetTimes | FdSync
        | PathCreateDirectory | PathCreateFile | PathLinkSource | PathLinkTarget | PathRenameSource | PathRenameTarget
        | PathFilestatSetSize | PathFilestatSetTimes | PathSymlink | PathRemoveDirectory | PathUnlinkFile;

    /// <summary>Rights of a regular file.</summary>
    public const ulong File = All & ~DirectoryOnly & ~SockShutdown & ~SockAccept;

    /// <summary>Rights of a directory (and inherited by what is opened from it: files and directories).</summary>
    public const ulong Directory = All & ~FileOnly & ~SockShutdown & ~SockAccept | FdFdstatSetFlags | FdFilestatGet | FdFilestatSetTimes;
}

/// <summary>Small enumerations and flag sets of wasi_snapshot_preview1.</summary>
internal static class WasiFlags
{
    // filetype
    public const byte TypeUnknown = 0, TypeBlockDevice = 1, TypeCharacterDevice = 2, TypeDirectory = 3,
        TypeRegularFile = 4, TypeSocketDgram = 5, TypeSocketStream = 6, TypeSymbolicLink = 7;

    // fdflags
    public const int FdAppend = 1, FdDsync = 2, FdNonblock = 4, FdRsync = 8, FdSync = 16;

    // oflags
    public const int OCreat = 1, ODirectory = 2, OExcl = 4, OTrunc = 8;

    // lookupflags
    public const int LookupSymlinkFollow = 1;

    // fstflags
    public const int SetAtim = 1, SetAtimNow = 2, SetMtim = 4, SetMtimNow = 8;

    // whence
    public const int WhenceSet = 0, WhenceCur = 1, WhenceEnd = 2;

    // clockid
    public const int ClockRealtime = 0, ClockMonotonic = 1, ClockProcessCpu = 2, ClockThreadCpu = 3;

    // eventtype
    public const byte EventClock = 0, EventFdRead = 1, EventFdWrite = 2;

    // subclockflags
    public const int SubscriptionClockAbstime = 1;

    // preopentype
    public const byte PreopenDir = 0;
}
