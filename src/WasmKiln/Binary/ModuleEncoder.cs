using WasmKiln.Model;

namespace WasmKiln.Binary;

// PLACEHOLDER (owned by the binary-format helper; replace entirely).
internal static class ModuleEncoder
{
    /// <summary>Encodes a module to the binary format.</summary>
    public static byte[] Encode(ModuleInfo module) => throw new NotImplementedException();
}
