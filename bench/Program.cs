namespace WasmKiln.Bench;

/// <summary>Command line of the benchmark harness (see <see cref="Harness.Usage"/>).</summary>
internal static class BenchMain
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "micro")
            return MicroMain.Run(args[1..]);
        if (args.Length > 0 && args[0] == "--startup-runner")
            return StartupRunner.Run(args[1..]);
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Harness.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var options = Harness.Parse(args, Console.Error);
        if (options == null)
        {
            Console.Error.WriteLine(Harness.Usage);
            return 2;
        }
        // Deep wasm recursion runs on the host stack of compiled code: give the runs a large one.
        int code = 70;
        var thread = new Thread(() => code = Harness.Run(options, Console.Out, Console.Error), 256 * 1024 * 1024);
        thread.Start();
        thread.Join();
        return code;
    }
}
