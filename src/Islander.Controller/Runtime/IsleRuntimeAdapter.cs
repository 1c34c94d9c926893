using System.Net.Sockets;
using Islander.Controller.Ports;
using Islander.Drivers.Cgroups;
using Islander.Drivers.Network;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Runtime;

/// <summary>
/// The controller's <see cref="IIsleRuntime"/>, <see cref="IIsleLogs"/>, <see cref="IIsleExec"/> and <see cref="IIsleStats"/> ports over the drivers'
/// <see cref="IsleRuntime"/>: isle-init, overlay, cgroups and namespaces. The kernel and the isle's
/// run directory are the truth; nothing here is cached.
/// </summary>
public sealed class IsleRuntimeAdapter(IsleRuntime runtime, NetworkDriverSet networks) : IIsleRuntime, IIsleLogs, IIsleExec, IIsleStats, IIsleSockets, IIsleAttach, IIsleFiles
{
    /// <summary>
    /// socket(2) on a thread that has setns()'d into the isle's network namespace (<see cref="NamespaceThread"/>): a
    /// socket belongs to the namespace it was created in, so it connects to the isle's loopback from any thread.
    /// </summary>
    public async Task<Socket> OpenTcpSocketAsync(string name)
    {
        if (runtime.Find(name) is not { } process || !runtime.IsRunning(process))
            throw new IslanderException($"isle {name} is not running", ErrorCategory.Conflict);
        try
        {
            return await NamespaceThread.Shared.OpenTcpAsync(process.InitPid);
        }
        catch (Drivers.Interop.SyscallException e) when (e.Errno == Drivers.Interop.Errno.ENOENT || e.Errno == Drivers.Interop.Errno.ESRCH)
        {
            throw new IslanderException($"isle {name} is not running (its init {process.InitPid} is gone)", ErrorCategory.Conflict, e);
        }
    }

    public async Task<IsleHandle> StartAsync(IsleStartPlan plan, CancellationToken cancellationToken)
    {
        string name = plan.Name;
        if (runtime.Find(name) is { } existing && runtime.IsRunning(existing))
            return Handle(existing); // adopted: started by an earlier daemon (Find reads the cgroup when the files are gone)
        // An ended isle's remains (its log stays), and anything in its cgroup whose init cannot be told (two copies
        // left by an older islander): killed, and the cgroup empty, before another copy starts.
        await runtime.DeleteAsync(name, cancellationToken);
        try
        {
            return Handle(await runtime.StartAsync(name, plan.Spec, lowerDirs: plan.Image?.LayerDirs, image: plan.Image?.Defaults,
                attach: plan.Networks.Count == 0 ? null : (pid, ct) => Attach(plan, pid, ct), namedVolumePaths: plan.VolumePaths, ct: cancellationToken));
        }
        catch (IsleStartException e) when (Terminal(e) is { } terminal)
        {
            throw terminal;
        }
    }

    /// <summary>
    /// Runs with the isle's init pid before its command starts: connects it to the plan's networks in order (eth0,
    /// eth1, ...; the default route through the first), each through its network's driver.
    /// </summary>
    ValueTask Attach(IsleStartPlan plan, int initPid, CancellationToken cancellationToken)
    {
        var netns = NetworkNamespace.OfProcess(initPid);
        foreach (var a in plan.Networks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            networks.For(a.Driver).Attach(a.Network, new IsleEndpoint(plan.Name, netns, a.Ip, a.IfName, a.DefaultRoute), cancellationToken);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The start failures that are the spec's and have a status reason of their own, never retried: the command could
    /// not be executed (127/126 for islanderctl run), or the working directory could not be entered. Null for the rest.
    /// </summary>
    internal static IslanderException? Terminal(IsleStartException e) => e switch
    {
        { CommandFailed: true } => new IsleCommandException(e.Message, e.CommandNotFound, e),
        { WorkingDirFailed: true, Category: ErrorCategory.InvalidManifest } =>
            new IsleWorkingDirException($"{e.Message}; workingDir must be a directory inside the isle, not a link out of it", e),
        _ => null,
    };

    public Task UpdateResourcesAsync(string name, IsleResources resources, IsleResources previous, CancellationToken cancellationToken)
    {
        runtime.UpdateResources(name, resources, previous, cancellationToken);
        return Task.CompletedTask;
    }

    public IsleObservation Probe(string name)
    {
        if (runtime.Locate(name) is not ({ } process, var running))
            return IsleObservation.NotFound;
        // An init that has ended while its shim still runs is still ending: the shim reaps it, drains its output and
        // then writes the status file. The isle has ended once that file is there or the shim is gone; the exit watch
        // (the shim's exit) wakes the pass that records it. A pass that probed between the two took a one-shot's exit
        // for one without a status ("vanished"), once in some thousands of runs on a loaded machine.
        // The shim is looked at before the file, which it writes before it exits: a shim gone means the file is final.
        bool shimRuns = !running && runtime.IsLogging(process);
        var status = running ? null : runtime.ExitStatus(name);
        if (running || (shimRuns && status is null))
            return new IsleObservation(IsleProcessState.Running, process.InitPid, process.ShimPid, process.StartedAt);
        return new IsleObservation(IsleProcessState.Exited, process.InitPid, process.ShimPid, process.StartedAt, Exit(status));
    }

    public async Task<IsleExit?> WaitForExitAsync(string name, CancellationToken cancellationToken)
    {
        if (runtime.Find(name) is not { } process)
            return null;
        return Exit(await runtime.WaitAsync(name, process, cancellationToken));
    }

    public async Task StopAsync(string name, int signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (runtime.Find(name) is { } process && runtime.IsRunning(process))
            await runtime.StopAsync(name, process, signal, timeout, cancellationToken);
    }

    public void Signal(string name, int signal) => runtime.Signal(name, signal);

    public Task FreezeAsync(string name, bool frozen, CancellationToken cancellationToken) =>
        runtime.FreezeAsync(name, frozen, cancellationToken);

    public IReadOnlyList<IsleProcessView> Processes(string name) =>
        [.. runtime.Processes(name).Select(t => new IsleProcessView(t.Pid, t.HostPid, t.Uid, t.User, t.Command))];

    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        runtime.DeleteAsync(name, cancellationToken, keepLog: false);

    public Task<ExecResult> ExecAsync(string name, ExecRequest request, ExecOutput output, ExecStarted? started, CancellationToken cancellationToken) =>
        runtime.ExecAsync(name, request, output, started, cancellationToken);

    public Task<IsleAttachConnection> AttachAsync(string name, bool stdin, bool tty, CancellationToken cancellationToken) =>
        runtime.AttachAsync(name, stdin, tty, cancellationToken);

    public Drivers.Interop.EntryStat? Stat(string name, string path) => runtime.StatPath(name, path);

    public Task ArchiveAsync(string name, string path, Stream output, CancellationToken cancellationToken) =>
        runtime.ArchiveAsync(name, path, output, cancellationToken);

    public Task<int> ExtractAsync(string name, string path, Stream input, bool keepOwners, CancellationToken cancellationToken) =>
        runtime.ExtractAsync(name, path, input, keepOwners, cancellationToken);

    public IAsyncEnumerable<LogEntryView> ReadAsync(string name, LogDriver driver, IsleLogQuery query, CancellationToken cancellationToken)
    {
        bool Writing() => runtime.Find(name) is { } p && runtime.IsLogging(p);
        if (driver != LogDriver.Journald)
            return query.Follow ? FollowAsync(name, query, Writing, cancellationToken)
                : JsonFileLog.ReadAsync(runtime.Paths.LogFile(name), query, Writing, cancellationToken, runtime.Paths.LegacyLogFile(name));
        if (runtime.LogDefaults.JournalDirectory is null && !Path.Exists(runtime.LogDefaults.JournalSocket))
            throw new IslanderException($"isle {name} logs to the journal (logging.driver: journald), but this host has no journal " +
                $"({runtime.LogDefaults.JournalSocket} is missing); use driver: json-file", ErrorCategory.Unsupported);
        if (!JournalLog.Available())
            throw new IslanderException($"isle {name} logs to the journal, and journalctl, which reads it, is not installed here", ErrorCategory.Unsupported);
        return JournalLog.ReadAsync(name, query, Writing, runtime.LogDefaults.JournalDirectory, cancellationToken);
    }

    /// <summary>
    /// A json-file log followed until its shim has exited, woken by that exit (its pidfd) rather than at the next poll:
    /// a one-shot's log stream ends as soon as its output is all written. The wait ends with the stream.
    /// </summary>
    async IAsyncEnumerable<LogEntryView> FollowAsync(string name, IsleLogQuery query, Func<bool> writing,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var shimExited = runtime.Find(name) is { } process ? runtime.WaitAsync(name, process, stop.Token) : null;
        try
        {
            await foreach (var entry in JsonFileLog.ReadAsync(runtime.Paths.LogFile(name), query, writing, cancellationToken,
                runtime.Paths.LegacyLogFile(name), shimExited))
                yield return entry;
        }
        finally
        {
            await stop.CancelAsync();
            // Only a wake-up: a failed or cancelled wait leaves the follower to its polling, which decides the end.
            if (shimExited is not null)
                await shimExited.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public IsleStats? Read(string name)
    {
        if (runtime.Find(name) is not { } process || !runtime.IsRunning(process))
            return null;
        IsleUsage usage;
        try
        {
            usage = runtime.Usage(name, process);
        }
        catch (CgroupException e) when (e.Category == ErrorCategory.NotFound)
        {
            return null; // it ended and its group went while we looked
        }
        var c = usage.Cgroup;
        return new IsleStats(usage.Timestamp,
            CpuNanoseconds: c.CpuTime is { } cpu ? cpu.Ticks * 100 : null,
            MemoryBytes: c.MemoryBytes, MemoryLimitBytes: c.MemoryLimit, MachineMemoryBytes: usage.HostMemoryBytes,
            Pids: c.Pids, PidsLimit: c.PidsLimit,
            BlockReadBytes: c.IoReadBytes, BlockWriteBytes: c.IoWriteBytes,
            NetworkRxBytes: usage.NetworkRxBytes, NetworkTxBytes: usage.NetworkTxBytes);
    }

    static IsleHandle Handle(IsleProcess p) => new(p.InitPid, p.ShimPid, p.StartedAt);

    static IsleExit Exit(IsleExitStatus? status) => status is null
        ? IsleExit.Lost(DateTimeOffset.UtcNow)
        : new IsleExit(status.Signal == 0 ? status.ExitCode : null, status.Signal == 0 ? null : status.Signal, status.OomKilled, status.FinishedAt);
}
