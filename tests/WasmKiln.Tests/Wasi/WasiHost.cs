using System.Text;
using WasmKiln.Binary;
using WasmKiln.Runtime;
using WasmKiln.Text;
using WasmKiln.Validation;
using WasmKiln.Wasi;

namespace WasmKiln.Tests.Wasi;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Test helper: runs a WASI module on the compiler engine with a <see cref="WasiContext"/>.</summary>
internal sealed class WasiHost : IDisposable
{
    public MemoryStream Stdout { get; } = new();
    public MemoryStream Stderr { get; } = new();
    public WasiContext Context { get; }
    public WasmKiln.Runtime.Instance Instance { get; }
    private Memory? _memory;

    public WasiHost(byte[] wasm, WasiConfiguration config)
    {
        config.WithStandardOutput(Stdout).WithStandardError(Stderr);
        Context = new WasiContext(config);
        var vm = Validator.Validate(ModuleDecoder.Decode(wasm));
        Instance = WasmKiln.Runtime.Linker.Instantiate(vm, new WasmKiln.Runtime.Store(), WasiPreview1.Resolver(Context, () => _memory));
        _memory = Instance.Exports.TryGetValue("memory", out var m) && m.Value is Memory mem ? mem : null;
    }

    public static WasiHost FromText(string wat, WasiConfiguration? config = null) =>
        new(ModuleEncoder.Encode(WatParser.ParseText(wat)), config ?? new WasiConfiguration());

    public string StdoutText => Encoding.UTF8.GetString(Stdout.ToArray());
    public string StderrText => Encoding.UTF8.GetString(Stderr.ToArray());

    /// <summary>Runs an export with no parameters; returns the exit code (0 on return, or proc_exit's code).</summary>
    public int Run(string export = "_start")
    {
        var f = (FunctionInstance)Instance.Exports[export].Value;
        try
        {
            f.Invoke([]);
            return 0;
        }
        catch (WasiExitException e)
        {
            return e.ExitCode;
        }
    }

    public void Dispose() => Context.Dispose();
}
