using System.Text;

namespace WasmKiln.Runtime;

/// <summary>One WebAssembly frame of a trap's backtrace.</summary>
/// <param name="FunctionIndex">Index of the function in its module's function index space.</param>
/// <param name="FunctionName">The function's name from the name section or text <c>$id</c>, when known.</param>
/// <param name="ModuleName">The module's name, when known.</param>
public readonly record struct WasmFrame(int FunctionIndex, string? FunctionName = null, string? ModuleName = null)
{
    /// <summary>The frame as <c>module!name</c>, <c>module!func[index]</c> or <c>func[index]</c>.</summary>
    public override string ToString()
    {
        var func = FunctionName ?? "func[" + FunctionIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
        return ModuleName is null ? func : ModuleName + "!" + func;
    }
}

/// <summary>
/// A WebAssembly trap: the guest executed an operation that the specification defines as
/// trapping (or exhausted the call stack). <see cref="Exception.Message"/> is the
/// specification's text for the <see cref="Kind"/> (for example <c>out of bounds memory access</c>).
/// </summary>
public sealed class TrapException : WasmException
{
    private List<WasmFrame>? _frames;

    /// <summary>Creates a trap of the given kind with the specification's message.</summary>
    public TrapException(TrapKind kind) : base(TrapMessages.Of(kind)) => Kind = kind;

    /// <summary>Creates a trap of the given kind with a more detailed message.</summary>
    /// <remarks>The message should start with the specification's text for the kind.</remarks>
    public TrapException(TrapKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    /// <summary>Why the guest trapped.</summary>
    public TrapKind Kind { get; }

    /// <summary>
    /// The WebAssembly frames active when the trap happened, innermost first. Empty when the
    /// engine did not record them.
    /// </summary>
    public IReadOnlyList<WasmFrame> WasmBacktrace => (IReadOnlyList<WasmFrame>?)_frames ?? [];

    /// <summary>Appends a frame (engines call this while the trap unwinds, innermost first).</summary>
    internal void AddFrame(WasmFrame frame) => (_frames ??= []).Add(frame);

    /// <summary>The message followed by the WebAssembly backtrace, one frame a line.</summary>
    public string FormatBacktrace()
    {
        var sb = new StringBuilder(Message);
        if (_frames != null)
            for (int i = 0; i < _frames.Count; i++)
                sb.Append('\n').Append("  at ").Append(_frames[i].ToString());
        return sb.ToString();
    }
}
