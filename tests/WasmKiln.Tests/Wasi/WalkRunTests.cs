using WasmKiln.Wasi;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.Wasi;

/// <summary>
/// Runs the committed Rust std WASI walk program (Wasi/Programs) directly on
/// <see cref="WasiContext"/> with the inputs its README gives, and compares stdout and the exit
/// code with the expected file. (The C program's expected file asks futimens with UTIME_OMIT in
/// tv_sec to succeed, which wasi-libc itself rejects with EINVAL before any WASI call, so it is
/// left to the program tests.)
/// </summary>
public class WalkRunTests(ITestOutputHelper output)
{
    private static string ProgramsDir => Path.Combine(TestPaths.RepoRoot, "tests", "WasmKiln.Tests", "Wasi", "Programs");

    [Theory]
    [InlineData("wasi_walk_rs", 3, new[] { "wasi_walk_rs", "/sandbox", "3", "α β" })]
    public void WalkProgramMatchesExpectedOutput(string name, int expectedCode, string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("wasi-walk-");
        try
        {
            using var stdin = File.OpenRead(Path.Combine(ProgramsDir, "stdin.txt"));
            var config = new WasiConfiguration()
                .WithArgs(args)
                .WithEnvironmentVariable("WALK_MODE", "test")
                .WithEnvironmentVariable("HOME", "/nowhere")
                .WithEnvironmentVariable("A_FIRST", "1")
                .WithPreopenedDirectory(dir.FullName, "/sandbox")
                .WithStandardInput(stdin);
            using var host = new WasiHost(File.ReadAllBytes(Path.Combine(ProgramsDir, name + ".wasm")), config);
            int code = host.Run();
            var expected = File.ReadAllText(Path.Combine(ProgramsDir, name + ".expected"));
            output.WriteLine(host.StdoutText);
            output.WriteLine("stderr: " + host.StderrText);
            Assert.Equal(expected, host.StdoutText);
            Assert.Equal(expectedCode, code);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
