using Islander.Controller.Desired;
using Microsoft.Extensions.Time.Testing;

namespace Islander.Controller.Tests.Desired;

/// <summary>A burst of events ends once nothing came for the quiet period, at most the cap after its start.</summary>
public sealed class QuietPeriodTests
{
    static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100), Cap = TimeSpan.FromSeconds(2), Idle = TimeSpan.FromHours(1);

    readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));

    static async Task<bool> EndsAsync(Task<bool> wait)
    {
        await ControllerHarness.EventuallyAsync(() => wait.IsCompleted, "the wait to end");
        return await wait;
    }

    [Fact]
    public async Task Burst_EndsAQuietPeriodAfterTheLastPoke_NotBefore()
    {
        var quiet = new QuietPeriod(_time, Quiet, Cap);
        var wait = quiet.WaitAsync(Idle, TestContext.Current.CancellationToken);
        for (int i = 0; i < 10; i++)
        {
            quiet.Poke();
            _time.Advance(TimeSpan.FromMilliseconds(60));
        }
        Assert.False(wait.IsCompleted); // 600 ms of pokes 60 ms apart: still the same burst

        _time.Advance(TimeSpan.FromMilliseconds(40)); // 100 ms after the last poke
        Assert.True(await EndsAsync(wait));
    }

    [Fact]
    public async Task EndlessWriter_EndsAtTheCap()
    {
        var quiet = new QuietPeriod(_time, Quiet, Cap);
        var wait = quiet.WaitAsync(Idle, TestContext.Current.CancellationToken);
        for (int i = 0; i < 39; i++)
        {
            quiet.Poke();
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }
        Assert.False(wait.IsCompleted); // 1.95 s

        quiet.Poke();
        _time.Advance(TimeSpan.FromMilliseconds(50)); // 2 s after the first poke, 50 ms after the last
        Assert.True(await EndsAsync(wait));
    }

    [Fact]
    public async Task PokeNow_EndsTheWaitAtOnce_EvenInABurst()
    {
        var quiet = new QuietPeriod(_time, Quiet, Cap);
        var wait = quiet.WaitAsync(Idle, TestContext.Current.CancellationToken);
        quiet.Poke();
        _time.Advance(TimeSpan.FromMilliseconds(10));

        quiet.PokeNow();

        Assert.True(await EndsAsync(wait));
    }

    [Fact]
    public async Task NoPoke_EndsAtTheIdleTime_AsAResync_AndTheNextBurstStartsAfresh()
    {
        var quiet = new QuietPeriod(_time, Quiet, Cap);
        var wait = quiet.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await ControllerHarness.EventuallyAsync(() => { _time.Advance(TimeSpan.FromSeconds(1)); return wait.IsCompleted; }, "the resync");
        Assert.False(await wait);

        quiet.Poke();
        var next = quiet.WaitAsync(Idle, TestContext.Current.CancellationToken);
        _time.Advance(Quiet);
        Assert.True(await EndsAsync(next));
    }
}
