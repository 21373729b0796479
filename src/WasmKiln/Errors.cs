namespace WasmKiln;

/// <summary>Base class of every error WasmKiln reports about a module, a script or a guest.</summary>
public class WasmException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public WasmException(string message) : base(message) { }

    /// <summary>Creates the exception with its message and cause.</summary>
    public WasmException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The bytes are not a well-formed WebAssembly binary module.</summary>
public sealed class MalformedModuleException : WasmException
{
    /// <summary>Creates the error for the byte at <paramref name="offset"/>.</summary>
    public MalformedModuleException(string message, long offset) : base(message) => Offset = offset;

    /// <summary>Byte offset in the binary where the problem was found.</summary>
    public long Offset { get; }
}

/// <summary>The module is well-formed but does not validate.</summary>
public sealed class InvalidModuleException : WasmException
{
    /// <summary>Creates the error for the byte at <paramref name="offset"/>.</summary>
    public InvalidModuleException(string message, long offset, int functionIndex = -1) : base(message)
    {
        Offset = offset;
        FunctionIndex = functionIndex;
    }

    /// <summary>Byte offset in the binary of the offending construct (or -1 when unknown).</summary>
    public long Offset { get; }

    /// <summary>Index of the function whose body is invalid, or -1.</summary>
    public int FunctionIndex { get; }
}

/// <summary>The WebAssembly text (WAT or WAST) could not be parsed.</summary>
public sealed class TextParseException : WasmException
{
    /// <summary>Creates the error for the position <paramref name="line"/>:<paramref name="column"/>.</summary>
    public TextParseException(string message, int line, int column) : base(message)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; }
}
