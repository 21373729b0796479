using WasmKiln.Script;
using Xunit;

namespace WasmKiln.Tests.Compiler;

/// <summary>Spec suite files that must pass completely with the compiler engine (a regression guard over every area it covers).</summary>
public class CompilerSpecTests
{
    [SkippableTheory]
    [InlineData("core/i32.wast")]
    [InlineData("core/i64.wast")]
    [InlineData("core/f32.wast")]
    [InlineData("core/f64.wast")]
    [InlineData("core/conversions.wast")]
    [InlineData("core/float_exprs.wast")]
    [InlineData("core/br_table.wast")]
    [InlineData("core/call_indirect.wast")]
    [InlineData("core/memory_grow.wast")]
    [InlineData("core/address64.wast")]
    [InlineData("core/memory_copy.wast")]
    [InlineData("core/table_init.wast")]
    [InlineData("core/linking.wast")]
    [InlineData("core/imports.wast")]
    [InlineData("core/return_call_indirect.wast")]
    [InlineData("core/call_ref.wast")]
    [InlineData("core/try_table.wast")]
    [InlineData("core/throw_ref.wast")]
    [InlineData("core/struct.wast")]
    [InlineData("core/array_copy.wast")]
    [InlineData("core/br_on_cast.wast")]
    [InlineData("core/simd_f32x4_arith.wast")]
    [InlineData("core/simd_load8_lane.wast")]
    [InlineData("legacy/try_delegate.wast")]
    [InlineData("proposals/threads/atomic.wast")]
    public void FilePassesCompletely(string file)
    {
        Skip.If(TestPaths.TestSuite == null, "spec suite not found");
        var path = Path.Combine(TestPaths.TestSuite!, file);
        Skip.IfNot(File.Exists(path), file + " not in this suite");
        var result = new SpecRunner(CompilerScriptEngine.EngineName).RunFile(path, file);
        Assert.True(result.Failed == 0, file + ": " + result.Failed + " failed");
        Assert.True(result.Passed > 0);
    }
}
