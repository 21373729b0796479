using System.Diagnostics;
using WasmKiln.Bench.Corpus;

namespace WasmKiln.Bench.Runners;

/// <summary>
/// The corpus built natively by <c>bench/build-native.sh</c> (<c>clang -O2</c>), run as a child
/// process with the same arguments as the wasm; timed as a whole process (start to exit, stdout
/// piped to the harness), reported as <see cref="RunResult.RunMs"/> with a zero load time.
/// </summary>
internal sealed class NativeEngine : IBenchEngine
{
    /// <summary>Where <c>bench/build-native.sh</c> puts the binaries by default, relative to the repository root.</summary>
    public const string DefaultDir = "bench/native-bin";

    /// <summary>The hint printed when binaries are missing.</summary>
    public const string BuildHint = "build them with bench/build-native.sh [DIR] (clang -O2; apt-get install -y clang), "
        + "or point --native-dir / $WASMKILN_NATIVE_BIN at a folder holding them";

    private readonly string? _dir;

    /// <param name="dir">The binaries' folder; null to use $WASMKILN_NATIVE_BIN, else <see cref="DefaultDir"/> of the repository.</param>
    public NativeEngine(string? dir)
    {
        _dir = Locate(dir);
        if (_dir == null)
        {
            Unavailable = "no native binaries (looked in " + (dir ?? Environment.GetEnvironmentVariable("WASMKILN_NATIVE_BIN") ?? DefaultDir) + "): " + BuildHint;
            return;
        }
        var info = Path.Combine(_dir, "BUILD-INFO");
        BuildInfo = File.Exists(info) ? File.ReadAllText(info).Trim() : "unknown compiler (no BUILD-INFO)";
    }

    public string Name => "native";

    public string? Unavailable { get; }

    public bool WholeProcess => true;

    /// <summary>The binaries' folder (null when <see cref="Unavailable"/>).</summary>
    public string? Directory => _dir;

    /// <summary>Compiler and flags, from the BUILD-INFO file that build-native.sh writes.</summary>
    public string? BuildInfo { get; }

    /// <summary>The binary of <paramref name="programName"/> (it may not exist).</summary>
    public string BinaryPath(string programName) =>
        Path.Combine(_dir ?? throw new InvalidOperationException("native: " + Unavailable), programName);

    /// <summary>
    /// The programs of <paramref name="programs"/> that have no binary, and (as warnings) those whose
    /// binary is older than the source in <paramref name="corpusDir"/>/src.
    /// </summary>
    public (List<string> Missing, List<string> Stale) Check(List<BenchProgram> programs, string corpusDir)
    {
        var missing = new List<string>();
        var stale = new List<string>();
        foreach (var p in programs)
        {
            var bin = BinaryPath(p.Name);
            if (!File.Exists(bin)) { missing.Add(p.Name); continue; }
            var src = Path.Combine(corpusDir, "src", p.Name + ".c");
            if (File.Exists(src) && File.GetLastWriteTimeUtc(src) > File.GetLastWriteTimeUtc(bin)) stale.Add(p.Name);
        }
        return (missing, stale);
    }

    public RunResult Run(string wasmPath, string programName, string[] args)
    {
        var psi = new ProcessStartInfo(BinaryPath(programName))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("process did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new RunResult(0, sw.Elapsed.TotalMilliseconds, -1, "", "cannot start " + psi.FileName + ": " + e.Message);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            double wallMs = sw.Elapsed.TotalMilliseconds;
            int exit = process.ExitCode;
            string output = stdout.GetAwaiter().GetResult();
            string error = stderr.GetAwaiter().GetResult();
            return new RunResult(0, wallMs, exit, output, exit == 0 ? null : "exit " + exit + ": " + error);
        }
    }

    /// <summary>The folder to use, or null when it does not exist.</summary>
    private static string? Locate(string? dir)
    {
        dir ??= Environment.GetEnvironmentVariable("WASMKILN_NATIVE_BIN");
        if (!string.IsNullOrEmpty(dir)) return System.IO.Directory.Exists(dir) ? Path.GetFullPath(dir) : null;
        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "WasmKiln.sln"))) continue;
                var candidate = Path.Combine(d.FullName, DefaultDir);
                if (System.IO.Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    public void Dispose() { }
}
