using WasmKiln.Instructions;

namespace WasmKiln.Model;

/// <summary>
/// The WebAssembly proposals a module may use. The default is <see cref="All"/>: WebAssembly 3.0
/// with threads and legacy exception handling. A smaller set makes the validator (and the text
/// parser, for number ranges) reject what the left-out proposals added, with a message that
/// names the proposal; that is how a module written for an older baseline is checked.
/// </summary>
[Flags]
internal enum WasmFeatures : uint
{
    /// <summary>WebAssembly 1.0 (MVP) only.</summary>
    None = 0,
    SignExtension = 1 << 0,
    SaturatingConversions = 1 << 1,
    BulkMemory = 1 << 2,
    /// <summary>Reference types, which also allow more than one table.</summary>
    ReferenceTypes = 1 << 3,
    Simd = 1 << 4,
    RelaxedSimd = 1 << 5,
    TailCall = 1 << 6,
    MultiMemory = 1 << 7,
    /// <summary>64-bit addresses for memories and tables (memory64 and table64).</summary>
    Memory64 = 1 << 8,
    Exceptions = 1 << 9,
    LegacyExceptions = 1 << 10,
    FunctionReferences = 1 << 11,
    Gc = 1 << 12,
    Threads = 1 << 13,

    /// <summary>Everything WasmKiln supports.</summary>
    All = (1 << 14) - 1,

    /// <summary>
    /// The baseline of the threads proposal's own tests: WebAssembly 1.0 plus atomics and shared
    /// memories (the proposal predates reference types, multi-memory and memory64).
    /// </summary>
    ThreadsProposal = Threads | SignExtension,
}

/// <summary>Helpers for <see cref="WasmFeatures"/>.</summary>
internal static class WasmFeatureSet
{
    /// <summary>The feature flag an instruction group of the instruction table needs (None for MVP).</summary>
    public static WasmFeatures Of(Feature group) => group switch
    {
        Feature.SignExtension => WasmFeatures.SignExtension,
        Feature.SaturatingConversions => WasmFeatures.SaturatingConversions,
        Feature.BulkMemory => WasmFeatures.BulkMemory,
        Feature.ReferenceTypes => WasmFeatures.ReferenceTypes,
        Feature.Simd => WasmFeatures.Simd,
        Feature.RelaxedSimd => WasmFeatures.RelaxedSimd,
        Feature.TailCall => WasmFeatures.TailCall,
        Feature.Exceptions => WasmFeatures.Exceptions,
        Feature.LegacyExceptions => WasmFeatures.LegacyExceptions,
        Feature.FunctionReferences => WasmFeatures.FunctionReferences,
        Feature.Gc => WasmFeatures.Gc,
        Feature.Threads => WasmFeatures.Threads,
        _ => WasmFeatures.None,
    };

    /// <summary>The proposal's name as the specification spells it (e.g. <c>memory64</c>).</summary>
    public static string Name(WasmFeatures feature) => feature switch
    {
        WasmFeatures.SignExtension => "sign-extension",
        WasmFeatures.SaturatingConversions => "nontrapping-float-to-int",
        WasmFeatures.BulkMemory => "bulk-memory",
        WasmFeatures.ReferenceTypes => "reference-types",
        WasmFeatures.Simd => "simd",
        WasmFeatures.RelaxedSimd => "relaxed-simd",
        WasmFeatures.TailCall => "tail-call",
        WasmFeatures.MultiMemory => "multi-memory",
        WasmFeatures.Memory64 => "memory64",
        WasmFeatures.Exceptions => "exception-handling",
        WasmFeatures.LegacyExceptions => "legacy-exceptions",
        WasmFeatures.FunctionReferences => "function-references",
        WasmFeatures.Gc => "gc",
        WasmFeatures.Threads => "threads",
        _ => feature.ToString(),
    };

    /// <summary>The message for a use of a feature that is not enabled.</summary>
    public static string NotEnabled(WasmFeatures feature, string what) =>
        what + " requires the " + Name(feature) + " proposal, which is not enabled";
}
