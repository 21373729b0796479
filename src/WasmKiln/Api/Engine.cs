using WasmKiln.Model;
using WasmKiln.Runtime;

namespace WasmKiln;

/// <summary>WebAssembly proposals a module may use (a subset is checked by validation).</summary>
[Flags]
public enum EngineFeatures : uint
{
    /// <summary>WebAssembly 1.0 only.</summary>
    None = 0,
    /// <summary>Sign-extension operators.</summary>
    SignExtension = WasmFeatures.SignExtension,
    /// <summary>Non-trapping float-to-int conversions.</summary>
    SaturatingConversions = WasmFeatures.SaturatingConversions,
    /// <summary>Bulk memory operations.</summary>
    BulkMemory = WasmFeatures.BulkMemory,
    /// <summary>Reference types.</summary>
    ReferenceTypes = WasmFeatures.ReferenceTypes,
    /// <summary>128-bit SIMD.</summary>
    Simd = WasmFeatures.Simd,
    /// <summary>Relaxed SIMD.</summary>
    RelaxedSimd = WasmFeatures.RelaxedSimd,
    /// <summary>Tail calls.</summary>
    TailCall = WasmFeatures.TailCall,
    /// <summary>Several memories.</summary>
    MultiMemory = WasmFeatures.MultiMemory,
    /// <summary>64-bit memories.</summary>
    Memory64 = WasmFeatures.Memory64,
    /// <summary>Exception handling (exnref).</summary>
    Exceptions = WasmFeatures.Exceptions,
    /// <summary>Legacy exception handling (try/catch).</summary>
    LegacyExceptions = WasmFeatures.LegacyExceptions,
    /// <summary>Typed function references.</summary>
    FunctionReferences = WasmFeatures.FunctionReferences,
    /// <summary>Garbage collection.</summary>
    Gc = WasmFeatures.Gc,
    /// <summary>Threads (shared memories, atomics).</summary>
    Threads = WasmFeatures.Threads,
    /// <summary>Every supported proposal (the default).</summary>
    All = WasmFeatures.All,
}

/// <summary>Settings of an <see cref="Engine"/>.</summary>
public sealed class EngineOptions
{
    /// <summary>How WebAssembly code runs (default <see cref="EngineTier.Auto"/>).</summary>
    public EngineTier Tier { get; init; } = EngineTier.Auto;

    /// <summary>The proposals modules may use (default: all supported).</summary>
    public EngineFeatures Features { get; init; } = EngineFeatures.All;

    /// <summary>Whether execution consumes fuel (see <see cref="Store.SetFuel"/>); off by default.</summary>
    public bool ConsumeFuel { get; init; }

    /// <summary>Whether stores can interrupt running code (see <see cref="Store.Interrupt(CancellationToken)"/>); off by default.</summary>
    public bool Interruptible { get; init; }

    /// <summary>Maximum depth of nested WebAssembly calls per thread before a <see cref="TrapKind.CallStackExhausted"/> trap (0: the default, 100,000).</summary>
    public int MaxCallDepth { get; init; }
}

/// <summary>
/// The shared, thread-safe root of an embedding: the settings and execution tier used by the
/// <see cref="Module"/>s and <see cref="Store"/>s made with it.
/// </summary>
public sealed class Engine
{
    /// <summary>Creates an engine with <paramref name="options"/> (defaults when null).</summary>
    /// <exception cref="WasmException">The requested tier is not available.</exception>
    public Engine(EngineOptions? options = null)
    {
        Options = options ?? new EngineOptions();
        Tier = ExecutionTiers.Resolve(Options.Tier);
        ExecutionTier = ExecutionTiers.Create(Tier);
        if (Options.MaxCallDepth > 0) CallDepthGuard.MaxDepth = Options.MaxCallDepth;
    }

    /// <summary>The settings.</summary>
    public EngineOptions Options { get; }

    /// <summary>The tier actually used (never <see cref="EngineTier.Auto"/>).</summary>
    public EngineTier Tier { get; }

    internal IExecutionTier ExecutionTier { get; }

    internal WasmFeatures Features => (WasmFeatures)Options.Features;
}
