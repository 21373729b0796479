using WasmKiln.Cli;
using WasmKiln.Model;
using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Cli;

/// <summary>The command-line shape of <c>wasmkiln run</c> and the --invoke argument and result text.</summary>
public sealed class RunOptionsTests
{
    private static RunOptions Parse(params string[] args)
    {
        var o = RunOptions.Parse(args, out var error);
        Assert.Null(error);
        return Assert.IsType<RunOptions>(o);
    }

    private static string ParseError(params string[] args)
    {
        var o = RunOptions.Parse(args, out var error);
        Assert.Null(o);
        return Assert.IsType<string>(error);
    }

    private static ValType TypeOf(string name) => name switch
    {
        "i32" => ValType.I32,
        "i64" => ValType.I64,
        "f32" => ValType.F32,
        _ => ValType.F64,
    };

    [Fact]
    public void EverythingAfterTheFileGoesToTheGuest()
    {
        var o = Parse("--env", "A=1", "prog.wasm", "--env", "B=2", "-x", "--", "tail");
        Assert.Equal("prog.wasm", o.File);
        Assert.Equal(["--env", "B=2", "-x", "--", "tail"], o.Args);
        Assert.Equal([new EnvVar("A", "1")], o.Env);
        Assert.Null(o.Invoke);
    }

    [Fact]
    public void AllOptionsInBothSpellings()
    {
        var o = Parse("--dir", "/tmp/a::/data", "--dir=/tmp/b", "--env=K=V=W", "--env", "HOME",
            "--invoke", "sum", "--fuel", "1000000", "--max-memory=64M", "--timeout", "500ms",
            "--engine", "interpreter", "m.wat", "5", "4");
        Assert.Equal([new DirMapping("/tmp/a", "/data"), new DirMapping("/tmp/b", "/tmp/b")], o.Dirs);
        Assert.Equal([new EnvVar("K", "V=W"), new EnvVar("HOME", null)], o.Env);
        Assert.Equal("sum", o.Invoke);
        Assert.Equal(1_000_000UL, o.Fuel);
        Assert.Equal(64UL << 20, o.MaxMemoryBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.Timeout);
        Assert.Equal("interpreter", o.Engine);
        Assert.Equal("m.wat", o.File);
        Assert.Equal(["5", "4"], o.Args);
    }

    [Fact]
    public void WasmtimeDashWForm()
    {
        var o = Parse("-W", "fuel=10,timeout=2s", "-Wmax-memory-size=65536", "x.wasm");
        Assert.Equal(10UL, o.Fuel);
        Assert.Equal(TimeSpan.FromSeconds(2), o.Timeout);
        Assert.Equal(65536UL, o.MaxMemoryBytes);
    }

    [Fact]
    public void DoubleDashEndsOptionsSoAFileMayStartWithADash()
    {
        var o = Parse("--fuel", "5", "--", "-odd.wasm", "a");
        Assert.Equal("-odd.wasm", o.File);
        Assert.Equal(["a"], o.Args);
        Assert.Equal("auto", o.Engine);
    }

    [Fact]
    public void HelpNeedsNoFile() => Assert.True(Parse("--help").ShowHelp);

    [Theory]
    [InlineData("missing FILE")]
    [InlineData("unknown option '--frob'", "--frob", "x.wasm")]
    [InlineData("needs a value", "--fuel")]
    [InlineData("--fuel '-1'", "--fuel", "-1", "x.wasm")]
    [InlineData("--fuel 'lots'", "--fuel=lots", "x.wasm")]
    [InlineData("unknown engine 'warp'", "--engine", "warp", "x.wasm")]
    [InlineData("--dir '::g'", "--dir", "::g", "x.wasm")]
    [InlineData("--env '=v'", "--env", "=v", "x.wasm")]
    [InlineData("--timeout '5 parsecs'", "--timeout", "5 parsecs", "x.wasm")]
    [InlineData("--max-memory '1T'", "--max-memory", "1T", "x.wasm")]
    [InlineData("-W cranelift: unsupported", "-W", "cranelift=1", "x.wasm")]
    [InlineData("missing FILE after '--'", "--")]
    public void UsageErrorsSayWhatIsWrong(string expected, params string[] args)
    {
        var err = ParseError(args);
        Assert.Contains(expected, err);
    }

    [Theory]
    [InlineData("10", 10.0)]
    [InlineData("1.5", 1.5)]
    [InlineData("250ms", 0.25)]
    [InlineData("3s", 3.0)]
    [InlineData("2m", 120.0)]
    [InlineData("1h", 3600.0)]
    public void Durations(string text, double seconds)
    {
        Assert.True(RunOptions.TryParseDuration(text, out var t));
        Assert.Equal(seconds, t.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("0", "i32", "0")]
    [InlineData("-5", "i32", "-5")]
    [InlineData("0x7fffffff", "i32", "2147483647")]
    [InlineData("4294967295", "i32", "-1")]
    [InlineData("0xFFFFFFFF", "i32", "-1")]
    [InlineData("-2147483648", "i32", "-2147483648")]
    [InlineData("1_000", "i32", "1000")]
    [InlineData("-9223372036854775808", "i64", "-9223372036854775808")]
    [InlineData("0x8000000000000000", "i64", "-9223372036854775808")]
    [InlineData("18446744073709551615", "i64", "-1")]
    [InlineData("1.5", "f32", "1.5")]
    [InlineData("0.1", "f32", "0.1")]
    [InlineData("1", "f32", "1")]
    [InlineData("-0", "f32", "-0")]
    [InlineData("1e30", "f32", "1000000000000000000000000000000")]
    [InlineData("1e-7", "f32", "0.0000001")]
    [InlineData("0x1p-1", "f32", "0.5")]
    [InlineData("nan", "f32", "NaN")]
    [InlineData("NaN", "f32", "NaN")]
    [InlineData("-inf", "f32", "-inf")]
    [InlineData("Infinity", "f32", "inf")]
    [InlineData("0.1", "f64", "0.1")]
    [InlineData("123456.789e3", "f64", "123456789")]
    [InlineData("nan:0x1", "f64", "NaN")]
    [InlineData("inf", "f64", "inf")]
    public void InvokeArgumentsParseAndPrintLikeWasmtime(string text, string kind, string printed)
    {
        Assert.True(InvokeValues.TryParse(text, TypeOf(kind), out var v, out var error), error);
        Assert.Equal(TypeOf(kind), v.Type);
        Assert.Equal(printed, InvokeValues.Format(v));
    }

    [Fact]
    public void ExtremeDoublesPrintWithoutExponent()
    {
        Assert.Equal("0." + new string('0', 323) + "5", InvokeValues.FormatF64(double.Epsilon));
        Assert.Equal("17976931348623157" + new string('0', 292), InvokeValues.FormatF64(double.MaxValue));
        Assert.Equal("-340282350000000000000000000000000000000", InvokeValues.FormatF32(float.MinValue));
    }

    [Fact]
    public void NanPayloadsAreKept()
    {
        Assert.True(InvokeValues.TryParse("nan:0x1", ValType.F32, out var v, out _));
        Assert.Equal(0x7F800001UL, v.Lo);
        Assert.True(InvokeValues.TryParse("-nan", ValType.F64, out var d, out _));
        Assert.Equal(0xFFF8000000000000UL, d.Lo);
    }

    [Theory]
    [InlineData("", "i32")]
    [InlineData("4294967296", "i32")]
    [InlineData("-2147483649", "i32")]
    [InlineData("1.5", "i32")]
    [InlineData("abc", "i64")]
    [InlineData("18446744073709551616", "i64")]
    [InlineData("1.2.3", "f32")]
    [InlineData("x", "f64")]
    public void BadInvokeArgumentsAreRejectedWithTheType(string text, string kind)
    {
        Assert.False(InvokeValues.TryParse(text, TypeOf(kind), out _, out var error));
        Assert.Contains(kind, error);
    }

    [Fact]
    public void ReferenceParametersCannotBeGiven()
    {
        Assert.False(InvokeValues.TryParse("0", ValType.ExternRef, out _, out var error));
        Assert.Contains("cannot be given on the command line", error);
        Assert.Equal("null", InvokeValues.Format(Value.ExternRef(null)));
    }
}
