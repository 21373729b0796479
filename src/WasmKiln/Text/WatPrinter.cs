using WasmKiln.Model;

namespace WasmKiln.Text;

// PLACEHOLDER (owned by the printer helper; replace entirely).
internal static class WatPrinter
{
    /// <summary>Prints a module as WAT text, flat or folded, using names from the name section.</summary>
    public static string Print(ModuleInfo module, bool folded = false) => throw new NotImplementedException();
}
