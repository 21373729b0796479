// HostCalls: host functions and shared memory. The guest (host_calls.wasm, Rust, no WASI)
// imports host.log and host.add_bonus; the host writes into the guest's buffer and reads it back.
//   dotnet run --project samples/HostCalls [path/to/host_calls.wasm]
using WasmKiln;
using WasmKiln.Runtime;

string path = args.Length > 0 ? args[0] : "../shared/seed-example/host_calls.wasm";

var engine = new Engine();
var module = Module.FromFile(engine, path);
var store = new Store(engine);
var linker = new Linker(engine);

// host.log(ptr, len): a UTF-8 message in the caller's memory.
linker.DefineFunction("host", "log", (Caller caller, int ptr, int len) =>
    Console.WriteLine($"host.log receives:       {caller.GetMemory()!.ReadString((uint)ptr, len)}"));
linker.DefineFunction("host", "add_bonus", (int x) => x + 1000);

var instance = linker.Instantiate(store, module);
var memory = instance.GetMemory("memory")!;

int buffer = instance.GetFunction<int>("buffer_ptr")();
int length = memory.WriteString((uint)buffer, "hello, wasm!");
int shouted = instance.GetFunction<int, int>("shout")(length);
Console.WriteLine($"shout returns:           {shouted}");
Console.WriteLine($"buffer afterwards reads: {memory.ReadString((uint)buffer, length)}");

var divide = instance.GetFunction<int, int, int>("divide");
Console.WriteLine($"divide(7, 2) returns:    {divide(7, 2)}");
try
{
    divide(1, 0);
}
catch (TrapException trap)
{
    Console.WriteLine($"divide(1, 0):            trap: {trap.Message}");
}
