using WasmKiln.Runtime;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Compiler;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>
/// Memory accesses whose bounds check the compiler leaves out (the same local already checked
/// for an end at least as far) still trap exactly when they must.
/// </summary>
public class BoundsCheckTests
{
    private static Instance Instantiate(string wat) =>
        Linker.Instantiate(Validator.Validate(WatParser.ParseText(wat)), new Store(), _ => null);

    private static Value[] Call(Instance inst, string name, params Value[] args) =>
        ((FunctionInstance)inst.Exports[name].Value).Invoke(args);

    private const string Wat = """
        (module (memory 1)
          ;; Second load reaches 4 bytes further than the first: it needs its own check.
          (func (export "further") (param $p i32) (result i32)
            (drop (i32.load (local.get $p)))
            (i32.load offset=4 (local.get $p)))
          ;; Second load is covered by the first (same local, nearer end).
          (func (export "nearer") (param $p i32) (result i32)
            (drop (i32.load offset=4 (local.get $p)))
            (i32.load8_u (local.get $p)))
          ;; The local changes between the accesses.
          (func (export "changed") (param $p i32) (param $q i32) (result i32)
            (drop (i32.load (local.get $p)))
            (local.set $p (local.get $q))
            (i32.load (local.get $p)))
          ;; A slot holding the local's old value stays usable; the new value is checked again.
          (func (export "stale") (param $p i32) (param $q i32) (result i32)
            (local.get $p)
            (drop (i32.load (local.get $p)))
            (local.set $p (local.get $q))
            (i32.load)
            (drop)
            (i32.load (local.get $p)))
          ;; A store after a load of the same address, then a further store.
          (func (export "rmw") (param $p i32)
            (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))
            (i64.store (local.get $p) (i64.const 7)))
          ;; Checks do not survive a label: the loop's second iteration uses another address.
          (func (export "loop") (param $p i32) (param $step i32) (result i32) (local $n i32)
            (loop $l
              (local.set $n (i32.add (local.get $n) (i32.load (local.get $p))))
              (local.set $p (i32.add (local.get $p) (local.get $step)))
              (br_if $l (i32.lt_u (local.get $p) (i32.const 65536))))
            (local.get $n)))
        """;

    [Fact]
    public void FurtherAccessOnTheSameLocalIsChecked()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(0, Call(inst, "further", Value.I32(65528))[0].AsI32);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "further", Value.I32(65532))).Kind);
        Assert.Equal(0, Call(inst, "nearer", Value.I32(65528))[0].AsI32);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "nearer", Value.I32(65530))).Kind);
    }

    [Fact]
    public void ChangedLocalsAreCheckedAgain()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(0, Call(inst, "changed", Value.I32(0), Value.I32(65532))[0].AsI32);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "changed", Value.I32(0), Value.I32(65533))).Kind);
        Assert.Equal(0, Call(inst, "stale", Value.I32(0), Value.I32(65532))[0].AsI32);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "stale", Value.I32(0), Value.I32(65533))).Kind);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "stale", Value.I32(65533), Value.I32(0))).Kind);
    }

    [Fact]
    public void StoresAfterLoadsTrapOnlyWhenTheyReachFurther()
    {
        var inst = Instantiate(Wat);
        var mem = inst.Memories[0];
        Call(inst, "rmw", Value.I32(100));
        Assert.Equal(7L, mem.ReadInt64(100));
        // The 4-byte load and store fit; the 8-byte store does not, and traps after the first store.
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "rmw", Value.I32(65532))).Kind);
        Assert.Equal(1, mem.ReadInt32(65532));
    }

    [Fact]
    public void LoopIterationsAreCheckedEachTime()
    {
        var inst = Instantiate(Wat);
        Assert.Equal(0, Call(inst, "loop", Value.I32(0), Value.I32(4096))[0].AsI32);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<TrapException>(() => Call(inst, "loop", Value.I32(65000), Value.I32(533))).Kind);
    }
}
