namespace WasmKiln.Script;

/// <summary>A command that failed: where, of which kind, and why.</summary>
internal sealed record CommandFailure(int Line, string Kind, string Message);

/// <summary>Passed and failed counts of one kind of command.</summary>
internal sealed class KindCount
{
    /// <summary>Commands that passed.</summary>
    public int Passed { get; set; }

    /// <summary>Commands that failed.</summary>
    public int Failed { get; set; }
}

/// <summary>The result of running one script file.</summary>
internal sealed class FileResult(string path)
{
    /// <summary>The file's path as reported (relative, with '/' separators).</summary>
    public string Path { get; } = path;

    /// <summary>Commands that passed.</summary>
    public int Passed { get; private set; }

    /// <summary>Commands that failed.</summary>
    public int Failed { get; private set; }

    /// <summary>Counts per command kind (script names, ordinal order).</summary>
    public SortedDictionary<string, KindCount> ByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>The failures in order.</summary>
    public List<CommandFailure> Failures { get; } = [];

    /// <summary>Counts a passed command.</summary>
    public void Pass(string kind)
    {
        Passed++;
        Count(kind).Passed++;
    }

    /// <summary>Counts a failed command and records why.</summary>
    public void Fail(int line, string kind, string message)
    {
        Failed++;
        Count(kind).Failed++;
        Failures.Add(new CommandFailure(line, kind, message));
    }

    private KindCount Count(string kind)
    {
        if (!ByKind.TryGetValue(kind, out var c)) ByKind[kind] = c = new KindCount();
        return c;
    }
}
