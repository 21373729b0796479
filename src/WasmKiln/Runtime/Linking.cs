using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Validation;

namespace WasmKiln.Runtime;

/// <summary>Instantiation failed while matching imports (the spec's "unlinkable").</summary>
internal sealed class LinkException(string message) : WasmException(message);

/// <summary>
/// Instantiation: import resolution with external type matching, creation of the module's
/// memories, tables, globals and functions, active segments, and the start function.
/// </summary>
internal static class Linker
{
    /// <summary>
    /// Instantiates <paramref name="vm"/> in <paramref name="store"/>. <paramref name="resolve"/> gives
    /// the runtime object provided for each import (or null when there is none).
    /// </summary>
    /// <exception cref="LinkException">An import is missing or does not match.</exception>
    /// <exception cref="TrapException">A segment is out of bounds or the start function trapped.</exception>
    public static Instance Instantiate(ValidatedModule vm, Store store, Func<Import, object?> resolve)
    {
        var m = vm.Module;
        var ctx = vm.Context;
        var inst = new Instance(vm, store);
        int fi = 0, ti = 0, mi = 0, gi = 0, tagi = 0;
        foreach (var imp in m.Imports)
        {
            var obj = resolve(imp) ?? throw new LinkException("unknown import \"" + imp.Module + "\" \"" + imp.Name + "\"");
            switch (imp.Kind)
            {
                case ExternKind.Func:
                {
                    if (obj is not FunctionInstance f || !ExternTypeMatcher.MatchFunc(f.TypeId, vm.CanonicalTypeIds[imp.TypeIndex]))
                        throw Incompatible(imp);
                    inst.Functions[fi++] = f.BindCaller(inst);
                    break;
                }
                case ExternKind.Table:
                {
                    var expected = ctx.Tables[ti];
                    if (obj is not Table t) throw Incompatible(imp);
                    var actual = new TableType(t.ElementType, new Limits(t.Size, t.MaximumSize, t.Is64Bit));
                    if (!ExternTypeMatcher.MatchTable(actual, expected)) throw Incompatible(imp);
                    inst.Tables[ti++] = t;
                    break;
                }
                case ExternKind.Memory:
                {
                    var expected = ctx.Memories[mi];
                    if (obj is not Memory mem) throw Incompatible(imp);
                    var actual = mem.Type with { Limits = mem.Type.Limits with { Min = mem.SizeInPages } };
                    if (!ExternTypeMatcher.MatchMemory(actual, expected)) throw Incompatible(imp);
                    inst.Memories[mi++] = mem;
                    break;
                }
                case ExternKind.Global:
                {
                    var expected = ctx.Globals[gi];
                    if (obj is not Global g || !ExternTypeMatcher.MatchGlobal(g.Type, expected)) throw Incompatible(imp);
                    inst.Globals[gi++] = g;
                    break;
                }
                case ExternKind.Tag:
                {
                    if (!TagMatches(obj, vm.CanonicalTypeIds[imp.TypeIndex])) throw Incompatible(imp);
                    inst.Tags[tagi++] = obj;
                    break;
                }
            }
        }

        // Functions (needed by ref.func in constant expressions).
        for (int i = 0; i < m.Functions.Count; i++)
            inst.Functions[m.ImportedFuncCount + i] = new FunctionInstance(inst, i, vm.CanonicalTypeIds[m.Functions[i]]);

        for (int i = 0; i < m.Tags.Count; i++)
            inst.Tags[m.ImportedTagCount + i] = new Exceptions.TagInstance(vm.CanonicalTypeIds[m.Tags[i].TypeIndex]);

        // Globals, in order (each may read the earlier ones).
        for (int i = 0; i < m.Globals.Count; i++)
        {
            int idx = m.ImportedGlobalCount + i;
            var gt = ctx.Globals[idx];
            inst.Globals[idx] = new Global(gt, Eval(inst, m.Globals[i].Init, gt.Type));
        }

        // Memories and tables.
        for (int i = 0; i < m.Memories.Count; i++)
            inst.Memories[m.ImportedMemoryCount + i] = new Memory(m.Memories[i], store.MaxMemoryPages);
        for (int i = 0; i < m.Tables.Count; i++)
        {
            int idx = m.ImportedTableCount + i;
            var tt = ctx.Tables[idx];
            object? init = m.Tables[i].Init is { } e ? Eval(inst, e, tt.ElemType).Ref : null;
            inst.Tables[idx] = new Table(tt, init, store.MaxTableElements);
        }

        // Element segments (evaluated), data segments.
        for (int i = 0; i < m.Elements.Count; i++)
        {
            var seg = m.Elements[i];
            var refs = new object?[seg.Count];
            if (seg.FuncIndices != null)
                for (int k = 0; k < refs.Length; k++) refs[k] = inst.Functions[seg.FuncIndices[k]];
            else
                for (int k = 0; k < refs.Length; k++) refs[k] = Eval(inst, seg.Exprs![k], ctx.ElemTypes[i]).Ref;
            inst.ElemSegments[i] = refs;
        }
        for (int i = 0; i < m.Datas.Count; i++) inst.DataSegments[i] = m.Datas[i].Bytes.ToArray();

        // Exports.
        foreach (var e in m.Exports)
        {
            object value = e.Kind switch
            {
                ExternKind.Func => inst.Functions[e.Index],
                ExternKind.Table => inst.Tables[e.Index],
                ExternKind.Memory => inst.Memories[e.Index],
                ExternKind.Global => inst.Globals[e.Index],
                _ => inst.Tags[e.Index],
            };
            inst.Exports[e.Name] = (e.Kind, value);
        }
        store.Add(inst);

        // Active and declarative element segments, then data segments, in order.
        for (int i = 0; i < m.Elements.Count; i++)
        {
            var seg = m.Elements[i];
            if (seg.Mode == SegmentMode.Active)
            {
                var tt = ctx.Tables[seg.TableIndex];
                var off = Eval(inst, seg.Offset, tt.Limits.AddressType);
                ulong dst = tt.Limits.Is64 ? off.Lo : (uint)off.Lo;
                var refs = inst.ElemSegments[i];
                inst.Tables[seg.TableIndex].Init(dst, refs, 0, (ulong)refs.Length);
                inst.ElemSegments[i] = [];
            }
            else if (seg.Mode == SegmentMode.Declarative)
            {
                inst.ElemSegments[i] = [];
            }
        }
        for (int i = 0; i < m.Datas.Count; i++)
        {
            var seg = m.Datas[i];
            if (seg.Mode != SegmentMode.Active) continue;
            var mt = ctx.Memories[seg.MemoryIndex];
            var off = Eval(inst, seg.Offset, mt.Limits.AddressType);
            ulong dst = mt.Limits.Is64 ? off.Lo : (uint)off.Lo;
            var bytes = inst.DataSegments[i];
            inst.Memories[seg.MemoryIndex].Init(dst, bytes, 0, (ulong)bytes.Length);
            inst.DataSegments[i] = [];
        }

        if (m.Start is uint start) inst.Functions[start].Invoke([]);
        return inst;
    }

    private static LinkException Incompatible(Import imp) =>
        new("incompatible import type \"" + imp.Module + "\" \"" + imp.Name + "\"");

    private static bool TagMatches(object tag, int typeId) => tag is ITagIdentity t && ExternTypeMatcher.MatchTag(t.TypeId, typeId);

    /// <summary>Evaluates a constant expression of type <paramref name="type"/>.</summary>
    public static Value Eval(Instance inst, Expr expr, ValType type)
    {
        var stack = new Stack<Value>();
        var r = new InstructionReader(expr.Code.Span, expr.Offset);
        while (!r.AtEnd)
        {
            r.Read(out var ins);
            switch (ins.Op)
            {
                case Op.End: break;
                case Op.I32Const: stack.Push(Value.I32((int)ins.Int)); break;
                case Op.I64Const: stack.Push(Value.I64(ins.Int)); break;
                case Op.F32Const: stack.Push(Value.F32Bits((uint)ins.Bits)); break;
                case Op.F64Const: stack.Push(Value.F64Bits(ins.Bits)); break;
                case Op.V128Const: stack.Push(Value.V128(ins.Vector)); break;
                case Op.RefNull: stack.Push(Value.Null(inst.Module.Types.Canon(ins.Heap))); break;
                case Op.RefFunc:
                {
                    var f = inst.Functions[ins.A];
                    stack.Push(Value.Reference(ValType.Ref(new HeapType(f.TypeId), false), f));
                    break;
                }
                case Op.GlobalGet: stack.Push(inst.Globals[ins.A].Value); break;
                case Op.I32Add: { var b = stack.Pop(); var a = stack.Pop(); stack.Push(Value.I32(a.AsI32 + b.AsI32)); break; }
                case Op.I32Sub: { var b = stack.Pop(); var a = stack.Pop(); stack.Push(Value.I32(a.AsI32 - b.AsI32)); break; }
                case Op.I32Mul: { var b = stack.Pop(); var a = stack.Pop(); stack.Push(Value.I32(a.AsI32 * b.AsI32)); break; }
                case Op.I64Add: { var b = stack.Pop(); var a = stack.Pop(); stack.Push(Value.I64(a.AsI64 + b.AsI64)); break; }
                case Op.I64Sub: { var b = stack.Pop(); var a = stack.Pop(); stack.Push(Value.I64(a.AsI64 - b.AsI64)); break; }
                case Op.I64Mul: { var b = stack.Pop(); var a = stack.Pop(); stack.Push(Value.I64(a.AsI64 * b.AsI64)); break; }
                case Op.RefI31: stack.Push(Value.Reference(ValType.Ref(HeapType.I31, false), Gc.GcOps.RefI31(stack.Pop().AsI32))); break;
                case Op.AnyConvertExtern: { var x = stack.Pop(); stack.Push(Value.Reference(ValType.Ref(HeapType.Any, x.Type.Nullable), Gc.GcOps.AnyConvertExtern(x.Ref))); break; }
                case Op.ExternConvertAny: { var x = stack.Pop(); stack.Push(Value.Reference(ValType.Ref(HeapType.Extern, x.Type.Nullable), Gc.GcOps.ExternConvertAny(x.Ref))); break; }
                case Op.StructNew:
                case Op.StructNewDefault:
                case Op.ArrayNew:
                case Op.ArrayNewDefault:
                case Op.ArrayNewFixed:
                {
                    int id = inst.Module.CanonicalTypeIds[ins.A];
                    var ct = TypeRegistry.Get(id).Type;
                    object obj;
                    switch (ins.Op)
                    {
                        case Op.StructNew:
                        {
                            var fields = PopN(stack, ct.Fields.Length);
                            obj = Gc.GcOps.StructNew(id, fields);
                            break;
                        }
                        case Op.StructNewDefault: obj = Gc.GcOps.StructNewDefault(id); break;
                        case Op.ArrayNew:
                        {
                            int len = stack.Pop().AsI32;
                            var init = stack.Pop();
                            obj = Gc.GcOps.ArrayNew(id, init, len);
                            break;
                        }
                        case Op.ArrayNewDefault: obj = Gc.GcOps.ArrayNewDefault(stack.Pop().AsI32, id); break;
                        default: obj = Gc.GcOps.ArrayNewFixed(id, PopN(stack, (int)ins.B)); break;
                    }
                    stack.Push(Value.Reference(ValType.Ref(new HeapType(id), false), obj));
                    break;
                }
                default:
                    throw new WasmException("not supported yet in constant expressions: " + OpTable.Info(ins.Op).Name);
            }
        }
        var v = stack.Pop();
        // Keep the declared type for references (the value's dynamic type is in the object).
        return v.Type.IsRef && type.IsRef ? Value.Reference(v.Type, v.Ref) : v;
    }

    private static Value[] PopN(Stack<Value> stack, int n)
    {
        var values = new Value[n];
        for (int i = n - 1; i >= 0; i--) values[i] = stack.Pop();
        return values;
    }
}

/// <summary>A tag identity as seen by import matching: its canonical function type id.</summary>
internal interface ITagIdentity
{
    /// <summary>Canonical type id of the tag's function type.</summary>
    int TypeId { get; }
}
