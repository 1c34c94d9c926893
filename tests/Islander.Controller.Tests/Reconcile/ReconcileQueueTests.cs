using Islander.Model;
using Islander.Controller.Desired;
using Islander.Controller.Reconcile;
using Microsoft.Extensions.Time.Testing;

namespace Islander.Controller.Tests.Reconcile;

public sealed class ReconcileQueueTests
{
    readonly FakeTimeProvider _time = new();
    readonly ReconcileQueue _queue;
    static readonly ObjectKey Web = ObjectKey.Isle("web");
    static readonly ObjectKey Db = ObjectKey.Isle("db");

    public ReconcileQueueTests() => _queue = new ReconcileQueue(_time);

    [Fact]
    public void Add_SameKeyTwice_HandedOutOnce()
    {
        _queue.Add(Web);
        _queue.Add(Web);
        _queue.Add(Db);

        Assert.True(_queue.TryTake(out var first));
        Assert.True(_queue.TryTake(out var second));
        Assert.False(_queue.TryTake(out _));
        Assert.Equal([Web, Db], new[] { first, second });
    }

    [Fact]
    public void Add_WhileProcessing_ComesBackOnceAfterDone()
    {
        _queue.Add(Web);
        _queue.TryTake(out _);

        _queue.Add(Web);
        _queue.Add(Web);
        Assert.False(_queue.TryTake(out _)); // never twice at once
        _queue.Done(Web);

        Assert.True(_queue.TryTake(out var again));
        Assert.Equal(Web, again);
        _queue.Done(Web);
        Assert.False(_queue.TryTake(out _));
        Assert.True(_queue.IsIdle);
    }

    [Fact]
    public void AddAfter_EarlierDueTimeWins()
    {
        _queue.AddAfter(Web, TimeSpan.FromSeconds(10));
        _queue.AddAfter(Web, TimeSpan.FromSeconds(2));
        _queue.AddAfter(Web, TimeSpan.FromSeconds(5));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(_queue.TryTake(out _));
        _queue.Done(Web);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(_queue.TryTake(out _));
    }

    [Fact]
    public void Failed_Repeatedly_DelayDoublesToMaxUntilForget()
    {
        var delays = Enumerable.Range(0, 15).Select(_ => _queue.Failed(Web)).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(200), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(400), delays[1]);
        Assert.Equal(ReconcileQueue.FailureMax, delays[^1]);
        _queue.Forget(Web);
        Assert.Equal(TimeSpan.FromMilliseconds(200), _queue.Failed(Web));
    }

    [Fact]
    public async Task Exclusive_WhilePassRuns_WaitsForItsEnd()
    {
        _queue.Add(Web);
        _queue.TryTake(out _);
        bool ran = false;

        var verb = _queue.ExclusiveAsync(Web, () => { ran = true; return Task.FromResult(1); }, TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(ran); // the pass holds the key

        _queue.Done(Web);
        Assert.Equal(1, await verb.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(ran);
    }

    [Fact]
    public async Task Exclusive_KeyQueuedMeanwhile_NotHandedOutUntilDone_ThenOnce()
    {
        var inside = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var verb = _queue.ExclusiveAsync(Web, async () => { inside.SetResult(); await release.Task; return 0; }, TestContext.Current.CancellationToken);
        await inside.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        _queue.Add(Web);
        Assert.False(_queue.TryTake(out _)); // no pass while the verb holds the key

        release.SetResult();
        await verb.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(_queue.TryTake(out var key));
        Assert.Equal(Web, key);
        Assert.False(_queue.TryTake(out _));
    }
}
