using System.Diagnostics;
using Xunit;

namespace WasmKiln.Tests.Interpreter;

/// <summary>
/// Publishes the CLI with NativeAOT and runs the native binary on the interpreter (chosen because
/// the native runtime has no dynamic code): a spec script and the seed's <c>sum</c> export.
/// Publishing takes several minutes on a small machine, so the test runs only when the
/// environment variable WASMKILN_AOT_TEST=1; it skips when the ILCompiler package cannot be restored.
/// </summary>
public class NativeAotTests
{
    [SkippableFact]
    public void PublishedNativeCliRunsSpecScriptsAndExportsOnTheInterpreter()
    {
        Skip.If(Environment.GetEnvironmentVariable("WASMKILN_AOT_TEST") != "1", "set WASMKILN_AOT_TEST=1 to publish and run the NativeAOT CLI (takes minutes)");
        Skip.If(!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64, "the test publishes for linux-x64");
        Skip.If(TestPaths.TestSuite is null || TestPaths.Shared is null, "spec suite or shared seed example not found");

        string output = Path.Combine(Path.GetTempPath(), "wasmkiln-aot-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, log) = Run("dotnet", ["publish", Path.Combine(TestPaths.RepoRoot, "src", "WasmKiln.Cli"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output], TestPaths.RepoRoot, TimeSpan.FromMinutes(20));
            Skip.If(code != 0 && (log.Contains("NU1101", StringComparison.Ordinal) || log.Contains("NU1102", StringComparison.Ordinal) || log.Contains("NU1301", StringComparison.Ordinal)),
                "the ILCompiler package could not be restored:\n" + Tail(log));
            Assert.True(code == 0, "publish failed:\n" + Tail(log));
            foreach (var line in log.Split('\n'))
                Assert.False(line.Contains("warning IL", StringComparison.Ordinal) || line.Contains(": warning", StringComparison.Ordinal), "publish warning: " + line);

            string exe = Path.Combine(output, "WasmKiln.Cli");
            Assert.True(File.Exists(exe), "no native binary at " + exe);

            string script = Path.Combine(TestPaths.TestSuite!, "core", "simd_i32x4_arith.wast");
            var (wastCode, wastOut) = Run(exe, ["wast", script, Path.Combine(TestPaths.TestSuite!, "core", "i64.wast")], TestPaths.RepoRoot, TimeSpan.FromMinutes(5));
            Assert.True(wastCode == 0, "native wast failed:\n" + Tail(wastOut));
            Assert.Contains(" passed, 0 failed", wastOut, StringComparison.Ordinal);

            string sum = Path.Combine(TestPaths.Shared!, "seed-example", "sum.wasm");
            var (runCode, runOut) = Run(exe, ["run", "--invoke", "sum", sum, "5", "4"], TestPaths.RepoRoot, TimeSpan.FromMinutes(2));
            Assert.True(runCode == 0, "native run failed:\n" + Tail(runOut));
            Assert.Contains("From WASM: Sum is: 9", runOut, StringComparison.Ordinal);
            Assert.Contains("9", runOut.Replace("From WASM: Sum is: 9", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
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
