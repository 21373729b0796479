using WasmKiln.Engines.Compiler;
using WasmKiln.Runtime;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Compiler;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Fuel metering and host interruption of compiled code.</summary>
public class FuelAndInterruptTests
{
    private const string Wat = """
        (module
          (func (export "spin") (loop br 0))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "count") (param $n i32)
            (loop $l (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
          (func $rec (export "rec") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 1))
              (else (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1)))
                             (call $rec (i32.sub (local.get 0) (i32.const 1))))))))
        """;

    private static readonly ValidatedModule Module = Validator.Validate(WatParser.ParseText(Wat));

    private static Instance Instantiate(Store store) => Linker.Instantiate(Module, store, _ => null);

    private static Value[] Call(Instance inst, string name, params Value[] args) =>
        ((FunctionInstance)inst.Exports[name].Value).Invoke(args);

    /// <summary>Runs <paramref name="action"/> on a background thread; fails if it does not end within a minute.</summary>
    private static Exception? RunGuarded(Action action)
    {
        Exception? caught = null;
        var t = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { caught = e; }
        }, 16 * 1024 * 1024) { IsBackground = true };
        t.Start();
        Assert.True(t.Join(TimeSpan.FromMinutes(1)), "the computation was not stopped");
        return caught;
    }

    [Fact]
    public void InfiniteLoopStopsWhenFuelRunsOutAndRefuelledCallsWork()
    {
        var store = new Store { ConsumeFuel = true };
        var inst = Instantiate(store);
        store.Interrupts.SetFuel(1_000_000);
        var e = Assert.IsType<TrapException>(RunGuarded(() => Call(inst, "spin")));
        Assert.Equal(TrapKind.OutOfFuel, e.Kind);
        Assert.Equal("all fuel consumed", e.Message);
        Assert.Equal(0UL, store.Interrupts.Fuel);

        // Out of fuel, every call traps at its entry.
        Assert.Equal(TrapKind.OutOfFuel, Assert.Throws<TrapException>(() => Call(inst, "add", Value.I32(1), Value.I32(2))).Kind);

        store.Interrupts.SetFuel(1_000);
        Assert.Equal(7, Call(inst, "add", Value.I32(3), Value.I32(4))[0].AsI32);
        Call(inst, "count", Value.I32(10));
        Assert.True(store.Interrupts.Fuel < 1_000);

        // Again: stopped a second time, then refuelled.
        store.Interrupts.SetFuel(50_000);
        Assert.Equal(TrapKind.OutOfFuel, Assert.IsType<TrapException>(RunGuarded(() => Call(inst, "spin"))).Kind);
        store.Interrupts.SetFuel(10);
        Assert.Equal(9, Call(inst, "add", Value.I32(4), Value.I32(5))[0].AsI32);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(1000)]
    public void FuelConsumedIsOnePerInstructionAndStable(int n)
    {
        // count: loop | local.get i32.const i32.sub local.tee br_if | end | end
        // entry run 1 (loop), loop body run 5 per iteration, then 1 (loop end) and 1 (function end).
        long expected = 5L * n + 3;
        var store = new Store { ConsumeFuel = true };
        var inst = Instantiate(store);
        for (int i = 0; i < 3; i++)
        {
            store.Interrupts.SetFuel(1_000_000);
            Call(inst, "count", Value.I32(n));
            Assert.Equal(expected, 1_000_000L - (long)store.Interrupts.Fuel);
        }
    }

    [Fact]
    public void FuelIsCheckedAtEntryAndLoopHeaders()
    {
        // count(10) consumes 53 units. The last check is at the 10th loop header, after 1 + 5 * 10
        // = 51 units: with 51 the call returns (the two final `end`s overdraw by 2, reported as 0),
        // with 50 it traps there.
        var store = new Store { ConsumeFuel = true };
        var inst = Instantiate(store);
        store.Interrupts.SetFuel(53);
        Call(inst, "count", Value.I32(10));
        Assert.Equal(0UL, store.Interrupts.Fuel);
        store.Interrupts.SetFuel(51);
        Call(inst, "count", Value.I32(10));
        Assert.Equal(0UL, store.Interrupts.Fuel);
        store.Interrupts.SetFuel(50);
        Assert.Equal(TrapKind.OutOfFuel, Assert.Throws<TrapException>(() => Call(inst, "count", Value.I32(10))).Kind);
    }

    [Fact]
    public void StoreWithoutFuelIgnoresIt()
    {
        var store = new Store();
        var inst = Instantiate(store);
        store.Interrupts.SetFuel(0);
        Call(inst, "count", Value.I32(100_000));
        Assert.Equal(0UL, store.Interrupts.Fuel);
        Assert.Equal(CompileOptions.None, inst.Code.Options);
        Assert.NotSame(inst.Code, Instantiate(new Store { ConsumeFuel = true }).Code);
        Assert.Same(inst.Code, Instantiate(new Store()).Code);
    }

    [Fact]
    public void CancellationFromAnotherThreadStopsLoopAndRecursionAndLaterCallsWork()
    {
        var store = new Store { Interruptible = true };
        var inst = Instantiate(store);

        foreach (var (name, arg) in new[] { ("spin", (Value?)null), ("rec", Value.I32(60)) })
        {
            using var cts = new CancellationTokenSource();
            store.Interrupts.Watch(cts.Token);
            var canceller = new Thread(() =>
            {
                Thread.Sleep(100);
                cts.Cancel();
            }) { IsBackground = true };
            canceller.Start();
            var e = Assert.IsType<TrapException>(RunGuarded(() => Call(inst, name, arg is { } a ? [a] : [])));
            Assert.Equal(TrapKind.Interrupted, e.Kind);
            Assert.Equal("interrupted", e.Message);
            canceller.Join();

            // While the token stays cancelled, calls are interrupted; after a reset they work.
            Assert.Equal(TrapKind.Interrupted, Assert.Throws<TrapException>(() => Call(inst, "rec", Value.I32(3))).Kind);
            store.Interrupts.Reset();
            Assert.Equal(1024, Call(inst, "rec", Value.I32(10))[0].AsI32);
            Call(inst, "count", Value.I32(1000));
            Assert.Equal(0, CallDepthGuard.Depth);
        }
    }

    [Fact]
    public void DeadlineStopsLoopWithFuelOnToo()
    {
        var store = new Store { Interruptible = true, ConsumeFuel = true };
        var inst = Instantiate(store);
        store.Interrupts.SetFuel(ulong.MaxValue);
        store.Interrupts.SetDeadline(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TrapKind.Interrupted, Assert.IsType<TrapException>(RunGuarded(() => Call(inst, "spin"))).Kind);
        Assert.True(store.Interrupts.Fuel < long.MaxValue);

        store.Interrupts.Watch(CancellationToken.None);
        store.Interrupts.SetFuel(1_000);
        Assert.Equal(3, Call(inst, "add", Value.I32(1), Value.I32(2))[0].AsI32);
        Assert.Equal(TrapKind.OutOfFuel, Assert.IsType<TrapException>(RunGuarded(() => Call(inst, "spin"))).Kind);
    }
}
