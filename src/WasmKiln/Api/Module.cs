using WasmKiln.Binary;
using WasmKiln.Model;
using WasmKiln.Text;
using WasmKiln.Validation;

namespace WasmKiln;

/// <summary>
/// A decoded and validated WebAssembly module, ready to be instantiated any number of times
/// (with a <see cref="Linker"/>). Immutable and thread-safe.
/// </summary>
public sealed class Module
{
    private Module(Engine engine, ValidatedModule validated, string name)
    {
        Engine = engine;
        Validated = validated;
        Name = name;
        var m = validated.Module;
        var ctx = validated.Context;
        var imports = new ImportType[m.Imports.Count];
        int ti = 0, mi = 0, gi = 0;
        for (int i = 0; i < imports.Length; i++)
        {
            var imp = m.Imports[i];
            ExternType type = imp.Kind switch
            {
                ExternKind.Func => ExternType.Func(CanonFunc(validated, imp.TypeIndex)),
                ExternKind.Table => ExternType.Table(ctx.Tables[ti++]),
                ExternKind.Memory => ExternType.Memory(ctx.Memories[mi++]),
                ExternKind.Global => ExternType.Global(ctx.Globals[gi++]),
                _ => ExternType.Tag(CanonFunc(validated, imp.TypeIndex)),
            };
            imports[i] = new ImportType(imp.Module, imp.Name, type);
        }
        var exports = new ExportType[m.Exports.Count];
        for (int i = 0; i < exports.Length; i++)
        {
            var e = m.Exports[i];
            ExternType type = e.Kind switch
            {
                ExternKind.Func => ExternType.Func(CanonFunc(validated, ctx.FuncTypeIndices[e.Index])),
                ExternKind.Table => ExternType.Table(ctx.Tables[e.Index]),
                ExternKind.Memory => ExternType.Memory(ctx.Memories[e.Index]),
                ExternKind.Global => ExternType.Global(ctx.Globals[e.Index]),
                _ => ExternType.Tag(CanonFunc(validated, ctx.TagTypeIndices[e.Index])),
            };
            exports[i] = new ExportType(e.Name, type);
        }
        Imports = imports;
        Exports = exports;
    }

    private static CompositeType CanonFunc(ValidatedModule vm, uint typeIndex) => TypeRegistry.Get(vm.CanonicalTypeIds[typeIndex]).Type;

    /// <summary>The engine the module was made for.</summary>
    public Engine Engine { get; }

    /// <summary>The module's name: the file name or the name given when loading (default <c>module</c>).</summary>
    public string Name { get; }

    /// <summary>The imports, in order.</summary>
    public IReadOnlyList<ImportType> Imports { get; }

    /// <summary>The exports, in order.</summary>
    public IReadOnlyList<ExportType> Exports { get; }

    internal ValidatedModule Validated { get; }

    /// <summary>Loads a binary module from <paramref name="bytes"/>.</summary>
    /// <param name="engine">The engine (its features limit what the module may use).</param>
    /// <param name="bytes">The module's binary encoding.</param>
    /// <param name="name">A name for error messages (default <c>module</c>).</param>
    /// <exception cref="MalformedModuleException">The bytes are not a well-formed module (the message names the module and byte offset).</exception>
    /// <exception cref="InvalidModuleException">The module does not validate (the message names the module and byte offset).</exception>
    public static Module FromBytes(Engine engine, ReadOnlyMemory<byte> bytes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        name ??= "module";
        ModuleInfo info;
        try
        {
            info = ModuleDecoder.Decode(bytes);
        }
        catch (MalformedModuleException e)
        {
            throw new MalformedModuleException(name + ": malformed module at byte offset " + Hex(e.Offset) + ": " + e.Message, e.Offset);
        }
        return Validate(engine, info, name, isText: false);
    }

    /// <summary>Loads a module from a binary (<c>.wasm</c>) or, when the file name ends with <c>.wat</c>, text file.</summary>
    /// <exception cref="WasmException">The file is not a valid module (the message names the file and the byte offset or line).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Module FromFile(Engine engine, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        if (path.EndsWith(".wat", StringComparison.OrdinalIgnoreCase)) return FromText(engine, File.ReadAllText(path), name);
        return FromBytes(engine, File.ReadAllBytes(path), name);
    }

    /// <summary>Loads a binary module read from <paramref name="stream"/> (to its end).</summary>
    /// <exception cref="WasmException">The bytes are not a valid module.</exception>
    public static Module FromStream(Engine engine, Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return FromBytes(engine, ms.ToArray(), name);
    }

    /// <summary>Loads a module from WebAssembly text (<c>(module ...)</c>).</summary>
    /// <exception cref="TextParseException">The text does not parse (the message names the module, line and column).</exception>
    /// <exception cref="InvalidModuleException">The module does not validate.</exception>
    public static Module FromText(Engine engine, string text, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(text);
        name ??= "module";
        ModuleInfo info;
        try
        {
            info = WatParser.ParseText(text, engine.Features);
        }
        catch (TextParseException e)
        {
            throw new TextParseException(name + ":" + e.Line + ":" + e.Column + ": " + e.Message, e.Line, e.Column);
        }
        catch (MalformedModuleException e)
        {
            throw new MalformedModuleException(name + ": malformed module: " + e.Message, e.Offset);
        }
        return Validate(engine, info, name, isText: true);
    }

    private static Module Validate(Engine engine, ModuleInfo info, string name, bool isText)
    {
        try
        {
            var vm = Validator.Validate(info, engine.Features);
            return new Module(engine, vm, name);
        }
        catch (InvalidModuleException e)
        {
            string where = isText || e.Offset < 0 ? "" : " at byte offset " + Hex(e.Offset);
            string func = e.FunctionIndex >= 0 ? " in function " + e.FunctionIndex : "";
            throw new InvalidModuleException(name + ": invalid module" + where + func + ": " + e.Message, e.Offset, e.FunctionIndex);
        }
    }

    /// <summary>A module of a <paramref name="validated"/> module that the caller decoded and validated itself (with <paramref name="engine"/>'s features).</summary>
    internal static Module FromValidated(Engine engine, ValidatedModule validated, string name) => new(engine, validated, name);

    private static string Hex(long offset) => "0x" + offset.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The module's name.</summary>
    public override string ToString() => Name;
}
