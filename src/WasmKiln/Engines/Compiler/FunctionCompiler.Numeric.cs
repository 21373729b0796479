using System.Reflection;
using System.Reflection.Emit;
using WasmKiln.Instructions;

namespace WasmKiln.Engines.Compiler;

internal sealed partial class FunctionCompiler
{
    private static MethodInfo OpsMethod(string name) =>
        typeof(Ops).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException("missing helper Ops." + name);

    /// <summary>Emits the computation of a numeric instruction whose operands are on the IL stack; false when not numeric.</summary>
    private bool EmitNumeric(Op op)
    {
        var il = _il;
        switch (op)
        {
            case Op.I32Eqz: il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            case Op.I64Eqz: il.Emit(OpCodes.Ldc_I8, 0L); il.Emit(OpCodes.Ceq); return true;
            case Op.I32Eq: case Op.I64Eq: case Op.F32Eq: case Op.F64Eq: il.Emit(OpCodes.Ceq); return true;
            case Op.I32Ne: case Op.I64Ne:
                il.Emit(OpCodes.Ceq); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            case Op.F32Ne: case Op.F64Ne:
                il.Emit(OpCodes.Ceq); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            case Op.I32LtS: case Op.I64LtS: case Op.F32Lt: case Op.F64Lt: il.Emit(OpCodes.Clt); return true;
            case Op.I32LtU: case Op.I64LtU: il.Emit(OpCodes.Clt_Un); return true;
            case Op.I32GtS: case Op.I64GtS: case Op.F32Gt: case Op.F64Gt: il.Emit(OpCodes.Cgt); return true;
            case Op.I32GtU: case Op.I64GtU: il.Emit(OpCodes.Cgt_Un); return true;
            case Op.I32LeS: case Op.I64LeS: il.Emit(OpCodes.Cgt); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            case Op.I32LeU: case Op.I64LeU: il.Emit(OpCodes.Cgt_Un); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            case Op.I32GeS: case Op.I64GeS: il.Emit(OpCodes.Clt); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            case Op.I32GeU: case Op.I64GeU: il.Emit(OpCodes.Clt_Un); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            // Float le/ge: false when unordered, so (a <= b) == !(a > b || unordered) = !cgt.un.
            case Op.F32Le: case Op.F64Le: il.Emit(OpCodes.Cgt_Un); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;
            case Op.F32Ge: case Op.F64Ge: il.Emit(OpCodes.Clt_Un); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); return true;

            case Op.I32Add: case Op.I64Add: case Op.F32Add: case Op.F64Add: il.Emit(OpCodes.Add); return true;
            case Op.I32Sub: case Op.I64Sub: case Op.F32Sub: case Op.F64Sub: il.Emit(OpCodes.Sub); return true;
            case Op.I32Mul: case Op.I64Mul: case Op.F32Mul: case Op.F64Mul: il.Emit(OpCodes.Mul); return true;
            case Op.F32Div: case Op.F64Div: il.Emit(OpCodes.Div); return true;
            case Op.I32And: case Op.I64And: il.Emit(OpCodes.And); return true;
            case Op.I32Or: case Op.I64Or: il.Emit(OpCodes.Or); return true;
            case Op.I32Xor: case Op.I64Xor: il.Emit(OpCodes.Xor); return true;
            case Op.I32Shl: il.Emit(OpCodes.Ldc_I4, 31); il.Emit(OpCodes.And); il.Emit(OpCodes.Shl); return true;
            case Op.I32ShrS: il.Emit(OpCodes.Ldc_I4, 31); il.Emit(OpCodes.And); il.Emit(OpCodes.Shr); return true;
            case Op.I32ShrU: il.Emit(OpCodes.Ldc_I4, 31); il.Emit(OpCodes.And); il.Emit(OpCodes.Shr_Un); return true;
            case Op.I64Shl: il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Ldc_I4, 63); il.Emit(OpCodes.And); il.Emit(OpCodes.Shl); return true;
            case Op.I64ShrS: il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Ldc_I4, 63); il.Emit(OpCodes.And); il.Emit(OpCodes.Shr); return true;
            case Op.I64ShrU: il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Ldc_I4, 63); il.Emit(OpCodes.And); il.Emit(OpCodes.Shr_Un); return true;

            case Op.I32WrapI64: il.Emit(OpCodes.Conv_I4); return true;
            case Op.I64ExtendI32S: il.Emit(OpCodes.Conv_I8); return true;
            case Op.I64ExtendI32U: il.Emit(OpCodes.Conv_U8); return true;
            case Op.F32ConvertI32S: il.Emit(OpCodes.Conv_R4); return true;
            case Op.F64ConvertI32S: il.Emit(OpCodes.Conv_R8); return true;
            case Op.F64ConvertI64S: il.Emit(OpCodes.Conv_R8); return true;
            case Op.I32Extend8S: il.Emit(OpCodes.Conv_I1); return true;
            case Op.I32Extend16S: il.Emit(OpCodes.Conv_I2); return true;
            case Op.I64Extend8S: il.Emit(OpCodes.Conv_I1); il.Emit(OpCodes.Conv_I8); return true;
            case Op.I64Extend16S: il.Emit(OpCodes.Conv_I2); il.Emit(OpCodes.Conv_I8); return true;
            case Op.I64Extend32S: il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Conv_I8); return true;
        }
        string? helper = op switch
        {
            Op.I32DivS => nameof(Ops.I32DivS), Op.I32DivU => nameof(Ops.I32DivU), Op.I32RemS => nameof(Ops.I32RemS), Op.I32RemU => nameof(Ops.I32RemU),
            Op.I64DivS => nameof(Ops.I64DivS), Op.I64DivU => nameof(Ops.I64DivU), Op.I64RemS => nameof(Ops.I64RemS), Op.I64RemU => nameof(Ops.I64RemU),
            Op.I32Clz => nameof(Ops.I32Clz), Op.I32Ctz => nameof(Ops.I32Ctz), Op.I32Popcnt => nameof(Ops.I32Popcnt),
            Op.I64Clz => nameof(Ops.I64Clz), Op.I64Ctz => nameof(Ops.I64Ctz), Op.I64Popcnt => nameof(Ops.I64Popcnt),
            Op.I32Rotl => nameof(Ops.I32Rotl), Op.I32Rotr => nameof(Ops.I32Rotr), Op.I64Rotl => nameof(Ops.I64Rotl), Op.I64Rotr => nameof(Ops.I64Rotr),
            Op.F32Min => nameof(Ops.F32Min), Op.F32Max => nameof(Ops.F32Max), Op.F64Min => nameof(Ops.F64Min), Op.F64Max => nameof(Ops.F64Max),
            Op.F32Abs => nameof(Ops.F32Abs), Op.F64Abs => nameof(Ops.F64Abs), Op.F32Neg => nameof(Ops.F32Neg), Op.F64Neg => nameof(Ops.F64Neg),
            Op.F32Copysign => nameof(Ops.F32Copysign), Op.F64Copysign => nameof(Ops.F64Copysign),
            Op.F32Ceil => nameof(Ops.F32Ceil), Op.F32Floor => nameof(Ops.F32Floor), Op.F32Trunc => nameof(Ops.F32Trunc), Op.F32Nearest => nameof(Ops.F32Nearest), Op.F32Sqrt => nameof(Ops.F32Sqrt),
            Op.F64Ceil => nameof(Ops.F64Ceil), Op.F64Floor => nameof(Ops.F64Floor), Op.F64Trunc => nameof(Ops.F64Trunc), Op.F64Nearest => nameof(Ops.F64Nearest), Op.F64Sqrt => nameof(Ops.F64Sqrt),
            Op.I32TruncF32S => nameof(Ops.I32TruncF32S), Op.I32TruncF32U => nameof(Ops.I32TruncF32U), Op.I32TruncF64S => nameof(Ops.I32TruncF64S), Op.I32TruncF64U => nameof(Ops.I32TruncF64U),
            Op.I64TruncF32S => nameof(Ops.I64TruncF32S), Op.I64TruncF32U => nameof(Ops.I64TruncF32U), Op.I64TruncF64S => nameof(Ops.I64TruncF64S), Op.I64TruncF64U => nameof(Ops.I64TruncF64U),
            Op.I32TruncSatF32S => nameof(Ops.I32TruncSatF32S), Op.I32TruncSatF32U => nameof(Ops.I32TruncSatF32U), Op.I32TruncSatF64S => nameof(Ops.I32TruncSatF64S), Op.I32TruncSatF64U => nameof(Ops.I32TruncSatF64U),
            Op.I64TruncSatF32S => nameof(Ops.I64TruncSatF32S), Op.I64TruncSatF32U => nameof(Ops.I64TruncSatF32U), Op.I64TruncSatF64S => nameof(Ops.I64TruncSatF64S), Op.I64TruncSatF64U => nameof(Ops.I64TruncSatF64U),
            Op.F32ConvertI32U => nameof(Ops.F32ConvertI32U), Op.F32ConvertI64S => nameof(Ops.F32ConvertI64S), Op.F32ConvertI64U => nameof(Ops.F32ConvertI64U),
            Op.F64ConvertI32U => nameof(Ops.F64ConvertI32U), Op.F64ConvertI64U => nameof(Ops.F64ConvertI64U),
            Op.I32ReinterpretF32 => nameof(Ops.I32ReinterpretF32), Op.F32ReinterpretI32 => nameof(Ops.F32ReinterpretI32),
            Op.I64ReinterpretF64 => nameof(Ops.I64ReinterpretF64), Op.F64ReinterpretI64 => nameof(Ops.F64ReinterpretI64),
            Op.F32DemoteF64 => nameof(Ops.F32DemoteF64), Op.F64PromoteF32 => nameof(Ops.F64PromoteF32),
            _ => null,
        };
        if (helper == null) return false;
        il.Emit(OpCodes.Call, OpsMethod(helper));
        return true;
    }
}
