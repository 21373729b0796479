using WasmKiln.Model;

namespace WasmKiln.Runtime;

/// <summary>
/// A function implemented by the host: it receives the arguments as <see cref="Value"/>s and
/// returns the results (as many as its type has).
/// </summary>
internal sealed class HostFunction(CompositeType type, Func<Value[], Value[]> implementation, string name = "host")
{
    /// <summary>The function type (heap types canonical).</summary>
    public CompositeType Type { get; } = type;

    /// <summary>The implementation.</summary>
    public Func<Value[], Value[]> Implementation { get; } = implementation;

    /// <summary>A name for messages.</summary>
    public string Name { get; } = name;

    /// <summary>Called by the generated host adapters: runs the implementation on the argument slots and writes the result slots.</summary>
    internal static ValueSlot[] Call(ValueSlot[] args, FunctionInstance self)
    {
        var host = self.Host!;
        var ps = host.Type.Params;
        var values = new Value[ps.Length];
        for (int i = 0; i < values.Length; i++) values[i] = args[i].Get(ps[i]);
        var results = host.Implementation(values);
        var rs = host.Type.Results;
        if (results.Length != rs.Length) throw new WasmException("host function " + host.Name + " returned " + results.Length + " values, expected " + rs.Length);
        var slots = new ValueSlot[rs.Length];
        for (int i = 0; i < rs.Length; i++) slots[i].Set(results[i]);
        return slots;
    }
}
