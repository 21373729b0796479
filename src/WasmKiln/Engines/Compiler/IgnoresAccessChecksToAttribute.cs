namespace System.Runtime.CompilerServices;

/// <summary>
/// Honoured by the runtime on a (dynamic) assembly: lets it access non-public members of the
/// named assembly. The code generator puts it on the assembly it emits, so compiled functions
/// read the runtime's internal fields (memory base, table elements) directly.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
{
    /// <summary>The simple name of the assembly whose non-public members may be accessed.</summary>
    public string AssemblyName { get; } = assemblyName;
}
