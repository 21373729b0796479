using WasmKiln.Model;

namespace WasmKiln.Runtime;

/// <summary>
/// A WebAssembly table: a growable array of references (functions, external references, GC
/// objects, or null) indexed by 32- or 64-bit integers.
/// </summary>
/// <remarks>
/// Elements are stored as <see cref="object"/> references: null is the null reference of any
/// type; function references are the engine's function objects; external references are the
/// host's objects. The capacity is limited by the declared maximum and by the host limit given
/// at creation (<see cref="DefaultHostMaxElements"/> by default); growth beyond it fails.
/// </remarks>
public sealed class Table
{
    /// <summary>The default host limit on the number of elements of one table.</summary>
    public const ulong DefaultHostMaxElements = 10_000_000;

    /// <summary>
    /// The elements; the array's length is the table's size. Engines read this field directly
    /// (re-reading it after anything that may grow the table, which replaces the array).
    /// </summary>
    internal object?[] Elements;

    private readonly ulong _maxElements;
    private readonly Lock _growLock = new();

    /// <summary>Creates a table of <paramref name="type"/> with every element set to <paramref name="init"/>.</summary>
    /// <exception cref="WasmException">The limits are inconsistent or exceed the host limit.</exception>
    internal Table(TableType type, object? init = null, ulong hostMaxElements = DefaultHostMaxElements)
    {
        var limits = type.Limits;
        ulong typeMax = limits.Is64 ? ulong.MaxValue : uint.MaxValue;
        if (limits.Min > typeMax || limits.Max > typeMax) throw new WasmException("table size must be at most " + typeMax + " elements");
        if (limits.Max < limits.Min) throw new WasmException("size minimum must not be greater than maximum");
        ulong limit = Math.Min(Math.Min(limits.Max ?? typeMax, hostMaxElements), (ulong)Array.MaxLength);
        if (limits.Min > limit)
            throw new WasmException("table of " + limits.Min + " elements exceeds the host limit of " + limit + " elements");
        Type = type;
        _maxElements = limit;
        Elements = limits.Min == 0 ? [] : new object?[limits.Min];
        if (init != null) Array.Fill(Elements, init);
    }

    /// <summary>
    /// Creates a host table of function references (<see cref="ValueKind.FuncRef"/>) or external
    /// references (<see cref="ValueKind.ExternRef"/>), every element null, to give a module through
    /// <see cref="WasmKiln.Linker.Define(string, string, Table)"/>.
    /// </summary>
    /// <param name="elementKind"><see cref="ValueKind.FuncRef"/> or <see cref="ValueKind.ExternRef"/>.</param>
    /// <param name="minimumSize">The initial (and minimum) number of elements.</param>
    /// <param name="maximumSize">The maximum number of elements, or null for none.</param>
    /// <param name="is64Bit">Whether the table is indexed with 64-bit integers (table64).</param>
    /// <exception cref="WasmException">Another element kind, or inconsistent limits.</exception>
    public Table(ValueKind elementKind, ulong minimumSize, ulong? maximumSize = null, bool is64Bit = false)
        : this(new TableType(HostElementType(elementKind), new Limits(minimumSize, maximumSize, is64Bit)))
    {
    }

    private static ValType HostElementType(ValueKind kind) => kind switch
    {
        ValueKind.FuncRef => ValType.FuncRef,
        ValueKind.ExternRef => ValType.ExternRef,
        _ => throw new WasmException("a table holds references: its element kind must be FuncRef or ExternRef, not " + kind),
    };

    /// <summary>The element at <paramref name="index"/>: a function reference (<see cref="Value.AsFunction"/>) or an external reference, possibly null.</summary>
    /// <exception cref="WasmException"><paramref name="index"/> is not below <see cref="Size"/>.</exception>
    public Value GetElement(ulong index)
    {
        var e = Volatile.Read(ref Elements);
        if (index >= (ulong)e.Length) throw new WasmException("table index " + index + " is out of bounds (size " + e.Length + ")");
        return Value.Reference(ElementType, e[(int)index]);
    }

    /// <summary>Replaces the element at <paramref name="index"/> (<see cref="Value.FromFunction"/> or <see cref="Value.ExternRef"/>, as the table's element kind).</summary>
    /// <exception cref="WasmException">The index is out of bounds, or the value is not of the table's element kind.</exception>
    public void SetElement(ulong index, Value value)
    {
        CheckHostElement(value);
        var e = Volatile.Read(ref Elements);
        if (index >= (ulong)e.Length) throw new WasmException("table index " + index + " is out of bounds (size " + e.Length + ")");
        e[(int)index] = value.Ref;
    }

    /// <summary>Appends <paramref name="delta"/> elements set to <paramref name="initial"/> (the semantics of <c>table.grow</c>).</summary>
    /// <returns>The previous size, or -1 when the table cannot grow that much.</returns>
    /// <exception cref="WasmException">The value is not of the table's element kind.</exception>
    public long Grow(ulong delta, Value initial)
    {
        CheckHostElement(initial);
        return Grow(delta, initial.Ref);
    }

    // Host writes are limited to plain funcref and externref tables: a typed table (a GC or typed
    // function reference element type) would need its subtype check here.
    private void CheckHostElement(in Value value)
    {
        var t = ElementType;
        if (t != ValType.FuncRef && t != ValType.ExternRef)
            throw new WasmException("the host cannot write elements of a table of " + t + " (only funcref and externref tables)");
        if (value.Type != t)
            throw new WasmException("type mismatch: table of " + t + " given a value of type " + value.Type);
    }

    /// <summary>The table's type (element type and limits).</summary>
    internal TableType Type { get; }

    /// <summary>The type of the elements.</summary>
    internal ValType ElementType => Type.ElemType;

    /// <summary>Current number of elements.</summary>
    public ulong Size => (ulong)Volatile.Read(ref Elements).Length;

    /// <summary>The declared minimum number of elements.</summary>
    public ulong MinimumSize => Type.Limits.Min;

    /// <summary>The declared maximum number of elements, or null when none was declared.</summary>
    public ulong? MaximumSize => Type.Limits.Max;

    /// <summary>Whether the table is indexed with 64-bit integers (table64).</summary>
    public bool Is64Bit => Type.Limits.Is64;

    /// <summary><c>table.get</c>: the element at <paramref name="index"/>; traps when out of bounds.</summary>
    internal object? Get(ulong index)
    {
        var e = Elements;
        if (index >= (ulong)e.Length) Trap.TableOutOfBounds();
        return e[(int)index];
    }

    /// <summary><c>table.set</c>: stores <paramref name="value"/> at <paramref name="index"/>; traps when out of bounds.</summary>
    internal void Set(ulong index, object? value)
    {
        var e = Elements;
        if (index >= (ulong)e.Length) Trap.TableOutOfBounds();
        e[(int)index] = value;
    }

    /// <summary>
    /// <c>table.grow</c>: appends <paramref name="delta"/> elements set to <paramref name="init"/>.
    /// </summary>
    /// <returns>The previous size, or -1 when the table cannot grow that much.</returns>
    internal long Grow(ulong delta, object? init)
    {
        lock (_growLock)
        {
            var old = Elements;
            ulong size = (ulong)old.Length;
            if (delta > _maxElements - size) return -1;
            if (delta == 0) return (long)size;
            object?[] grown;
            try { grown = new object?[size + delta]; }
            catch (OutOfMemoryException) { return -1; }
            Array.Copy(old, grown, old.Length);
            if (init != null) Array.Fill(grown, init, old.Length, (int)delta);
            Volatile.Write(ref Elements, grown);
            return (long)size;
        }
    }

    /// <summary><c>table.fill</c>: sets <paramref name="length"/> elements from <paramref name="dst"/>; traps when out of bounds.</summary>
    internal void Fill(ulong dst, object? value, ulong length)
    {
        var e = Elements;
        CheckRange(dst, length, (ulong)e.Length);
        Array.Fill(e, value, (int)dst, (int)length);
    }

    /// <summary>
    /// <c>table.copy</c>: copies <paramref name="length"/> elements, overlap-safe; both ranges are
    /// checked before anything is copied.
    /// </summary>
    internal static void Copy(Table dstTable, ulong dst, Table srcTable, ulong src, ulong length)
    {
        var d = dstTable.Elements;
        var s = srcTable.Elements;
        CheckRange(src, length, (ulong)s.Length);
        CheckRange(dst, length, (ulong)d.Length);
        Array.Copy(s, (int)src, d, (int)dst, (int)length);
    }

    /// <summary>
    /// <c>table.init</c>: copies <paramref name="length"/> references of an element segment from
    /// <paramref name="srcOffset"/> to <paramref name="dst"/>; traps when either range is out of bounds.
    /// </summary>
    internal void Init(ulong dst, ReadOnlySpan<object?> segment, ulong srcOffset, ulong length)
    {
        var e = Elements;
        CheckRange(srcOffset, length, (ulong)segment.Length);
        CheckRange(dst, length, (ulong)e.Length);
        segment.Slice((int)srcOffset, (int)length).CopyTo(e.AsSpan((int)dst, (int)length));
    }

    private static void CheckRange(ulong start, ulong length, ulong size)
    {
        if (start > size || length > size - start) Trap.TableOutOfBounds();
    }
}
