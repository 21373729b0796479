namespace WasmKiln;

/// <summary>
/// What a WASI (wasi_snapshot_preview1) guest sees of its host: command-line arguments,
/// environment variables, preopened directories and standard streams. Each store that runs a
/// WASI module gets its own state (file descriptors, positions) built from this configuration.
/// </summary>
/// <remarks>
/// The methods are fluent: each changes this configuration and returns it. By default a guest
/// has no arguments, no environment, no directories, an empty standard input, and standard
/// output and error that are discarded; <see cref="InheritStandardStreams"/> connects the
/// process console instead, the <c>WithStandard...</c> methods connect .NET streams. Streams
/// given here are flushed after every write and are never closed by WasmKiln.
/// </remarks>
public sealed class WasiConfiguration
{
    private readonly List<string> _args = [];
    private readonly List<KeyValuePair<string, string>> _env = [];
    private readonly List<WasiPreopenedDirectory> _preopens = [];

    /// <summary>The arguments (the first one is conventionally the program name).</summary>
    public IReadOnlyList<string> Args => _args;

    /// <summary>The environment variables, in the order the guest sees them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables => _env;

    /// <summary>The preopened directories, in file-descriptor order starting at 3.</summary>
    public IReadOnlyList<WasiPreopenedDirectory> PreopenedDirectories => _preopens;

    /// <summary>The guest's standard input, or null for an empty one (or the console when inherited).</summary>
    public Stream? StandardInput { get; private set; }

    /// <summary>The guest's standard output, or null when discarded (or the console when inherited).</summary>
    public Stream? StandardOutput { get; private set; }

    /// <summary>The guest's standard error, or null when discarded (or the console when inherited).</summary>
    public Stream? StandardError { get; private set; }

    /// <summary>Whether standard input is the process's console input.</summary>
    public bool InheritsStandardInput { get; private set; }

    /// <summary>Whether standard output is the process's console output.</summary>
    public bool InheritsStandardOutput { get; private set; }

    /// <summary>Whether standard error is the process's console error.</summary>
    public bool InheritsStandardError { get; private set; }

    /// <summary>Appends one argument.</summary>
    public WasiConfiguration WithArg(string arg)
    {
        ArgumentNullException.ThrowIfNull(arg);
        _args.Add(arg);
        return this;
    }

    /// <summary>Appends arguments.</summary>
    public WasiConfiguration WithArgs(params IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        foreach (var a in args) WithArg(a);
        return this;
    }

    /// <summary>Appends the arguments of this process (<see cref="Environment.GetCommandLineArgs"/>).</summary>
    public WasiConfiguration InheritArgs() => WithArgs(Environment.GetCommandLineArgs());

    /// <summary>Adds an environment variable (the name must not contain '=').</summary>
    public WasiConfiguration WithEnvironmentVariable(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Contains('=')) throw new ArgumentException("an environment variable name cannot contain '='", nameof(name));
        _env.Add(new KeyValuePair<string, string>(name, value));
        return this;
    }

    /// <summary>Adds environment variables.</summary>
    public WasiConfiguration WithEnvironmentVariables(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (var v in variables) WithEnvironmentVariable(v.Key, v.Value);
        return this;
    }

    /// <summary>Adds the environment variables of this process.</summary>
    public WasiConfiguration InheritEnvironment()
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var name = (string)e.Key;
            if (name.Length > 0 && !name.Contains('=')) _env.Add(new KeyValuePair<string, string>(name, (string?)e.Value ?? ""));
        }
        return this;
    }

    /// <summary>
    /// Gives the guest the host directory <paramref name="hostPath"/> under the name
    /// <paramref name="guestPath"/> (for example "/" or "/data" or "."). The guest can reach
    /// nothing outside it: ".." may not leave it, absolute paths are refused and symbolic links
    /// are followed only when their target stays inside. When <paramref name="readOnly"/> is
    /// true the guest cannot create, change or remove anything in it.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The host directory does not exist.</exception>
    public WasiConfiguration WithPreopenedDirectory(string hostPath, string guestPath, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostPath);
        ArgumentException.ThrowIfNullOrEmpty(guestPath);
        var full = Path.GetFullPath(hostPath);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException("preopened directory not found: " + full);
        _preopens.Add(new WasiPreopenedDirectory(full, guestPath, readOnly));
        return this;
    }

    /// <summary>Reads the guest's standard input from <paramref name="stream"/>.</summary>
    public WasiConfiguration WithStandardInput(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        StandardInput = stream;
        InheritsStandardInput = false;
        return this;
    }

    /// <summary>Writes the guest's standard output to <paramref name="stream"/>.</summary>
    public WasiConfiguration WithStandardOutput(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        StandardOutput = stream;
        InheritsStandardOutput = false;
        return this;
    }

    /// <summary>Writes the guest's standard error to <paramref name="stream"/>.</summary>
    public WasiConfiguration WithStandardError(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        StandardError = stream;
        InheritsStandardError = false;
        return this;
    }

    /// <summary>Connects the guest's standard input to this process's console input.</summary>
    public WasiConfiguration InheritStandardInput()
    {
        StandardInput = null;
        InheritsStandardInput = true;
        return this;
    }

    /// <summary>Connects the guest's standard output to this process's console output.</summary>
    public WasiConfiguration InheritStandardOutput()
    {
        StandardOutput = null;
        InheritsStandardOutput = true;
        return this;
    }

    /// <summary>Connects the guest's standard error to this process's console error.</summary>
    public WasiConfiguration InheritStandardError()
    {
        StandardError = null;
        InheritsStandardError = true;
        return this;
    }

    /// <summary>Connects all three standard streams to this process's console.</summary>
    public WasiConfiguration InheritStandardStreams() => InheritStandardInput().InheritStandardOutput().InheritStandardError();
}

/// <summary>A host directory given to a WASI guest (see <see cref="WasiConfiguration.WithPreopenedDirectory"/>).</summary>
/// <param name="HostPath">The full host path.</param>
/// <param name="GuestPath">The name the guest sees.</param>
/// <param name="ReadOnly">Whether the guest may only read.</param>
public sealed record WasiPreopenedDirectory(string HostPath, string GuestPath, bool ReadOnly);
