using System.Diagnostics;
using Xunit;

namespace WasmKiln.Tests.Samples;

/// <summary>
/// The embedding samples (samples/HostSum, samples/HostCalls) run as the processes a newcomer
/// starts, on the seed example's modules; their whole output is compared.
/// </summary>
public sealed class SampleTests
{
    private static string? Seed(string name) =>
        TestPaths.Shared is { } shared && File.Exists(Path.Combine(shared, "seed-example", name)) ? Path.Combine(shared, "seed-example", name) : null;

    private static (int Code, string Out, string Err) RunSample(string sample, params string[] args)
    {
        // The samples are project references: their assemblies are built beside the tests.
        var dll = Path.Combine(AppContext.BaseDirectory, sample + ".dll");
        Assert.True(File.Exists(dll), dll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Replace("\r\n", "\n"), stderr.Result.Replace("\r\n", "\n"));
    }

    [SkippableFact]
    public void HostSumPrintsTheGuestLineAndTheTypedResult()
    {
        var sum = Seed("sum.wasm");
        Skip.If(sum == null, "../shared/seed-example/sum.wasm is absent");
        var (code, stdout, stderr) = RunSample("HostSum", sum!);
        Assert.Equal("", stderr);
        Assert.Equal("From WASM: Sum is: 9\nsum(5, 4) = 9\n", stdout);
        Assert.Equal(0, code);
    }

    [SkippableFact]
    public void HostCallsPrintsWhatTheSeedReadmeLists()
    {
        var wasm = Seed("host_calls.wasm");
        Skip.If(wasm == null, "../shared/seed-example/host_calls.wasm is absent");
        var (code, stdout, stderr) = RunSample("HostCalls", wasm!);
        Assert.Equal("", stderr);
        Assert.Equal(
            "host.log receives:       shouted 9 bytes\n" +
            "shout returns:           1009\n" +
            "buffer afterwards reads: HELLO, WASM!\n" +
            "divide(7, 2) returns:    3\n" +
            "divide(1, 0):            trap: unreachable\n", stdout);
        Assert.Equal(0, code);
    }

    [SkippableFact]
    public void HostCallsWorksWithTheDebugBuildToo()
    {
        var wasm = Seed("host_calls-debug.wasm");
        Skip.If(wasm == null, "../shared/seed-example/host_calls-debug.wasm is absent");
        var (code, stdout, _) = RunSample("HostCalls", wasm!);
        Assert.Contains("shout returns:           1009\n", stdout);
        Assert.Contains("divide(1, 0):            trap: ", stdout);
        Assert.Equal(0, code);
    }
}
