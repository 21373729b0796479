namespace WasmKiln;

/// <summary>
/// Thrown out of a call into WebAssembly when the guest calls WASI <c>proc_exit</c>: the guest
/// asked to end with <see cref="ExitCode"/>. Everything the guest wrote to its standard streams
/// has been flushed when this is thrown.
/// </summary>
public sealed class WasiExitException : Exception
{
    /// <summary>Creates the exception for exit code <paramref name="exitCode"/>.</summary>
    public WasiExitException(int exitCode) : base("the WebAssembly program exited with code " + exitCode) => ExitCode = exitCode;

    /// <summary>The exit code the guest passed to <c>proc_exit</c> (0 means success).</summary>
    public int ExitCode { get; }
}
