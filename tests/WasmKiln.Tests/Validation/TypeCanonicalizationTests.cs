using WasmKiln.Model;
using WasmKiln.Validation;
using Xunit;

namespace WasmKiln.Tests.Validation;

public class TypeCanonicalizationTests
{
    private static SubType Func(ValType[] p, ValType[] r, bool final = true, params uint[] supers) => new(CompositeType.Func(p, r), final, supers);

    private static SubType Struct(bool final, uint[] supers, params FieldType[] fields) => new(CompositeType.Struct(fields), final, supers);

    private static ValType Ref(int index, bool nullable = true) => ValType.Ref(new HeapType(index), nullable);

    private static TypeContext Build(Action<ModuleBuilder> setup)
    {
        var b = new ModuleBuilder();
        setup(b);
        return Validator.Validate(b.Module).Types;
    }

    [Fact]
    public void EqualTypesShareACanonicalIdAcrossModules()
    {
        var a = Build(b => { b.Type([ValType.I32], []); b.Type([ValType.I64], []); b.Type([ValType.I32], []); });
        var c = Build(b => { b.Type([ValType.I64], []); b.Type([ValType.I32], []); });
        Assert.Equal(a.CanonicalIds[0], a.CanonicalIds[2]);
        Assert.NotEqual(a.CanonicalIds[0], a.CanonicalIds[1]);
        Assert.Equal(a.CanonicalIds[0], c.CanonicalIds[1]);
        Assert.Equal(a.CanonicalIds[1], c.CanonicalIds[0]);
    }

    [Fact]
    public void RecursionGroupsCompareAsAWhole()
    {
        // rec { $a = struct (ref null $b); $b = struct (ref null $a) } twice, and once with a different layout.
        var m1 = Build(b => b.RecGroup(
            Struct(true, [], new FieldType(Ref(1), false)),
            Struct(true, [], new FieldType(Ref(0), false))));
        var m2 = Build(b =>
        {
            b.Type([], []);
            b.RecGroup(Struct(true, [], new FieldType(Ref(2), false)), Struct(true, [], new FieldType(Ref(1), false)));
        });
        var m3 = Build(b => b.RecGroup(
            Struct(true, [], new FieldType(Ref(0), false)),
            Struct(true, [], new FieldType(Ref(0), false))));
        Assert.Equal(m1.CanonicalIds[0], m2.CanonicalIds[1]);
        Assert.Equal(m1.CanonicalIds[1], m2.CanonicalIds[2]);
        Assert.NotEqual(m1.CanonicalIds[0], m3.CanonicalIds[0]);
        // The two members of a group are distinct types even when they look alike.
        Assert.NotEqual(m1.CanonicalIds[0], m1.CanonicalIds[1]);
    }

    [Fact]
    public void SingletonGroupDiffersFromTheSameTypeInALargerGroup()
    {
        var m1 = Build(b => b.Type([], []));
        var m2 = Build(b => b.RecGroup(Func([], []), Func([ValType.I32], [])));
        Assert.NotEqual(m1.CanonicalIds[0], m2.CanonicalIds[0]);
    }

    [Fact]
    public void DeclaredSubtypingIsTransitive()
    {
        var t = Build(b =>
        {
            b.AddType(Struct(false, [], new FieldType(ValType.I32, false)));
            b.AddType(Struct(false, [0], new FieldType(ValType.I32, false), new FieldType(ValType.I64, true)));
            b.AddType(Struct(true, [1], new FieldType(ValType.I32, false), new FieldType(ValType.I64, true), new FieldType(ValType.F32, false)));
            b.AddType(Struct(true, [], new FieldType(ValType.I32, false)));
        });
        ValType R(int i, bool n = false) => ValType.Ref(new HeapType(t.CanonicalIds[i]), n);
        Assert.True(TypeContext.IsSubtype(R(2), R(0)));
        Assert.True(TypeContext.IsSubtype(R(2), R(1, true)));
        Assert.False(TypeContext.IsSubtype(R(0), R(2)));
        Assert.False(TypeContext.IsSubtype(R(2, true), R(0)));
        // Structurally the same as type 0 but not declared as its subtype.
        Assert.False(TypeContext.IsSubtype(R(3), R(0)));
        Assert.True(TypeContext.IsSubtype(R(2), ValType.Ref(HeapType.Struct, false)));
        Assert.True(TypeContext.IsSubtype(R(2), ValType.EqRef));
        Assert.True(TypeContext.IsSubtype(R(2), ValType.AnyRef));
        Assert.False(TypeContext.IsSubtype(R(2), ValType.ArrayRef));
        Assert.False(TypeContext.IsSubtype(R(2), ValType.FuncRef));
        Assert.True(TypeContext.IsSubtype(ValType.NullRef, R(2, true)));
        Assert.False(TypeContext.IsSubtype(ValType.NullFuncRef, R(2, true)));
    }

    [Fact]
    public void AbstractHierarchies()
    {
        Assert.True(TypeContext.IsSubtype(ValType.I31Ref, ValType.EqRef));
        Assert.True(TypeContext.IsSubtype(ValType.EqRef, ValType.AnyRef));
        Assert.False(TypeContext.IsSubtype(ValType.AnyRef, ValType.EqRef));
        Assert.False(TypeContext.IsSubtype(ValType.ExternRef, ValType.AnyRef));
        Assert.True(TypeContext.IsSubtype(ValType.NullExternRef, ValType.ExternRef));
        Assert.True(TypeContext.IsSubtype(ValType.NullExnRef, ValType.ExnRef));
        Assert.False(TypeContext.IsSubtype(ValType.NullRef, ValType.FuncRef));
        Assert.True(TypeContext.IsSubtype(ValType.Bot, ValType.I32));
        Assert.False(TypeContext.IsSubtype(ValType.I32, ValType.I64));
        Assert.Equal(HeapType.Func, TypeContext.Top(HeapType.NoFunc));
        Assert.Equal(HeapType.None, TypeContext.Bottom(HeapType.I31));
    }

    [Fact]
    public void FunctionSubtypesAreContravariantInParameters()
    {
        var t = Build(b =>
        {
            b.AddType(Func([ValType.EqRef], [ValType.AnyRef], final: false));
            b.AddType(Func([ValType.AnyRef], [ValType.EqRef], false, 0));
        });
        Assert.True(TypeContext.IsSubtype(ValType.Ref(new HeapType(t.CanonicalIds[1]), false), ValType.Ref(new HeapType(t.CanonicalIds[0]), false)));
        Assert.True(TypeContext.IsSubtype(ValType.Ref(new HeapType(t.CanonicalIds[1]), false), ValType.FuncRef));
    }

    [Fact]
    public void InvalidSubtypeDeclarations()
    {
        var b = new ModuleBuilder();
        b.AddType(Func([ValType.AnyRef], [], final: false));
        b.AddType(Func([ValType.EqRef], [], false, 0));
        var e = Assert.Throws<InvalidModuleException>(() => Validator.Validate(b.Module));
        Assert.Contains("sub type", e.Message, StringComparison.Ordinal);

        b = new ModuleBuilder();
        b.AddType(Struct(true, []));
        b.AddType(Struct(true, [0]));
        e = Assert.Throws<InvalidModuleException>(() => Validator.Validate(b.Module));
        Assert.Contains("sub type 1 does not match super type 0", e.Message, StringComparison.Ordinal);

        b = new ModuleBuilder();
        b.AddType(Struct(false, [], new FieldType(ValType.I32, true)));
        b.AddType(Struct(false, [0], new FieldType(ValType.I64, true)));
        Assert.Throws<InvalidModuleException>(() => Validator.Validate(b.Module));

        b = new ModuleBuilder();
        b.AddType(Struct(true, [], new FieldType(Ref(5), false)));
        e = Assert.Throws<InvalidModuleException>(() => Validator.Validate(b.Module));
        Assert.Contains("unknown type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegistryIsSafeUnderConcurrentRegistration()
    {
        var ids = new int[8];
        Parallel.For(0, 8, i =>
        {
            var t = Build(b => b.RecGroup(
                Struct(true, [], new FieldType(Ref(1), true), new FieldType(ValType.F64, false)),
                Struct(true, [], new FieldType(Ref(0), true), new FieldType(ValType.V128, true))));
            ids[i] = t.CanonicalIds[0];
        });
        Assert.All(ids, id => Assert.Equal(ids[0], id));
    }
}

public class ExternTypeMatcherTests
{
    [Fact]
    public void LimitsAndGlobals()
    {
        Assert.True(ExternTypeMatcher.MatchLimits(new Limits(2, 5), new Limits(1, 10)));
        Assert.False(ExternTypeMatcher.MatchLimits(new Limits(2, null), new Limits(1, 10)));
        Assert.False(ExternTypeMatcher.MatchLimits(new Limits(0, 5), new Limits(1, 10)));
        Assert.False(ExternTypeMatcher.MatchLimits(new Limits(1, 5, true), new Limits(1, 10)));
        Assert.True(ExternTypeMatcher.MatchGlobal(new GlobalType(ValType.NullRef, false), new GlobalType(ValType.AnyRef, false)));
        Assert.False(ExternTypeMatcher.MatchGlobal(new GlobalType(ValType.NullRef, true), new GlobalType(ValType.AnyRef, true)));
        Assert.False(ExternTypeMatcher.MatchTable(new TableType(ValType.NullFuncRef, new Limits(1, null)), new TableType(ValType.FuncRef, new Limits(1, null))));
        Assert.False(ExternTypeMatcher.MatchMemory(new MemoryType(new Limits(1, 2, false, true)), new MemoryType(new Limits(1, 2))));
    }

    [Fact]
    public void FunctionsMatchThroughDeclaredSubtypes()
    {
        var b = new ModuleBuilder();
        b.AddType(new SubType(CompositeType.Func([], []), false, []));
        b.AddType(new SubType(CompositeType.Func([], []), false, [0]));
        var ids = Validator.Validate(b.Module).CanonicalTypeIds;
        Assert.True(ExternTypeMatcher.MatchFunc(ids[1], ids[0]));
        Assert.False(ExternTypeMatcher.MatchFunc(ids[0], ids[1]));
    }
}
