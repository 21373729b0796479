using WasmKiln.Binary;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Validation;
using Xunit;
using static WasmKiln.Tests.Validation.ModuleBuilder;

namespace WasmKiln.Tests.Validation;

public class ValidatorTests
{
    private static readonly ValType[] NoTypes = [];

    private static InvalidModuleException Invalid(ModuleBuilder b) =>
        Assert.Throws<InvalidModuleException>(() => Validator.Validate(b.Module));

    private static void AssertInvalid(ModuleBuilder b, string expected)
    {
        var e = Invalid(b);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static ModuleBuilder OneFunc(params Instruction[] code)
    {
        var b = new ModuleBuilder();
        b.Func(code);
        return b;
    }

    [Fact]
    public void EmptyFunctionValidates()
    {
        var v = Validator.Validate(OneFunc().Module);
        Assert.Single(v.Functions);
        Assert.Equal(0, v.Functions[0].MaxStackHeight);
        Assert.Equal(1, v.Functions[0].MaxControlDepth);
    }

    [Fact]
    public void OperandTypesAreChecked()
    {
        var e = Invalid(OneFunc(I(Op.I64Const), Const(1), I(Op.I32Add), I(Op.Drop)));
        Assert.Equal("type mismatch: instruction requires [i32 i32] but stack has [i64 i32]", e.Message);
        Assert.Equal(0, e.FunctionIndex);
    }

    [Fact]
    public void MissingOperandIsTypeMismatch() =>
        AssertInvalid(OneFunc(Const(1), I(Op.I32Add), I(Op.Drop)), "type mismatch");

    [Fact]
    public void ValuesLeftAtEndAreTypeMismatch()
    {
        var e = Invalid(OneFunc(Const(1)));
        Assert.Equal("type mismatch: block requires [] but stack has [i32]", e.Message);
    }

    [Fact]
    public void UnreachableMakesTheStackPolymorphic()
    {
        var b = OneFunc(I(Op.Unreachable), I(Op.I32Add), I(Op.Drop), I(Op.Select), I(Op.Drop));
        Validator.Validate(b.Module);
    }

    [Fact]
    public void UnreachableStillChecksKnownValues() =>
        AssertInvalid(OneFunc(I(Op.Unreachable), I(Op.I64Const), I(Op.I32Eqz), I(Op.Drop)), "type mismatch");

    [Fact]
    public void UnknownLocalGlobalFunctionLabel()
    {
        AssertInvalid(OneFunc(I(Op.LocalGet, 0), I(Op.Drop)), "unknown local 0");
        AssertInvalid(OneFunc(I(Op.GlobalGet, 3), I(Op.Drop)), "unknown global 3");
        AssertInvalid(OneFunc(I(Op.Call, 7)), "unknown function 7");
        AssertInvalid(OneFunc(I(Op.Br, 1)), "unknown label 1");
        AssertInvalid(OneFunc(Const(0), Mem(Op.I32Load, 2), I(Op.Drop)), "unknown memory 0");
        AssertInvalid(OneFunc(Const(0), I(Op.TableGet, 0), I(Op.Drop)), "unknown table 0");
    }

    [Fact]
    public void ImmutableGlobalCannotBeSet()
    {
        var b = new ModuleBuilder();
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I32, false), Code(Const(0))));
        b.Func(Const(1), I(Op.GlobalSet, 0));
        AssertInvalid(b, "immutable global");
    }

    [Fact]
    public void NonDefaultableLocalMustBeSetBeforeUse()
    {
        var b = new ModuleBuilder();
        uint ft = b.Type([], []);
        var local = ValType.Ref(new HeapType((int)ft), false);
        b.Func(b.Type([], []), [local], I(Op.LocalGet, 0), I(Op.Drop));
        AssertInvalid(b, "uninitialized local");
    }

    [Fact]
    public void LocalInitializationEndsWithItsBlock()
    {
        var b = new ModuleBuilder();
        uint ft = b.Type([], []);
        var local = ValType.Ref(new HeapType((int)ft), false);
        b.Module.Elements.Add(new ElementSegment { Mode = SegmentMode.Declarative, FuncIndices = [0] });
        // block (local.set 0 (ref.func 0)) end; local.get 0 -> uninitialized after the block.
        b.Func(ft, [local], Block(Op.Block, BlockType.Empty), I(Op.RefFunc, 0), I(Op.LocalSet, 0), I(Op.LocalGet, 0), I(Op.Drop), I(Op.End),
            I(Op.LocalGet, 0), I(Op.Drop));
        AssertInvalid(b, "uninitialized local");
    }

    [Fact]
    public void RefFuncNeedsADeclaration()
    {
        var b = OneFunc(I(Op.RefFunc, 0), I(Op.Drop));
        AssertInvalid(b, "undeclared function reference");
        b.Module.Elements.Add(new ElementSegment { Mode = SegmentMode.Declarative, FuncIndices = [0] });
        var v = Validator.Validate(b.Module);
        Assert.True(v.DeclaredFunctionRefs[0]);
    }

    [Fact]
    public void ExportDeclaresFunctionReference()
    {
        var b = OneFunc(I(Op.RefFunc, 0), I(Op.Drop));
        b.Module.Exports.Add(new Export("f", ExternKind.Func, 0));
        Validator.Validate(b.Module);
    }

    [Fact]
    public void MemoryImmediatesAreChecked()
    {
        var b = OneFunc(Const(0), Mem(Op.I32Load, 3), I(Op.Drop));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null)));
        AssertInvalid(b, "alignment must not be larger than natural");

        b = OneFunc(Const(0), Mem(Op.I32Load, 2, 0x1_0000_0000), I(Op.Drop));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null)));
        AssertInvalid(b, "offset out of range");

        b = OneFunc(Const(0), Mem(Op.I32AtomicLoad, 1), I(Op.Drop));
        b.Module.Memories.Add(new MemoryType(new Limits(1, 1, false, true)));
        AssertInvalid(b, "alignment must be exact");
    }

    [Fact]
    public void Memory64UsesI64Addresses()
    {
        var b = OneFunc(I(Op.I64Const), Mem(Op.I32Load, 2, 0x1_0000_0000), I(Op.Drop));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null, true)));
        Validator.Validate(b.Module);

        b = OneFunc(Const(0), Mem(Op.I32Load, 2), I(Op.Drop));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null, true)));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void LaneIndexIsChecked()
    {
        var b = OneFunc(new Instruction { Op = Op.V128Const }, new Instruction { Op = Op.I32x4ExtractLane, A = 4 }, I(Op.Drop));
        AssertInvalid(b, "invalid lane index");
        b = OneFunc(new Instruction { Op = Op.V128Const }, new Instruction { Op = Op.I32x4ExtractLane, A = 3 }, I(Op.Drop));
        Validator.Validate(b.Module);
    }

    [Fact]
    public void DataDropWithoutDataCountIsMalformed()
    {
        var b = OneFunc(I(Op.DataDrop, 0));
        b.Module.Datas.Add(new DataSegment { Mode = SegmentMode.Passive, Bytes = new byte[1] });
        var e = Assert.Throws<MalformedModuleException>(() => Validator.Validate(b.Module));
        Assert.Contains("data count section required", e.Message, StringComparison.Ordinal);
        b.Module.DataCount = 1;
        Validator.Validate(b.Module);
    }

    [Fact]
    public void TypedSelectNeedsOneType()
    {
        var b = OneFunc(Const(1), Const(2), Const(0), new Instruction { Op = Op.SelectT, Types = [ValType.I32, ValType.I32] }, I(Op.Drop));
        AssertInvalid(b, "invalid result arity");
    }

    [Fact]
    public void UntypedSelectRejectsReferences()
    {
        var b = OneFunc(RefNull(HeapType.Func), RefNull(HeapType.Func), Const(0), I(Op.Select), I(Op.Drop));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void BrTableTargetsMustAgree()
    {
        // block (result i32) block br_table 0 1 (i32.const 0) ...
        var b = OneFunc(Block(Op.Block, BlockType.Of(ValType.I32)), Block(Op.Block, BlockType.Empty), Const(0), Const(0),
            new Instruction { Op = Op.BrTable, Labels = [0, 1] }, I(Op.End), Const(1), I(Op.End), I(Op.Drop));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void IfWithoutElseMustPassItsParametersThrough()
    {
        var b = new ModuleBuilder();
        uint bt = b.Type([], [ValType.I32]);
        b.Func(Const(1), Block(Op.If, BlockType.OfIndex(bt)), Const(2), I(Op.End), I(Op.Drop));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void SideTableRecordsElseAndEnd()
    {
        var b = OneFunc(Const(1), Block(Op.If, BlockType.Empty), I(Op.Nop), I(Op.Else), Block(Op.Loop, BlockType.Empty), I(Op.End), I(Op.End));
        var v = Validator.Validate(b.Module);
        var f = v.Functions[0];
        // Body at offset 1000: 1 local-decl byte, then i32.const 1 (2 bytes), if (2), nop, else, loop (2), end, end, end.
        Assert.Equal(1001, f.CodeStart);
        Assert.Equal(2, f.Blocks.Length);
        Assert.Equal(new BlockTarget(1003, 1006, 1010, 0), f.Blocks[0]);
        Assert.Equal(new BlockTarget(1007, -1, 1009, 0), f.Blocks[1]);
        Assert.Equal(1012, f.CodeEnd);
        Assert.Equal(3, f.MaxControlDepth);
        Assert.Equal(1, f.MaxStackHeight);
        Assert.Equal(1, f.FindBlock(1007));
        Assert.Equal(-1, f.FindBlock(1008));
    }

    [Fact]
    public void BlockHeightIsBelowItsParameters()
    {
        var b = new ModuleBuilder();
        uint bt = b.Type([ValType.I32], [ValType.I32]);
        // i64.const; i32.const; block (param i32) (result i32) end; drop; drop
        b.Func(I(Op.I64Const), Const(1), Block(Op.Block, BlockType.OfIndex(bt)), I(Op.End), I(Op.Drop), I(Op.Drop));
        var f = Validator.Validate(b.Module).Functions[0];
        Assert.Equal(1, f.Blocks[0].Height);
        Assert.Equal(2, f.MaxStackHeight);
    }

    [Fact]
    public void MessagesNameModuleTypeIndices()
    {
        var b = new ModuleBuilder();
        b.Type([ValType.I64], []);
        uint st = b.AddType(new SubType(CompositeType.Struct([]), true, []));
        b.Func(Const(0), I(Op.StructGet, st, 0), I(Op.Drop));
        AssertInvalid(b, "unknown field 0");
        b = new ModuleBuilder();
        b.Type([ValType.I64], []);
        st = b.AddType(new SubType(CompositeType.Struct([new FieldType(ValType.I32, false)]), true, []));
        b.Func(Const(0), I(Op.StructGet, st, 0), I(Op.Drop));
        var e = Invalid(b);
        Assert.Equal("type mismatch: instruction requires [(ref null 1)] but stack has [i32]", e.Message);
    }

    [Fact]
    public void LocalsIncludeParameters()
    {
        var b = new ModuleBuilder();
        uint t = b.Type([ValType.I64], [ValType.I64]);
        b.Func(t, [ValType.F32, ValType.F32], I(Op.LocalGet, 0), I(Op.LocalGet, 0), I(Op.I64Add));
        var f = Validator.Validate(b.Module).Functions[0];
        Assert.Equal([ValType.I64, ValType.F32, ValType.F32], f.Locals);
        Assert.Equal(1, f.ParamCount);
        Assert.Equal(2, f.MaxStackHeight);
    }

    [Fact]
    public void ConstantExpressionsAreRestricted()
    {
        var b = new ModuleBuilder();
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I32, false), Code(Const(0), I(Op.I32Eqz))));
        AssertInvalid(b, "constant expression required");

        b = new ModuleBuilder();
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I32, false), Code(I(Op.GlobalGet, 0))));
        AssertInvalid(b, "unknown global 0");

        b = new ModuleBuilder();
        b.Module.AddImport(new Import("m", "g", ExternKind.Global) { Global = new GlobalType(ValType.I32, true) });
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I32, false), Code(I(Op.GlobalGet, 0))));
        AssertInvalid(b, "constant expression required");

        // Extended constants and earlier immutable globals are fine.
        b = new ModuleBuilder();
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I32, false), Code(Const(1))));
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I32, false), Code(I(Op.GlobalGet, 0), Const(2), I(Op.I32Mul))));
        Validator.Validate(b.Module);

        b = new ModuleBuilder();
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I64, false), Code(Const(1))));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void LimitsAreChecked()
    {
        var b = new ModuleBuilder();
        b.Module.Memories.Add(new MemoryType(new Limits(2, 1)));
        AssertInvalid(b, "size minimum must not be greater than maximum");
        b = new ModuleBuilder();
        b.Module.Memories.Add(new MemoryType(new Limits(65537, null)));
        AssertInvalid(b, "memory size must be at most 65536 pages (4GiB)");
        b = new ModuleBuilder();
        b.Module.Memories.Add(new MemoryType(new Limits(1, null, false, true)));
        AssertInvalid(b, "shared memory must have maximum");
        b = new ModuleBuilder();
        b.Module.Memories.Add(new MemoryType(new Limits(0x1_0000_0000_0001, null, true)));
        AssertInvalid(b, "memory size");
        b = new ModuleBuilder();
        b.Module.Tables.Add(new TableDef(new TableType(ValType.FuncRef, new Limits(0x1_0000_0000, null)), null));
        AssertInvalid(b, "table size");
        b = new ModuleBuilder();
        b.Module.Tables.Add(new TableDef(new TableType(ValType.FuncRef, new Limits(0x1_0000_0000, null, true)), null));
        Validator.Validate(b.Module);
    }

    [Fact]
    public void ExportsAndStart()
    {
        var b = OneFunc();
        b.Module.Exports.Add(new Export("a", ExternKind.Func, 0));
        b.Module.Exports.Add(new Export("a", ExternKind.Func, 0));
        AssertInvalid(b, "duplicate export name");

        b = OneFunc();
        b.Module.Exports.Add(new Export("m", ExternKind.Memory, 0));
        AssertInvalid(b, "unknown memory 0");

        b = new ModuleBuilder();
        b.Func(b.Type([ValType.I32], []), []);
        b.Module.Start = 0;
        AssertInvalid(b, "start function");
    }

    [Fact]
    public void NonNullableTableNeedsInitializer()
    {
        var b = new ModuleBuilder();
        uint ft = b.Type([], []);
        b.Module.Tables.Add(new TableDef(new TableType(ValType.Ref(new HeapType((int)ft), false), new Limits(1, null)), null));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void TagsMustHaveNoResults()
    {
        var b = new ModuleBuilder();
        b.Module.Tags.Add(new TagType(b.Type([], [ValType.I32])));
        AssertInvalid(b, "non-empty tag result type");
    }

    [Fact]
    public void ThrowReportsTheRequiredTypes()
    {
        var b = new ModuleBuilder();
        b.Module.Tags.Add(new TagType(b.Type([ValType.I32], [])));
        b.Func(I(Op.I64Const), I(Op.Throw, 0));
        var e = Invalid(b);
        Assert.Equal("type mismatch: instruction requires [i32] but stack has [i64]", e.Message);
    }

    [Fact]
    public void TryTableCatchLabelsAreChecked()
    {
        var b = new ModuleBuilder();
        b.Module.Tags.Add(new TagType(b.Type([ValType.I32], [])));
        // block (result i32) try_table (catch 0 0) end unreachable end drop : valid
        b.Func(Block(Op.Block, BlockType.Of(ValType.I32)),
            new Instruction { Op = Op.TryTable, Block = BlockType.Empty, Catches = [new CatchClause(CatchKind.Catch, 0, 0)] },
            I(Op.End), I(Op.Unreachable), I(Op.End), I(Op.Drop));
        Validator.Validate(b.Module);

        b = new ModuleBuilder();
        b.Module.Tags.Add(new TagType(b.Type([ValType.I32], [])));
        b.Func(Block(Op.Block, BlockType.Empty),
            new Instruction { Op = Op.TryTable, Block = BlockType.Empty, Catches = [new CatchClause(CatchKind.Catch, 0, 0)] },
            I(Op.End), I(Op.End));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void LegacyRethrowNeedsACatch()
    {
        var b = OneFunc(Block(Op.Try, BlockType.Empty), I(Op.Rethrow, 0), I(Op.End));
        AssertInvalid(b, "invalid rethrow label");
        b = new ModuleBuilder();
        b.Module.Tags.Add(new TagType(b.Type([], [])));
        b.Func(Block(Op.Try, BlockType.Empty), I(Op.Catch, 0), I(Op.CatchAll), I(Op.Rethrow, 0), I(Op.End));
        var f = Validator.Validate(b.Module).Functions[0];
        Assert.Equal(f.Blocks[0].Start + 2, f.Blocks[0].Else);
        Assert.Equal([new HandlerTarget(0, f.Blocks[0].Start + 2), new HandlerTarget(0, f.Blocks[0].Start + 4)], f.Handlers);

        b = OneFunc(Block(Op.Try, BlockType.Empty), I(Op.CatchAll), I(Op.CatchAll), I(Op.End));
        Invalid(b);
    }

    [Fact]
    public void StructOperations()
    {
        var b = new ModuleBuilder();
        uint st = b.AddType(new SubType(CompositeType.Struct([new FieldType(ValType.I8, false), new FieldType(ValType.I64, true)]), true, []));
        b.Func(Const(1), I(Op.I64Const), I(Op.StructNew, st), I(Op.StructGetS, st, 0), I(Op.Drop));
        Validator.Validate(b.Module);

        b = new ModuleBuilder();
        st = b.AddType(new SubType(CompositeType.Struct([new FieldType(ValType.I8, false)]), true, []));
        b.Func(RefNull(new HeapType((int)st)), Const(1), I(Op.StructSet, st, 0));
        AssertInvalid(b, "immutable field");

        b = new ModuleBuilder();
        st = b.AddType(new SubType(CompositeType.Struct([new FieldType(ValType.I8, false)]), true, []));
        b.Func(RefNull(new HeapType((int)st)), I(Op.StructGet, st, 0), I(Op.Drop));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void ArrayOperations()
    {
        var b = new ModuleBuilder();
        uint at = b.AddType(new SubType(CompositeType.Array(new FieldType(ValType.I32, false)), true, []));
        b.Func(RefNull(new HeapType((int)at)), Const(0), Const(1), I(Op.ArraySet, at));
        AssertInvalid(b, "immutable array");

        b = new ModuleBuilder();
        uint dst = b.AddType(new SubType(CompositeType.Array(new FieldType(ValType.I32, true)), true, []));
        uint src = b.AddType(new SubType(CompositeType.Array(new FieldType(ValType.I64, true)), true, []));
        b.Func(RefNull(new HeapType((int)dst)), Const(0), RefNull(new HeapType((int)src)), Const(0), Const(0), I(Op.ArrayCopy, dst, src));
        AssertInvalid(b, "array types do not match");

        b = new ModuleBuilder();
        at = b.AddType(new SubType(CompositeType.Array(new FieldType(ValType.FuncRef, true)), true, []));
        b.Module.Datas.Add(new DataSegment { Mode = SegmentMode.Passive, Bytes = new byte[4] });
        b.Module.DataCount = 1;
        b.Func(Const(0), Const(1), I(Op.ArrayNewData, at, 0), I(Op.Drop));
        AssertInvalid(b, "array type is not numeric or vector");
    }

    [Fact]
    public void CastsAndBranchesOnCasts()
    {
        var b = new ModuleBuilder();
        uint st = b.AddType(new SubType(CompositeType.Struct([]), true, []));
        var sref = ValType.Ref(new HeapType((int)st), false);
        // block (result (ref $st)) (ref.null any) br_on_cast 0 anyref (ref $st) drop unreachable end drop
        uint ft = b.Type([], []);
        b.Func(ft, [], Block(Op.Block, BlockType.Of(sref)), RefNull(HeapType.Any),
            new Instruction { Op = Op.BrOnCast, A = 0, Heap = HeapType.Any, Null1 = true, Heap2 = new HeapType((int)st), Null2 = false },
            I(Op.Drop), I(Op.Unreachable), I(Op.End), I(Op.Drop));
        Validator.Validate(b.Module);

        // A function reference cannot be tested against a struct type.
        b = new ModuleBuilder();
        st = b.AddType(new SubType(CompositeType.Struct([]), true, []));
        b.Func(RefNull(HeapType.Func), new Instruction { Op = Op.RefTest, Heap = new HeapType((int)st) }, I(Op.Drop));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void CallRefAndReturnCall()
    {
        var b = new ModuleBuilder();
        uint ft = b.Type([ValType.I32], [ValType.I32]);
        uint caller = b.Type([], [ValType.I64]);
        b.Func(caller, [], Const(1), RefNull(new HeapType((int)ft)), I(Op.ReturnCallRef, ft));
        AssertInvalid(b, "type mismatch");

        b = new ModuleBuilder();
        ft = b.Type([ValType.I32], [ValType.I32]);
        b.Func(ft, [], I(Op.LocalGet, 0), RefNull(new HeapType((int)ft)), I(Op.CallRef, ft));
        Validator.Validate(b.Module);
    }
    [Fact]
    public void BranchOnNullAndNonNull()
    {
        var b = new ModuleBuilder();
        uint ft = b.Type([], []);
        var nn = ValType.Ref(new HeapType((int)ft), false);
        // block (result (ref $ft)) ref.null $ft br_on_non_null 0 unreachable end drop
        b.Func(Block(Op.Block, BlockType.Of(nn)), RefNull(new HeapType((int)ft)), I(Op.BrOnNonNull, 0), I(Op.Unreachable), I(Op.End), I(Op.Drop));
        Validator.Validate(b.Module);

        // br_on_null leaves the non-null reference: call_ref accepts it.
        b = new ModuleBuilder();
        ft = b.Type([], []);
        b.Func(Block(Op.Block, BlockType.Empty), RefNull(new HeapType((int)ft)), I(Op.BrOnNull, 0), I(Op.CallRef, ft), I(Op.End));
        Validator.Validate(b.Module);

        // br_on_non_null needs a label ending in a reference.
        b = new ModuleBuilder();
        ft = b.Type([], []);
        b.Func(Block(Op.Block, BlockType.Empty), RefNull(new HeapType((int)ft)), I(Op.BrOnNonNull, 0), I(Op.End));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void LocalInitializationInsideIfDoesNotLeak()
    {
        var b = new ModuleBuilder();
        uint ft = b.Type([], []);
        var local = ValType.Ref(new HeapType((int)ft), false);
        b.Module.Elements.Add(new ElementSegment { Mode = SegmentMode.Declarative, FuncIndices = [0] });
        // if: set local; else: get local -> uninitialized in the else branch.
        b.Func(ft, [local], Const(1), Block(Op.If, BlockType.Empty), I(Op.RefFunc, 0), I(Op.LocalSet, 0), I(Op.Else), I(Op.LocalGet, 0), I(Op.Drop), I(Op.End));
        AssertInvalid(b, "uninitialized local");
    }

    [Fact]
    public void TableAndMemoryCopyUseTheSmallerAddressType()
    {
        var b = OneFunc(I(Op.I64Const), Const(0), Const(0), I(Op.MemoryCopy, 0, 1));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null, true)));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null)));
        Validator.Validate(b.Module);

        b = OneFunc(I(Op.I64Const), Const(0), I(Op.I64Const), I(Op.MemoryCopy, 0, 1));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null, true)));
        b.Module.Memories.Add(new MemoryType(new Limits(1, null)));
        AssertInvalid(b, "type mismatch");

        b = OneFunc(Const(0), Const(0), Const(0), I(Op.TableCopy, 0, 1));
        b.Module.Tables.Add(new TableDef(new TableType(ValType.FuncRef, new Limits(1, null)), null));
        b.Module.Tables.Add(new TableDef(new TableType(ValType.ExternRef, new Limits(1, null)), null));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void ShuffleLanesAreBelow32()
    {
        var v = new V128(0x1F1F1F1F1F1F1F1F, 0x1F1F1F1F1F1F1F1F);
        var b = OneFunc(new Instruction { Op = Op.V128Const }, new Instruction { Op = Op.V128Const }, new Instruction { Op = Op.I8x16Shuffle, Vector = v }, I(Op.Drop));
        Validator.Validate(b.Module);
        v = new V128(0x20, 0);
        b = OneFunc(new Instruction { Op = Op.V128Const }, new Instruction { Op = Op.V128Const }, new Instruction { Op = Op.I8x16Shuffle, Vector = v }, I(Op.Drop));
        AssertInvalid(b, "invalid lane index");
    }

    [Fact]
    public void GcConstantExpressions()
    {
        var b = new ModuleBuilder();
        uint st = b.AddType(new SubType(CompositeType.Struct([new FieldType(ValType.I32, false)]), true, []));
        var sref = ValType.Ref(new HeapType((int)st), false);
        b.Module.Globals.Add(new GlobalDef(new GlobalType(sref, false), Code(Const(7), I(Op.StructNew, st))));
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.I31Ref, false), Code(Const(7), I(Op.RefI31))));
        b.Module.Globals.Add(new GlobalDef(new GlobalType(ValType.ExternRef, false), Code(RefNull(HeapType.Any), I(Op.ExternConvertAny))));
        Validator.Validate(b.Module);

        b = new ModuleBuilder();
        uint nd = b.AddType(new SubType(CompositeType.Struct([new FieldType(sref, false)]), true, []));
        b.Func(I(Op.StructNewDefault, nd), I(Op.Drop));
        AssertInvalid(b, "type mismatch");
    }

    [Fact]
    public void LegacyDelegateAndReturnCallIndirect()
    {
        var b = OneFunc(Block(Op.Block, BlockType.Empty), Block(Op.Try, BlockType.Empty), I(Op.Delegate, 0), I(Op.End));
        var f = Validator.Validate(b.Module).Functions[0];
        Assert.Equal(f.Blocks[1].End, f.Blocks[1].Else);
        b = OneFunc(Block(Op.Try, BlockType.Empty), I(Op.Delegate, 1));
        AssertInvalid(b, "unknown label");

        b = new ModuleBuilder();
        uint t = b.Type([], [ValType.I32]);
        b.Func(t, [], Const(0), I(Op.ReturnCallIndirect, t, 0));
        b.Module.Tables.Add(new TableDef(new TableType(ValType.FuncRef, new Limits(1, null)), null));
        Validator.Validate(b.Module);
        b.Module.Tables.Clear();
        b.Module.Tables.Add(new TableDef(new TableType(ValType.ExternRef, new Limits(1, null)), null));
        AssertInvalid(b, "type mismatch");
    }
}
