using WasmKiln.Model;
using WasmKiln.Text;
using WasmKiln.Validation;

namespace WasmKiln.Runtime;

/// <summary>
/// The <c>spectest</c> host module of the specification's test suite: print functions (which
/// print nothing), globals of value 666 / 666.6, tables <c>table</c> and <c>table64</c> (funcref,
/// 10..20), memories <c>memory</c> (1..2 pages) and <c>shared_memory</c> (1..2 pages, shared).
/// </summary>
internal static class Spectest
{
    private static readonly Lazy<int[]> TypeIds = new(() =>
    {
        var m = WatParser.ParseText(
            "(module (type (func)) (type (func (param i32))) (type (func (param i64))) (type (func (param f32)))" +
            " (type (func (param f64))) (type (func (param i32 f32))) (type (func (param f64 f64))))");
        return Validator.Validate(m).CanonicalTypeIds;
    });

    /// <summary>The exports of a new spectest instance in <paramref name="store"/>.</summary>
    public static Dictionary<string, (ExternKind Kind, object Value)> Create(Store store)
    {
        var ids = TypeIds.Value;
        var exports = new Dictionary<string, (ExternKind, object)>(StringComparer.Ordinal);
        string[] names = ["print", "print_i32", "print_i64", "print_f32", "print_f64", "print_i32_f32", "print_f64_f64"];
        for (int i = 0; i < names.Length; i++)
        {
            var type = TypeRegistry.Get(ids[i]).Type;
            var host = new HostFunction(type, static _ => [], names[i]);
            exports[names[i]] = (ExternKind.Func, new FunctionInstance(host, ids[i]));
        }
        exports["global_i32"] = (ExternKind.Global, new Global(new GlobalType(ValType.I32, false), Value.I32(666)));
        exports["global_i64"] = (ExternKind.Global, new Global(new GlobalType(ValType.I64, false), Value.I64(666)));
        exports["global_f32"] = (ExternKind.Global, new Global(new GlobalType(ValType.F32, false), Value.F32(666.6f)));
        exports["global_f64"] = (ExternKind.Global, new Global(new GlobalType(ValType.F64, false), Value.F64(666.6)));
        exports["table"] = (ExternKind.Table, new Table(new TableType(ValType.FuncRef, new Limits(10, 20)), null, store.MaxTableElements));
        exports["table64"] = (ExternKind.Table, new Table(new TableType(ValType.FuncRef, new Limits(10, 20, Is64: true)), null, store.MaxTableElements));
        exports["memory"] = (ExternKind.Memory, new Memory(new MemoryType(new Limits(1, 2)), store.MaxMemoryPages));
        exports["shared_memory"] = (ExternKind.Memory, new Memory(new MemoryType(new Limits(1, 2, Shared: true)), store.MaxMemoryPages));
        return exports;
    }
}
