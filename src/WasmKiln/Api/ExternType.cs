using System.Text;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Validation;

namespace WasmKiln;

/// <summary>What kind of entity an import or export is.</summary>
public enum ExternTypeKind
{
    /// <summary>A function.</summary>
    Function,
    /// <summary>A table.</summary>
    Table,
    /// <summary>A linear memory.</summary>
    Memory,
    /// <summary>A global variable.</summary>
    Global,
    /// <summary>An exception tag.</summary>
    Tag,
}

/// <summary>The type of an import or export, e.g. <c>(func (param i32) (result i32))</c> or <c>(memory 1 16)</c>.</summary>
public sealed class ExternType
{
    private readonly string _text;

    private ExternType(ExternTypeKind kind, string text, ValueKind[] parameters, ValueKind[] results)
    {
        Kind = kind;
        _text = text;
        Parameters = parameters;
        Results = results;
    }

    /// <summary>The kind of entity.</summary>
    public ExternTypeKind Kind { get; }

    /// <summary>For a function or tag: the kinds of its parameters (else empty).</summary>
    public IReadOnlyList<ValueKind> Parameters { get; }

    /// <summary>For a function: the kinds of its results (else empty).</summary>
    public IReadOnlyList<ValueKind> Results { get; }

    /// <summary>The type in WebAssembly text syntax.</summary>
    public override string ToString() => _text;

    internal static ExternType Func(CompositeType f) =>
        new(ExternTypeKind.Function, FuncText("func", f), Kinds(f.Params), Kinds(f.Results));

    internal static ExternType Tag(CompositeType f) =>
        new(ExternTypeKind.Tag, FuncText("tag", f), Kinds(f.Params), []);

    internal static ExternType Table(TableType t) =>
        new(ExternTypeKind.Table, "(table " + LimitsText(t.Limits) + " " + t.ElemType + ")", [], []);

    internal static ExternType Memory(MemoryType m) =>
        new(ExternTypeKind.Memory, "(memory " + LimitsText(m.Limits) + (m.Limits.Shared ? " shared" : "") + ")", [], []);

    internal static ExternType Global(GlobalType g) =>
        new(ExternTypeKind.Global, "(global " + (g.Mutable ? "(mut " + g.Type + ")" : g.Type.ToString()) + ")", [], []);

    /// <summary>The text of function type <paramref name="f"/>: <c>(func (param i32) (result i64))</c>.</summary>
    internal static string FuncText(string head, CompositeType f)
    {
        var sb = new StringBuilder("(").Append(head);
        if (f.Params.Length > 0)
        {
            sb.Append(" (param");
            foreach (var p in f.Params) sb.Append(' ').Append(p);
            sb.Append(')');
        }
        if (f.Results.Length > 0)
        {
            sb.Append(" (result");
            foreach (var r in f.Results) sb.Append(' ').Append(r);
            sb.Append(')');
        }
        return sb.Append(')').ToString();
    }

    private static string LimitsText(Limits l) =>
        (l.Is64 ? "i64 " : "") + l.Min.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + (l.Max is ulong max ? " " + max.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");

    private static ValueKind[] Kinds(ValType[] types)
    {
        var kinds = new ValueKind[types.Length];
        for (int i = 0; i < kinds.Length; i++) kinds[i] = KindOf(types[i]);
        return kinds;
    }

    internal static ValueKind KindOf(ValType t) => t.Kind switch
    {
        ValKind.I32 => ValueKind.I32,
        ValKind.I64 => ValueKind.I64,
        ValKind.F32 => ValueKind.F32,
        ValKind.F64 => ValueKind.F64,
        ValKind.V128 => ValueKind.V128,
        _ => TypeContext.Top(t.Heap) == HeapType.Func ? ValueKind.FuncRef
            : TypeContext.Top(t.Heap) == HeapType.Extern ? ValueKind.ExternRef : ValueKind.AnyRef,
    };

    /// <summary>The type of the runtime object <paramref name="item"/> (a function, table, memory or global), or null.</summary>
    internal static ExternType? Of(object item) => item switch
    {
        Runtime.FunctionInstance f => Func(f.Type),
        Runtime.Table t => Table(new TableType(t.ElementType, new Limits(t.Size, t.MaximumSize, t.Is64Bit))),
        Runtime.Memory m => Memory(m.Type with { Limits = m.Type.Limits with { Min = m.SizeInPages } }),
        Runtime.Global g => Global(g.Type),
        _ => null,
    };
}

/// <summary>An import of a module: the module and field names it is looked up by, and its type.</summary>
/// <param name="Module">The module name (e.g. <c>env</c>).</param>
/// <param name="Name">The field name.</param>
/// <param name="Type">The expected type.</param>
public sealed record ImportType(string Module, string Name, ExternType Type)
{
    /// <summary>The import as <c>`module`.`name`: type</c>.</summary>
    public override string ToString() => "`" + Module + "`.`" + Name + "`: " + Type;
}

/// <summary>An export of a module: its name and type.</summary>
/// <param name="Name">The export name.</param>
/// <param name="Type">The type.</param>
public sealed record ExportType(string Name, ExternType Type)
{
    /// <summary>The export as <c>`name`: type</c>.</summary>
    public override string ToString() => "`" + Name + "`: " + Type;
}
