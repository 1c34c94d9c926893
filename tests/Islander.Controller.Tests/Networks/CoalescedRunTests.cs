using Islander.Controller.Networks;

namespace Islander.Controller.Tests.Networks;

/// <summary>The coalescing behind the firewall sync and the hosts refresh, on real threads.</summary>
public sealed class CoalescedRunTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void RequestsMadeWhileARunIsInFlight_AreAllCoveredByOneLaterRun()
    {
        var run = new CoalescedRun();
        using var inFirst = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        int runs = 0;
        var first = new Thread(() => run.Run(() =>
        {
            Interlocked.Increment(ref runs);
            inFirst.Set();
            releaseFirst.Wait(Patience);
        }));
        first.Start();
        Assert.True(inFirst.Wait(Patience, TestContext.Current.CancellationToken));

        var waiting = Enumerable.Range(0, 5).Select(_ => new Thread(() => run.Run(() => Interlocked.Increment(ref runs)))).ToList();
        waiting.ForEach(t => t.Start());
        SpinWait.SpinUntil(() => run.Requests == 6, Patience); // all five hold a ticket and wait for the first run
        Assert.Equal(6, run.Requests);
        releaseFirst.Set();
        Assert.All(waiting.Append(first), t => Assert.True(t.Join(Patience)));

        Assert.Equal(2, runs); // the first, and one run for the five that asked while it ran
    }

    [Fact]
    public void ARequestMadeWhileIdle_RunsItself()
    {
        var run = new CoalescedRun();
        int runs = 0;
        run.Run(() => runs++);
        run.Run(() => runs++);
        Assert.Equal(2, runs); // nothing ran after the second call began: it ran its own
    }

    [Fact]
    public void NoRequestReturns_BeforeARunThatBeganAfterItHasFinished()
    {
        // Each caller changes the state (bumps the version), then asks for a run; the run copies the version it reads
        // at its start to "applied" at its end. When a call returns, what was applied must include the caller's change.
        var run = new CoalescedRun();
        long version = 0, applied = 0, runs = 0, calls = 0;
        var stale = new List<(long Mine, long Applied)>();
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                long mine = Interlocked.Increment(ref version);
                run.Run(() =>
                {
                    long seen = Volatile.Read(ref version);
                    Interlocked.Increment(ref runs);
                    Thread.Sleep(1); // long enough for other callers to ask meanwhile
                    Volatile.Write(ref applied, seen);
                });
                Interlocked.Increment(ref calls);
                long now = Volatile.Read(ref applied);
                if (now < mine)
                    lock (stale) stale.Add((mine, now));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(Patience)));

        Assert.Empty(stale);
        Assert.Equal(800, calls);
        Assert.True(runs < calls, $"{runs} runs for {calls} calls: none was shared");
    }
}
