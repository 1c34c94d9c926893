using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>Exit codes, signals and stop as `docker stop` does them.</summary>
[Collection(IsleCollection.Name)]
public sealed class IsleSignalTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Run_ExitCode_IsReportedExactly()
    {
        var (status, _) = await _h.RunAsync(IsleHarness.Spec("sh", "-c", "exit 42"));

        Assert.Equal((42, 0, 42), (status.ExitCode, status.Signal, status.Code));
        Assert.False(status.OomKilled);
    }

    [Fact]
    public async Task Stop_IsleHandlingTerm_ExitsWithItsOwnCode()
    {
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.1; done"));
        await WaitForLog(name, "ready");

        var clock = Stopwatch.StartNew();
        var status = await _h.Runtime.StopAsync(name, process, signal: 15, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(7, status!.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stop took {clock.Elapsed}");
    }

    [Fact]
    public async Task Stop_TimeoutOfYears_StopsAsAnyOther()
    {
        // A manifest may say stopTimeout: 87600h (the Model takes up to 10 years); Task.Delay refuses more than ~49 days.
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.1; done"));
        await WaitForLog(name, "ready");

        var status = await _h.Runtime.StopAsync(name, process, signal: 15, TimeSpan.FromDays(3650), TestContext.Current.CancellationToken);

        Assert.Equal(7, status!.ExitCode);
    }

    [Fact]
    public async Task Stop_IsleIgnoringTerm_IsKilledAfterTheTimeout()
    {
        // As PID 1, a process without a TERM handler is immune to TERM: the kernel drops it.
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("sleep", "1000"));
        Assert.True(_h.Runtime.IsRunning(process));
        Assert.Null(_h.Runtime.ExitStatus(name));

        var clock = Stopwatch.StartNew();
        var status = await _h.Runtime.StopAsync(name, process, signal: 15, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Equal((9, 137), (status!.Signal, status.Code));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.False(_h.Runtime.IsRunning(process));
        Assert.Equal(status, _h.Runtime.ExitStatus(name));
    }

    [Fact]
    public async Task Stop_AnEndedIsle_ReturnsItsStatus()
    {
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("true"));
        await _h.Runtime.WaitAsync(name, process, TestContext.Current.CancellationToken);

        var status = await _h.Runtime.StopAsync(name, process, 15, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Equal(0, status!.Code);
    }

    [Fact]
    public async Task Start_MissingCommand_FailsWithExecveEnoentAndLeavesNothing()
    {
        var e = await Assert.ThrowsAsync<Islander.Drivers.Runtime.IsleStartException>(() => _h.StartAsync(IsleHarness.Spec("/bin/nope")));

        Assert.Equal(("execve", 2), (e.Op, e.Errno));
        Assert.Contains("/bin/nope", e.Message);
        Assert.Empty(await _h.LeftInRunIslesAsync());
    }

    async Task WaitForLog(string name, string text)
    {
        for (var clock = Stopwatch.StartNew(); !_h.Log(name).Contains(text); await Task.Delay(20, TestContext.Current.CancellationToken))
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"no \"{text}\" in the log");
    }
}
