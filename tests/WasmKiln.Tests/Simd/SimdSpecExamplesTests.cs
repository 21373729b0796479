using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using WasmKiln.Binary;
using WasmKiln.Engines.Simd;
using WasmKiln.Instructions;
using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Script;
using WasmKiln.Text;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.Simd;

/// <summary>
/// Runs the <c>assert_return</c> commands of the spec suite's SIMD scripts whose function bodies
/// only use locals, constants and SIMD instructions (plus a flat linear memory with active data
/// segments), evaluating each SIMD instruction through <see cref="SimdOps.MethodFor"/>.
/// </summary>
public class SimdSpecExamplesTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Files()
    {
        var suite = TestPaths.TestSuite;
        if (suite == null) { yield return ["(suite absent)"]; yield break; }
        var core = Path.Combine(suite, "core");
        foreach (var f in Directory.GetFiles(core, "*.wast").Select(Path.GetFileName).Order(StringComparer.Ordinal))
            if (f!.StartsWith("simd_", StringComparison.Ordinal) || f.Contains("relaxed", StringComparison.Ordinal)) yield return [f];
    }

    /// <summary>Scripts whose assertions all involve something this evaluator does not model.</summary>
    private static readonly HashSet<string> NothingToEvaluate =
    [
        "simd_linking.wast", // imports between modules
        "simd_memory-multi.wast", // several memories
        "i32x4_relaxed_trunc.wast", // has no assert_return
    ];

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void AssertReturnsOfOneScript(string file)
    {
        Skip.If(TestPaths.TestSuite == null, "spec test suite not present");
        var script = WastParser.Parse(File.ReadAllText(Path.Combine(TestPaths.TestSuite!, "core", file)));
        Instance? current = null;
        var named = new Dictionary<string, Instance>(StringComparer.Ordinal);
        int passed = 0, skipped = 0;
        var failures = new List<string>();
        foreach (var cmd in script.Commands)
        {
            if (cmd is ModuleCommand mc)
            {
                current = null;
                try
                {
                    var module = WatParser.ParseModule(mc.Form.Source);
                    if (mc.Form.IsDefinition) continue;
                    current = new Instance(module);
                    if (mc.Form.Id != null) named[mc.Form.Id] = current;
                }
                catch (Exception e) when (e is WasmException or NotSupportedException)
                {
                    current = null;
                }
                continue;
            }
            if (cmd is not ActionCommand { Kind: CommandKind.AssertReturn } ac) continue;
            var target = ac.Action.ModuleId != null ? named.GetValueOrDefault(ac.Action.ModuleId) : current;
            if (target == null || ac.Action.IsGet) { skipped++; continue; }
            Value[]? results;
            try
            {
                results = target.Invoke(ac.Action.Name, ac.Action.Args);
            }
            catch (NotSupportedException)
            {
                // The function may have changed the instance's state before the unsupported part.
                skipped++;
                if (target == current) current = null;
                foreach (var key in named.Where(kv => kv.Value == target).Select(kv => kv.Key).ToList()) named.Remove(key);
                continue;
            }
            if (results == null) { skipped++; continue; }
            bool ok = results.Length == ac.Expected.Length;
            for (int i = 0; ok && i < results.Length; i++) ok = ac.Expected[i].Matches(results[i], NoRefs.Instance);
            if (ok) passed++;
            else failures.Add(file + ":" + ac.Line + " " + ac.Action.Name + " got " + string.Join(", ", results.Select(r => r.ToString())) + " expected " + ExpectedResult.Format(ac.Expected));
        }
        output.WriteLine(file + ": " + passed + " passed, " + skipped + " not evaluated, " + failures.Count + " failed");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
        if (!NothingToEvaluate.Contains(file)) Assert.True(passed > 0, file + ": no assertion was evaluated");
    }

    private sealed class NoRefs : IRefClassifier
    {
        public static readonly NoRefs Instance = new();
        public RefClass Classify(in Value value, out uint? hostId) { hostId = null; return value.Ref == null ? RefClass.Null : RefClass.Extern; }
    }

    /// <summary>A tiny evaluator: one module with at most one memory, straight-line function bodies.</summary>
    private sealed unsafe class Instance
    {
        private readonly ModuleInfo _module;
        private readonly byte[] _memory;
        private readonly Value[] _globals;

        public Instance(ModuleInfo module)
        {
            _module = module;
            if (module.TotalMemories > 1 || module.ImportedMemoryCount > 0 || module.Imports.Count > 0) throw new NotSupportedException("imports");
            long pages = module.TotalMemories == 1 ? (long)module.MemoryType(0).Limits.Min : 0;
            if (pages > 16) throw new NotSupportedException("large memory");
            _memory = new byte[pages * 65536];
            foreach (var d in module.Datas)
            {
                if (d.Mode != SegmentMode.Active) continue;
                long offset = ConstOffset(d.Offset);
                if (offset < 0 || offset + d.Bytes.Length > _memory.Length) throw new NotSupportedException("data out of bounds");
                d.Bytes.Span.CopyTo(_memory.AsSpan((int)offset));
            }
            _globals = new Value[module.Globals.Count];
            for (int i = 0; i < _globals.Length; i++) _globals[i] = ConstValue(module.Globals[i].Init);
        }

        private static long ConstOffset(Expr e)
        {
            var v = ConstValue(e);
            return v.Kind == ValKind.I32 ? v.AsI32 : v.AsI64;
        }

        private static Value ConstValue(Expr e)
        {
            var r = new InstructionReader(e.Code.Span, e.Offset);
            r.Read(out var ins);
            var v = ins.Op switch
            {
                Op.I32Const => Value.I32((int)ins.Int),
                Op.I64Const => Value.I64(ins.Int),
                Op.F32Const => Value.F32Bits((uint)ins.Bits),
                Op.F64Const => Value.F64Bits(ins.Bits),
                Op.V128Const => Value.V128(ins.Vector),
                _ => throw new NotSupportedException("constant expression"),
            };
            r.Read(out var end);
            if (end.Op != Op.End) throw new NotSupportedException("constant expression");
            return v;
        }

        private ulong Address(in Instruction ins, Value baseAddress, int size)
        {
            if (ins.A != 0) throw new NotSupportedException("memory index");
            ulong address = (ulong)(uint)baseAddress.AsI32 + ins.MemOffset;
            if (address + (ulong)size > (ulong)_memory.Length) throw new NotSupportedException("trap");
            return address;
        }

        public Value[]? Invoke(string name, Value[] args)
        {
            int index = _module.Exports.FindIndex(e => e.Name == name && e.Kind == ExternKind.Func);
            if (index < 0) return null;
            uint func = _module.Exports[index].Index;
            if (func < _module.ImportedFuncCount) return null;
            var body = _module.Codes[(int)(func - _module.ImportedFuncCount)];
            var declared = FunctionBodyReader.ReadLocals(body, out int codeStart);
            var locals = new Value[args.Length + declared.Length];
            args.CopyTo(locals, 0);
            for (int i = 0; i < declared.Length; i++) locals[args.Length + i] = Value.Default(declared[i]);
            var check = new InstructionReader(body.Bytes.Span[codeStart..], body.Offset + codeStart);
            while (!check.AtEnd)
            {
                // Refuse the whole function up front so that nothing runs halfway.
                check.Read(out var c);
                if (!Supported(c.Op)) throw new NotSupportedException(OpTable.Info(c.Op).Name);
            }
            var stack = new List<Value>();
            var reader = new InstructionReader(body.Bytes.Span[codeStart..], body.Offset + codeStart);
            while (!reader.AtEnd)
            {
                reader.Read(out var ins);
                switch (ins.Op)
                {
                    case Op.End:
                        if (!reader.AtEnd) throw new NotSupportedException("blocks");
                        return stack.ToArray();
                    case Op.Nop: break;
                    case Op.Drop: stack.RemoveAt(stack.Count - 1); break;
                    case Op.LocalGet: stack.Add(locals[ins.A]); break;
                    case Op.LocalSet: locals[ins.A] = Pop(stack); break;
                    case Op.LocalTee: locals[ins.A] = stack[^1]; break;
                    case Op.I32Const: stack.Add(Value.I32((int)ins.Int)); break;
                    case Op.I64Const: stack.Add(Value.I64(ins.Int)); break;
                    case Op.F32Const: stack.Add(Value.F32Bits((uint)ins.Bits)); break;
                    case Op.F64Const: stack.Add(Value.F64Bits(ins.Bits)); break;
                    case Op.V128Const: stack.Add(Value.V128(ins.Vector)); break;
                    case Op.GlobalGet:
                        if (ins.A >= _globals.Length || _module.ImportedGlobalCount > 0) throw new NotSupportedException("global");
                        stack.Add(_globals[ins.A]);
                        break;
                    case Op.GlobalSet:
                        if (ins.A >= _globals.Length || _module.ImportedGlobalCount > 0) throw new NotSupportedException("global");
                        _globals[ins.A] = Pop(stack);
                        break;
                    case Op.Select:
                    {
                        int c = Pop(stack).AsI32;
                        var b = Pop(stack);
                        var a = Pop(stack);
                        stack.Add(c != 0 ? a : b);
                        break;
                    }
                    case Op.I32Load:
                        stack.Add(Value.I32(BitConverter.ToInt32(_memory, (int)Address(in ins, Pop(stack), 4))));
                        break;
                    case Op.I64Load:
                        stack.Add(Value.I64(BitConverter.ToInt64(_memory, (int)Address(in ins, Pop(stack), 8))));
                        break;
                    default: Apply(in ins, stack); break;
                }
            }
            throw new NotSupportedException("no end");
        }

        private static bool Supported(Op op) => op is Op.End or Op.Nop or Op.Drop or Op.LocalGet or Op.LocalSet or Op.LocalTee
            or Op.I32Const or Op.I64Const or Op.F32Const or Op.F64Const or Op.V128Const or Op.GlobalGet or Op.GlobalSet
            or Op.Select or Op.I32Load or Op.I64Load || SimdOps.MethodFor(op) != null;

        private static Value Pop(List<Value> stack)
        {
            var v = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return v;
        }

        private static object ToClr(Value v) => v.Kind switch
        {
            ValKind.I32 => v.AsI32,
            ValKind.I64 => v.AsI64,
            ValKind.F32 => v.AsF32,
            ValKind.F64 => v.AsF64,
            ValKind.V128 => Vector128.Create(v.Lo, v.Hi).AsByte(),
            _ => throw new NotSupportedException("operand " + v.Kind),
        };

        private static Value FromClr(object o) => o switch
        {
            int i => Value.I32(i),
            long l => Value.I64(l),
            float f => Value.F32(f),
            double d => Value.F64(d),
            Vector128<byte> v => Value.V128(SimdOps.FromVector(v)),
            _ => throw new NotSupportedException("result " + o.GetType()),
        };

        private void Apply(in Instruction ins, List<Value> stack)
        {
            var info = OpTable.Info(ins.Op);
            var method = SimdOps.MethodFor(ins.Op) ?? throw new NotSupportedException(info.Name);
            var operands = new object[info.Params.Length];
            for (int i = operands.Length - 1; i >= 0; i--) operands[i] = ToClr(Pop(stack));
            var args = new List<object>();
            if (info.Imm is Imm.MemArg or Imm.MemArgLane)
            {
                var baseAddress = Value.I32((int)operands[0]);
                ulong address = Address(in ins, baseAddress, info.Op is Op.V128Load or Op.V128Store ? 16 : info.NaturalAlignment);
                args.Add(null!);
                for (int i = 1; i < operands.Length; i++) args.Add(operands[i]);
                if (info.Imm == Imm.MemArgLane) args.Add((int)ins.B);
                fixed (byte* basePtr = _memory)
                {
                    args[0] = Pointer.Box(basePtr + address, typeof(byte*));
                    var result = method.Invoke(null, args.ToArray());
                    if (info.Results.Length == 1) stack.Add(FromClr(result!));
                }
                return;
            }
            args.AddRange(operands);
            if (info.Imm == Imm.Lane) args.Add((int)ins.A);
            else if (info.Imm == Imm.Shuffle) args.Add(SimdOps.ToVector(ins.Vector));
            else if (info.Imm != Imm.None) throw new NotSupportedException(info.Name);
            var r = method.Invoke(null, args.ToArray());
            if (info.Results.Length == 1) stack.Add(FromClr(r!));
        }
    }
}
