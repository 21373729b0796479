using System.Globalization;

namespace WasmKiln.Cli;

/// <summary>A preopened directory of <c>wasmkiln run --dir HOST[::GUEST]</c>.</summary>
/// <param name="HostPath">The directory on the host.</param>
/// <param name="GuestPath">The name the guest sees it by (the host path when no <c>::GUEST</c> was given).</param>
internal readonly record struct DirMapping(string HostPath, string GuestPath);

/// <summary>An environment variable of <c>--env NAME=VALUE</c>; a null value means "inherit from the host" (<c>--env NAME</c>).</summary>
internal readonly record struct EnvVar(string Name, string? Value);

/// <summary>
/// The parsed command line of <c>wasmkiln run</c>. The shape follows <c>wasmtime run</c>: options
/// come first, the first token that is not an option is the module file, and every token after
/// it is passed to the guest unchanged (even when it looks like an option). <c>--</c> ends the
/// options explicitly. Options take their value as the next token or after <c>=</c>.
/// </summary>
internal sealed class RunOptions
{
    /// <summary>The usage text of <c>wasmkiln run --help</c>.</summary>
    public const string Help = """
        Usage: wasmkiln run [OPTIONS] FILE [ARGS...]

        Run a WebAssembly module (.wasm binary or .wat text). Without --invoke the module is run
        as a WASI command: its `_start` export is called with argv = [FILE name, ARGS...]. With
        --invoke NAME the export NAME is called with ARGS parsed by its parameter types (i32/i64
        decimal or 0x hex, f32/f64 decimal, hex float, nan, inf) and its results are printed one
        per line. A module that imports wasi_snapshot_preview1 gets WASI with the console's
        standard streams. Every token after FILE goes to the guest unchanged.

        Options:
          --dir HOST[::GUEST]      Preopen the host directory HOST as GUEST (default: HOST). Repeatable.
          --env NAME[=VALUE]       Set a guest environment variable; NAME alone inherits the host's value. Repeatable.
          --invoke NAME            Call the export NAME instead of the WASI command entry `_start`.
          --fuel N                 Run with N units of fuel (about one per instruction); running out traps.
          --max-memory BYTES       Limit every linear memory to BYTES (suffixes K, M, G = KiB, MiB, GiB).
          --timeout DURATION       Interrupt the guest after DURATION (seconds, or with a unit: 500ms, 2s, 1m, 1h).
          --engine NAME            Execution engine: auto (default), compiler or interpreter.
          -W fuel=N,timeout=D,max-memory-size=BYTES
                                   The same limits in wasmtime's -W form.
          -h, --help               Show this help.
          --                       End of options: the next token is FILE.

        Exit codes: the guest's proc_exit code (0 when `_start` or the invoked export returns);
        134 when the guest traps (wasmtime's convention, 128 + SIGABRT; 3 on Windows), and running
        out of fuel or time is a trap; 1 when the module cannot be read, validated or linked; 2 for
        a usage error (including --invoke arguments that do not fit the export's parameters).
        Errors go to stderr as `error: ...`; a trap prints `error: trap: MESSAGE`, then
        `wasm backtrace:` and one line per WebAssembly frame, innermost first: `N: func[INDEX] NAME`.
        """;

    /// <summary>Preopened directories, in command-line order.</summary>
    public List<DirMapping> Dirs { get; } = [];

    /// <summary>Guest environment variables, in command-line order.</summary>
    public List<EnvVar> Env { get; } = [];

    /// <summary>The export to call, or null to run the WASI command entry <c>_start</c>.</summary>
    public string? Invoke { get; private set; }

    /// <summary>The fuel to run with, or null for no fuel metering.</summary>
    public ulong? Fuel { get; private set; }

    /// <summary>The limit on each memory's size in bytes, or null for the engine's default.</summary>
    public ulong? MaxMemoryBytes { get; private set; }

    /// <summary>How long the guest may run before it is interrupted, or null for no limit.</summary>
    public TimeSpan? Timeout { get; private set; }

    /// <summary>The engine name: <c>auto</c>, <c>compiler</c> or <c>interpreter</c>.</summary>
    public string Engine { get; private set; } = "auto";

    /// <summary>True when <c>--help</c> was given (nothing else is required then).</summary>
    public bool ShowHelp { get; private set; }

    /// <summary>The module file.</summary>
    public string File { get; private set; } = "";

    /// <summary>The tokens after the module file: guest argv[1..] or the invoked function's arguments.</summary>
    public List<string> Args { get; } = [];

    /// <summary>The known engine names.</summary>
    public static readonly string[] EngineNames = ["auto", "compiler", "interpreter"];

    /// <summary>Parses the tokens after <c>run</c>. Returns null and sets <paramref name="error"/> on a usage error.</summary>
    public static RunOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var o = new RunOptions();
        error = o.ParseInto(args);
        return error == null ? o : null;
    }

    private string? ParseInto(IReadOnlyList<string> args)
    {
        int i = 0;
        bool haveFile = false;
        while (i < args.Count)
        {
            string token = args[i++];
            if (token == "--")
            {
                if (i >= args.Count) return "missing FILE after '--'";
                File = args[i++];
                haveFile = true;
                break;
            }
            if (token.Length < 2 || token[0] != '-')
            {
                File = token;
                haveFile = true;
                break;
            }
            if (token is "-h" or "--help" or "-?")
            {
                ShowHelp = true;
                return null;
            }

            // --name=value or --name value (-W also accepts -Wvalue).
            string name = token;
            string? inline = null;
            int eq = token.IndexOf('=');
            if (token.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = token[..eq];
                inline = token[(eq + 1)..];
            }
            else if (token.StartsWith("-W", StringComparison.Ordinal) && token.Length > 2)
            {
                name = "-W";
                inline = token[2..];
            }
            if (!IsKnownOption(name)) return $"unknown option '{name}' for 'run' (see 'wasmkiln run --help')";
            string value;
            if (inline != null) value = inline;
            else if (i < args.Count) value = args[i++];
            else return $"option '{name}' needs a value";

            string? err = Apply(name, value);
            if (err != null) return err;
        }
        if (ShowHelp) return null;
        if (!haveFile) return "missing FILE: the module to run (see 'wasmkiln run --help')";
        if (File.Length == 0) return "FILE is empty";
        for (; i < args.Count; i++) Args.Add(args[i]);
        return null;
    }

    private static bool IsKnownOption(string name) => name is "--dir" or "--env" or "--invoke" or "--fuel"
        or "--max-memory" or "--timeout" or "--wasm-timeout" or "--engine" or "-W";

    private string? Apply(string name, string value)
    {
        switch (name)
        {
            case "--dir":
            {
                int sep = value.IndexOf("::", StringComparison.Ordinal);
                string host = sep < 0 ? value : value[..sep];
                string guest = sep < 0 ? value : value[(sep + 2)..];
                if (host.Length == 0 || guest.Length == 0) return $"--dir '{value}': expected HOST or HOST::GUEST";
                Dirs.Add(new DirMapping(host, guest));
                return null;
            }
            case "--env":
            {
                int sep = value.IndexOf('=');
                string key = sep < 0 ? value : value[..sep];
                if (key.Length == 0) return $"--env '{value}': expected NAME=VALUE or NAME";
                Env.Add(new EnvVar(key, sep < 0 ? null : value[(sep + 1)..]));
                return null;
            }
            case "--invoke":
                if (value.Length == 0) return "--invoke needs a function name";
                Invoke = value;
                return null;
            case "--engine":
                if (Array.IndexOf(EngineNames, value) < 0) return $"unknown engine '{value}' (available: {string.Join(", ", EngineNames)})";
                Engine = value;
                return null;
            case "--fuel":
                return SetFuel(value, name);
            case "--max-memory":
                return SetMaxMemory(value, name);
            case "--timeout" or "--wasm-timeout":
                return SetTimeout(value, name);
            default: // -W key=value[,key=value...]
                foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    int sep = part.IndexOf('=');
                    string key = sep < 0 ? part : part[..sep];
                    string? v = sep < 0 ? null : part[(sep + 1)..];
                    if (v == null) return $"-W {key}: expected {key}=VALUE";
                    string? err = key switch
                    {
                        "fuel" => SetFuel(v, "-W fuel"),
                        "timeout" => SetTimeout(v, "-W timeout"),
                        "max-memory-size" => SetMaxMemory(v, "-W max-memory-size"),
                        _ => $"-W {key}: unsupported (supported: fuel, timeout, max-memory-size)",
                    };
                    if (err != null) return err;
                }
                return null;
        }
    }

    private string? SetFuel(string value, string name)
    {
        if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var fuel))
            return $"{name} '{value}': expected a non-negative integer";
        Fuel = fuel;
        return null;
    }

    private string? SetMaxMemory(string value, string name)
    {
        if (!TryParseSize(value, out var bytes)) return $"{name} '{value}': expected a size in bytes (optionally with K, M or G)";
        MaxMemoryBytes = bytes;
        return null;
    }

    private string? SetTimeout(string value, string name)
    {
        if (!TryParseDuration(value, out var t)) return $"{name} '{value}': expected a duration such as 10, 500ms, 2s, 1m";
        Timeout = t;
        return null;
    }

    /// <summary>A byte count: digits with an optional K/KB/KiB, M/MB/MiB or G/GB/GiB suffix (all powers of 1024).</summary>
    internal static bool TryParseSize(string s, out ulong bytes)
    {
        bytes = 0;
        int end = 0;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        if (end == 0 || !ulong.TryParse(s.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        int shift = s[end..].ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            _ => -1,
        };
        if (shift < 0 || (shift > 0 && n > ulong.MaxValue >> shift)) return false;
        bytes = n << shift;
        return true;
    }

    /// <summary>A duration: a number of seconds, or a number with a unit ns, us, ms, s, m (or min) or h.</summary>
    internal static bool TryParseDuration(string s, out TimeSpan duration)
    {
        duration = default;
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (end == 0 || !double.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
        double seconds = s[end..] switch
        {
            "" or "s" or "sec" => n,
            "ms" => n / 1e3,
            "us" => n / 1e6,
            "ns" => n / 1e9,
            "m" or "min" => n * 60,
            "h" => n * 3600,
            _ => -1,
        };
        if (seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2) return false;
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
