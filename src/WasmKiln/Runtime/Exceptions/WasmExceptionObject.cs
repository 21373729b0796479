namespace WasmKiln.Runtime.Exceptions;

/// <summary>
/// A WebAssembly exception: the tag it was thrown with and its payload. <c>exnref</c> values are
/// these objects; rethrowing one (<c>throw_ref</c>, <c>rethrow</c>) keeps its identity.
/// </summary>
internal sealed class WasmExceptionObject
{
    /// <summary>An exception of <paramref name="tag"/> with <paramref name="payload"/> (one value per tag parameter; the object owns the array).</summary>
    public WasmExceptionObject(TagInstance tag, Value[] payload)
    {
        Tag = tag;
        Payload = payload;
    }

    /// <summary>The tag.</summary>
    public TagInstance Tag { get; }

    /// <summary>The payload values, in the order of the tag's parameters.</summary>
    public Value[] Payload { get; }

    /// <inheritdoc/>
    public override string ToString() => "exception";
}

/// <summary>
/// The .NET exception that carries a WebAssembly exception while it unwinds: thrown by
/// <c>throw</c>, <c>throw_ref</c> and <c>rethrow</c>, caught by handlers that filter on
/// <see cref="WasmExceptionObject.Tag"/> identity, and seen by the host when nothing catches it.
/// Traps (<see cref="TrapException"/>) are a different type and are never caught by WebAssembly handlers.
/// </summary>
internal sealed class WasmThrow : WasmException
{
    /// <summary>Wraps <paramref name="exception"/>.</summary>
    public WasmThrow(WasmExceptionObject exception) : base(TrapMessages.Of(TrapKind.UncaughtException)) => Exception = exception;

    /// <summary>The WebAssembly exception.</summary>
    public WasmExceptionObject Exception { get; }
}
