using System.Runtime.CompilerServices;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln.Engines.Compiler;

using Instance = WasmKiln.Runtime.Instance;
using Store = WasmKiln.Runtime.Store;

/// <summary>Runtime helpers compiled code calls for tables, bulk memory, segments and calls through references.</summary>
internal static class InstanceOps
{
    /// <summary>Resolves a call_indirect target: bounds, null and type checks (subtyping for non-final types).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FunctionInstance ResolveIndirect(Table table, ulong index, int typeId)
    {
        var e = table.Elements;
        if (index >= (ulong)e.Length) Traps.UndefinedElement();
        var f = e[(int)index];
        if (f is null) throw new TrapException(TrapKind.UninitializedElement, "uninitialized element " + index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var fi = (FunctionInstance)f;
        if (fi.TypeId != typeId && !Subtype(fi.TypeId, typeId)) Traps.IndirectCallTypeMismatch();
        return fi;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Subtype(int actual, int expected) => ExternTypeMatcher.MatchFunc(actual, expected);

    /// <summary>The function of a call_ref; traps on null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FunctionInstance NonNullFunc(object? f)
    {
        if (f is null) Traps.NullFunctionReference();
        return (FunctionInstance)f;
    }

    /// <summary>ref.as_non_null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static object AsNonNull(object? r)
    {
        if (r is null) Traps.NullReference();
        return r;
    }

    /// <summary>Exception filter of a legacy catch: a WebAssembly exception of tag <paramref name="tag"/> (identity).</summary>
    public static bool FilterTag(object? ex, object tag) => ex is Runtime.Exceptions.WasmThrow t && ReferenceEquals(t.Exception.Tag, tag);

    /// <summary>memory.grow for a 32-bit memory.</summary>
    public static int MemoryGrow32(Memory m, int delta) => (int)m.Grow((uint)delta);

    /// <summary>memory.grow for a 64-bit memory.</summary>
    public static long MemoryGrow64(Memory m, long delta) => m.Grow((ulong)delta);

    /// <summary>memory.fill.</summary>
    public static void MemoryFill(Memory m, ulong dst, int value, ulong length) => m.Fill(dst, (byte)value, length);

    /// <summary>memory.copy.</summary>
    public static void MemoryCopy(Memory dm, Memory sm, ulong dst, ulong src, ulong length) => Memory.Copy(dm, dst, sm, src, length);

    /// <summary>memory.init.</summary>
    public static void MemoryInit(Instance inst, int data, Memory m, ulong dst, uint src, uint length) =>
        m.Init(dst, inst.DataSegments[data], src, length);

    /// <summary>data.drop.</summary>
    public static void DataDrop(Instance inst, int data) => inst.DataSegments[data] = [];

    /// <summary>elem.drop.</summary>
    public static void ElemDrop(Instance inst, int elem) => inst.ElemSegments[elem] = [];

    /// <summary>table.init.</summary>
    public static void TableInit(Instance inst, int elem, Table t, ulong dst, uint src, uint length) =>
        t.Init(dst, inst.ElemSegments[elem], src, length);

    /// <summary>table.copy.</summary>
    public static void TableCopy(Table dt, Table st, ulong dst, ulong src, ulong length) => Table.Copy(dt, dst, st, src, length);

    /// <summary>table.get.</summary>
    public static object? TableGet(Table t, ulong index) => t.Get(index);

    /// <summary>table.set.</summary>
    public static void TableSet(Table t, ulong index, object? value) => t.Set(index, value);

    /// <summary>table.size.</summary>
    public static long TableSize(Table t) => (long)t.Size;

    /// <summary>table.grow.</summary>
    public static long TableGrow(Table t, object? init, ulong delta) => t.Grow(delta, init);

    /// <summary>table.fill.</summary>
    public static void TableFill(Table t, ulong dst, object? value, ulong length) => t.Fill(dst, value, length);

    /// <summary>The effective address of an atomic access (traps on 64-bit overflow).</summary>
    public static ulong Ea(ulong address, ulong offset) => Memory.EffectiveAddress(address, offset);
}
