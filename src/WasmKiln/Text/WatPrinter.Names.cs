using System.Globalization;
using WasmKiln.Model;

namespace WasmKiln.Text;

/// <summary>
/// The names the printer may use as <c>$id</c>s: those of the module's <see cref="NameSection"/>,
/// with characters an identifier cannot hold replaced by <c>_</c>, that are unique in their index
/// space. Everything else prints as an index.
/// </summary>
internal sealed class WatNames
{
    private static readonly Dictionary<uint, string> NoNames = [];

    private readonly NameSection? _src;
    private readonly Dictionary<uint, Dictionary<uint, string>> _locals = [];
    private readonly Dictionary<uint, Dictionary<uint, string>> _fields = [];

    public WatNames(NameSection? names)
    {
        _src = names;
        Module = names?.Module is { } m ? WatLiterals.ToId(m) : null;
        Funcs = Usable(names?.Functions);
        Types = Usable(names?.Types);
        Tables = Usable(names?.Tables);
        Memories = Usable(names?.Memories);
        Globals = Usable(names?.Globals);
        Elems = Usable(names?.Elements);
        Datas = Usable(names?.Datas);
        Tags = Usable(names?.Tags);
    }

    public string? Module { get; }
    public Dictionary<uint, string> Funcs { get; }
    public Dictionary<uint, string> Types { get; }
    public Dictionary<uint, string> Tables { get; }
    public Dictionary<uint, string> Memories { get; }
    public Dictionary<uint, string> Globals { get; }
    public Dictionary<uint, string> Elems { get; }
    public Dictionary<uint, string> Datas { get; }
    public Dictionary<uint, string> Tags { get; }

    /// <summary>Usable names of the parameters and locals of function <paramref name="func"/>.</summary>
    public Dictionary<uint, string> Locals(uint func) => Nested(_locals, _src?.Locals, func);

    /// <summary>Usable names of the fields of type <paramref name="type"/>.</summary>
    public Dictionary<uint, string> Fields(uint type) => Nested(_fields, _src?.Fields, type);

    /// <summary>Names of the labels of function <paramref name="func"/> (plain ids; shadowing is resolved by the printer).</summary>
    public Dictionary<uint, string> Labels(uint func)
    {
        if (_src == null || !_src.Labels.TryGetValue(func, out var map)) return NoNames;
        var result = new Dictionary<uint, string>();
        foreach (var (k, v) in map)
            if (WatLiterals.ToId(v) is { } id) result[k] = id;
        return result;
    }

    /// <summary><c>$name</c> when index <paramref name="index"/> has a usable name, else the index.</summary>
    public static string Ref(Dictionary<uint, string> space, uint index) =>
        space.TryGetValue(index, out var n) ? "$" + n : index.ToString(CultureInfo.InvariantCulture);

    /// <summary>" $name" for a definition with a usable name, else "".</summary>
    public static string Def(Dictionary<uint, string> space, uint index) =>
        space.TryGetValue(index, out var n) ? " $" + n : "";

    private static Dictionary<uint, string> Nested(Dictionary<uint, Dictionary<uint, string>> cache,
        Dictionary<uint, Dictionary<uint, string>>? src, uint key)
    {
        if (src == null || !src.ContainsKey(key)) return NoNames;
        if (!cache.TryGetValue(key, out var result))
        {
            result = Usable(src[key]);
            cache[key] = result;
        }
        return result;
    }

    private static Dictionary<uint, string> Usable(Dictionary<uint, string>? names)
    {
        var result = new Dictionary<uint, string>();
        if (names == null || names.Count == 0) return result;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (k, v) in names)
        {
            if (WatLiterals.ToId(v) is not { } id) continue;
            result[k] = id;
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        foreach (var (k, id) in result)
            if (counts[id] > 1) result.Remove(k);
        return result;
    }
}
