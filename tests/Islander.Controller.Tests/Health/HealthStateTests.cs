using Islander.Controller.Health;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Tests.Health;

/// <summary>The rule of health (<see cref="HealthState.After"/>): starting → healthy → unhealthy and back, the start period.</summary>
public sealed class HealthStateTests
{
    static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
    static readonly IsleHealthCheck Check = new() { Exec = ["check"], Retries = 3, StartPeriod = TimeSpan.FromSeconds(10) };

    static HealthResultView Result(bool passed, double at) => new(T0.AddSeconds(at), T0.AddSeconds(at + 0.1), passed, passed ? "" : "no", passed ? 0 : 1);

    static HealthState Run(params (bool Passed, double At)[] results) =>
        results.Aggregate(HealthState.Initial, (s, r) => s.After(Result(r.Passed, r.At), Check, T0));

    [Fact]
    public void After_NoResult_Starting() => Assert.Equal(HealthView.Starting, HealthState.Initial.Status);

    [Fact]
    public void After_Pass_HealthyStreakZero()
    {
        var s = Run((false, 11), (true, 12));

        Assert.Equal((HealthView.Healthy, 0), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void After_FailuresBelowRetries_StaysHealthyWithStreak()
    {
        var s = Run((true, 1), (false, 2), (false, 3));

        Assert.Equal((HealthView.Healthy, 2), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void After_RetriesFailuresInARow_Unhealthy()
    {
        var s = Run((true, 1), (false, 2), (false, 3), (false, 4));

        Assert.Equal((HealthView.Unhealthy, 3), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void After_PassBetweenFailures_StreakStartsAgain()
    {
        var s = Run((true, 1), (false, 2), (false, 3), (true, 4), (false, 5), (false, 6));

        Assert.Equal((HealthView.Healthy, 2), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void After_UnhealthyThenPass_Healthy() =>
        Assert.Equal(HealthView.Healthy, Run((false, 11), (false, 12), (false, 13), (true, 14)).Status);

    [Fact]
    public void After_FailuresWithinStartPeriod_NotCounted()
    {
        var s = Run((false, 1), (false, 2), (false, 3), (false, 4));

        Assert.Equal((HealthView.Starting, 0, 4), (s.Status, s.FailingStreak, s.Log.Count));
    }

    [Fact]
    public void After_FailuresAfterStartPeriod_Unhealthy()
    {
        var s = Run((false, 9), (false, 10), (false, 11), (false, 12));

        Assert.Equal((HealthView.Unhealthy, 3), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void After_FailuresWithinStartPeriodAfterAPass_Counted()
    {
        // Docker's rule: the start period is for a slow first start; once healthy, every failure counts.
        var s = Run((true, 1), (false, 2), (false, 3), (false, 4));

        Assert.Equal(HealthView.Unhealthy, s.Status);
    }

    [Fact]
    public void After_ManyResults_LastFiveKeptInOrder()
    {
        var s = Run([.. Enumerable.Range(0, 8).Select(i => (true, (double)i))]);

        Assert.Equal([3, 4, 5, 6, 7], s.Log.Select(r => (int)(r.Start - T0).TotalSeconds));
    }
}
