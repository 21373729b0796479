namespace WasmKiln.Bench;

/// <summary>Entry point of the micro-benchmarks.</summary>
internal static class MicroMain
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("micro-benchmarks: not written yet");
        return 2;
    }
}
