using WasmKiln.Instructions;
using WasmKiln.Model;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>One catch clause of a try region: tag index (-1 = any) and the pad to continue at.</summary>
internal readonly record struct CatchEntry(int Tag, int Pad);

/// <summary>
/// A try region of a lowered function: instructions [<see cref="Start"/>, <see cref="End"/>) are
/// covered by <see cref="Catches"/>, or (legacy <c>delegate</c>) hand their exceptions to the
/// enclosing try regions of nesting depth &lt;= <see cref="DelegateDepth"/>.
/// <see cref="Depth"/> is the block nesting depth of the try. Regions are listed innermost first.
/// </summary>
internal sealed class CatchRegion
{
    public int Start;
    public int End;
    public int Depth;
    public int DelegateDepth = -1;
    public CatchEntry[] Catches = [];
}

/// <summary>
/// Exception handling lowering: <c>try_table</c>, <c>throw</c>, <c>throw_ref</c>, and legacy
/// <c>try</c>/<c>catch</c>/<c>catch_all</c>/<c>delegate</c>/<c>rethrow</c>. A throw unwinds
/// inside the interpreter (see <see cref="Handlers.Unwind"/>) using the function's
/// <see cref="CatchRegion"/>s; catch pads write the payload (and exnref) to the target's slots.
/// </summary>
internal sealed unsafe partial class Lowerer
{
    private sealed class TryState
    {
        public CatchRegion Region = new();
        public int Key;
        public bool InHandler;
        public readonly List<CatchEntry> Clauses = [];
    }

    private List<CatchRegion>? _regions;
    private Dictionary<Ctl, TryState>? _tries;
    private int _tryCount;

    /// <summary>The try regions lowered so far (innermost first), or null.</summary>
    internal CatchRegion[]? CatchRegions => _regions?.ToArray();

    private CompositeType TagType(uint tag) => _vm.Types[_ctx.TagTypeIndices[tag]].Type;

    private void AddRegion(CatchRegion r) => (_regions ??= []).Add(r);

    partial void LowerExceptions(in Instruction ins, OpInfo info, ref bool handled)
    {
        switch (ins.Op)
        {
            case Op.TryTable: LowerTryTable(ins); break;
            case Op.Try: LowerTry(ins); break;
            case Op.Catch: case Op.CatchAll: LowerCatch(ins); break;
            case Op.Delegate: LowerDelegate(ins); break;
            case Op.Throw:
            {
                var ps = TagType(ins.A).Params;
                MaterializeTop(ps.Length);
                int first = TopSlotAfterPop(ps.Length);
                _sp -= ps.Length;
                Emit(&Handlers.ExnThrow, first, (int)ins.A);
                _unreachable = true;
                break;
            }
            case Op.ThrowRef:
            {
                int r = Use(0);
                _sp--;
                Emit(&Handlers.ExnThrowRef, 0, r);
                _unreachable = true;
                break;
            }
            case Op.Rethrow:
            {
                var c = Target(ins.A);
                Emit(&Handlers.ExnRethrow, 0, _tries![c].Key);
                _unreachable = true;
                break;
            }
            default: return;
        }
        handled = true;
    }

    private TryState BeginTry(Op kind, in Instruction ins)
    {
        MaterializeLocals();
        var (ps, _) = BlockSig(ins.Block);
        MaterializeTop(ps.Length);
        var c = PushCtl(kind, ins.Block);
        var s = new TryState { Key = _tryCount++ };
        s.Region.Depth = _ctl.Count - 1;
        (_tries ??= [])[c] = s;
        return s;
    }

    private void LowerTryTable(in Instruction ins)
    {
        // Pads first (jumped over), while the catch targets are the enclosing labels.
        int skip = Emit(&Handlers.Br);
        var clauses = new List<CatchEntry>();
        foreach (var cat in ins.Catches!)
        {
            int pad = _n;
            var t = Target(cat.Label);
            bool hasPayload = cat.Kind is CatchKind.Catch or CatchKind.CatchRef;
            bool hasRef = cat.Kind is CatchKind.CatchRef or CatchKind.CatchAllRef;
            Emit(&Handlers.ExnCatch, t.IsFunction ? 0 : t.SlotBase, (hasPayload ? 1 : 0) | (hasRef ? 2 : 0));
            if (t.IsFunction) Emit(&Handlers.Ret);
            else EmitJump(t);
            clauses.Add(new CatchEntry(hasPayload ? (int)cat.Tag : -1, pad));
        }
        Link(skip, _n);
        _lastResult = -1;
        var s = BeginTry(Op.TryTable, ins);
        s.Region.Start = _n;
        s.Region.Catches = [.. clauses];
    }

    private void LowerTry(in Instruction ins)
    {
        var s = BeginTry(Op.Try, ins);
        s.Region.Start = _n;
        s.Region.End = _n;
    }

    /// <summary>Closes the try body of <paramref name="c"/> (first catch, or delegate).</summary>
    private TryState EndTryBody(Ctl c)
    {
        var s = _tries![c];
        if (!_unreachable)
        {
            EmitBranchMoves(c);
            EmitJump(c);
        }
        if (!s.InHandler)
        {
            s.Region.End = _n;
            s.InHandler = true;
            AddRegion(s.Region);
        }
        return s;
    }

    private void LowerCatch(in Instruction ins)
    {
        var c = _ctl[^1];
        var s = EndTryBody(c);
        int pad = _n;
        ValType[] payload = [];
        if (ins.Op == Op.Catch) payload = TagType(ins.A).Params;
        Emit(&Handlers.ExnCatchLegacy, c.SlotBase, ins.Op == Op.Catch ? 1 : 0, s.Key);
        s.Clauses.Add(new CatchEntry(ins.Op == Op.Catch ? (int)ins.A : -1, pad));
        s.Region.Catches = [.. s.Clauses];
        _lastResult = -1;
        SetStack(c.Height, payload);
        _unreachable = false;
        // The handler is reachable: the block's end is a label even when the body never falls through.
        c.Targeted = true;
    }

    private void LowerDelegate(in Instruction ins)
    {
        var c = _ctl[^1];
        // delegate's label is relative to the try's enclosing blocks.
        int target = _ctl.Count - 2 - (int)ins.A;
        var s = _tries![c];
        bool reachable = !_unreachable;
        if (reachable) for (int i = _sp - c.Results.Length; i < _sp; i++) Materialize(i);
        s.Region.End = _n;
        s.Region.DelegateDepth = target;
        s.InHandler = true;
        AddRegion(s.Region);
        if (c.Kind != Op.Loop) PlaceLabel(c);
        reachable |= c.Targeted;
        _ctl.RemoveAt(_ctl.Count - 1);
        _lastResult = -1;
        SetStack(c.Height, c.Results);
        _unreachable = !reachable;
    }

    /// <summary>Called by the end of every block: closes a try_table's region.</summary>
    private void OnBlockEnd(Ctl c)
    {
        if (_tries == null || !_tries.TryGetValue(c, out var s)) return;
        if (c.Kind == Op.TryTable)
        {
            s.Region.End = _n;
            AddRegion(s.Region);
        }
    }
}
