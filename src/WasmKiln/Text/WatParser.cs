using WasmKiln.Model;

namespace WasmKiln.Text;

// PLACEHOLDER (owned by the text-parser helper; replace entirely).
internal enum ModuleFormKind { Text, Binary, Quote }

/// <summary>A <c>(module ...)</c> form of a script: text fields, <c>binary</c> strings or <c>quote</c> strings.</summary>
internal sealed record ModuleForm(ModuleFormKind Kind, string? Id, bool IsDefinition, SList Source, byte[]? Binary, string? Quote);

internal static class WatParser
{
    /// <summary>Classifies a <c>(module ...)</c> list: <c>$id</c>, <c>definition</c>, <c>binary</c>/<c>quote</c> strings.</summary>
    public static ModuleForm ReadModuleForm(SList list) => throw new NotImplementedException();

    /// <summary>Parses a text <c>(module ...)</c> list into a module. Throws <see cref="TextParseException"/>.</summary>
    public static ModuleInfo ParseModule(SList module) => throw new NotImplementedException();

    /// <summary>Parses a whole .wat text: one <c>(module ...)</c>, or bare module fields.</summary>
    public static ModuleInfo ParseText(string text) => throw new NotImplementedException();
}
