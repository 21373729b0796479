using System.Diagnostics;
using WasmKiln.Binary;
using WasmKiln.Model;
using Xunit;
using Xunit.Abstractions;

namespace WasmKiln.Tests.Binary;

/// <summary>Decoding and re-encoding the shared sample modules (bench programs and the seed example).</summary>
public sealed class RoundTripTests(ITestOutputHelper output)
{
    internal static IEnumerable<string> SharedModules()
    {
        if (TestPaths.Shared == null) yield break;
        foreach (var dir in new[] { Path.Combine(TestPaths.Shared, "bench", "wasm"), Path.Combine(TestPaths.Shared, "seed-example") })
        {
            if (!Directory.Exists(dir)) continue;
            var files = Directory.GetFiles(dir, "*.wasm");
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var f in files) yield return f;
        }
    }

    [SkippableFact]
    public void SharedModulesDecodeAndReencodeByteForByte()
    {
        var files = SharedModules().ToList();
        Skip.If(files.Count == 0, "shared sample modules not present");
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var m = ModuleDecoder.Decode(bytes);
            Assert.Equal(m.Functions.Count, m.Codes.Count);
            var again = ModuleEncoder.Encode(m);
            int diff = FirstDifference(bytes, again);
            Assert.True(diff < 0, $"{Path.GetFileName(file)}: re-encoding differs at byte {diff} (lengths {bytes.Length} / {again.Length})");
        }
    }

    internal static int FirstDifference(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return a.Length == b.Length ? -1 : n;
    }

    [SkippableFact]
    public void LargeDebugModuleDecodesAndReencodes()
    {
        Skip.If(TestPaths.Shared == null, "shared folder not present");
        var file = Path.Combine(TestPaths.Shared!, "seed-example", "sum-debug.wasm");
        Skip.If(!File.Exists(file), "sum-debug.wasm not present");
        var bytes = File.ReadAllBytes(file);
        ModuleInfo m = ModuleDecoder.Decode(bytes);
        for (int i = 0; i < 5; i++) m = ModuleDecoder.Decode(bytes);
        const int runs = 20;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++) m = ModuleDecoder.Decode(bytes);
        double ms = sw.Elapsed.TotalMilliseconds / runs;
        sw.Restart();
        byte[] enc = [];
        for (int i = 0; i < runs; i++) enc = ModuleEncoder.Encode(m);
        double encMs = sw.Elapsed.TotalMilliseconds / runs;
        output.WriteLine($"sum-debug.wasm ({bytes.Length} bytes, {m.Codes.Count} bodies, {m.Customs.Count} custom sections): decode {ms:F3} ms, encode {encMs:F3} ms");
        Assert.NotNull(m.Names);
        Assert.Equal(bytes.Length, enc.Length);
    }
}
