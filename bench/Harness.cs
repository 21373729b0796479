using System.Globalization;
using System.Text;
using WasmKiln.Bench.Corpus;
using WasmKiln.Bench.Runners;

namespace WasmKiln.Bench;

/// <summary>Options of a corpus run (see <see cref="Harness.Usage"/>).</summary>
internal sealed class HarnessOptions
{
    public BenchSize Size { get; set; } = BenchSize.Default;
    public int Reps { get; set; } = 3;
    public bool All { get; set; }
    public List<string> Filters { get; } = new();
    public List<string> Engines { get; } = new();
    public bool Warmup { get; set; } = true;

    /// <summary>Folder of the native binaries (--native-dir); null: $WASMKILN_NATIVE_BIN, else bench/native-bin.</summary>
    public string? NativeDir { get; set; }
}

/// <summary>
/// Runs the corpus on every selected engine, interleaved run by run (A B C A B C ...), checks each
/// run's stdout against the README's expected line and prints a markdown table of the median times.
/// </summary>
internal static class Harness
{
    /// <summary>The engines run when --engine is not given, in table order; the last one is the reference.</summary>
    public static readonly string[] EngineNames = ["kiln", "kiln-interp", "wasmtime"];

    /// <summary>
    /// Engines run only when --engine names them: <c>native</c> needs binaries built by
    /// bench/build-native.sh. They come after <see cref="EngineNames"/> in the table.
    /// </summary>
    public static readonly string[] OptInEngineNames = ["native"];

    /// <summary>The native build, the baseline of the "X / native" columns.</summary>
    public const string Native = "native";

    public const string Reference = "wasmtime";

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- [options]
          --all                 every program of the corpus (default size, 3 repetitions)
          --smoke               every program once with the smoke argument (correctness only)
          --filter NAME[,NAME]  only these programs (exact names; repeatable)
          --engine E[,E]        engines: kiln (WasmKiln compiler), kiln-interp (WasmKiln interpreter), wasmtime,
                                native (clang -O2 build of the C sources, whole process; only when named here)
          --native-dir DIR      the native binaries (default $WASMKILN_NATIVE_BIN, else bench/native-bin;
                                build them with bench/build-native.sh [DIR])
          --reps N              repetitions per engine and program (default 3)
          --size S              default | smoke | interp (the README's work counts)
          --no-warmup           skip the untimed empty.wasm run per engine before measuring
          --startup-runner [--engine wasmtime|kiln] FILE [ARGS...]
                                run one WASI command, stdio inherited (start-up timing; default Wasmtime)
          micro [BenchmarkDotNet args]      micro-benchmarks
        corpus: $WASMKILN_BENCH, else ../shared/bench beside the repository
        """;

    /// <summary>Parses harness arguments; returns null (after printing why) when they are wrong.</summary>
    public static HarnessOptions? Parse(string[] args, TextWriter err)
    {
        var o = new HarnessOptions();
        bool smoke = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Next()
            {
                if (i + 1 < args.Length) return args[++i];
                err.WriteLine(a + " needs a value");
                return null;
            }
            switch (a)
            {
                case "--all": o.All = true; break;
                case "--smoke": smoke = true; break;
                case "--no-warmup": o.Warmup = false; break;
                case "--filter":
                    if (Next() is not { } f) return null;
                    o.Filters.AddRange(f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--engine":
                    if (Next() is not { } e) return null;
                    foreach (var name in e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (TableOrder(name) < 0) { err.WriteLine("unknown engine " + name); return null; }
                        if (!o.Engines.Contains(name)) o.Engines.Add(name);
                    }
                    break;
                case "--native-dir":
                    if (Next() is not { } nd) return null;
                    o.NativeDir = nd;
                    break;
                case "--reps":
                    if (Next() is not { } r) return null;
                    if (!int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out int reps) || reps < 1)
                    { err.WriteLine("--reps needs a positive integer"); return null; }
                    o.Reps = reps;
                    break;
                case "--size":
                    if (Next() is not { } s) return null;
                    switch (s)
                    {
                        case "default": o.Size = BenchSize.Default; break;
                        case "smoke": o.Size = BenchSize.Smoke; break;
                        case "interp": o.Size = BenchSize.Interp; break;
                        default: err.WriteLine("unknown size " + s); return null;
                    }
                    break;
                default:
                    err.WriteLine("unknown option " + a);
                    return null;
            }
        }
        if (smoke)
        {
            o.All = true;
            o.Size = BenchSize.Smoke;
            o.Reps = 1;
        }
        if (!o.All && o.Filters.Count == 0)
        {
            err.WriteLine("nothing selected: give --all, --smoke or --filter NAME");
            return null;
        }
        if (o.Engines.Count == 0) o.Engines.AddRange(EngineNames);
        else o.Engines.Sort((x, y) => TableOrder(x).CompareTo(TableOrder(y)));
        return o;
    }

    /// <summary>An engine's column position: <see cref="EngineNames"/> then <see cref="OptInEngineNames"/>; -1 when unknown.</summary>
    private static int TableOrder(string name)
    {
        int i = Array.IndexOf(EngineNames, name);
        if (i >= 0) return i;
        i = Array.IndexOf(OptInEngineNames, name);
        return i < 0 ? -1 : EngineNames.Length + i;
    }

    /// <summary>Creates the engine named <paramref name="name"/>; <paramref name="nativeDir"/> is --native-dir.</summary>
    public static IBenchEngine CreateEngine(string name, string? nativeDir = null) => name switch
    {
        "kiln" => new KilnEngine(KilnTier.Compiler),
        "kiln-interp" => new KilnEngine(KilnTier.Interpreter),
        "wasmtime" => new WasmtimeEngine(),
        Native => new NativeEngine(nativeDir),
        _ => throw new ArgumentException("unknown engine " + name, nameof(name)),
    };

    /// <summary>
    /// Runs the selected programs; writes progress to <paramref name="log"/> and the table to
    /// <paramref name="output"/>. Returns 0 when every run printed its expected output, else 1.
    /// </summary>
    public static int Run(HarnessOptions o, TextWriter output, TextWriter log)
    {
        var corpusDir = BenchCorpus.Locate();
        if (corpusDir == null)
        {
            log.WriteLine("bench corpus not found: set WASMKILN_BENCH or put it at ../shared/bench beside the repository");
            return 2;
        }
        var programs = BenchCorpus.Load(corpusDir);
        if (o.Filters.Count > 0)
        {
            foreach (var f in o.Filters)
                if (!programs.Exists(p => p.Name == f)) { log.WriteLine("no program named " + f + " in " + corpusDir); return 2; }
            programs = programs.FindAll(p => o.Filters.Contains(p.Name));
        }

        var engines = new List<IBenchEngine>();
        try
        {
            foreach (var name in o.Engines) engines.Add(CreateEngine(name, o.NativeDir));
            // native runs only when asked for by name: without its binaries, say how to build them and stop.
            if (engines.Find(e => e is NativeEngine) is NativeEngine native)
            {
                if (native.Unavailable != null)
                {
                    log.WriteLine("native: " + native.Unavailable);
                    return 2;
                }
                var (missing, stale) = native.Check(programs, corpusDir);
                if (missing.Count > 0)
                {
                    log.WriteLine("native: no binary for " + string.Join(", ", missing) + " in " + native.Directory + ": " + NativeEngine.BuildHint);
                    return 2;
                }
                if (stale.Count > 0)
                    log.WriteLine("native: warning: binaries older than their sources (rebuild with bench/build-native.sh): " + string.Join(", ", stale));
            }
            return RunAll(o, programs, engines, output, log);
        }
        finally
        {
            foreach (var e in engines) e.Dispose();
        }
    }

    private static int RunAll(HarnessOptions o, List<BenchProgram> programs, List<IBenchEngine> engines, TextWriter output, TextWriter log)
    {
        var active = engines.FindAll(e => e.Unavailable == null);
        foreach (var e in engines)
            if (e.Unavailable != null) log.WriteLine(e.Name + ": n/a (" + e.Unavailable + ")");

        var failures = new List<string>();
        if (o.Warmup)
        {
            var empty = programs.Find(p => p.Args(BenchSize.Smoke).Length == 0) is { } pe ? pe.WasmPath : null;
            if (empty != null)
                foreach (var e in active) e.Run(empty, "empty", []);
        }

        // results[program][engine] = list of runs
        var results = new Dictionary<string, Dictionary<string, List<RunResult>>>();
        foreach (var p in programs)
        {
            var args = p.Args(o.Size);
            p.Expected.TryGetValue(o.Size, out var expected);
            var perEngine = new Dictionary<string, List<RunResult>>();
            foreach (var e in active) perEngine[e.Name] = new List<RunResult>();
            results[p.Name] = perEngine;
            for (int rep = 0; rep < o.Reps; rep++)
            {
                foreach (var e in active)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    var r = e.Run(p.WasmPath, p.Name, args);
                    string? problem = Check(r, expected, perEngine);
                    if (problem != null)
                    {
                        r = r with { Error = problem };
                        failures.Add(p.Name + " on " + e.Name + " (rep " + (rep + 1) + "): " + problem);
                    }
                    perEngine[e.Name].Add(r);
                    log.WriteLine(e.WholeProcess
                        ? string.Create(CultureInfo.InvariantCulture,
                            $"{p.Name,-11} {e.Name,-12} rep {rep + 1}: whole process      run {r.RunMs,10:F1} ms  {(problem == null ? "ok" : "FAIL")}")
                        : string.Create(CultureInfo.InvariantCulture,
                            $"{p.Name,-11} {e.Name,-12} rep {rep + 1}: load {r.LoadMs,9:F1} ms  run {r.RunMs,10:F1} ms  {(problem == null ? "ok" : "FAIL")}"));
                }
            }
        }

        output.Write(Table(o, programs, engines, results));
        if (failures.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Failures:");
            foreach (var f in failures) output.WriteLine("- " + f);
        }
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Checks a run: normal exit and the expected output; where the README publishes no expected
    /// line for this size, the first successful run of another engine is the reference.
    /// </summary>
    private static string? Check(RunResult r, string? expected, Dictionary<string, List<RunResult>> soFar)
    {
        if (r.Error != null) return r.Error;
        if (r.ExitCode != 0) return "exit code " + r.ExitCode;
        string? reference = expected ?? FirstGoodStdout(soFar);
        if (reference != null && r.Stdout != reference)
            return "stdout " + Quote(r.Stdout) + ", expected " + Quote(reference);
        return null;
    }

    private static string? FirstGoodStdout(Dictionary<string, List<RunResult>> runs)
    {
        foreach (var list in runs.Values)
            foreach (var r in list)
                if (r.Error == null) return r.Stdout;
        return null;
    }

    private static string Quote(string s) => "\"" + s.Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    internal static double Median(List<double> xs)
    {
        var a = xs.ToArray();
        Array.Sort(a);
        int n = a.Length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    private static string Ms(double ms) => ms >= 100 ? ms.ToString("F0", CultureInfo.InvariantCulture)
        : ms >= 10 ? ms.ToString("F1", CultureInfo.InvariantCulture) : ms.ToString("F2", CultureInfo.InvariantCulture);

    private static string Ratio(double r) => r.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>
    /// Median load/run per program and engine (one wall column for a whole-process engine), ratios
    /// to the reference, ratios of each engine's load + run to the native wall time when native ran,
    /// geometric means.
    /// </summary>
    private static string Table(HarnessOptions o, List<BenchProgram> programs, List<IBenchEngine> engines,
        Dictionary<string, Dictionary<string, List<RunResult>>> results)
    {
        var sb = new StringBuilder();
        bool hasRef = engines.Exists(e => e.Name == Reference && e.Unavailable == null);
        var others = engines.FindAll(e => e.Name != Reference && !e.WholeProcess);
        var native = engines.Find(e => e.Name == Native && e.Unavailable == null) as NativeEngine;
        var vsNative = native == null ? [] : engines.FindAll(e => e.Name != Native);
        sb.Append(CultureInfo.InvariantCulture, $"size: {o.Size.ToString().ToLowerInvariant()}, {o.Reps} repetition(s) per engine, interleaved; median ms; load = compile + link + instantiate, run = _start\n");
        if (native != null)
            sb.Append("native: whole-process wall time (process start to exit, stdout piped; the harness's own process is not restarted for the others), ")
              .Append(native.BuildInfo).Append("; X / native = (X load + X run) / native wall\n");
        sb.Append('\n');
        sb.Append("| program |");
        foreach (var e in engines)
        {
            if (e.WholeProcess) sb.Append(' ').Append(e.Name).Append(" wall |");
            else sb.Append(' ').Append(e.Name).Append(" load | ").Append(e.Name).Append(" run |");
        }
        if (hasRef)
            foreach (var e in others) sb.Append(' ').Append(e.Name).Append("/wt load | ").Append(e.Name).Append("/wt run |");
        foreach (var e in vsNative) sb.Append(' ').Append(e.Name).Append(" / native |");
        sb.Append('\n').Append("| --- |");
        int cols = (hasRef ? others.Count * 2 : 0) + vsNative.Count;
        foreach (var e in engines) cols += e.WholeProcess ? 1 : 2;
        for (int i = 0; i < cols; i++) sb.Append(" ---: |");
        sb.Append('\n');

        // Log sums for geometric means over the programs that take an argument (empty is start-up only).
        var logTimes = new Dictionary<string, (double Load, double Run, int N)>();
        var logRatios = new Dictionary<string, (double Load, double Run, int N)>();
        var logNative = new Dictionary<string, (double Load, double Run, int N)>();
        foreach (var p in programs)
        {
            bool inMean = p.SmokeArg != null;
            sb.Append("| ").Append(p.Name).Append(" |");
            var med = new Dictionary<string, (double Load, double Run)?>();
            foreach (var e in engines)
            {
                string na = e.WholeProcess ? " n/a |" : " n/a | n/a |";
                if (e.Unavailable != null) { sb.Append(na); med[e.Name] = null; continue; }
                var runs = results[p.Name][e.Name];
                if (runs.Count == 0 || runs.Exists(r => r.Error != null))
                {
                    sb.Append(e.WholeProcess ? " FAIL |" : " FAIL | FAIL |");
                    med[e.Name] = null;
                    continue;
                }
                double load = Median(runs.ConvertAll(r => r.LoadMs)), run = Median(runs.ConvertAll(r => r.RunMs));
                med[e.Name] = (load, run);
                if (e.WholeProcess) sb.Append(' ').Append(Ms(run)).Append(" |");
                else sb.Append(' ').Append(Ms(load)).Append(" | ").Append(Ms(run)).Append(" |");
                if (inMean) Accumulate(logTimes, e.Name, e.WholeProcess ? 1 : load, run);
            }
            if (hasRef)
            {
                var refMed = med[Reference];
                foreach (var e in others)
                {
                    if (refMed is { } rm && med[e.Name] is { } em)
                    {
                        sb.Append(' ').Append(Ratio(em.Load / rm.Load)).Append(" | ").Append(Ratio(em.Run / rm.Run)).Append(" |");
                        if (inMean) Accumulate(logRatios, e.Name, em.Load / rm.Load, em.Run / rm.Run);
                    }
                    else sb.Append(" n/a | n/a |");
                }
            }
            if (native != null)
            {
                var nm = med[Native];
                foreach (var e in vsNative)
                {
                    if (nm is { } n && med[e.Name] is { } em)
                    {
                        double ratio = (em.Load + em.Run) / n.Run;
                        sb.Append(' ').Append(Ratio(ratio)).Append(" |");
                        if (inMean) Accumulate(logNative, e.Name, 1, ratio);
                    }
                    else sb.Append(" n/a |");
                }
            }
            sb.Append('\n');
        }

        sb.Append("| **geomean** |");
        foreach (var e in engines)
        {
            if (logTimes.TryGetValue(e.Name, out var t) && t.N > 0)
            {
                if (e.WholeProcess) sb.Append(' ').Append(Ms(Math.Exp(t.Run / t.N))).Append(" |");
                else sb.Append(' ').Append(Ms(Math.Exp(t.Load / t.N))).Append(" | ").Append(Ms(Math.Exp(t.Run / t.N))).Append(" |");
            }
            else sb.Append(e.WholeProcess ? " n/a |" : " n/a | n/a |");
        }
        if (hasRef)
            foreach (var e in others)
            {
                if (logRatios.TryGetValue(e.Name, out var t) && t.N > 0)
                    sb.Append(" **").Append(Ratio(Math.Exp(t.Load / t.N))).Append("** | **").Append(Ratio(Math.Exp(t.Run / t.N))).Append("** |");
                else sb.Append(" n/a | n/a |");
            }
        foreach (var e in vsNative)
        {
            if (logNative.TryGetValue(e.Name, out var t) && t.N > 0)
                sb.Append(" **").Append(Ratio(Math.Exp(t.Run / t.N))).Append("** |");
            else sb.Append(" n/a |");
        }
        sb.Append('\n');
        sb.Append("\n(geomean over the programs that take a work count, i.e. without `empty`; a geomean over fewer programs than the table when some failed or are n/a is computed over the ones that ran.)\n");
        return sb.ToString();
    }

    private static void Accumulate(Dictionary<string, (double Load, double Run, int N)> d, string key, double load, double run)
    {
        d.TryGetValue(key, out var t);
        d[key] = (t.Load + Math.Log(load), t.Run + Math.Log(run), t.N + 1);
    }
}
