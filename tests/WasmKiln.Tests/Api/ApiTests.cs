using System.Runtime.Intrinsics;
using System.Text;
using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Api;

/// <summary>The public embedding API: modules, linking, typed calls, host functions, errors.</summary>
public class ApiTests
{
    private static readonly Engine CompilerEngine = new(new EngineOptions { Tier = EngineTier.Compiler });

    /// <summary>The engine the tests run on (the compiler; a subclass runs them on the interpreter).</summary>
    protected virtual Engine Engine => CompilerEngine;

    private Instance Instantiate(string wat, Action<Linker>? define = null, Store? store = null)
    {
        var module = Module.FromText(Engine, wat, "test.wat");
        var linker = new Linker(Engine);
        define?.Invoke(linker);
        return linker.Instantiate(store ?? new Store(Engine), module);
    }

    [Fact]
    public void TypedCallsForEveryValueType()
    {
        var inst = Instantiate("""
            (module
              (func (export "i32") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
              (func (export "i64") (param i64) (result i64) (i64.mul (local.get 0) (i64.const 3)))
              (func (export "f32") (param f32) (result f32) (f32.neg (local.get 0)))
              (func (export "f64") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
              (func (export "v128") (param v128) (result v128) (i8x16.add (local.get 0) (local.get 0)))
              (func (export "ext") (param externref) (result externref) (local.get 0))
              (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (elem declare func $inc)
              (func (export "fref") (result funcref) (ref.func $inc))
              (table $tab 1 funcref)
              (func (export "callref") (param funcref i32) (result i32)
                (table.set $tab (i32.const 0) (local.get 0))
                (call_indirect $tab (type $t) (local.get 1) (i32.const 0)))
              (type $t (func (param i32) (result i32)))
              (func (export "multi") (param i32 i64) (result i64 i32 f64)
                (local.get 1) (local.get 0) (f64.const 0.5))
              (func (export "unsigned") (param i32) (result i32) (local.get 0)))
            """);
        Assert.Equal(-1, inst.GetFunction<int, int, int>("i32")(2, 3));
        Assert.Equal(3_000_000_000L, inst.GetFunction<long, long>("i64")(1_000_000_000L));
        Assert.Equal(-1.5f, inst.GetFunction<float, float>("f32")(1.5f));
        Assert.Equal(0.25, inst.GetFunction<double, double, double>("f64")(1, 4));
        var v = Vector128.Create((byte)1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        Assert.Equal(v + v, inst.GetFunction<Vector128<byte>, Vector128<byte>>("v128")(v));
        var host = new object();
        Assert.Same(host, inst.GetFunction<object?, object?>("ext")(host));
        Assert.Null(inst.GetFunction<object?, object?>("ext")(null));
        var inc = inst.GetFunction<Function?>("fref")();
        Assert.NotNull(inc);
        Assert.Equal("(func (param i32) (result i32))", inc.Type.ToString());
        Assert.Equal(8, inc.AsFunc<int, int>()(7));
        Assert.Equal(42, inst.GetFunction<Function?, int, int>("callref")(inc, 41));
        Assert.Equal((9L, 4, 0.5), inst.GetFunction<int, long, (long, int, double)>("multi")(4, 9));
        Assert.Equal(uint.MaxValue, inst.GetFunction<uint, uint>("unsigned")(uint.MaxValue));
        // Untyped calls.
        var r = inst.Invoke("multi", Value.I32(1), Value.I64(2));
        Assert.Equal([Value.I64(2), Value.I32(1), Value.F64(0.5)], r);
        Assert.Equal(ValueKind.F64, r[2].ValueKind);
    }

    [Fact]
    public void TypedCallMismatchNamesBothTypes()
    {
        var inst = Instantiate("(module (func (export \"f\") (param i32) (result i32) (local.get 0)))");
        var e = Assert.Throws<WasmException>(() => inst.GetFunction<long, int>("f"));
        Assert.Contains("`f` has type (func (param i32) (result i32))", e.Message);
        Assert.Contains("(Int64)", e.Message);
        Assert.Throws<WasmException>(() => inst.GetAction<int>("f"));
        Assert.Contains("unknown export `g`", Assert.Throws<WasmException>(() => inst.GetFunction("g")).Message);
    }

    [Fact]
    public void HostFunctionsOfAllShapes()
    {
        var log = new List<string>();
        var inst = Instantiate("""
            (module
              (import "h" "none" (func $none))
              (import "h" "one" (func $one (param i32)))
              (import "h" "add" (func $add (param i32 i64) (result i64)))
              (import "h" "pair" (func $pair (param f32) (result f32 f64)))
              (import "h" "eight" (func $eight (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
              (import "h" "ext" (func $ext (param externref) (result externref)))
              (import "h" "vec" (func $vec (param v128) (result v128)))
              (import "h" "untyped" (func $untyped (param i32) (result i32)))
              (func (export "run") (param externref) (result i64 f32 f64 i32 externref i32 i32)
                (call $none) (call $one (i32.const 5))
                (call $add (i32.const 2) (i64.const 40))
                (call $pair (f32.const 1.5))
                (call $eight (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8))
                (call $ext (local.get 0))
                (i8x16.extract_lane_u 4 (call $vec (v128.const i32x4 1 2 3 4)))
                (call $untyped (i32.const 10))))
            """, l => l
            .DefineFunction("h", "none", () => log.Add("none"))
            .DefineFunction("h", "one", (int x) => log.Add("one " + x))
            .DefineFunction("h", "add", (int a, long b) => a + b)
            .DefineFunction("h", "pair", (float x) => (x * 2, (double)x / 2))
            .DefineFunction("h", "eight", (int a, int b, int c, int d, int e, int f, int g, int h) => a + b + c + d + e + f + g + h)
            .DefineFunction("h", "ext", (object? o) => (object?)(o is string s ? s + "!" : null))
            .DefineFunction("h", "vec", (Vector128<byte> v) => v * Vector128.Create((byte)3))
            .DefineFunction("h", "untyped", [ValueKind.I32], [ValueKind.I32], args => [Value.I32(args[0].AsI32 * 100)]));
        var r = inst.Invoke("run", Value.ExternRef("hi"));
        Assert.Equal(["none", "one 5"], log);
        Assert.Equal(42L, r[0].AsI64);
        Assert.Equal(3f, r[1].AsF32);
        Assert.Equal(0.75, r[2].AsF64);
        Assert.Equal(36, r[3].AsI32);
        Assert.Equal("hi!", r[4].AsExternRef);
        Assert.Equal(6, r[5].AsI32);
        Assert.Equal(1000, r[6].AsI32);
    }

    [Fact]
    public void CallerGivesTheCallingInstancesMemoryAndStoreData()
    {
        const string wat = """
            (module (import "env" "log" (func $log (param i32 i32)))
              (memory (export "memory") 1) (data (i32.const 16) "{0}")
              (func (export "run") (call $log (i32.const 16) (i32.const 5))))
            """;
        var seen = new List<string>();
        var engine = Engine;
        var linker = new Linker(engine).DefineFunction("env", "log", (Caller c, int ptr, int len) =>
            seen.Add(c.Data + ":" + c.GetMemory()!.ReadString((ulong)ptr, len)));
        var a = linker.Instantiate(new Store(engine, "A"), Module.FromText(engine, wat.Replace("{0}", "alpha")));
        var b = linker.Instantiate(new Store(engine, "B"), Module.FromText(engine, wat.Replace("{0}", "bravo")));
        a.GetAction("run")();
        b.GetAction("run")();
        a.GetAction("run")();
        Assert.Equal(["A:alpha", "B:bravo", "A:alpha"], seen);
    }

    [Fact]
    public void LinkErrorsNameTheImportAndBothTypes()
    {
        const string wat = "(module (import \"env\" \"f\" (func (param i32))))";
        var missing = Assert.Throws<LinkException>(() => Instantiate(wat));
        Assert.Equal("unknown import `env`.`f`: the linker has no definition (expected (func (param i32)))", missing.Message);
        var wrong = Assert.Throws<LinkException>(() => Instantiate(wat, l => l.DefineFunction("env", "f", (long x) => { })));
        Assert.Equal("incompatible import type for `env`.`f`: expected (func (param i32)) got (func (param i64))", wrong.Message);
        var kind = Assert.Throws<LinkException>(() => Instantiate(wat, l => l.Define("env", "f", new Memory(1))));
        Assert.Equal("incompatible import type for `env`.`f`: expected (func (param i32)) got (memory 1)", kind.Message);
        var linker = new Linker(Engine).DefineFunction("env", "f", (int x) => { });
        Assert.Contains("already defined", Assert.Throws<WasmException>(() => linker.DefineFunction("env", "f", (int x) => { })).Message);
        Assert.Contains("String has no WebAssembly equivalent", Assert.Throws<WasmException>(() => linker.DefineFunction("env", "s", (string s) => 1)).Message);
    }

    [Fact]
    public void ModuleErrorsCarryNameAndOffset()
    {
        var bad = Assert.Throws<MalformedModuleException>(() => Module.FromBytes(Engine, new byte[] { 0, 0x61, 0x73, 0x6d, 2, 0, 0, 0 }, "bad.wasm"));
        Assert.StartsWith("bad.wasm: malformed module at byte offset 0x", bad.Message);
        var invalid = Module.FromText(Engine, "(module (func (result i32) (i32.const 1)))");
        var bytes = WasmKiln.Binary.ModuleEncoder.Encode(invalid.Validated.Module);
        bytes[^3] = 0x42; // i32.const -> i64.const: the body no longer validates
        var e = Assert.Throws<InvalidModuleException>(() => Module.FromBytes(Engine, bytes, "x.wasm"));
        Assert.StartsWith("x.wasm: invalid module at byte offset 0x", e.Message);
        var text = Assert.Throws<TextParseException>(() => Module.FromText(Engine, "(module (func (i32.bogus)))", "t.wat"));
        Assert.StartsWith("t.wat:1:", text.Message);
    }

    [Fact]
    public void ImportsAndExportsDescribeTheirTypes()
    {
        var m = Module.FromText(Engine, """
            (module (import "env" "f" (func (param i32 i64) (result f32)))
              (import "env" "g" (global (mut i32))) (import "env" "m" (memory 1 4))
              (table (export "t") 2 10 funcref) (global (export "c") f64 (f64.const 1))
              (func (export "h") (param v128)))
            """);
        Assert.Equal(["`env`.`f`: (func (param i32 i64) (result f32))", "`env`.`g`: (global (mut i32))", "`env`.`m`: (memory 1 4)"],
            m.Imports.Select(i => i.ToString()));
        Assert.Equal(["`t`: (table 2 10 funcref)", "`c`: (global f64)", "`h`: (func (param v128))"], m.Exports.Select(e => e.ToString()));
        Assert.Equal([ValueKind.I32, ValueKind.I64], m.Imports[0].Type.Parameters);
    }

    [Fact]
    public void HostExceptionsBecomeTrapsAndTrapsPassThrough()
    {
        var inst = Instantiate("""
            (module (import "h" "fail" (func $fail (param i32) (result i32)))
              (import "h" "trap" (func $trap))
              (func (export "fail") (param i32) (result i32) (call $fail (local.get 0)))
              (func (export "trap") (call $trap))
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
            """, l => l
            .DefineFunction("h", "fail", (int x) => x > 0 ? throw new InvalidOperationException("no " + x) : x)
            .DefineFunction("h", "trap", () => throw new TrapException(TrapKind.Unreachable)));
        var fail = inst.GetFunction<int, int>("fail");
        var e = Assert.Throws<TrapException>(() => fail(3));
        Assert.Equal(TrapKind.HostFunctionFailed, e.Kind);
        Assert.Equal("host function `h`.`fail` failed: no 3", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal(0, fail(0));
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => inst.GetAction("trap")()).Kind);
        Assert.Equal(TrapKind.IntegerDivideByZero, Assert.Throws<TrapException>(() => inst.GetFunction<int, int, int>("div")(1, 0)).Kind);
        Assert.Equal(2, inst.GetFunction<int, int, int>("div")(4, 2));
    }

    [Fact]
    public void GlobalsMemoriesAndTablesAreShared()
    {
        var exporter = Instantiate("""
            (module (global (export "g") (mut i32) (i32.const 5)) (memory (export "memory") 1)
              (table (export "t") 1 funcref)
              (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1)))))
            """);
        var importer = Instantiate("""
            (module (import "m" "g" (global $g (mut i32))) (import "m" "memory" (memory 1))
              (func (export "get") (result i32) (global.get $g))
              (func (export "peek") (result i32) (i32.load8_u (i32.const 100))))
            """, l => l.DefineInstance("m", exporter));
        exporter.GetAction("bump")();
        Assert.Equal(6, importer.GetFunction<int>("get")());
        exporter.GetGlobal("g").SetValue(Value.I32(40));
        Assert.Equal(40, importer.GetFunction<int>("get")());
        Assert.Equal(3, exporter.GetMemory().WriteString(100, "\u00e9t"));
        Assert.Equal(0xC3, importer.GetFunction<int>("peek")());
        Assert.Equal("\u00e9t", exporter.GetMemory().ReadString(100, 3));
        Assert.Equal(1UL, exporter.GetTable("t").Size);
    }

    [Fact]
    public void HostGlobalsAreDefinedByTheEmbedder()
    {
        var counter = new Global(Value.I32(5), mutable: true);
        var scale = new Global(Value.F64(1.5));
        var host = new Global(Value.ExternRef("host state"));
        var inst = Instantiate("""
            (module
              (import "env" "counter" (global $c (mut i32)))
              (import "env" "scale" (global $s f64))
              (import "env" "host" (global $h externref))
              (func (export "bump") (result i32) (global.set $c (i32.add (global.get $c) (i32.const 1))) (global.get $c))
              (func (export "scaled") (param f64) (result f64) (f64.mul (local.get 0) (global.get $s)))
              (func (export "host") (result externref) (global.get $h)))
            """, l => l.Define("env", "counter", counter).Define("env", "scale", scale).Define("env", "host", host));
        Assert.Equal(6, inst.GetFunction<int>("bump")());
        Assert.Equal(6, counter.Value.AsI32);
        counter.SetValue(Value.I32(41));
        Assert.Equal(42, inst.GetFunction<int>("bump")());
        Assert.Equal(3.0, inst.GetFunction<double, double>("scaled")(2.0));
        Assert.Equal("host state", inst.GetFunction<object>("host")());
        Assert.False(scale.IsMutable);
        Assert.Throws<WasmException>(() => scale.SetValue(Value.F64(2)));

        // The importer's declared type must match: a constant global is not a mutable one.
        var e = Assert.ThrowsAny<WasmException>(() => Instantiate("""(module (import "env" "scale" (global (mut f64))))""", l => l.Define("env", "scale", scale)));
        Assert.Contains("scale", e.Message);
    }

    [Fact]
    public void HostTablesAreDefinedByTheEmbedder()
    {
        var funcs = new Table(ValueKind.FuncRef, 2, maximumSize: 4);
        var objects = new Table(ValueKind.ExternRef, 1);
        var lib = Instantiate("""
            (module
              (func (export "double") (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
              (func (export "negate") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0))))
            """);
        var inst = Instantiate("""
            (module
              (import "env" "funcs" (table 2 4 funcref))
              (import "env" "objects" (table $o 1 externref))
              (type $t (func (param i32) (result i32)))
              (func (export "apply") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0)))
              (func (export "object") (result externref) (table.get $o (i32.const 0))))
            """, l => l.Define("env", "funcs", funcs).Define("env", "objects", objects));
        funcs.SetElement(0, Value.FromFunction(lib.GetFunction("double")));
        funcs.SetElement(1, Value.FromFunction(lib.GetFunction("negate")));
        Assert.Equal(14, inst.GetFunction<int, int, int>("apply")(0, 7));
        Assert.Equal(-7, inst.GetFunction<int, int, int>("apply")(1, 7));
        Assert.Equal(TrapKind.UndefinedElement, Assert.Throws<TrapException>(() => inst.GetFunction<int, int, int>("apply")(2, 7)).Kind);
        Assert.Equal(2L, funcs.Grow(1, Value.FromFunction(null)));
        Assert.Equal(3UL, funcs.Size);
        Assert.Equal(TrapKind.UninitializedElement, Assert.Throws<TrapException>(() => inst.GetFunction<int, int, int>("apply")(2, 7)).Kind);
        Assert.Equal(-1L, funcs.Grow(2, Value.FromFunction(null)));
        Assert.Equal(lib.GetFunction("double").Invoke(Value.I32(3))[0].AsI32, funcs.GetElement(0).AsFunction!.Invoke(Value.I32(3))[0].AsI32);
        Assert.True(funcs.GetElement(2).IsNull);

        objects.SetElement(0, Value.ExternRef("state"));
        Assert.Equal("state", inst.GetFunction<object>("object")());
        Assert.Equal("state", objects.GetElement(0).AsExternRef);

        Assert.Throws<WasmException>(() => funcs.SetElement(3, Value.FromFunction(null)));
        Assert.Throws<WasmException>(() => funcs.GetElement(3));
        Assert.Throws<WasmException>(() => funcs.SetElement(0, Value.ExternRef("not a function")));
        Assert.Throws<WasmException>(() => new Table(ValueKind.I32, 1));
    }

    [Fact]
    public void StoreLimitsFuelAndInterruption()
    {
        var small = new Store(Engine) { MaxMemoryBytes = 2 * 65536 };
        var inst = Instantiate("(module (memory (export \"memory\") 1) (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))", store: small);
        Assert.Equal(1, inst.GetFunction<int, int>("grow")(1));
        Assert.Equal(-1, inst.GetFunction<int, int>("grow")(1));

        Assert.Contains("fuel is not enabled", Assert.Throws<WasmException>(() => new Store(Engine).SetFuel(10)).Message);
        var fuelEngine = new Engine(new EngineOptions { ConsumeFuel = true, Interruptible = true });
        var store = new Store(fuelEngine);
        store.SetFuel(1_000);
        var loop = new Linker(fuelEngine).Instantiate(store, Module.FromText(fuelEngine, "(module (func (export \"spin\") (loop (br 0))))"));
        Assert.Equal(TrapKind.OutOfFuel, Assert.Throws<TrapException>(() => loop.GetAction("spin")()).Kind);
        Assert.Equal(0UL, store.GetFuel());
        store.SetFuel(ulong.MaxValue);
        store.SetDeadline(TimeSpan.FromMilliseconds(50));
        Assert.Equal(TrapKind.Interrupted, Assert.Throws<TrapException>(() => loop.GetAction("spin")()).Kind);
        store.ResetInterrupt();
        using var cts = new CancellationTokenSource();
        store.Interrupt(cts.Token);
        cts.CancelAfter(50);
        Assert.Equal(TrapKind.Interrupted, Assert.Throws<TrapException>(() => loop.GetAction("spin")()).Kind);
    }

    [Fact]
    public void InterpreterTierIsReportedWhenUnavailableOrRuns()
    {
        try
        {
            var engine = new Engine(new EngineOptions { Tier = EngineTier.Interpreter });
            Assert.Equal(EngineTier.Interpreter, engine.Tier);
            var inst = new Linker(engine).Instantiate(new Store(engine), Module.FromText(engine, "(module (func (export \"f\") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))"));
            Assert.Equal(42, inst.GetFunction<int, int>("f")(21));
        }
        catch (WasmException e) when (e.Message.Contains("interpreter tier is not available", StringComparison.Ordinal))
        {
            // The interpreter is not part of this build yet: the error names it.
        }
        Assert.Equal(EngineTier.Compiler, new Engine().Tier);
    }

    [Fact]
    public void TypedCallsDoNotAllocate()
    {
        var inst = Instantiate("""
            (module (import "h" "add" (func $add (param i32 i32) (result i32)))
              (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
              (func (export "pair") (param i32) (result i32 i64) (local.get 0) (i64.const 7)))
            """, l => l.DefineFunction("h", "add", (int a, int b) => a + b));
        var add = inst.GetFunction<int, int, int>("add");
        var pair = inst.GetFunction<int, (int, long)>("pair");
        int sum = 0;
        for (int i = 0; i < 5_000; i++) { sum += add(i, 1); sum += pair(i).Item1; }
        // Steady state: the fewest bytes of three rounds (a round can include one-time work of
        // the runtime, such as tiered JIT recompiling a method while it runs).
        long allocated = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++) { sum += add(i, 1); sum += pair(i).Item1; }
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }

    [SkippableFact]
    public void SeedHostCallsScenario()
    {
        var path = TestPaths.Shared is { } shared ? Path.Combine(shared, "seed-example", "host_calls.wasm") : null;
        Skip.If(path == null || !File.Exists(path), "seed example not present");
        var logs = new List<string>();
        var linker = new Linker(Engine)
            .DefineFunction("host", "log", (Caller c, int ptr, int len) => logs.Add(c.GetMemory()!.ReadString((ulong)ptr, len)))
            .DefineFunction("host", "add_bonus", (int x) => x + 1000);
        var inst = linker.Instantiate(new Store(Engine), Module.FromFile(Engine, path!));
        int buffer = inst.GetFunction<int>("buffer_ptr")();
        var memory = inst.GetMemory();
        int n = memory.WriteString((ulong)buffer, "hello, wasm!");
        Assert.Equal(1009, inst.GetFunction<int, int>("shout")(n));
        Assert.Equal(["shouted 9 bytes"], logs);
        Assert.Equal("HELLO, WASM!", memory.ReadString((ulong)buffer, n));
        var divide = inst.GetFunction<int, int, int>("divide");
        Assert.Equal(3, divide(7, 2));
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => divide(1, 0)).Kind);
    }

    [SkippableFact]
    public void SeedSumThroughWasi()
    {
        var path = TestPaths.Shared is { } shared ? Path.Combine(shared, "seed-example", "sum.wasm") : null;
        Skip.If(path == null || !File.Exists(path), "seed example not present");
        var stdout = new MemoryStream();
        using var store = new Store(Engine) { Wasi = new WasiConfiguration().WithStandardOutput(stdout) };
        var inst = new Linker(Engine).DefineWasi().Instantiate(store, Module.FromFile(Engine, path!));
        Assert.Equal(9, inst.GetFunction<int, int, int>("sum")(5, 4));
        Assert.Equal("From WASM: Sum is: 9\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }
}

/// <summary>The same API tests on the interpreter tier.</summary>
public class InterpreterApiTests : ApiTests
{
    private static readonly Engine InterpreterEngine = new(new EngineOptions { Tier = EngineTier.Interpreter });

    /// <inheritdoc/>
    protected override Engine Engine => InterpreterEngine;
}
