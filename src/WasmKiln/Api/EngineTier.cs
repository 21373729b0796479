namespace WasmKiln;

/// <summary>How an engine runs WebAssembly code.</summary>
public enum EngineTier
{
    /// <summary>The compiler when the platform supports dynamic code (<see cref="System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported"/>), else the interpreter.</summary>
    Auto,
    /// <summary>Compile each function to .NET IL on first call (fast; needs Reflection.Emit).</summary>
    Compiler,
    /// <summary>Interpret the WebAssembly code (works where dynamic code is not supported).</summary>
    Interpreter,
}
