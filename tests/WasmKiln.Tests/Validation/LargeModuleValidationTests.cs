using WasmKiln.Binary;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Validation;

public class LargeModuleValidationTests
{
    [SkippableFact]
    public void LargeSeedModuleDecodesAndValidates()
    {
        var path = TestPaths.Shared is { } shared ? Path.Combine(shared, "seed-example", "sum-debug.wasm") : null;
        Skip.If(path == null || !File.Exists(path), "seed example not present");
        var bytes = File.ReadAllBytes(path!);
        var v = Validator.Validate(ModuleDecoder.Decode(bytes));
        Assert.NotEmpty(v.Functions);
        foreach (var f in v.Functions)
        {
            Assert.True(f.CodeEnd > f.CodeStart);
            Assert.True(f.MaxControlDepth >= 1);
            foreach (var b in f.Blocks) Assert.True(b.Start < b.End && b.End < f.CodeEnd);
        }
    }

    [SkippableFact]
    public void BenchModulesValidate()
    {
        var dir = TestPaths.Shared is { } shared ? Path.Combine(shared, "bench", "wasm") : null;
        Skip.If(dir == null || !Directory.Exists(dir), "bench modules not present");
        foreach (var file in Directory.GetFiles(dir!, "*.wasm"))
        {
            var v = Validator.Validate(ModuleDecoder.Decode(File.ReadAllBytes(file)));
            Assert.Equal(v.Module.Functions.Count, v.Functions.Length);
        }
    }
}
