using Islander.Controller.Desired;
using Islander.Controller.Hosting;
using Islander.Controller.Lifecycle;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Model;

namespace Islander.Controller.Tests;

/// <summary>The numbers src/Islander.Controller/README.md states are the code's (its debounce once said 100 ms, the code 25).</summary>
public sealed class ControllerReadmeTests
{
    static readonly string Readme = File.ReadAllText(Path.Combine(RepoRoot(), "src", "Islander.Controller", "README.md"));

    public static TheoryData<string> Statements()
    {
        var options = new DaemonOptions();
        var backoff = new RestartBackoff();
        return new()
        {
            $"inotify + quiet period ({ManifestDirectorySource.Quiet.TotalMilliseconds} ms, at most {ManifestDirectorySource.MaxDelay.TotalSeconds} s) + full rescan every `--resync` ({options.Resync.TotalSeconds} s)",
            $"{options.Workers} workers",
            $"{backoff.Base.TotalSeconds} s doubling to {backoff.Max.TotalMinutes} min, reset after a {backoff.ResetAfter.TotalMinutes} min run",
            $"requeued per key, {ReconcileQueue.FailureBase.TotalMilliseconds} ms doubling to {ReconcileQueue.FailureMax.TotalMinutes} min",
            $"up to {StateStore.EventLimit} are kept",
            $"is at most {ManifestLimits.MaxFileBytes >> 20} MiB",
            $"at most {ManifestLimits.MaxObjectBytes / 1048576.0} MiB",
            $"nesting at most {ManifestLimits.MaxDepth} levels",
            $"at most {ManifestLimits.MaxNodes:# ###} values per file",
            $"at most {ManifestLimits.MaxDocuments:## ###} documents per file; {ManifestLimits.MaxProblems} problems per file",
            $"quote at most {ManifestLimits.MaxQuote} characters",
            $"no pass has finished for {Islander.Controller.Metrics.DaemonHealth.StuckResyncs} resync intervals",
            $"buckets run from {Islander.Controller.Metrics.ReconcileMetrics.Buckets[0] * 1000} ms to {Islander.Controller.Metrics.ReconcileMetrics.Buckets[^1]} s",
            $"no request has begun for {IdleMemoryTrim.Quiet.TotalSeconds} s",
            $"resident memory (VmRSS) is {IdleMemoryTrim.Growth >> 20} MiB above",
        };
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void Readme_States_TheCodesNumber(string statement) => Assert.Contains(statement, Readme);

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Islander.sln"))) return dir.FullName;
        throw new InvalidOperationException("Islander.sln not found above " + AppContext.BaseDirectory);
    }
}
