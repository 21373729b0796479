using WasmKiln.Runtime;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Api;

/// <summary>Typed host functions through the slot path and the compiler's adapters; caller binding.</summary>
public class HostSlotTests
{
    private static WasmKiln.Runtime.Instance Instantiate(string wat, Func<WasmKiln.Model.Import, object?> resolve)
    {
        var vm = Validator.Validate(WatParser.ParseText(wat));
        return WasmKiln.Runtime.Linker.Instantiate(vm, new WasmKiln.Runtime.Store(), resolve);
    }

    private static FunctionInstance Export(WasmKiln.Runtime.Instance inst, string name) => (FunctionInstance)inst.Exports[name].Value;

    [Fact]
    public void TypedHostFunctionsCalledFromWasmAndDirectly()
    {
        var add = new FunctionInstance(HostFunctions.From<int, long, long>((a, b) => a + b, "`env`.`add`"));
        var swap = new FunctionInstance(HostFunctions.From<float, double, (double, float)>((a, b) => (b, a), "`env`.`swap`"));
        int hits = 0;
        var tick = new FunctionInstance(HostFunctions.From(() => { hits++; }, "`env`.`tick`"));
        var inst = Instantiate("""
            (module
              (import "env" "add" (func $add (param i32 i64) (result i64)))
              (import "env" "swap" (func $swap (param f32 f64) (result f64 f32)))
              (import "env" "tick" (func $tick))
              (func (export "add") (param i32 i64) (result i64) (call $tick) (call $add (local.get 0) (local.get 1)))
              (func (export "swap") (param f32 f64) (result f64 f32) (call $swap (local.get 0) (local.get 1))))
            """, imp => imp.Name switch { "add" => add, "swap" => swap, _ => tick });
        Assert.Equal(5_000_000_007L, Export(inst, "add").Invoke([Value.I32(7), Value.I64(5_000_000_000L)])[0].AsI64);
        Assert.Equal(1, hits);
        var r = Export(inst, "swap").Invoke([Value.F32(1.5f), Value.F64(-2.25)]);
        Assert.Equal(-2.25, r[0].AsF64);
        Assert.Equal(1.5f, r[1].AsF32);
        // Direct call of the host function through the slot path.
        Assert.Equal(3L, add.Invoke([Value.I32(1), Value.I64(2)])[0].AsI64);
        var slots = new ValueSlot[2];
        slots[0].Lo = BitConverter.SingleToUInt32Bits(4f);
        slots[1].Lo = BitConverter.DoubleToUInt64Bits(8.0);
        swap.InvokeSlots(slots);
        Assert.Equal(8.0, BitConverter.UInt64BitsToDouble(slots[0].Lo));
        Assert.Equal(4f, BitConverter.UInt32BitsToSingle((uint)slots[1].Lo));
    }

    [Fact]
    public void CallerIsBoundPerImportingInstance()
    {
        var peek = new FunctionInstance(HostFunctions.From<int, int>((c, addr) => c.GetMemory()!.GetSpan((ulong)addr, 1)[0], "`env`.`peek`"));
        const string wat = """
            (module (import "env" "peek" (func $peek (param i32) (result i32)))
              (memory (export "memory") 1) (data (i32.const 10) "\{0}")
              (func (export "run") (result i32) (call $peek (i32.const 10))))
            """;
        var a = Instantiate(wat.Replace("{0}", "2a"), _ => peek);
        var b = Instantiate(wat.Replace("{0}", "07"), _ => peek);
        Assert.Equal(42, Export(a, "run").Invoke([])[0].AsI32);
        Assert.Equal(7, Export(b, "run").Invoke([])[0].AsI32);
        Assert.NotSame(a.Functions[0], b.Functions[0]);
        Assert.Same(peek.Host, a.Functions[0].Host);
    }

    [Fact]
    public void HostExceptionBecomesTrapNamingTheFunction()
    {
        var boom = new FunctionInstance(HostFunctions.From<int, int>(x => throw new InvalidOperationException("bad " + x), "`env`.`boom`"));
        var trap = new FunctionInstance(HostFunctions.From<int>(() => throw new TrapException(TrapKind.Unreachable), "`env`.`trap`"));
        var inst = Instantiate("""
            (module (import "env" "boom" (func $boom (param i32) (result i32))) (import "env" "trap" (func $trap (result i32)))
              (func (export "boom") (result i32) (call $boom (i32.const 3)))
              (func (export "trap") (result i32) (call $trap)))
            """, imp => imp.Name == "boom" ? boom : trap);
        var e = Assert.Throws<TrapException>(() => Export(inst, "boom").Invoke([]));
        Assert.Equal(TrapKind.HostFunctionFailed, e.Kind);
        Assert.Equal("host function `env`.`boom` failed: bad 3", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => Export(inst, "trap").Invoke([])).Kind);
    }

    [Fact]
    public void UnsupportedDotNetTypeIsRejected()
    {
        var e = Assert.Throws<WasmException>(() => HostFunctions.From<string, int>(s => s.Length, "`env`.`len`"));
        Assert.Contains("String has no WebAssembly equivalent", e.Message);
    }
}
