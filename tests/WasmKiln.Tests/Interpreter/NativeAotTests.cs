using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Xunit;

namespace WasmKiln.Tests.Interpreter;

/// <summary>
/// Publishes the CLI with NativeAOT and runs the native binary, which picks the interpreter by itself
/// (the native runtime has no dynamic code): two spec scripts and the seed's <c>sum</c> export.
/// Skips only when the toolchain is absent: not linux-x64, neither clang nor gcc on PATH (the native
/// linker ILCompiler calls), or the ILCompiler package cannot be restored.
/// </summary>
/// <remarks>
/// The publish builds into its own artifacts folder beside the test assembly, so it never writes
/// the src/*/bin and src/*/obj folders that the normal build and the other tests use. Compiled IL
/// is kept there between runs; the native compilation always reruns (its intermediate folder is
/// deleted first) because that step is the one that reports trimming and AOT warnings.
/// The publish options drop only work whose result the test does not use: native debug symbols and
/// their stripping, XML documentation, and analyzers and nullable analysis (the normal build runs
/// those with warnings as errors). Code generation is the shipped Release configuration.
/// </remarks>
public class NativeAotTests
{
    [SkippableFact]
    public void PublishedNativeCliRunsSpecScriptsAndExportsOnTheInterpreter()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64, "the test publishes for linux-x64 and runs the result");
        Skip.If(FindOnPath("clang") is null && FindOnPath("gcc") is null, "NativeAOT links with clang (or gcc when clang is missing); neither is on PATH");
        Skip.If(TestPaths.TestSuite is null || TestPaths.Shared is null, "spec suite or shared seed example not found");

        string work = Path.Combine(AppContext.BaseDirectory, "aot-publish");
        string artifacts = Path.Combine(work, "artifacts");
        string native = Path.Combine(work, "native") + Path.DirectorySeparatorChar;
        string output = Path.Combine(work, "out");
        DeleteDirectory(native);
        DeleteDirectory(output);

        var (code, log) = Run("dotnet",
        [
            "publish", Path.Combine(TestPaths.RepoRoot, "src", "WasmKiln.Cli"), "-c", "Release", "-r", "linux-x64",
            "-p:PublishAot=true", "--artifacts-path", artifacts, "-o", output, "-p:NativeIntermediateOutputPath=" + native,
            "-p:NativeDebugSymbols=false", "-p:StripSymbols=false", "-p:GenerateDocumentationFile=false",
            "-p:RunAnalyzers=false", "-p:Features=run-nullable-analysis=never", "-nodeReuse:false",
        ], TestPaths.RepoRoot, TimeSpan.FromMinutes(20));
        // NU1101/NU1102: no such package or version on the sources; NU1301: a source cannot be reached.
        Skip.If(code != 0 && (log.Contains("error NU1101", StringComparison.Ordinal) || log.Contains("error NU1102", StringComparison.Ordinal) || log.Contains("error NU1301", StringComparison.Ordinal)),
            "the ILCompiler package could not be restored:\n" + Tail(log));
        Assert.True(code == 0, "publish failed:\n" + Tail(log));
        Assert.Contains("Generating native code", log, StringComparison.Ordinal);
        foreach (var line in log.Split('\n'))
            Assert.False(line.Contains("warning IL", StringComparison.Ordinal) || line.Contains(": warning", StringComparison.Ordinal), "publish warning: " + line);

        string exe = Path.Combine(output, "WasmKiln.Cli");
        Assert.True(File.Exists(exe), "no native binary at " + exe);
        Assert.False(File.Exists(Path.Combine(output, "WasmKiln.Cli.dll")), "the publish folder holds IL, not only a native binary");

        // No --engine: the native binary must choose the interpreter by itself and say so in the report.
        string report = Path.Combine(work, "wast-report.json");
        string[] scripts = ["simd_i32x4_arith.wast", "i64.wast"];
        var (wastCode, wastOut) = Run(exe, ["wast", Path.Combine(TestPaths.TestSuite!, "core", scripts[0]), Path.Combine(TestPaths.TestSuite!, "core", scripts[1]), "--report", report],
            TestPaths.RepoRoot, TimeSpan.FromMinutes(5));
        Assert.True(wastCode == 0, "native wast failed:\n" + Tail(wastOut));
        using (var json = JsonDocument.Parse(File.ReadAllBytes(report)))
        {
            Assert.Equal("interpreter", json.RootElement.GetProperty("engine").GetString());
            var files = json.RootElement.GetProperty("files");
            Assert.Equal(scripts.Length, files.GetArrayLength());
            for (int i = 0; i < scripts.Length; i++)
            {
                Assert.Equal(scripts[i], Path.GetFileName(files[i].GetProperty("path").GetString()));
                Assert.True(files[i].GetProperty("passed").GetInt32() > 100, scripts[i] + ": too few commands passed:\n" + wastOut);
                Assert.Equal(0, files[i].GetProperty("failed").GetInt32());
            }
        }

        string sum = Path.Combine(TestPaths.Shared!, "seed-example", "sum.wasm");
        var (runCode, runOut) = Run(exe, ["run", "--invoke", "sum", sum, "5", "4"], TestPaths.RepoRoot, TimeSpan.FromMinutes(2));
        Assert.True(runCode == 0, "native run failed:\n" + Tail(runOut));
        var lines = runOut.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "From WASM: Sum is: 9", "9" }, lines);

        // Asking for the compiler where there is no dynamic code: one clear error, not a failure per command.
        var (compilerCode, compilerOut) = Run(exe, ["wast", "--engine", "compiler", Path.Combine(TestPaths.TestSuite!, "core", "i64.wast")], TestPaths.RepoRoot, TimeSpan.FromMinutes(2));
        Assert.Equal(2, compilerCode);
        Assert.Contains("needs dynamic code", compilerOut, StringComparison.Ordinal);
        var (runCompilerCode, runCompilerOut) = Run(exe, ["run", "--engine", "compiler", "--invoke", "sum", sum, "5", "4"], TestPaths.RepoRoot, TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, runCompilerCode);
        Assert.Contains("dynamic code", runCompilerOut, StringComparison.Ordinal);
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    private static string Tail(string s) => s.Length <= 4000 ? s : s[^4000..];

    private static (int Code, string Output) Run(string file, string[] args, string workDir, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out after " + timeout + "\n" + stdout.Result + stderr.Result);
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
