using WasmKiln.Engines.Interpreter;
using WasmKiln.Runtime;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Interpreter;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Fuel and interruption in interpreted code: the same points and units as compiled code.</summary>
public class InterpreterFuelTests
{
    private const string Wat = """
        (module
          (func (export "spin") (loop (br 0)))
          (func $rec (export "rec") (call $rec))
          (func (export "count") (param i32) (result i32) (local i32)
            (block (loop
              (br_if 1 (i32.eqz (local.get 0)))
              (local.set 1 (i32.add (local.get 1) (local.get 0)))
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br 0)))
            (local.get 1)))
        """;

    private static (Instance Instance, Store Store) Make(IExecutionTier tier, bool fuel, bool interrupt)
    {
        var vm = Validator.Validate(WatParser.ParseText(Wat));
        var store = new Store { Tier = tier, ConsumeFuel = fuel, Interruptible = interrupt };
        return (Linker.Instantiate(vm, store, _ => null), store);
    }

    private static FunctionInstance F(Instance i, string name) => (FunctionInstance)i.Exports[name].Value;

    [Fact]
    public void FuelStopsAnEndlessLoopAndRefuelingWorks()
    {
        var (inst, store) = Make(InterpreterTier.Shared, fuel: true, interrupt: false);
        store.Interrupts.SetFuel(1_000_000);
        var t = Assert.Throws<TrapException>(() => F(inst, "spin").Invoke([]));
        Assert.Equal(TrapKind.OutOfFuel, t.Kind);
        Assert.Equal(0UL, store.Interrupts.Fuel);
        store.Interrupts.SetFuel(1_000_000);
        Assert.Equal(55, F(inst, "count").Invoke([Value.I32(10)])[0].AsI32);
        // Each call of $rec charges 2 (call, end): 100,000 fuel runs out at depth 50,000, below the depth limit.
        store.Interrupts.SetFuel(100_000);
        Assert.Equal(TrapKind.OutOfFuel, Assert.Throws<TrapException>(() => F(inst, "rec").Invoke([])).Kind);
    }

    [Fact]
    public void FuelConsumedIsTheSameAsForCompiledCode()
    {
        var (ii, si) = Make(InterpreterTier.Shared, fuel: true, interrupt: false);
        var (ci, sc) = Make(CompilerTier.Shared, fuel: true, interrupt: false);
        si.Interrupts.SetFuel(1_000_000);
        sc.Interrupts.SetFuel(1_000_000);
        Assert.Equal(5050, F(ii, "count").Invoke([Value.I32(100)])[0].AsI32);
        Assert.Equal(5050, F(ci, "count").Invoke([Value.I32(100)])[0].AsI32);
        Assert.True(si.Interrupts.Fuel < 1_000_000);
        Assert.Equal(sc.Interrupts.Fuel, si.Interrupts.Fuel);
    }

    [Fact]
    public void AnInterruptFromAnotherThreadStopsLoopsAndRecursion()
    {
        var (inst, store) = Make(InterpreterTier.Shared, fuel: false, interrupt: true);
        foreach (var name in new[] { "spin", "rec" })
        {
            using var cts = new CancellationTokenSource();
            store.Interrupts.Watch(cts.Token);
            cts.CancelAfter(100);
            var t = Assert.Throws<TrapException>(() => F(inst, name).Invoke([]));
            Assert.True(t.Kind is TrapKind.Interrupted or TrapKind.CallStackExhausted, t.Kind.ToString());
            store.Interrupts.Reset();
        }
        Assert.Equal(3, F(inst, "count").Invoke([Value.I32(2)])[0].AsI32);
    }
}
