namespace WasmKiln.Bench.Runners;

/// <summary>Which WasmKiln execution tier a <see cref="KilnEngine"/> measures.</summary>
internal enum KilnTier
{
    /// <summary>The wasm -> IL compiler.</summary>
    Compiler,
    /// <summary>The interpreter.</summary>
    Interpreter,
}

/// <summary>WasmKiln through its public embedding API.</summary>
internal sealed class KilnEngine(KilnTier tier) : IBenchEngine
{
    public string Name => tier == KilnTier.Compiler ? "kiln" : "kiln-interp";

    public string? Unavailable => "this build of WasmKiln has no public embedding API (Engine, Module, Linker.DefineWasi) yet";

    public RunResult Run(string wasmPath, string programName, string[] args) =>
        throw new WasmException("WasmKiln engine unavailable: " + Unavailable);

    public void Dispose() { }
}
