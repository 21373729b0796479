namespace WasmKiln.Runtime;

/// <summary>The reason a WebAssembly computation trapped (or ran out of a resource).</summary>
public enum TrapKind
{
    /// <summary>The <c>unreachable</c> instruction was executed.</summary>
    Unreachable,
    /// <summary>A load, store or bulk memory operation touched bytes outside the memory.</summary>
    MemoryOutOfBounds,
    /// <summary>Integer division or remainder by zero.</summary>
    IntegerDivideByZero,
    /// <summary>Signed division overflow, or a float-to-integer truncation whose result does not fit.</summary>
    IntegerOverflow,
    /// <summary>A float-to-integer truncation of NaN.</summary>
    InvalidConversionToInteger,
    /// <summary><c>call_indirect</c> found a function of another type than expected.</summary>
    IndirectCallTypeMismatch,
    /// <summary><c>call_indirect</c> found a null table element.</summary>
    UninitializedElement,
    /// <summary><c>call_indirect</c> used an index outside the table.</summary>
    UndefinedElement,
    /// <summary>A null reference was used where a non-null one was required (<c>ref.as_non_null</c>, <c>throw_ref</c>...).</summary>
    NullReference,
    /// <summary><c>call_ref</c> or <c>return_call_ref</c> of a null function reference.</summary>
    NullFunctionReference,
    /// <summary>A struct access through a null reference.</summary>
    NullStructureReference,
    /// <summary>An array access through a null reference.</summary>
    NullArrayReference,
    /// <summary><c>i31.get_s</c>/<c>i31.get_u</c> of a null reference.</summary>
    NullI31Reference,
    /// <summary><c>ref.cast</c> of a value that does not have the target type.</summary>
    CastFailure,
    /// <summary>An array element access or bulk array operation outside the array.</summary>
    ArrayOutOfBounds,
    /// <summary>A table access or bulk table operation outside the table.</summary>
    TableOutOfBounds,
    /// <summary>The call stack is exhausted (too deep recursion).</summary>
    CallStackExhausted,
    /// <summary>An atomic memory access at an address that is not a multiple of its size.</summary>
    UnalignedAtomic,
    /// <summary><c>memory.atomic.wait32</c>/<c>wait64</c> on a memory that is not shared.</summary>
    ExpectedSharedMemory,
    /// <summary>A WebAssembly exception was thrown and not caught before reaching the host.</summary>
    UncaughtException,
    /// <summary>An allocation (array, struct, ...) needs more memory than the host allows.</summary>
    OutOfMemory,
    /// <summary>The store's fuel ran out (only when fuel consumption is enabled).</summary>
    OutOfFuel,
    /// <summary>The computation was interrupted from the host (cancellation or deadline).</summary>
    Interrupted,
    /// <summary>A host function called by the guest failed with a .NET exception (see <see cref="Exception.InnerException"/>).</summary>
    HostFunctionFailed,
}

/// <summary>The message text of each trap kind, as spelled by the specification's test suite.</summary>
internal static class TrapMessages
{
    private static readonly string[] Messages =
    [
        "unreachable",
        "out of bounds memory access",
        "integer divide by zero",
        "integer overflow",
        "invalid conversion to integer",
        "indirect call type mismatch",
        "uninitialized element",
        "undefined element",
        "null reference",
        "null function reference",
        "null structure reference",
        "null array reference",
        "null i31 reference",
        "cast failure",
        "out of bounds array access",
        "out of bounds table access",
        "call stack exhausted",
        "unaligned atomic",
        "expected shared memory",
        "uncaught exception",
        "out of memory",
        "all fuel consumed",
        "interrupted",
        "host function failed",
    ];

    /// <summary>The message for <paramref name="kind"/>.</summary>
    public static string Of(TrapKind kind) =>
        (uint)kind < (uint)Messages.Length ? Messages[(int)kind] : "trap " + ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Number of trap kinds (for tests).</summary>
    public static int Count => Messages.Length;
}
