using WasmKiln.Binary;
using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Tests.Validation;

/// <summary>Builds small modules in memory for validator tests (bodies encoded with the instruction writer).</summary>
internal sealed class ModuleBuilder
{
    public ModuleInfo Module { get; } = new();

    public static Instruction I(Op op, uint a = 0, uint b = 0) => new() { Op = op, A = a, B = b };

    public static Instruction Const(int v) => new() { Op = Op.I32Const, Int = v };

    public static Instruction Block(Op op, BlockType bt) => new() { Op = op, Block = bt };

    public static Instruction Mem(Op op, uint alignLog2, ulong offset = 0, uint memory = 0) =>
        new() { Op = op, A = memory, AlignLog2 = alignLog2, MemOffset = offset };

    public static Instruction RefNull(HeapType h) => new() { Op = Op.RefNull, Heap = h };

    public uint Type(ValType[] parameters, ValType[] results) => AddType(new SubType(CompositeType.Func(parameters, results), true, []));

    public uint AddType(SubType t)
    {
        t.RecGroupStart = Module.Types.Count;
        t.RecGroupSize = 1;
        Module.Types.Add(t);
        return (uint)(Module.Types.Count - 1);
    }

    /// <summary>Adds the given types as one recursion group.</summary>
    public uint RecGroup(params SubType[] types)
    {
        int start = Module.Types.Count;
        foreach (var t in types)
        {
            t.RecGroupStart = start;
            t.RecGroupSize = types.Length;
            Module.Types.Add(t);
        }
        return (uint)start;
    }

    public static Expr Code(params Instruction[] code)
    {
        var w = new WasmWriter();
        foreach (var ins in code) InstructionWriter.Write(w, ins);
        InstructionWriter.Write(w, I(Op.End));
        return new Expr(w.ToArray(), 0);
    }

    /// <summary>Adds a function with the given type, declared locals and instructions (the final end is added).</summary>
    public uint Func(uint type, ValType[] locals, params Instruction[] code)
    {
        var w = new WasmWriter();
        w.U32((uint)locals.Length);
        foreach (var l in locals)
        {
            w.U32(1);
            TypeCodec.WriteValType(w, l);
        }
        foreach (var ins in code) InstructionWriter.Write(w, ins);
        InstructionWriter.Write(w, I(Op.End));
        Module.Functions.Add(type);
        Module.Codes.Add(new FunctionBody(w.ToArray(), 1000));
        return (uint)(Module.ImportedFuncCount + Module.Functions.Count - 1);
    }

    /// <summary>A function of type [] -> [] with no locals.</summary>
    public uint Func(params Instruction[] code) => Func(Type([], []), [], code);
}
