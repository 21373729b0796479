namespace WasmKiln.Tests;

/// <summary>Locates the repository and the shared data beside it (spec suite, seed example, bench).</summary>
internal static class TestPaths
{
    /// <summary>The repository root: the first folder upwards holding WasmKiln.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The spec test suite: $WASMKILN_TESTSUITE, else ../shared/wasm-testsuite beside the repo; null when absent.</summary>
    public static string? TestSuite { get; } = FindTestSuite();

    /// <summary>The shared folder beside the repository (../shared), or null when absent.</summary>
    public static string? Shared { get; } = Existing(Path.Combine(RepoRoot, "..", "shared"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "WasmKiln.sln"))) return dir.FullName;
        throw new InvalidOperationException("WasmKiln.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? FindTestSuite()
    {
        var env = Environment.GetEnvironmentVariable("WASMKILN_TESTSUITE");
        if (!string.IsNullOrEmpty(env)) return Existing(env);
        return Existing(Path.Combine(RepoRoot, "..", "shared", "wasm-testsuite"));
    }

    private static string? Existing(string path) => Directory.Exists(path) ? Path.GetFullPath(path) : null;
}
