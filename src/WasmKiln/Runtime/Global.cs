using System.Runtime.InteropServices;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Runtime;

/// <summary>
/// Storage of one value without boxing: numbers overlay the first 8 bytes (an f32 or i32 in the
/// low 4), a vector uses 16 bytes, a reference uses <see cref="Ref"/>. Engines access the
/// field matching the value's type directly.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal struct ValueSlot
{
    /// <summary>The value as an i32.</summary>
    [FieldOffset(0)] public int I32;
    /// <summary>The value as an i64.</summary>
    [FieldOffset(0)] public long I64;
    /// <summary>The value as an f32.</summary>
    [FieldOffset(0)] public float F32;
    /// <summary>The value as an f64.</summary>
    [FieldOffset(0)] public double F64;
    /// <summary>The low 64 bits (also the whole bit pattern of a number).</summary>
    [FieldOffset(0)] public ulong Lo;
    /// <summary>The high 64 bits of a vector.</summary>
    [FieldOffset(8)] public ulong Hi;
    /// <summary>The reference of a reference value.</summary>
    [FieldOffset(16)] public object? Ref;

    /// <summary>Stores <paramref name="value"/> (all payload bits and the reference).</summary>
    public void Set(in Value value)
    {
        Lo = value.Lo;
        Hi = value.Hi;
        Ref = value.Ref;
    }

    /// <summary>The stored value read as type <paramref name="type"/>.</summary>
    public readonly Value Get(ValType type) => type.Kind switch
    {
        ValKind.I32 => Value.I32((int)Lo),
        ValKind.I64 => Value.I64((long)Lo),
        ValKind.F32 => Value.F32Bits((uint)Lo),
        ValKind.F64 => Value.F64Bits(Lo),
        ValKind.V128 => Value.V128(new V128(Lo, Hi)),
        _ => Value.Reference(type, Ref),
    };
}

/// <summary>A WebAssembly global variable: a value of a fixed type, mutable or constant.</summary>
public sealed class Global
{
    /// <summary>The current value; engines read and write the field for the global's type directly.</summary>
    internal ValueSlot Slot;

    /// <summary>
    /// Creates a host global holding <paramref name="initial"/>, of that value's type (i32, i64,
    /// f32, f64, v128, externref or funcref), to give a module through
    /// <see cref="WasmKiln.Linker.Define(string, string, Global)"/>; a module importing it must declare the
    /// same type and mutability.
    /// </summary>
    /// <param name="initial">The initial value; its type is the global's type.</param>
    /// <param name="mutable">Whether the module (and <see cref="SetValue"/>) may change it.</param>
    public Global(Value initial, bool mutable = false) : this(new GlobalType(initial.Type, mutable), initial)
    {
    }

    /// <summary>Creates a global of <paramref name="type"/> holding <paramref name="initial"/>.</summary>
    /// <exception cref="WasmException">The value's kind does not match the global's type.</exception>
    internal Global(GlobalType type, Value initial)
    {
        Type = type;
        CheckKind(initial);
        Slot.Set(initial);
    }

    /// <summary>The global's type.</summary>
    internal GlobalType Type { get; }

    /// <summary>Whether the global can be changed with <c>global.set</c>.</summary>
    public bool IsMutable => Type.Mutable;

    /// <summary>The current value.</summary>
    public Value Value => Slot.Get(Type.Type);

    /// <summary>
    /// Replaces the value (host side; engines write <see cref="Slot"/>). Fails for a constant
    /// global or a value of another kind.
    /// </summary>
    public void SetValue(Value value)
    {
        if (!Type.Mutable) throw new WasmException("global is immutable");
        CheckKind(value);
        Slot.Set(value);
    }

    private void CheckKind(in Value value)
    {
        if (value.Kind != Type.Type.Unpacked.Kind)
            throw new WasmException("type mismatch: global of type " + Type.Type + " given a value of type " + value.Type);
    }
}
