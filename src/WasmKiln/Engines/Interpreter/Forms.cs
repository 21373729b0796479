using WasmKiln.Instructions;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// The handlers of one numeric instruction: register form (<c>A = op(B, C)</c> or <c>A = op(B)</c>),
/// immediate form (<c>A = op(B, K)</c>), and for compares the fused conditional branches.
/// </summary>
internal sealed unsafe class NumForms
{
    /// <summary>Register form.</summary>
    public delegate*<Inst*, ref Machine, Inst*> H;
    /// <summary>Immediate form (binary operations), or null.</summary>
    public delegate*<Inst*, ref Machine, Inst*> HK;
    /// <summary>Jump when the compare of B and C holds (compares only).</summary>
    public delegate*<Inst*, ref Machine, Inst*> BrIf;
    /// <summary>Jump when the compare of B and K holds.</summary>
    public delegate*<Inst*, ref Machine, Inst*> BrIfK;
    /// <summary>Jump when the compare of B and C does not hold.</summary>
    public delegate*<Inst*, ref Machine, Inst*> BrIfNot;
    /// <summary>Jump when the compare of B and K does not hold.</summary>
    public delegate*<Inst*, ref Machine, Inst*> BrIfNotK;
    /// <summary>Whether the operands may be swapped (so a constant left operand becomes the immediate).</summary>
    public bool Commutative;
    /// <summary>
    /// i32 compares only, the compare fused with the <c>i32.add</c> before it (a loop counter step):
    /// slot A = slot B + K, then jump (or not) on compare(A, C) with C an immediate.
    /// </summary>
    public delegate*<Inst*, ref Machine, Inst*> StepKBrIfK, StepKBrIfNotK;
    /// <summary>As <see cref="StepKBrIfK"/>, comparing with slot C.</summary>
    public delegate*<Inst*, ref Machine, Inst*> StepKBrIf, StepKBrIfNot;
    /// <summary>As <see cref="StepKBrIfK"/> for slot A = slot B + slot C, comparing with the immediate K.</summary>
    public delegate*<Inst*, ref Machine, Inst*> StepBrIfK, StepBrIfNotK;

    /// <summary>A binary operation.</summary>
    public static NumForms Bin<TA, TR, TOp>(bool commutative = false) where TA : unmanaged where TR : unmanaged where TOp : IBin<TA, TR> =>
        new() { H = &Handlers.Bin<TA, TR, TOp>, HK = &Handlers.BinK<TA, TR, TOp>, Commutative = commutative };

    /// <summary>A compare (i32 result), with fused branches.</summary>
    public static NumForms Cmp<TA, TOp>(bool commutative = false) where TA : unmanaged where TOp : IBin<TA, int> => new()
    {
        H = &Handlers.Bin<TA, int, TOp>,
        HK = &Handlers.BinK<TA, int, TOp>,
        BrIf = &Handlers.BrIf<CondBin<TA, TOp>>,
        BrIfK = &Handlers.BrIf<CondBinK<TA, TOp>>,
        BrIfNot = &Handlers.BrIfNot<CondBin<TA, TOp>>,
        BrIfNotK = &Handlers.BrIfNot<CondBinK<TA, TOp>>,
        Commutative = commutative,
    };

    /// <summary>An i32 compare, with fused branches and fused counter steps.</summary>
    public static NumForms CmpI32<TOp>(bool commutative = false) where TOp : IBin<int, int>
    {
        var f = Cmp<int, TOp>(commutative);
        f.StepKBrIfK = &Handlers.StepBrIf<StepAddK, RhsImmC, TOp>;
        f.StepKBrIfNotK = &Handlers.StepBrIfNot<StepAddK, RhsImmC, TOp>;
        f.StepKBrIf = &Handlers.StepBrIf<StepAddK, RhsSlotC, TOp>;
        f.StepKBrIfNot = &Handlers.StepBrIfNot<StepAddK, RhsSlotC, TOp>;
        f.StepBrIfK = &Handlers.StepBrIf<StepAdd, RhsImmK, TOp>;
        f.StepBrIfNotK = &Handlers.StepBrIfNot<StepAdd, RhsImmK, TOp>;
        return f;
    }

    /// <summary>A unary operation or conversion.</summary>
    public static NumForms Un<TA, TR, TOp>() where TA : unmanaged where TR : unmanaged where TOp : IUn<TA, TR> =>
        new() { H = &Handlers.Un<TA, TR, TOp> };

    /// <summary>A unary test (eqz), with fused branches.</summary>
    public static NumForms Test<TA, TOp>() where TA : unmanaged where TOp : IUn<TA, int> => new()
    {
        H = &Handlers.Un<TA, int, TOp>,
        BrIf = &Handlers.BrIf<CondUn<TA, TOp>>,
        BrIfNot = &Handlers.BrIfNot<CondUn<TA, TOp>>,
    };

    private static readonly Dictionary<Op, NumForms> Table = Build();

    /// <summary>The forms of a numeric instruction, or null when it is not one.</summary>
    public static NumForms? Of(Op op) => Table.TryGetValue(op, out var f) ? f : null;

    private static Dictionary<Op, NumForms> Build() => new()
    {
        [Op.I32Add] = Bin<int, int, I32Add>(true), [Op.I32Sub] = Bin<int, int, I32Sub>(), [Op.I32Mul] = Bin<int, int, I32Mul>(true),
        [Op.I32DivS] = Bin<int, int, I32DivS>(), [Op.I32DivU] = Bin<int, int, I32DivU>(), [Op.I32RemS] = Bin<int, int, I32RemS>(),
        [Op.I32RemU] = Bin<int, int, I32RemU>(), [Op.I32And] = Bin<int, int, I32And>(true), [Op.I32Or] = Bin<int, int, I32Or>(true),
        [Op.I32Xor] = Bin<int, int, I32Xor>(true), [Op.I32Shl] = Bin<int, int, I32Shl>(), [Op.I32ShrS] = Bin<int, int, I32ShrS>(),
        [Op.I32ShrU] = Bin<int, int, I32ShrU>(), [Op.I32Rotl] = Bin<int, int, I32Rotl>(), [Op.I32Rotr] = Bin<int, int, I32Rotr>(),
        [Op.I32Eq] = CmpI32<I32Eq>(true), [Op.I32Ne] = CmpI32<I32Ne>(true), [Op.I32LtS] = CmpI32<I32LtS>(), [Op.I32LtU] = CmpI32<I32LtU>(),
        [Op.I32GtS] = CmpI32<I32GtS>(), [Op.I32GtU] = CmpI32<I32GtU>(), [Op.I32LeS] = CmpI32<I32LeS>(), [Op.I32LeU] = CmpI32<I32LeU>(),
        [Op.I32GeS] = CmpI32<I32GeS>(), [Op.I32GeU] = CmpI32<I32GeU>(),
        [Op.I32Eqz] = Test<int, I32Eqz>(), [Op.I32Clz] = Un<int, int, I32Clz>(), [Op.I32Ctz] = Un<int, int, I32Ctz>(),
        [Op.I32Popcnt] = Un<int, int, I32Popcnt>(), [Op.I32Extend8S] = Un<int, int, I32Extend8S>(), [Op.I32Extend16S] = Un<int, int, I32Extend16S>(),

        [Op.I64Add] = Bin<long, long, I64Add>(true), [Op.I64Sub] = Bin<long, long, I64Sub>(), [Op.I64Mul] = Bin<long, long, I64Mul>(true),
        [Op.I64DivS] = Bin<long, long, I64DivS>(), [Op.I64DivU] = Bin<long, long, I64DivU>(), [Op.I64RemS] = Bin<long, long, I64RemS>(),
        [Op.I64RemU] = Bin<long, long, I64RemU>(), [Op.I64And] = Bin<long, long, I64And>(true), [Op.I64Or] = Bin<long, long, I64Or>(true),
        [Op.I64Xor] = Bin<long, long, I64Xor>(true), [Op.I64Shl] = Bin<long, long, I64Shl>(), [Op.I64ShrS] = Bin<long, long, I64ShrS>(),
        [Op.I64ShrU] = Bin<long, long, I64ShrU>(), [Op.I64Rotl] = Bin<long, long, I64Rotl>(), [Op.I64Rotr] = Bin<long, long, I64Rotr>(),
        [Op.I64Eq] = Cmp<long, I64Eq>(true), [Op.I64Ne] = Cmp<long, I64Ne>(true), [Op.I64LtS] = Cmp<long, I64LtS>(), [Op.I64LtU] = Cmp<long, I64LtU>(),
        [Op.I64GtS] = Cmp<long, I64GtS>(), [Op.I64GtU] = Cmp<long, I64GtU>(), [Op.I64LeS] = Cmp<long, I64LeS>(), [Op.I64LeU] = Cmp<long, I64LeU>(),
        [Op.I64GeS] = Cmp<long, I64GeS>(), [Op.I64GeU] = Cmp<long, I64GeU>(),
        [Op.I64Eqz] = Test<long, I64Eqz>(), [Op.I64Clz] = Un<long, long, I64Clz>(), [Op.I64Ctz] = Un<long, long, I64Ctz>(),
        [Op.I64Popcnt] = Un<long, long, I64Popcnt>(), [Op.I64Extend8S] = Un<long, long, I64Extend8S>(),
        [Op.I64Extend16S] = Un<long, long, I64Extend16S>(), [Op.I64Extend32S] = Un<long, long, I64Extend32S>(),

        [Op.F32Add] = Bin<float, float, F32Add>(), [Op.F32Sub] = Bin<float, float, F32Sub>(), [Op.F32Mul] = Bin<float, float, F32Mul>(),
        [Op.F32Div] = Bin<float, float, F32Div>(), [Op.F32Min] = Bin<float, float, F32Min>(), [Op.F32Max] = Bin<float, float, F32Max>(),
        [Op.F32Copysign] = Bin<float, float, F32Copysign>(),
        [Op.F32Eq] = Cmp<float, F32Eq>(), [Op.F32Ne] = Cmp<float, F32Ne>(), [Op.F32Lt] = Cmp<float, F32Lt>(), [Op.F32Gt] = Cmp<float, F32Gt>(),
        [Op.F32Le] = Cmp<float, F32Le>(), [Op.F32Ge] = Cmp<float, F32Ge>(),
        [Op.F32Abs] = Un<float, float, F32Abs>(), [Op.F32Neg] = Un<float, float, F32Neg>(), [Op.F32Ceil] = Un<float, float, F32Ceil>(),
        [Op.F32Floor] = Un<float, float, F32Floor>(), [Op.F32Trunc] = Un<float, float, F32Trunc>(), [Op.F32Nearest] = Un<float, float, F32Nearest>(),
        [Op.F32Sqrt] = Un<float, float, F32Sqrt>(),

        [Op.F64Add] = Bin<double, double, F64Add>(), [Op.F64Sub] = Bin<double, double, F64Sub>(), [Op.F64Mul] = Bin<double, double, F64Mul>(),
        [Op.F64Div] = Bin<double, double, F64Div>(), [Op.F64Min] = Bin<double, double, F64Min>(), [Op.F64Max] = Bin<double, double, F64Max>(),
        [Op.F64Copysign] = Bin<double, double, F64Copysign>(),
        [Op.F64Eq] = Cmp<double, F64Eq>(), [Op.F64Ne] = Cmp<double, F64Ne>(), [Op.F64Lt] = Cmp<double, F64Lt>(), [Op.F64Gt] = Cmp<double, F64Gt>(),
        [Op.F64Le] = Cmp<double, F64Le>(), [Op.F64Ge] = Cmp<double, F64Ge>(),
        [Op.F64Abs] = Un<double, double, F64Abs>(), [Op.F64Neg] = Un<double, double, F64Neg>(), [Op.F64Ceil] = Un<double, double, F64Ceil>(),
        [Op.F64Floor] = Un<double, double, F64Floor>(), [Op.F64Trunc] = Un<double, double, F64Trunc>(), [Op.F64Nearest] = Un<double, double, F64Nearest>(),
        [Op.F64Sqrt] = Un<double, double, F64Sqrt>(),

        [Op.I32WrapI64] = Un<long, int, I32WrapI64>(), [Op.I64ExtendI32S] = Un<int, long, I64ExtendI32S>(), [Op.I64ExtendI32U] = Un<int, long, I64ExtendI32U>(),
        [Op.I32TruncF32S] = Un<float, int, I32TruncF32S>(), [Op.I32TruncF32U] = Un<float, int, I32TruncF32U>(),
        [Op.I32TruncF64S] = Un<double, int, I32TruncF64S>(), [Op.I32TruncF64U] = Un<double, int, I32TruncF64U>(),
        [Op.I64TruncF32S] = Un<float, long, I64TruncF32S>(), [Op.I64TruncF32U] = Un<float, long, I64TruncF32U>(),
        [Op.I64TruncF64S] = Un<double, long, I64TruncF64S>(), [Op.I64TruncF64U] = Un<double, long, I64TruncF64U>(),
        [Op.I32TruncSatF32S] = Un<float, int, I32TruncSatF32S>(), [Op.I32TruncSatF32U] = Un<float, int, I32TruncSatF32U>(),
        [Op.I32TruncSatF64S] = Un<double, int, I32TruncSatF64S>(), [Op.I32TruncSatF64U] = Un<double, int, I32TruncSatF64U>(),
        [Op.I64TruncSatF32S] = Un<float, long, I64TruncSatF32S>(), [Op.I64TruncSatF32U] = Un<float, long, I64TruncSatF32U>(),
        [Op.I64TruncSatF64S] = Un<double, long, I64TruncSatF64S>(), [Op.I64TruncSatF64U] = Un<double, long, I64TruncSatF64U>(),
        [Op.F32ConvertI32S] = Un<int, float, F32ConvertI32S>(), [Op.F32ConvertI32U] = Un<int, float, F32ConvertI32U>(),
        [Op.F32ConvertI64S] = Un<long, float, F32ConvertI64S>(), [Op.F32ConvertI64U] = Un<long, float, F32ConvertI64U>(),
        [Op.F64ConvertI32S] = Un<int, double, F64ConvertI32S>(), [Op.F64ConvertI32U] = Un<int, double, F64ConvertI32U>(),
        [Op.F64ConvertI64S] = Un<long, double, F64ConvertI64S>(), [Op.F64ConvertI64U] = Un<long, double, F64ConvertI64U>(),
        [Op.F32DemoteF64] = Un<double, float, F32DemoteF64>(), [Op.F64PromoteF32] = Un<float, double, F64PromoteF32>(),
        [Op.I32ReinterpretF32] = Un<int, int, Reinterpret32>(), [Op.F32ReinterpretI32] = Un<int, int, Reinterpret32>(),
        [Op.I64ReinterpretF64] = Un<long, long, Reinterpret64>(), [Op.F64ReinterpretI64] = Un<long, long, Reinterpret64>(),
    };
}

/// <summary>The handlers of one plain load or store: memory 0 with 32-bit addresses, any memory with 32- or 64-bit addresses.</summary>
internal sealed unsafe class MemForms
{
    /// <summary>Memory 0, 32-bit addresses (cached base and length), address slot B + K (<see cref="AddrSlot"/>).</summary>
    public delegate*<Inst*, ref Machine, Inst*> H0;
    /// <summary>Memory 0, address (slot B + D) + K: an <c>i32.add</c> of a constant folded in.</summary>
    public delegate*<Inst*, ref Machine, Inst*> H0AddImm;
    /// <summary>Memory 0, address (slot B + slot C) + K: an <c>i32.add</c> folded in.</summary>
    public delegate*<Inst*, ref Machine, Inst*> H0Add;
    /// <summary>Memory 0, constant address K.</summary>
    public delegate*<Inst*, ref Machine, Inst*> H0Const;
    /// <summary>Stores only: the four memory-0 forms above storing the constant A instead of slot A (same order).</summary>
    public delegate*<Inst*, ref Machine, Inst*> S0Imm, S0ImmAddImm, S0ImmAdd, S0ImmConst;
    /// <summary>Memory C, 32-bit addresses.</summary>
    public delegate*<Inst*, ref Machine, Inst*> H32;
    /// <summary>Memory C, 64-bit addresses.</summary>
    public delegate*<Inst*, ref Machine, Inst*> H64;
    /// <summary>Bytes accessed.</summary>
    public int Size;

    private static MemForms Load<TL>() where TL : ILoad => new()
    {
        H0 = &Handlers.Load0<TL, AddrSlot>, H0AddImm = &Handlers.Load0<TL, AddrSlotImm>,
        H0Add = &Handlers.Load0<TL, AddrSlotSlot>, H0Const = &Handlers.Load0<TL, AddrConst>,
        H32 = &Handlers.LoadM32<TL>, H64 = &Handlers.LoadM64<TL>, Size = TL.Size,
    };

    private static MemForms Store<TS>() where TS : IStore => new()
    {
        H0 = &Handlers.Store0<TS, AddrSlot>, H0AddImm = &Handlers.Store0<TS, AddrSlotImm>,
        H0Add = &Handlers.Store0<TS, AddrSlotSlot>, H0Const = &Handlers.Store0<TS, AddrConst>,
        S0Imm = &Handlers.Store0Imm<TS, AddrSlot>, S0ImmAddImm = &Handlers.Store0Imm<TS, AddrSlotImm>,
        S0ImmAdd = &Handlers.Store0Imm<TS, AddrSlotSlot>, S0ImmConst = &Handlers.Store0Imm<TS, AddrConst>,
        H32 = &Handlers.StoreM32<TS>, H64 = &Handlers.StoreM64<TS>, Size = TS.Size,
    };

    private static readonly Dictionary<Op, MemForms> Table = new()
    {
        [Op.I32Load] = Load<LdI32>(), [Op.I64Load] = Load<LdI64>(), [Op.F32Load] = Load<LdI32>(), [Op.F64Load] = Load<LdI64>(),
        [Op.I32Load8S] = Load<LdI32S8>(), [Op.I32Load8U] = Load<LdI32U8>(), [Op.I32Load16S] = Load<LdI32S16>(), [Op.I32Load16U] = Load<LdI32U16>(),
        [Op.I64Load8S] = Load<LdI64S8>(), [Op.I64Load8U] = Load<LdI64U8>(), [Op.I64Load16S] = Load<LdI64S16>(), [Op.I64Load16U] = Load<LdI64U16>(),
        [Op.I64Load32S] = Load<LdI64S32>(), [Op.I64Load32U] = Load<LdI64U32>(),
        [Op.I32Store] = Store<St32>(), [Op.I64Store] = Store<St64>(), [Op.F32Store] = Store<St32>(), [Op.F64Store] = Store<St64>(),
        [Op.I32Store8] = Store<St8>(), [Op.I32Store16] = Store<St16>(),
        [Op.I64Store8] = Store<St8>(), [Op.I64Store16] = Store<St16>(), [Op.I64Store32] = Store<St32>(),
    };

    /// <summary>The forms of a plain load or store, or null.</summary>
    public static MemForms? Of(Op op) => Table.TryGetValue(op, out var f) ? f : null;
}
