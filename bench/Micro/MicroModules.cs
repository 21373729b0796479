namespace WasmKiln.Bench.Micro;

/// <summary>The small modules the micro-benchmarks load, as WebAssembly text.</summary>
internal static class MicroModules
{
    /// <summary>Calls per invocation of the guest-to-host loop.</summary>
    public const int HostCallsPerInvoke = 1000;

    /// <summary>
    /// <c>add(i32, i32) -> i32</c>; <c>call_host(n)</c> calls the import <c>host.inc</c> n times,
    /// threading an accumulator through; one page of exported memory.
    /// </summary>
    public const string Calls = """
        (module
          (import "host" "inc" (func $inc (param i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "add") (param i32 i32) (result i32)
            local.get 0
            local.get 1
            i32.add)
          (func (export "call_host") (param $n i32) (result i32)
            (local $acc i32)
            (block $done
              (loop $next
                (br_if $done (i32.eqz (local.get $n)))
                (local.set $acc (call $inc (local.get $acc)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $next)))
            local.get $acc))
        """;

    /// <summary>The seed example's sum.wasm (5.8 MB, Rust + WASI), located beside the repository.</summary>
    public static string SumWasmPath()
    {
        var corpus = Corpus.BenchCorpus.Locate()
            ?? throw new FileNotFoundException("bench corpus not found, so ../shared/seed-example neither");
        var path = Path.GetFullPath(Path.Combine(corpus, "..", "seed-example", "sum.wasm"));
        return File.Exists(path) ? path : throw new FileNotFoundException("seed example not found", path);
    }
}
