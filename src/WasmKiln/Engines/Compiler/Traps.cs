using System.Diagnostics.CodeAnalysis;
using WasmKiln.Runtime;

namespace WasmKiln.Engines.Compiler;

/// <summary>
/// Throw helpers for compiled code and its inlined helpers. Unlike <see cref="Trap"/> they are
/// not marked no-inlining: the JIT then sees that they never return, so a trap check compiles to
/// a branch to a cold throw block that does not rejoin the hot path (a call that may return
/// would make the register allocator keep values alive across it, spilling them in hot loops).
/// </summary>
internal static class Traps
{
    /// <summary><c>out of bounds memory access</c>.</summary>
    [DoesNotReturn] public static void MemoryOutOfBounds() => throw new TrapException(TrapKind.MemoryOutOfBounds);
    /// <summary><c>unreachable</c>.</summary>
    [DoesNotReturn] public static void Unreachable() => throw new TrapException(TrapKind.Unreachable);
    /// <summary><c>integer divide by zero</c>.</summary>
    [DoesNotReturn] public static void IntegerDivideByZero() => throw new TrapException(TrapKind.IntegerDivideByZero);
    /// <summary><c>integer overflow</c>.</summary>
    [DoesNotReturn] public static void IntegerOverflow() => throw new TrapException(TrapKind.IntegerOverflow);
    /// <summary><c>invalid conversion to integer</c>.</summary>
    [DoesNotReturn] public static void InvalidConversionToInteger() => throw new TrapException(TrapKind.InvalidConversionToInteger);
    /// <summary><c>undefined element</c>.</summary>
    [DoesNotReturn] public static void UndefinedElement() => throw new TrapException(TrapKind.UndefinedElement);
    /// <summary><c>indirect call type mismatch</c>.</summary>
    [DoesNotReturn] public static void IndirectCallTypeMismatch() => throw new TrapException(TrapKind.IndirectCallTypeMismatch);
    /// <summary><c>null function reference</c>.</summary>
    [DoesNotReturn] public static void NullFunctionReference() => throw new TrapException(TrapKind.NullFunctionReference);
    /// <summary><c>null reference</c>.</summary>
    [DoesNotReturn] public static void NullReference() => throw new TrapException(TrapKind.NullReference);
}
