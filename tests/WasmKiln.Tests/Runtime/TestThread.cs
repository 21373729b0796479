using Xunit;

namespace WasmKiln.Tests.Runtime;

/// <summary>
/// A background thread for tests: an exception on it (a failed assertion included) is kept and
/// rethrown by <see cref="Join"/> instead of crashing the test process.
/// </summary>
internal sealed class TestThread
{
    private readonly Thread _thread;
    private Exception? _failure;

    public TestThread(Action action, int maxStackSize = 0)
    {
        _thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { _failure = e; }
        }, maxStackSize) { IsBackground = true };
        _thread.Start();
    }

    public bool IsAlive => _thread.IsAlive;

    /// <summary>Waits for the thread (30 s unless told) and fails the test if it failed or hangs.</summary>
    public void Join(TimeSpan? timeout = null)
    {
        Assert.True(_thread.Join(timeout ?? TimeSpan.FromSeconds(30)), "thread did not finish in time");
        if (_failure != null) throw new Xunit.Sdk.XunitException("thread failed: " + _failure);
    }
}
