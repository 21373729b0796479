using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WasmKiln.Runtime;

/// <summary>
/// Throw helpers for traps. Each method is small and never inlined so that the code of engines
/// (and JIT-compiled functions) only holds a call on the cold path.
/// </summary>
internal static class Trap
{
    /// <summary>Throws a trap of <paramref name="kind"/>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(TrapKind kind) => throw new TrapException(kind);

    /// <summary>Throws a trap of <paramref name="kind"/>; typed to be usable in expressions.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static T Throw<T>(TrapKind kind) => throw new TrapException(kind);

    /// <summary><c>unreachable</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Unreachable() => throw new TrapException(TrapKind.Unreachable);

    /// <summary><c>out of bounds memory access</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void MemoryOutOfBounds() => throw new TrapException(TrapKind.MemoryOutOfBounds);

    /// <summary><c>integer divide by zero</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void IntegerDivideByZero() => throw new TrapException(TrapKind.IntegerDivideByZero);

    /// <summary><c>integer overflow</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void IntegerOverflow() => throw new TrapException(TrapKind.IntegerOverflow);

    /// <summary><c>invalid conversion to integer</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void InvalidConversionToInteger() => throw new TrapException(TrapKind.InvalidConversionToInteger);

    /// <summary><c>indirect call type mismatch</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void IndirectCallTypeMismatch() => throw new TrapException(TrapKind.IndirectCallTypeMismatch);

    /// <summary><c>uninitialized element</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void UninitializedElement() => throw new TrapException(TrapKind.UninitializedElement);

    /// <summary><c>undefined element</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void UndefinedElement() => throw new TrapException(TrapKind.UndefinedElement);

    /// <summary><c>null reference</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void NullReference() => throw new TrapException(TrapKind.NullReference);

    /// <summary><c>null function reference</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void NullFunctionReference() => throw new TrapException(TrapKind.NullFunctionReference);

    /// <summary><c>null structure reference</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void NullStructureReference() => throw new TrapException(TrapKind.NullStructureReference);

    /// <summary><c>null array reference</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void NullArrayReference() => throw new TrapException(TrapKind.NullArrayReference);

    /// <summary><c>null i31 reference</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void NullI31Reference() => throw new TrapException(TrapKind.NullI31Reference);

    /// <summary><c>cast failure</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void CastFailure() => throw new TrapException(TrapKind.CastFailure);

    /// <summary><c>out of bounds array access</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ArrayOutOfBounds() => throw new TrapException(TrapKind.ArrayOutOfBounds);

    /// <summary><c>out of bounds table access</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void TableOutOfBounds() => throw new TrapException(TrapKind.TableOutOfBounds);

    /// <summary><c>call stack exhausted</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void CallStackExhausted() => throw new TrapException(TrapKind.CallStackExhausted);

    /// <summary><c>unaligned atomic</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void UnalignedAtomic() => throw new TrapException(TrapKind.UnalignedAtomic);

    /// <summary><c>expected shared memory</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ExpectedSharedMemory() => throw new TrapException(TrapKind.ExpectedSharedMemory);

    /// <summary><c>uncaught exception</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void UncaughtException() => throw new TrapException(TrapKind.UncaughtException);

    /// <summary><c>out of memory</c>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void OutOfMemory() => throw new TrapException(TrapKind.OutOfMemory);
}
