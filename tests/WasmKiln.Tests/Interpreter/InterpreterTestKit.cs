using WasmKiln.Engines.Interpreter;
using WasmKiln.Runtime;
using WasmKiln.Text;
using WasmKiln.Validation;

namespace WasmKiln.Tests.Interpreter;

using Instance = WasmKiln.Runtime.Instance;
using Linker = WasmKiln.Runtime.Linker;
using Store = WasmKiln.Runtime.Store;

/// <summary>Helpers: modules from text, instantiated and called through the interpreter.</summary>
internal static class InterpreterTestKit
{
    public static Instance Instantiate(string wat, Func<WasmKiln.Model.Import, object?>? resolve = null)
    {
        var vm = Validator.Validate(WatParser.ParseText(wat));
        return Linker.Instantiate(vm, new Store { Tier = InterpreterTier.Shared }, resolve ?? (_ => null));
    }

    public static FunctionInstance Func(Instance inst, string name) => (FunctionInstance)inst.Exports[name].Value;

    public static Value[] Call(Instance inst, string name, params Value[] args) => Func(inst, name).Invoke(args);

    public static int I32(Instance inst, string name, params Value[] args) => Call(inst, name, args)[0].AsI32;

    public static long I64(Instance inst, string name, params Value[] args) => Call(inst, name, args)[0].AsI64;

    public static TrapException Trap(Instance inst, string name, params Value[] args) =>
        Xunit.Assert.Throws<TrapException>(() => Call(inst, name, args));

    /// <summary>A host function of the type <paramref name="funcType"/> (text, e.g. "(func (param i32) (result i32))").</summary>
    public static FunctionInstance Host(string funcType, Func<Value[], Value[]> impl, string name = "host")
    {
        var vm = Validator.Validate(WatParser.ParseText("(module (type " + funcType + "))"));
        int id = vm.CanonicalTypeIds[0];
        return new FunctionInstance(new HostFunction(TypeRegistry.Get(id).Type, impl, name), id);
    }

    /// <summary>Whether the function has been lowered by the interpreter.</summary>
    public static bool IsLowered(FunctionInstance f) => f.TierCode is LoweredFunction;
}
