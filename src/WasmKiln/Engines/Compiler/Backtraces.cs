using System.Collections.Concurrent;
using System.Diagnostics;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Compiler;

/// <summary>
/// Maps compiled methods back to WebAssembly functions, so a trap that reaches the host carries a
/// WebAssembly backtrace. Nothing is recorded while wasm runs: each compiled function is a method
/// of its own generated type, and when a trap leaves WebAssembly the .NET stack trace of the
/// exception is read once and its frames that belong to compiled functions become
/// <see cref="WasmFrame"/>s, innermost first.
/// </summary>
internal static class Backtraces
{
    /// <summary>Frames are read only this far, so a trap deep in a recursion stays cheap to report.</summary>
    public const int MaxFrames = 64;

    /// <summary>The name of the generated method holding a function's code.</summary>
    public const string BodyMethodName = "Body";

    /// <summary>Compiled functions by the full name of their generated type (unique in the generated assembly).</summary>
    private static readonly ConcurrentDictionary<string, WasmFrame> Functions = new(StringComparer.Ordinal);

    /// <summary>Records that the methods of <paramref name="generated"/> compile the function <paramref name="frame"/>.</summary>
    public static void Register(Type generated, WasmFrame frame) => Functions[generated.FullName!] = frame;

    /// <summary>
    /// Fills the trap's backtrace from its .NET stack trace, unless an engine already filled it.
    /// A call-stack exhaustion is left without one: its stack is as deep as the depth limit.
    /// </summary>
    public static void Fill(TrapException trap)
    {
        if (trap.WasmBacktrace.Count > 0 || trap.Kind == TrapKind.CallStackExhausted) return;
        var frames = new StackTrace(trap, false).GetFrames();
        int added = 0;
        foreach (var f in frames)
        {
            // Only the Body method of a generated type is a frame of the function (its Run entry point calls it).
            if (DiagnosticMethodInfo.Create(f) is { Name: BodyMethodName } m && m.DeclaringTypeName is { } t && Functions.TryGetValue(t, out var frame))
            {
                trap.AddFrame(frame);
                if (++added == MaxFrames) break;
            }
        }
    }
}
