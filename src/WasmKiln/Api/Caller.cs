using WasmKiln.Model;

namespace WasmKiln;

/// <summary>
/// What a host function learns about the instance that called it: its exported memory (to read
/// and write guest buffers), other exports, and the store's data. A host function receives it
/// when its delegate's first parameter is a <see cref="Caller"/>.
/// </summary>
/// <remarks>
/// One caller exists per importing instance, made at instantiation; calls allocate nothing.
/// A caller is only meaningful during the call it was passed to.
/// </remarks>
public sealed class Caller
{
    private readonly Runtime.Instance? _instance;

    internal Caller(Runtime.Instance? instance) => _instance = instance;

    /// <summary>The caller given to a host function called without an importing instance (no exports).</summary>
    internal static readonly Caller Unbound = new(null);

    /// <summary>The calling instance (null when the function was called directly by the host).</summary>
    internal Runtime.Instance? Instance => _instance;

    /// <summary>The calling instance's exported memory named <paramref name="name"/>, or null when it has none.</summary>
    public Runtime.Memory? GetMemory(string name = "memory") =>
        _instance != null && _instance.Exports.TryGetValue(name, out var e) && e.Kind == ExternKind.Memory ? (Runtime.Memory)e.Value : null;

    /// <summary>The calling instance's exported global named <paramref name="name"/>, or null when it has none.</summary>
    public Runtime.Global? GetGlobal(string name) =>
        _instance != null && _instance.Exports.TryGetValue(name, out var e) && e.Kind == ExternKind.Global ? (Runtime.Global)e.Value : null;

    /// <summary>The calling instance's exported table named <paramref name="name"/>, or null when it has none.</summary>
    public Runtime.Table? GetTable(string name) =>
        _instance != null && _instance.Exports.TryGetValue(name, out var e) && e.Kind == ExternKind.Table ? (Runtime.Table)e.Value : null;

    /// <summary>The data object of the store the caller lives in (null when none was given).</summary>
    public object? Data => _instance?.Store.Data;
}
