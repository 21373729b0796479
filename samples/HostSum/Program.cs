// HostSum: call an export of a Rust program compiled to WebAssembly. The guest prints through
// WASI (fd_write on stdout); the host calls `sum` as a typed .NET delegate.
//   dotnet run --project samples/HostSum [path/to/sum.wasm]
using WasmKiln;
using WasmKiln.Wasi;

string path = args.Length > 0 ? args[0] : "../shared/seed-example/sum.wasm";

var engine = new Engine();
var module = Module.FromFile(engine, path);

// The guest writes to this process's console through WASI.
var store = new Store(engine) { Wasi = new WasiConfiguration().InheritStandardStreams() };
var linker = new Linker(engine);
linker.DefineWasi();
var instance = linker.Instantiate(store, module);

// Checked once against the export's type (i32, i32) -> i32; each call is a direct call.
Func<int, int, int> sum = instance.GetFunction<int, int, int>("sum");
Console.WriteLine($"sum(5, 4) = {sum(5, 4)}");
