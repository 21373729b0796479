using System.Text.Json;

namespace WasmKiln.Script;

/// <summary>A script file to run: where it is and the path reported for it.</summary>
internal readonly record struct ScriptFile(string FullPath, string DisplayPath);

/// <summary>Finding script files, and the text and JSON reports of a run.</summary>
internal static class SpecReport
{
    /// <summary>
    /// The .wast files named by <paramref name="path"/>: the file itself (reported by its file name),
    /// or every .wast below a folder, in ordinal path order (reported relative to the folder with '/'
    /// separators). Throws <see cref="FileNotFoundException"/> when the path does not exist.
    /// </summary>
    public static List<ScriptFile> Collect(string path)
    {
        var files = new List<ScriptFile>();
        if (File.Exists(path))
        {
            files.Add(new ScriptFile(Path.GetFullPath(path), Path.GetFileName(path)));
            return files;
        }
        if (!Directory.Exists(path)) throw new FileNotFoundException("no such file or directory", path);
        string root = Path.GetFullPath(path);
        foreach (var f in Directory.EnumerateFiles(root, "*.wast", SearchOption.AllDirectories))
            files.Add(new ScriptFile(f, Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')));
        files.Sort(static (a, b) => string.CompareOrdinal(a.DisplayPath, b.DisplayPath));
        return files;
    }

    /// <summary>The summary line of one file: <c>core/i32.wast: 460 passed, 0 failed</c>.</summary>
    public static string FileLine(FileResult r) => $"{r.Path}: {r.Passed} passed, {r.Failed} failed";

    /// <summary>One failure line: <c>core/x.wast:LINE: kind: message</c>.</summary>
    public static string FailureLine(FileResult r, CommandFailure f) => $"{r.Path}:{f.Line}: {f.Kind}: {f.Message}";

    /// <summary>The last line: <c>N passed, M failed</c>.</summary>
    public static string TotalLine(IReadOnlyList<FileResult> results)
    {
        long passed = 0, failed = 0;
        foreach (var r in results) { passed += r.Passed; failed += r.Failed; }
        return $"{passed} passed, {failed} failed";
    }

    /// <summary>
    /// Writes the JSON report: <c>{"engine", "files": [{"path", "passed", "failed", "byKind":
    /// {kind: {"passed", "failed"}}, "failures": [{"line", "kind", "message"}]}], "totals":
    /// {"passed", "failed", "byKind"}}</c>.
    /// </summary>
    public static void WriteJson(Stream stream, string engine, IReadOnlyList<FileResult> results)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("engine", engine);
        w.WriteStartArray("files");
        var totals = new SortedDictionary<string, KindCount>(StringComparer.Ordinal);
        long passed = 0, failed = 0;
        foreach (var r in results)
        {
            passed += r.Passed;
            failed += r.Failed;
            w.WriteStartObject();
            w.WriteString("path", r.Path);
            w.WriteNumber("passed", r.Passed);
            w.WriteNumber("failed", r.Failed);
            WriteByKind(w, r.ByKind);
            foreach (var (kind, c) in r.ByKind)
            {
                if (!totals.TryGetValue(kind, out var t)) totals[kind] = t = new KindCount();
                t.Passed += c.Passed;
                t.Failed += c.Failed;
            }
            w.WriteStartArray("failures");
            foreach (var f in r.Failures)
            {
                w.WriteStartObject();
                w.WriteNumber("line", f.Line);
                w.WriteString("kind", f.Kind);
                w.WriteString("message", f.Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("totals");
        w.WriteNumber("passed", passed);
        w.WriteNumber("failed", failed);
        WriteByKind(w, totals);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteByKind(Utf8JsonWriter w, SortedDictionary<string, KindCount> byKind)
    {
        w.WriteStartObject("byKind");
        foreach (var (kind, c) in byKind)
        {
            w.WriteStartObject(kind);
            w.WriteNumber("passed", c.Passed);
            w.WriteNumber("failed", c.Failed);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
