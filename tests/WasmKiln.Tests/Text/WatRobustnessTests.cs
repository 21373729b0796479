using WasmKiln.Text;
using Xunit;

namespace WasmKiln.Tests.Text;

/// <summary>Damaged texts only ever raise <see cref="WasmException"/>s (with a position for text errors).</summary>
public class WatRobustnessTests
{
    private const string Sample = """
        (module $m
          (type $pt (struct (field $x (mut i32)) (field $y f64)))
          (rec (type $a (sub (func (param i32)))) (type $b (sub final $a (func (param i32)))))
          (import "env" "f" (func $imp (param i32) (result i32)))
          (global $g (mut i32) (i32.const 0))
          (table $t 2 funcref)
          (memory $mem 1 2)
          (tag $e (param i32))
          (elem (i32.const 0) $f $imp)
          (data (i32.const 8) "hi\00")
          (func $f (export "f") (param $p i32) (result i32) (local $l i64)
            (block $out (result i32)
              (loop $top
                (br_if $out (i32.eqz (local.get $p)) (i32.const 1))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $top))
              (i32.const 0))
            drop
            (if (result i32) (local.get $p) (then (call $imp (i32.const 2))) (else (i32.const 3)))
            (drop (v128.const i32x4 1 2 3 4))
            (drop (i32.load offset=4 align=4 (i32.const 0)))
            (try_table (catch $e 0) (throw $e (i32.const 1)))
            (call_indirect $t (type $a) (i32.const 0) (i32.const 0))
            (struct.get $pt $x (struct.new $pt (i32.const 1) (f64.const 2.5)))
            i32.add)
          (start $f2)
          (func $f2))
        """;

    [Fact]
    public void TheSampleParses() => Assert.Single(WatParser.ParseText(Sample).Exports);

    [Fact]
    public void DamagedTextsFailWithWasmExceptionsOnly()
    {
        var rng = new Random(1234);
        int failures = 0;
        for (int iter = 0; iter < 3000; iter++)
        {
            var text = Mutate(Sample, rng);
            try
            {
                WatParser.ParseText(text);
            }
            catch (TextParseException e)
            {
                Assert.True(e.Line >= 1 && e.Column >= 1, text);
                failures++;
            }
            catch (WasmException)
            {
                failures++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name}: {e.Message}\n{text}");
            }
        }
        Assert.True(failures > 1000, "most damaged texts must be rejected: " + failures);
    }

    private static string Mutate(string s, Random rng)
    {
        int n = rng.Next(1, 4);
        for (int k = 0; k < n; k++)
        {
            int at = rng.Next(s.Length);
            int len = Math.Min(rng.Next(1, 12), s.Length - at);
            s = rng.Next(4) switch
            {
                0 => s.Remove(at, len),
                1 => s.Insert(at, s.Substring(rng.Next(s.Length - len), len)),
                2 => s.Insert(at, Junk[rng.Next(Junk.Length)]),
                _ => s.Remove(at, len).Insert(at, new string(s.Substring(at, len).Reverse().ToArray())),
            };
        }
        return s;
    }

    private static readonly string[] Junk =
    [
        "(", ")", " $x ", " 0 ", " -1 ", " 0x1p99999 ", " \"\\ff\" ", " (@a) ", " (@custom \"c\") ", " end ", " else ",
        " (then) ", " (param $q i32) ", " (result f32) ", " (type 99) ", " i32.const ", " nan:0x1 ", " offset=99999999999999999999 ",
        " $\"\" ", " ;; ", " (; ", " (ref null 4294967296) ", " (rec) ", " (sub final) ", " (field) ", " delegate ", " catch ",
    ];
}
