using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmKiln.Model;

namespace WasmKiln.Engines.Compiler;

/// <summary>
/// The dynamic assembly compiled code lives in (one per process, built with
/// <see cref="AssemblyBuilder"/>/<see cref="ModuleBuilder"/>/<see cref="TypeBuilder"/> so that it
/// could be saved later). Every compiled function is a static method of its own type.
/// </summary>
internal static class CodeGen
{
    private static readonly Lock Gate = new();
    private static ModuleBuilder? s_module;
    private static int s_counter;

    /// <summary>Whether the runtime can generate code at all.</summary>
    public static bool IsSupported => RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Defines a new public static class to hold generated methods.</summary>
    [RequiresDynamicCode("compiles WebAssembly to IL")]
    public static TypeBuilder DefineType(string prefix)
    {
        lock (Gate)
        {
            if (s_module == null)
            {
                var name = new AssemblyName("WasmKiln.Compiled");
                var asm = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run);
                var ctor = typeof(IgnoresAccessChecksToAttribute).GetConstructor([typeof(string)])!;
                asm.SetCustomAttribute(new CustomAttributeBuilder(ctor, [typeof(CodeGen).Assembly.GetName().Name!]));
                s_module = asm.DefineDynamicModule("WasmKiln.Compiled");
            }
            int n = ++s_counter;
            return s_module.DefineType(prefix + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract | TypeAttributes.Class);
        }
    }

    /// <summary>The IL type of a WebAssembly value type.</summary>
    public static Type ClrType(ValType t) => t.Kind switch
    {
        ValKind.I32 or ValKind.I8 or ValKind.I16 => typeof(int),
        ValKind.I64 => typeof(long),
        ValKind.F32 => typeof(float),
        ValKind.F64 => typeof(double),
        ValKind.V128 => typeof(Vector128<byte>),
        _ => typeof(object),
    };

    /// <summary>The IL return type of a function type (its first result, or void).</summary>
    public static Type ReturnType(CompositeType f) => f.Results.Length == 0 ? typeof(void) : ClrType(f.Results[0]);

    /// <summary>The IL parameter types of a function type (see <see cref="Runtime.FunctionInstance"/>).</summary>
    public static Type[] ParamTypes(CompositeType f)
    {
        int np = f.Params.Length, nr = Math.Max(0, f.Results.Length - 1);
        var types = new Type[np + nr + 1];
        for (int i = 0; i < np; i++) types[i] = ClrType(f.Params[i]);
        for (int i = 0; i < nr; i++) types[np + i] = ClrType(f.Results[i + 1]).MakeByRefType();
        types[^1] = typeof(Runtime.FunctionInstance);
        return types;
    }

    /// <summary>The IL parameter types of a compiled function's body: those of <see cref="ParamTypes"/> with the instance and the call stack instead of the function instance.</summary>
    public static Type[] BodyParamTypes(CompositeType f)
    {
        var types = ParamTypes(f);
        Array.Resize(ref types, types.Length + 1);
        types[^2] = typeof(Runtime.Instance);
        types[^1] = typeof(Runtime.CallStack);
        return types;
    }

    /// <summary>A key identifying the IL signature of a function type.</summary>
    public static string SignatureKey(CompositeType f)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var p in f.Params) sb.Append(KindChar(p));
        sb.Append('>');
        foreach (var r in f.Results) sb.Append(KindChar(r));
        return sb.ToString();
    }

    private static char KindChar(ValType t) => t.Kind switch
    {
        ValKind.I32 or ValKind.I8 or ValKind.I16 => 'i', ValKind.I64 => 'I', ValKind.F32 => 'f', ValKind.F64 => 'F',
        ValKind.V128 => 'v', _ => 'r',
    };
}
