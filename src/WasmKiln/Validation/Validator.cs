using WasmKiln.Model;

namespace WasmKiln.Validation;

// PLACEHOLDER (owned by the validator helper; replace entirely).
internal static class Validator
{
    /// <summary>Validates a module. Throws <see cref="InvalidModuleException"/> (or <see cref="MalformedModuleException"/> for a body that does not decode).</summary>
    public static ValidatedModule Validate(ModuleInfo module) => throw new NotImplementedException();
}

internal sealed class ValidatedModule(ModuleInfo module)
{
    public ModuleInfo Module { get; } = module;
}
