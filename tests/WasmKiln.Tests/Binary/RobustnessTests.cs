using WasmKiln.Binary;
using Xunit;

namespace WasmKiln.Tests.Binary;

/// <summary>Truncated and corrupted modules are rejected with <see cref="MalformedModuleException"/>, never another error.</summary>
public sealed class RobustnessTests
{
    /// <summary>Offsets where a section ends: a prefix of exactly that length may be a well-formed module.</summary>
    private static HashSet<int> SectionEnds(byte[] module)
    {
        var ends = new HashSet<int> { 8 };
        int pos = 8;
        while (pos < module.Length)
        {
            var r = new WasmReader(module, 0) { Position = pos + 1 };
            uint size = r.ReadU32();
            pos = r.Position + (int)size;
            ends.Add(pos);
        }
        return ends;
    }

    private static void AssertPrefixRejected(byte[] module, int length, HashSet<int> sectionEnds)
    {
        var prefix = module.AsMemory(0, length);
        try
        {
            ModuleDecoder.Decode(prefix);
            Assert.True(sectionEnds.Contains(length), $"prefix of {length} bytes decoded");
        }
        catch (MalformedModuleException e)
        {
            Assert.InRange(e.Offset, 0, length);
        }
    }

    [Fact]
    public void EveryPrefixOfASmallModuleIsRejected()
    {
        var module = ModuleCodecTests.RichModuleBytes();
        var ends = SectionEnds(module);
        for (int len = 0; len < module.Length; len++) AssertPrefixRejected(module, len, ends);
    }

    [SkippableFact]
    public void PrefixesOfBenchModulesAreRejected()
    {
        var files = RoundTripTests.SharedModules().Where(f => !f.EndsWith("-debug.wasm", StringComparison.Ordinal)).ToList();
        Skip.If(files.Count == 0, "shared sample modules not present");
        foreach (var file in files)
        {
            var module = File.ReadAllBytes(file);
            var ends = SectionEnds(module);
            int step = Math.Max(1, module.Length / 40);
            for (int len = 0; len < module.Length; len += step) AssertPrefixRejected(module, len, ends);
            for (int len = Math.Max(0, module.Length - 12); len < module.Length; len++) AssertPrefixRejected(module, len, ends);
        }
    }

    [Fact]
    public void RandomCorruptionOnlyEverThrowsMalformedModuleException()
    {
        var original = ModuleCodecTests.RichModuleBytes();
        var rng = new Random(12345);
        int decoded = 0, rejected = 0;
        for (int iter = 0; iter < 20000; iter++)
        {
            var bytes = (byte[])original.Clone();
            int flips = 1 + rng.Next(4);
            for (int k = 0; k < flips; k++)
            {
                int at = 8 + rng.Next(bytes.Length - 8);
                bytes[at] = rng.Next(3) switch
                {
                    0 => (byte)rng.Next(256),
                    1 => (byte)(bytes[at] ^ (1 << rng.Next(8))),
                    _ => (byte)(bytes[at] | 0x80),
                };
            }
            try
            {
                var m = ModuleDecoder.Decode(bytes);
                decoded++;
                // Whatever decodes re-encodes to a module that decodes to the same encoding.
                var enc = ModuleEncoder.Encode(m);
                Assert.Equal(enc, ModuleEncoder.Encode(ModuleDecoder.Decode(enc)));
            }
            catch (MalformedModuleException)
            {
                rejected++;
            }
        }
        Assert.True(decoded > 100 && rejected > 100, $"decoded {decoded}, rejected {rejected}");
    }

    [Fact]
    public void RandomBytesAfterTheHeaderOnlyEverThrowMalformedModuleException()
    {
        var rng = new Random(777);
        for (int iter = 0; iter < 20000; iter++)
        {
            var bytes = new byte[8 + rng.Next(40)];
            rng.NextBytes(bytes);
            "\0asm\u0001\0\0\0"u8.CopyTo(bytes);
            // Mostly plausible section ids and small sizes, so the section readers get exercised.
            if (bytes.Length > 10)
            {
                bytes[8] = (byte)rng.Next(14);
                bytes[9] = (byte)rng.Next(bytes.Length - 9);
            }
            try
            {
                ModuleEncoder.Encode(ModuleDecoder.Decode(bytes));
            }
            catch (MalformedModuleException)
            {
            }
        }
    }
}
