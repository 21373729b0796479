using System.Text.RegularExpressions;

namespace WasmKiln.Bench.Corpus;

/// <summary>Which work count a program runs with (a column of the corpus README's table).</summary>
internal enum BenchSize
{
    /// <summary>No argument: the program's default work count (about 1 s natively).</summary>
    Default,
    /// <summary>The quick correctness count.</summary>
    Smoke,
    /// <summary>The count meant for slow interpreters (no published checksum).</summary>
    Interp,
}

/// <summary>One corpus program: its module, its arguments per size and its expected stdout per size.</summary>
internal sealed class BenchProgram(string name, string wasmPath, string? defaultArg, string? smokeArg, string? interpArg)
{
    public string Name { get; } = name;
    public string WasmPath { get; } = wasmPath;
    public string? DefaultArg { get; } = defaultArg;
    public string? SmokeArg { get; } = smokeArg;
    public string? InterpArg { get; } = interpArg;

    /// <summary>Expected stdout per size; absent when the README publishes none for that size.</summary>
    public Dictionary<BenchSize, string> Expected { get; } = new();

    /// <summary>
    /// The guest's argv after argv[0]. The default size passes no argument (the README's default
    /// checksums are for "no argument").
    /// </summary>
    public string[] Args(BenchSize size)
    {
        string? a = size switch
        {
            BenchSize.Smoke => SmokeArg,
            BenchSize.Interp => InterpArg,
            _ => null,
        };
        return a == null ? [] : [a];
    }
}

/// <summary>
/// Reads the bench corpus (../shared/bench beside the repository, or $WASMKILN_BENCH): the
/// programs in wasm/, their arguments from README.md's table and the expected one-line outputs from
/// README.md's "Expected output" section.
/// </summary>
internal static class BenchCorpus
{
    /// <summary>Finds the corpus folder (the one holding README.md and wasm/), or null.</summary>
    public static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("WASMKILN_BENCH");
        if (!string.IsNullOrEmpty(env)) return IsCorpus(env) ? Path.GetFullPath(env) : null;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "WasmKiln.sln"))) continue;
                var candidate = Path.Combine(dir.FullName, "..", "shared", "bench");
                if (IsCorpus(candidate)) return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    private static bool IsCorpus(string dir) =>
        File.Exists(Path.Combine(dir, "README.md")) && Directory.Exists(Path.Combine(dir, "wasm"));

    // | `sha256` | what | rounds 300 / 3 / 10 | 1.04 s |      and      | `empty` | what | none | 1 ms |
    private static readonly Regex TableRow = new(
        @"^\|\s*`(?<name>[A-Za-z0-9_]+)`\s*\|[^|]*\|\s*(?:(?<none>none)|[^|/]*?(?<def>\d+)\s*/\s*(?<smoke>\d+)\s*/\s*(?<interp>\d+))\s*\|",
        RegexOptions.CultureInvariant);

    private static readonly Regex PrintsNothing = new(@"`(?<name>[A-Za-z0-9_]+)` prints nothing and exits 0", RegexOptions.CultureInvariant);

    /// <summary>Loads every program of <c>wasm/</c> that the README describes, in README order.</summary>
    public static List<BenchProgram> Load(string corpusDir)
    {
        var lines = File.ReadAllLines(Path.Combine(corpusDir, "README.md"));
        var programs = new List<BenchProgram>();
        var byName = new Dictionary<string, BenchProgram>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var m = TableRow.Match(line);
            if (!m.Success) continue;
            var name = m.Groups["name"].Value;
            var wasm = Path.Combine(corpusDir, "wasm", name + ".wasm");
            if (!File.Exists(wasm) || byName.ContainsKey(name)) continue;
            var p = m.Groups["none"].Success
                ? new BenchProgram(name, wasm, null, null, null)
                : new BenchProgram(name, wasm, m.Groups["def"].Value, m.Groups["smoke"].Value, m.Groups["interp"].Value);
            programs.Add(p);
            byName[name] = p;
        }
        if (programs.Count == 0)
            throw new InvalidDataException("no program rows found in " + Path.Combine(corpusDir, "README.md"));

        ReadExpectedBlock(lines, "Default (no argument)", BenchSize.Default, byName);
        ReadExpectedBlock(lines, "Smoke (", BenchSize.Smoke, byName);

        // Programs without arguments that the README says print nothing: the same empty output at every size.
        foreach (var line in lines)
            foreach (Match m in PrintsNothing.Matches(line))
                if (byName.TryGetValue(m.Groups["name"].Value, out var p) && p.SmokeArg == null)
                    foreach (var size in Enum.GetValues<BenchSize>()) p.Expected[size] = "";
        return programs;
    }

    /// <summary>
    /// Reads the first fenced block after the line starting with <paramref name="header"/>: each
    /// line starts with its program's name.
    /// </summary>
    private static void ReadExpectedBlock(string[] lines, string header, BenchSize size, Dictionary<string, BenchProgram> byName)
    {
        int i = Array.FindIndex(lines, l => l.StartsWith(header, StringComparison.Ordinal));
        if (i < 0) throw new InvalidDataException("README has no \"" + header + "\" block");
        while (++i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal)) { }
        for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
        {
            var line = lines[i];
            int sp = line.IndexOf(' ');
            if (sp <= 0) continue;
            if (byName.TryGetValue(line[..sp], out var p)) p.Expected[size] = line + "\n";
        }
    }
}
