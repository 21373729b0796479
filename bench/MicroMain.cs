using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace WasmKiln.Bench;

/// <summary>
/// Entry point of the micro-benchmarks (BenchmarkDotNet). Runs in process (no per-benchmark
/// project build on a small machine) with allocation counts; arguments go to BenchmarkDotNet's
/// switcher, e.g. <c>--filter *Call*</c>; <c>--long</c> uses BenchmarkDotNet's default job instead
/// of the short one.
/// </summary>
internal static class MicroMain
{
    public static int Run(string[] args)
    {
        bool longJob = Array.IndexOf(args, "--long") >= 0;
        args = Array.FindAll(args, a => a != "--long");
        var job = (longJob ? Job.Default : Job.ShortRun).WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
            .AddColumn(CategoriesColumn.Default)
            .WithOptions(ConfigOptions.JoinSummary)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "wasmkiln-bench-artifacts"));
        if (args.Length == 0) args = ["--filter", "*"];
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroMain).Assembly).Run(args, config);
        foreach (var s in summaries)
            if (s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) return 1;
        return 0;
    }
}
