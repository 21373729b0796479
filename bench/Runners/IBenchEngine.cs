namespace WasmKiln.Bench.Runners;

/// <summary>The outcome of one run of a WASI command module.</summary>
/// <param name="LoadMs">Module compile (decode, validate, code generation) plus link and instantiate, in milliseconds.</param>
/// <param name="RunMs">The <c>_start</c> call, in milliseconds.</param>
/// <param name="ExitCode">0 when <c>_start</c> returned, else the <c>proc_exit</c> code.</param>
/// <param name="Stdout">What the guest wrote to fd 1 (UTF-8).</param>
/// <param name="Error">A trap or load error, when the run did not end normally.</param>
internal readonly record struct RunResult(double LoadMs, double RunMs, int ExitCode, string Stdout, string? Error);

/// <summary>One runtime (or runtime tier) the harness measures.</summary>
internal interface IBenchEngine : IDisposable
{
    /// <summary>Short name used in --engine and in table headings.</summary>
    string Name { get; }

    /// <summary>Why this engine cannot run in this build, or null when it can.</summary>
    string? Unavailable { get; }

    /// <summary>
    /// True when <see cref="Run"/> times a whole process (start to exit) as <see cref="RunResult.RunMs"/>
    /// with no separate load time (the native build); the table then shows one "wall" column.
    /// </summary>
    bool WholeProcess => false;

    /// <summary>
    /// Compiles and instantiates <paramref name="wasmPath"/> with WASI (argv = program name then
    /// <paramref name="args"/>, stdout captured), then calls <c>_start</c>, timing both parts.
    /// </summary>
    RunResult Run(string wasmPath, string programName, string[] args);
}
