using WasmKiln.Model;
using WasmKiln.Runtime;
using Xunit;

namespace WasmKiln.Tests.Runtime;

public class TableTests
{
    private static TrapKind TrapOf(Action a) => Assert.Throws<TrapException>(a).Kind;

    private static Table Make(ulong min, ulong? max, object? init = null, bool is64 = false, ulong host = Table.DefaultHostMaxElements) =>
        new(new TableType(ValType.FuncRef, new Limits(min, max, is64)), init, host);

    [Fact]
    public void GetSetAndBounds()
    {
        var marker = new object();
        var t = Make(3, 10, marker);
        Assert.Equal(3UL, t.Size);
        Assert.Same(marker, t.Get(2));
        t.Set(1, null);
        Assert.Null(t.Get(1));
        Assert.Equal(ValType.FuncRef, t.ElementType);
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Get(3)));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Set(3, null)));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Get(ulong.MaxValue)));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Get(1UL << 32)));
    }

    [Fact]
    public void GrowFollowsTheSpec()
    {
        var a = new object();
        var b = new object();
        var t = Make(1, 4, a);
        Assert.Equal(1L, t.Grow(0, null));
        Assert.Equal(1L, t.Grow(2, b));
        Assert.Equal(3UL, t.Size);
        Assert.Same(a, t.Get(0));
        Assert.Same(b, t.Get(1));
        Assert.Same(b, t.Get(2));
        Assert.Equal(-1L, t.Grow(2, null));
        Assert.Equal(-1L, t.Grow(ulong.MaxValue, null));
        Assert.Equal(3L, t.Grow(1, null));
        Assert.Null(t.Get(3));
        Assert.Equal(-1L, t.Grow(1, null));

        var unbounded = Make(0, null, host: 5);
        Assert.Equal(0L, unbounded.Grow(5, null));
        Assert.Equal(-1L, unbounded.Grow(1, null));

        // table32 without a maximum may grow up to 2^32-1 elements in principle: a request
        // beyond the host limit fails instead of exhausting memory.
        var big = Make(0, null);
        Assert.Equal(-1L, big.Grow(0xFFFF_FFFF, null));
    }

    [Fact]
    public void FillCopyInit()
    {
        var x = new object();
        var y = new object();
        var t = Make(6, null);
        t.Fill(1, x, 3);
        Assert.Equal(new[] { null, x, x, x, null, null }, t.Elements);
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Fill(4, y, 3)));
        Assert.Null(t.Get(4));
        t.Fill(6, y, 0);
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Fill(7, y, 0)));

        t.Set(0, y);
        Table.Copy(t, 2, t, 0, 4);                 // overlapping, forward
        Assert.Equal(new[] { y, x, y, x, x, x }, t.Elements);
        Table.Copy(t, 0, t, 1, 5);                 // overlapping, backward
        Assert.Equal(new[] { x, y, x, x, x, x }, t.Elements);
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => Table.Copy(t, 3, t, 0, 4)));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => Table.Copy(t, 0, t, 3, 4)));

        var other = Make(2, 2, y, is64: true);
        Assert.True(other.Is64Bit);
        Table.Copy(other, 0, t, 0, 1);
        Assert.Same(x, other.Get(0));

        object?[] segment = [y, null, x];
        t.Init(3, segment, 0, 3);
        Assert.Equal(new[] { x, y, x, y, null, x }, t.Elements);
        t.Init(6, segment, 3, 0);
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Init(0, segment, 4, 0)));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Init(0, segment, 1, 3)));
        Assert.Equal(TrapKind.TableOutOfBounds, TrapOf(() => t.Init(5, segment, 0, 2)));
    }

    [Fact]
    public void InvalidLimitsAreRejected()
    {
        Assert.Throws<WasmException>(() => Make(3, 2));
        Assert.Throws<WasmException>(() => Make(1UL << 32, null));
        Assert.Throws<WasmException>(() => Make(10, null, host: 5));
        Assert.Equal(1UL << 32, Make(0, 1UL << 32, is64: true).MaximumSize);
    }
}
