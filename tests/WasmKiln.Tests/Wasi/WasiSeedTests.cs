using System.Text;
using Xunit;

namespace WasmKiln.Tests.Wasi;

/// <summary>
/// The seed example (../shared/seed-example/sum.wasm, Rust std on wasm32-wasi) through the public
/// API: Linker.DefineWasi, a store whose WASI standard output is a MemoryStream, and a typed call
/// of the sum export (expected output from the seed README).
/// </summary>
public class WasiSeedTests
{
    [SkippableTheory]
    [InlineData("sum.wasm")]
    [InlineData("sum-debug.wasm")]
    public void SumPrintsThroughWasiAndReturns(string file)
    {
        string? path = TestPaths.Shared is { } s ? Path.Combine(s, "seed-example", file) : null;
        Skip.If(path == null || !File.Exists(path), "seed example not found beside the repository");

        var engine = new Engine();
        var module = Module.FromFile(engine, path!);
        var stdout = new MemoryStream();
        using var store = new Store(engine) { Wasi = new WasiConfiguration().WithStandardOutput(stdout) };
        var instance = new Linker(engine).DefineWasi().Instantiate(store, module);
        var sum = instance.GetFunction<int, int, int>("sum");

        Assert.Equal(9, sum(5, 4));
        Assert.Equal("From WASM: Sum is: 9\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal(3, sum(1, 2));
        Assert.Equal("From WASM: Sum is: 9\nFrom WASM: Sum is: 3\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }
}
