using WasmKiln.Model;

namespace WasmKiln.Binary;

// PLACEHOLDER (owned by the binary-format helper; replace entirely).
internal static class ModuleDecoder
{
    /// <summary>Decodes a binary module; function bodies are located, not decoded. Throws <see cref="MalformedModuleException"/>.</summary>
    public static ModuleInfo Decode(ReadOnlyMemory<byte> bytes) => throw new NotImplementedException();
}
