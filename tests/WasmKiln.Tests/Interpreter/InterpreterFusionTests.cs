using WasmKiln.Engines.Interpreter;
using WasmKiln.Runtime;
using WasmKiln.Text;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Interpreter;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>
/// The interpreter's fused instruction forms (address arithmetic folded into loads and stores,
/// constant stores, fused compare-and-branch, paired moves) against the compiler tier on the same
/// module: every function is called with edge-case inputs on both tiers and must give the same
/// results, the same traps and the same memory.
/// </summary>
public class InterpreterFusionTests
{
    private const string Wat = """
        (module
          (memory (export "mem") 1 1)
          (func (export "load_addk") (param i32) (result i32)
            (i32.load offset=4 (i32.add (local.get 0) (i32.const 8))))
          (func (export "load_subk") (param i32) (result i64)
            (i64.load offset=2 (i32.sub (local.get 0) (i32.const 16))))
          (func (export "load_add") (param i32 i32) (result i32)
            (i32.load8_u offset=1 (i32.add (local.get 0) (local.get 1))))
          (func (export "load_const") (result i32)
            (i32.load16_s offset=65532 (i32.const 2)))
          (func (export "load_const_oob") (result i32)
            (i32.load offset=65533 (i32.const 0)))
          (func (export "load_tee") (param i32) (result i32)
            (local i32)
            (i32.load (local.tee 1 (i32.add (local.get 0) (i32.const 4))))
            (i32.add (local.get 1)))
          (func (export "store_addk") (param i32 i32) (result i32)
            (i32.store offset=3 (i32.add (local.get 0) (i32.const -1)) (local.get 1))
            (i32.load offset=2 (local.get 0)))
          (func (export "store_add_imm") (param i32 i32) (result i32)
            (i32.store8 (i32.add (local.get 0) (local.get 1)) (i32.const 0x1ff))
            (i32.load8_u (i32.add (local.get 0) (local.get 1))))
          (func (export "store_i64_imm") (param i32) (result i64)
            (i64.store (local.get 0) (i64.const -5))
            (i64.store offset=8 (local.get 0) (i64.const 0x1_0000_0000))
            (i64.add (i64.load (local.get 0)) (i64.load offset=8 (local.get 0))))
          (func (export "store_const_addr") (param i32) (result i32)
            (i32.store16 offset=100 (i32.const 20) (local.get 0))
            (i32.load offset=120 (i32.const 0)))
          (func (export "store_computed_value") (param i32 i32) (result i32)
            (i32.store (i32.add (local.get 0) (i32.const 4)) (i32.mul (local.get 1) (i32.const 3)))
            (i32.load offset=4 (local.get 0)))
          (func (export "store_value_from_slot_of_add") (param i32 i32) (result i32)
            (i32.store (i32.add (local.get 0) (local.get 1)) (local.get 1))
            (i32.load (i32.add (local.get 0) (local.get 1))))
          (func (export "sum_loop") (param i32) (result i32)
            (local i32 i32)
            (loop $l
              (local.set 1 (i32.add (local.get 1) (i32.load (local.get 2))))
              (i32.store (local.get 2) (local.get 2))
              (br_if $l (i32.ne (local.tee 2 (i32.add (local.get 2) (i32.const 4))) (local.get 0))))
            (local.get 1))
          (func (export "count_down") (param i32) (result i32)
            (local i32)
            (block $b
              (loop $l
                (br_if $b (i32.eqz (local.get 0)))
                (local.set 1 (i32.add (local.get 1) (i32.const 3)))
                (br_if $l (i32.gt_s (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const -100)))))
            (local.get 1))
          (func (export "step_by") (param i32 i32) (result i32)
            (local i32)
            (loop $l
              (local.set 2 (i32.add (local.get 2) (i32.const 1)))
              (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (local.get 1))) (i32.const 100))))
            (i32.add (i32.mul (local.get 2) (i32.const 1000)) (local.get 0)))
          (func (export "rotate") (param i32 i32 i32) (result i32)
            (local i32 i32 i32 i32)
            (local.set 3 (local.get 0))
            (loop $l
              (local.set 6 (local.get 3))
              (local.set 3 (local.get 4))
              (local.set 4 (local.get 5))
              (local.set 5 (local.get 6))
              (local.set 4 (i32.add (local.get 4) (local.get 1)))
              (br_if $l (local.tee 2 (i32.sub (local.get 2) (i32.const 1)))))
            (i32.add (i32.mul (local.get 3) (i32.const 1000)) (i32.add (i32.mul (local.get 4) (i32.const 100)) (local.get 5))))
          (func (export "swap_pair") (param i32 i32) (result i32)
            (local i32)
            (local.set 2 (local.get 0))
            (local.set 0 (local.get 1))
            (local.set 1 (local.get 2))
            (i32.sub (local.get 0) (local.get 1))))
        """;

    private static Instance Instantiate(IExecutionTier tier) =>
        Linker.Instantiate(Validator.Validate(WatParser.ParseText(Wat)), new Store { Tier = tier }, _ => null);

    private static string Outcome(Instance inst, string name, Value[] args)
    {
        try
        {
            var r = ((FunctionInstance)inst.Exports[name].Value).Invoke(args);
            return string.Join(",", r.Select(v => v.ToString()));
        }
        catch (TrapException t)
        {
            return "trap " + t.Kind;
        }
    }

    public static TheoryData<string, int[]> Cases => new()
    {
        { "load_addk", [0] }, { "load_addk", [-8] }, { "load_addk", [-12] }, { "load_addk", [65520] }, { "load_addk", [65521] }, { "load_addk", [int.MaxValue] },
        { "load_subk", [16] }, { "load_subk", [14] }, { "load_subk", [65542] }, { "load_subk", [65543] }, { "load_subk", [0] },
        { "load_add", [1, 2] }, { "load_add", [-1, 1] }, { "load_add", [-1, 0] }, { "load_add", [65534, 0] }, { "load_add", [65534, 1] }, { "load_add", [int.MinValue, int.MinValue] },
        { "load_const", [] }, { "load_const_oob", [] },
        { "load_tee", [0] }, { "load_tee", [65532] }, { "load_tee", [65533] },
        { "store_addk", [1, 0x11223344] }, { "store_addk", [0, 7] }, { "store_addk", [65534, 1] }, { "store_addk", [65533, 1] },
        { "store_add_imm", [10, 5] }, { "store_add_imm", [-1, 1] }, { "store_add_imm", [65535, 0] }, { "store_add_imm", [65535, 1] },
        { "store_i64_imm", [0] }, { "store_i64_imm", [65520] }, { "store_i64_imm", [65521] },
        { "store_const_addr", [0x7fff] }, { "store_const_addr", [-1] },
        { "store_computed_value", [8, 5] }, { "store_computed_value", [65532, 5] },
        { "store_value_from_slot_of_add", [100, 4] }, { "store_value_from_slot_of_add", [65532, 4] },
        { "sum_loop", [64] }, { "sum_loop", [4] },
        { "count_down", [0] }, { "count_down", [5] }, { "count_down", [-3] },
        { "step_by", [0, 7] }, { "step_by", [99, 1] }, { "step_by", [-5, 3] }, { "step_by", [200, 1] },
        { "rotate", [1, 2, 1] }, { "rotate", [1, 2, 2] }, { "rotate", [7, 3, 5] },
        { "swap_pair", [3, 10] }, { "swap_pair", [-4, 9] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedFormsMatchTheCompiler(string name, int[] args)
    {
        var values = args.Select(Value.I32).ToArray();
        var interp = Instantiate(InterpreterTier.Shared);
        var compiled = Instantiate(CompilerTier.Shared);
        Assert.Equal(Outcome(compiled, name, values), Outcome(interp, name, values));
        var mi = ((Memory)interp.Exports["mem"].Value).GetSpan(0, 65536).ToArray();
        var mc = ((Memory)compiled.Exports["mem"].Value).GetSpan(0, 65536).ToArray();
        Assert.True(mi.AsSpan().SequenceEqual(mc), "memories differ after " + name);
    }
}
