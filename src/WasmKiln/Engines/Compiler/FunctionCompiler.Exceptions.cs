using System.Reflection;
using System.Reflection.Emit;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Runtime.Exceptions;

namespace WasmKiln.Engines.Compiler;

using Instance = WasmKiln.Runtime.Instance;
using Store = WasmKiln.Runtime.Store;

/// <summary>
/// Exception handling: try_table, throw, throw_ref and the legacy try/catch/catch_all/rethrow/
/// delegate, mapped to IL exception regions. A WebAssembly exception is a <see cref="WasmThrow"/>
/// carrying a <see cref="WasmExceptionObject"/>; handlers match by tag identity; traps are a
/// different .NET type and are never caught. Handlers restore the call depth saved at try entry.
/// </summary>
internal sealed partial class FunctionCompiler
{
    private static readonly FieldInfo InstTags = typeof(Instance).GetField(nameof(Instance.Tags))!;
    private static readonly PropertyInfo DepthProperty = typeof(CallDepthGuard).GetProperty(nameof(CallDepthGuard.Depth))!;

    private static MethodInfo Exn(string name) =>
        typeof(ExnOps).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException("missing ExnOps." + name);

    private sealed class TryState
    {
        public LocalBuilder Depth = null!;
        public LocalBuilder? Exn;
        public bool InHandler;
        public int Level;
    }

    private readonly Dictionary<Frame, TryState> _tries = [];

    /// <summary>
    /// Set by a legacy <c>delegate</c> while its exception is rethrown: handlers of try regions
    /// nested deeper than this level skip the exception (int.MaxValue: none).
    /// </summary>
    private LocalBuilder? _delegateLevel;

    private LocalBuilder DelegateLevel()
    {
        if (_delegateLevel == null)
        {
            _delegateLevel = _il.DeclareLocal(typeof(int));
        }
        return _delegateLevel;
    }

    /// <summary>Emits "skip" (1) when a delegated exception must pass the handlers of region level <paramref name="level"/>.</summary>
    private void EmitSkipCheck(int level)
    {
        _il.Emit(OpCodes.Ldc_I4, level);
        _il.Emit(OpCodes.Ldloc, DelegateLevel());
        _il.Emit(OpCodes.Cgt);
    }

    private void ClearDelegateLevel()
    {
        _il.Emit(OpCodes.Ldc_I4, int.MaxValue);
        _il.Emit(OpCodes.Stloc, DelegateLevel());
    }

    private void LoadTag(uint idx)
    {
        _il.Emit(OpCodes.Ldloc, _inst);
        _il.Emit(OpCodes.Ldfld, InstTags);
        _il.Emit(OpCodes.Ldc_I4, (int)idx);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    private ValType[] TagParams(uint tag) => _vm.Types[_vm.Context.TagTypeIndices[tag]].Type.Params;

    private TryState BeginTry(Frame f)
    {
        var st = new TryState { Depth = _il.DeclareLocal(typeof(int)), Level = _tryDepth + 1 };
        ClearDelegateLevel();
        _il.Emit(OpCodes.Call, DepthProperty.GetMethod!);
        _il.Emit(OpCodes.Stloc, st.Depth);
        _il.BeginExceptionBlock();
        _tryDepth++;
        _tries[f] = st;
        return st;
    }

    private void RestoreDepth(TryState st)
    {
        _il.Emit(OpCodes.Ldloc, st.Depth);
        _il.Emit(OpCodes.Call, DepthProperty.SetMethod!);
    }

    private void EmitThrow(uint tag)
    {
        var ps = TagParams(tag);
        var exn = _il.DeclareLocal(typeof(WasmExceptionObject));
        LoadTag(tag);
        _il.Emit(OpCodes.Call, Exn(nameof(ExnOps.ExnNew)));
        _il.Emit(OpCodes.Stloc, exn);
        int n = ps.Length;
        for (int i = 0; i < n; i++)
        {
            LoadAt(_sp - n + i);
            _il.Emit(OpCodes.Ldloc, exn);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Call, Exn("ExnInit" + ExnOps.Suffix(ps[i])));
            _il.Emit(OpCodes.Pop);
        }
        _sp -= n;
        _il.Emit(OpCodes.Ldloc, exn);
        _il.Emit(OpCodes.Call, Exn(nameof(ExnOps.Throw)));
        _unreachable = true;
    }

    private void EmitThrowRef()
    {
        LoadAt(_sp - 1);
        _sp--;
        _il.Emit(OpCodes.Call, Exn(nameof(ExnOps.ThrowRef)));
        _unreachable = true;
    }

    /// <summary>Pushes the payload of <paramref name="exn"/> (tag parameters <paramref name="ps"/>) into slots from <paramref name="height"/>.</summary>
    private void StorePayload(LocalBuilder exn, ValType[] ps, int height)
    {
        for (int i = 0; i < ps.Length; i++)
        {
            _il.Emit(OpCodes.Ldloc, exn);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Call, Exn("ExnGet" + ExnOps.Suffix(ps[i])));
            _il.Emit(OpCodes.Stloc, Slot(height + i, ps[i]));
        }
    }

    private void EmitTryTable(in Instruction ins)
    {
        var f = PushFrame(Op.TryTable, ins.Block);
        f.Catches = ins.Catches;
        BeginTry(f);
    }

    private void EndTryTable(Frame f)
    {
        var st = _tries[f];
        if (!_unreachable) f.Targeted = true;
        _il.Emit(OpCodes.Leave, f.Label);
        _tryDepth--;
        _il.BeginCatchBlock(typeof(WasmThrow));
        var ex = _il.DeclareLocal(typeof(WasmExceptionObject));
        _il.Emit(OpCodes.Call, Exn(nameof(ExnOps.ExnOf)));
        _il.Emit(OpCodes.Stloc, ex);
        var handle = _il.DefineLabel();
        EmitSkipCheck(st.Level);
        _il.Emit(OpCodes.Brfalse, handle);
        _il.Emit(OpCodes.Rethrow);
        _il.MarkLabel(handle);
        ClearDelegateLevel();
        RestoreDepth(st);
        // The catch labels are relative to the context outside the try_table (its frame is already popped).
        foreach (var c in f.Catches!)
        {
            var next = _il.DefineLabel();
            if (c.Kind is CatchKind.Catch or CatchKind.CatchRef)
            {
                _il.Emit(OpCodes.Ldloc, ex);
                LoadTag(c.Tag);
                _il.Emit(OpCodes.Call, Exn(nameof(ExnOps.IsTag)));
                _il.Emit(OpCodes.Brfalse, next);
            }
            var target = _frames[_frames.Count - 2 - (int)c.Label];
            int h = target.Height;
            var types = target.BranchTypes;
            if (c.Kind is CatchKind.Catch or CatchKind.CatchRef)
            {
                var ps = TagParams(c.Tag);
                StorePayload(ex, ps, h);
                h += ps.Length;
            }
            if (c.Kind is CatchKind.CatchRef or CatchKind.CatchAllRef)
            {
                _il.Emit(OpCodes.Ldloc, ex);
                _il.Emit(OpCodes.Stloc, Slot(h, types[^1]));
            }
            target.Targeted = true;
            _il.Emit(OpCodes.Leave, target.Label);
            _il.MarkLabel(next);
        }
        _il.Emit(OpCodes.Rethrow);
        _il.EndExceptionBlock();
    }

    // ---- legacy exception handling ----

    private void EmitTry(in Instruction ins)
    {
        var f = PushFrame(Op.Try, ins.Block);
        BeginTry(f);
    }

    /// <summary>catch $tag / catch_all of a legacy try (the try frame is on top).</summary>
    private void EmitLegacyCatch(in Instruction ins)
    {
        var f = _frames[^1];
        var st = _tries[f];
        if (!_unreachable) f.Targeted = true;
        _il.Emit(OpCodes.Leave, f.Label);
        st.InHandler = true;
        st.Exn ??= _il.DeclareLocal(typeof(WasmExceptionObject));
        _il.BeginExceptFilterBlock();
        // Filter: a WebAssembly exception (of the tag, for catch).
        _il.Emit(OpCodes.Isinst, typeof(WasmThrow));
        if (ins.Op == Op.Catch)
        {
            LoadTag(ins.A);
            _il.Emit(OpCodes.Call, IOps(nameof(InstanceOps.FilterTag)));
        }
        else
        {
            _il.Emit(OpCodes.Ldnull);
            _il.Emit(OpCodes.Cgt_Un);
        }
        // ... and not a delegated exception passing this level.
        EmitSkipCheck(st.Level);
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Ceq);
        _il.Emit(OpCodes.And);
        _il.BeginCatchBlock(null!);
        _il.Emit(OpCodes.Castclass, typeof(WasmThrow));
        _il.Emit(OpCodes.Call, Exn(nameof(ExnOps.ExnOf)));
        _il.Emit(OpCodes.Stloc, st.Exn);
        ClearDelegateLevel();
        RestoreDepth(st);
        SetStack(f.Height, []);
        if (ins.Op == Op.Catch)
        {
            var ps = TagParams(ins.A);
            StorePayload(st.Exn, ps, f.Height);
            SetStack(f.Height, ps);
        }
        _unreachable = false;
    }

    /// <summary>End of a legacy try (or its delegate): closes the IL region.</summary>
    private void EndLegacyTry(Frame f, bool isDelegate, uint delegateLabel)
    {
        var st = _tries[f];
        if (!_unreachable) f.Targeted = true;
        _il.Emit(OpCodes.Leave, f.Label);
        _tryDepth--;
        if (!st.InHandler)
        {
            if (isDelegate)
            {
                // Rethrown to the target label: handlers of regions nested inside the target's
                // try (the nearest enclosing legacy try in its body part, else none: the caller) skip it.
                int target = 0;
                for (int k = _frames.Count - 2 - (int)delegateLabel; k >= 0; k--)
                {
                    var g = _frames[k];
                    if (g.Kind == Op.Try && _tries.TryGetValue(g, out var gs) && !gs.InHandler) { target = gs.Level; break; }
                }
                _il.BeginExceptFilterBlock();
                _il.Emit(OpCodes.Isinst, typeof(WasmThrow));
                _il.Emit(OpCodes.Ldnull);
                _il.Emit(OpCodes.Cgt_Un);
                EmitSkipCheck(st.Level);
                _il.Emit(OpCodes.Ldc_I4_0);
                _il.Emit(OpCodes.Ceq);
                _il.Emit(OpCodes.And);
                _il.BeginCatchBlock(null!);
                _il.Emit(OpCodes.Pop);
                RestoreDepth(st);
                _il.Emit(OpCodes.Ldc_I4, target);
                _il.Emit(OpCodes.Stloc, DelegateLevel());
                _il.Emit(OpCodes.Rethrow);
            }
            else
            {
                // A try without handlers: a fault-free region; close it with an empty finally.
                _il.BeginFinallyBlock();
            }
        }
        _il.EndExceptionBlock();
    }

    private void EmitRethrow(uint label)
    {
        var f = Target(label);
        var st = _tries[f];
        _il.Emit(OpCodes.Ldloc, st.Exn!);
        _il.Emit(OpCodes.Call, Exn(nameof(ExnOps.ThrowRef)));
        _unreachable = true;
    }
}
