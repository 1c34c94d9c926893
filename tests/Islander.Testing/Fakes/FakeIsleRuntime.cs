using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Islander.Controller.Ports;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Testing.Fakes;

/// <summary>
/// An in-memory model of the processes the runtime runs: isles start, exit with a code, are killed by a signal,
/// vanish (cgroup removed by hand) and are deleted. State-based: tests act on it the way a user acts on the
/// kernel (<see cref="Exit"/>, <see cref="Kill"/>) and assert on what exists, not on calls. It outlives a daemon,
/// like the kernel does, so a test can "restart islanderd" over the same fake.
/// </summary>
public sealed class FakeIsleRuntime : IIsleRuntime, IIsleLogs, IIsleExec, IIsleStats, IIsleSockets
{
    /// <summary>A host socket while the isle runs: fake isles share the host's loopback, where a test listens.</summary>
    public Task<System.Net.Sockets.Socket> OpenTcpSocketAsync(string name) => IsRunning(name)
        ? Task.FromResult(new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        : throw new IslanderException($"isle {name} is not running", ErrorCategory.Conflict);

    /// <summary>The machine's memory the fake reports (the ceiling of isles without a memory limit).</summary>
    public const long MachineMemoryBytes = 8L << 30;

    readonly object _lock = new();
    readonly Dictionary<string, FakeIsle> _isles = new();
    readonly TimeProvider _time;
    int _nextPid = 1000;

    public FakeIsleRuntime(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    // ---- exec: programs installed in every isle, each a small async function of its I/O ----

    readonly ConcurrentDictionary<string, FakeProgram> _programs = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int> _execs = new(StringComparer.Ordinal);

    /// <summary>Puts <paramref name="program"/> at <paramref name="command"/> (argv[0]) in every isle; others are "not found" (execve ENOENT).</summary>
    public void Install(string command, FakeProgram program) => _programs[command] = program;

    /// <summary>How many exec'd processes run in the isle now.</summary>
    public int RunningExecs(string name) => _execs.GetValueOrDefault(name);

    public async Task<ExecResult> ExecAsync(string name, ExecRequest request, ExecOutput output, ExecStarted? started, CancellationToken cancellationToken)
    {
        Task<IsleExit> isleEnded;
        lock (_lock)
        {
            if (!_isles.TryGetValue(name, out var isle) || isle.Exit is not null)
                throw new IslanderException($"isle {name} is not running; exec needs a running isle", ErrorCategory.Conflict);
            isleEnded = isle.Exited.Task;
        }
        if (!_programs.TryGetValue(request.Command[0], out var program))
            throw new IsleExecException("execve", request.Command[0], 2);
        // The process dies with its isle (PID namespace, cgroup) and when the caller cancels (SIGKILL).
        using var killed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = isleEnded.ContinueWith(_ =>
        {
            try { killed.Cancel(); }
            catch (ObjectDisposedException) { } // the exec ended first
        }, TaskScheduler.Default);
        _execs.AddOrUpdate(name, 1, (_, n) => n + 1);
        var input = new FakeProcessInput(request.Stdin, request.Tty);
        try
        {
            if (started is not null)
                await started(input, cancellationToken);
            return new ExecResult(await program(new FakeExecIo(request, output, input, killed.Token), killed.Token), 0);
        }
        catch (OperationCanceledException) when (killed.IsCancellationRequested)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ExecResult(0, 9);
        }
        finally
        {
            _execs.AddOrUpdate(name, 0, (_, n) => n - 1);
        }
    }

    /// <summary>When set, StartAsync throws what it returns (null: start normally). Models missing rootfs, EAGAIN, ...</summary>
    public Func<string, IsleSpec, Exception?>? StartFault { get; set; }

    /// <summary>When set and it returns a code for a started isle, the process exits with it right away (a one-shot job).</summary>
    public Func<string, IsleSpec, int?>? ExitOnStart { get; set; }

    public IsleObservation Probe(string name)
    {
        lock (_lock)
        {
            if (!_isles.TryGetValue(name, out var isle)) return IsleObservation.NotFound;
            return isle.Exit is null
                ? new IsleObservation(IsleProcessState.Running, isle.Pid, isle.ShimPid, isle.StartedAt)
                : new IsleObservation(IsleProcessState.Exited, isle.Pid, isle.ShimPid, isle.StartedAt, isle.Exit);
        }
    }

    /// <summary>The plan of the last start asked for, per isle (also when the start failed): what the controller handed the runtime.</summary>
    public IsleStartPlan? PlanOf(string name)
    {
        lock (_lock) return _plans.GetValueOrDefault(name);
    }

    readonly Dictionary<string, IsleStartPlan> _plans = new(StringComparer.Ordinal);

    public Task<IsleHandle> StartAsync(IsleStartPlan plan, CancellationToken cancellationToken)
    {
        var (name, spec, image) = (plan.Name, plan.Spec, plan.Image);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock) _plans[name] = plan;
        if (StartFault?.Invoke(name, spec) is { } fault) return Task.FromException<IsleHandle>(fault);
        FakeIsle isle;
        lock (_lock)
        {
            if (_isles.TryGetValue(name, out var existing) && existing.Exit is null)
                return Task.FromResult(existing.Handle);
            int incarnation = existing?.Incarnation ?? 0;
            isle = new FakeIsle(spec, _nextPid++, _nextPid++, _time.GetUtcNow(), incarnation + 1, existing?.Log ?? new());
            isle.Image = image;
            _isles[name] = isle;
        }
        if (ExitOnStart?.Invoke(name, spec) is { } code) Exit(name, code);
        return Task.FromResult(isle.Handle);
    }

    /// <summary>When set, UpdateResourcesAsync throws what it returns (the kernel refusing a write); the limits stay.</summary>
    public Func<string, IsleResources, Exception?>? UpdateFault { get; set; }

    /// <summary>
    /// The running isle's limits become <paramref name="resources"/> (its spec's resources, which stats read); the
    /// process stays. Refuses what the real runtime refuses: an isle that does not run, a memory limit below its usage.
    /// </summary>
    public Task UpdateResourcesAsync(string name, IsleResources resources, IsleResources previous, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_isles.TryGetValue(name, out var isle) || isle.Exit is not null)
                return Task.FromException(new IslanderException($"isle {name} is not running (fake)", ErrorCategory.Conflict));
            if (resources.Memory is { } limit && limit < isle.Usage.MemoryBytes)
                return Task.FromException(new IslanderException(
                    $"memory limit {Quantity.FormatBytes(limit)} is below what isle {name} uses now ({Quantity.FormatBytes(isle.Usage.MemoryBytes)}) (fake)", ErrorCategory.Conflict));
            if (UpdateFault?.Invoke(name, resources) is { } fault)
                return Task.FromException(fault);
            isle.Spec = isle.Spec with { Resources = resources };
        }
        return Task.CompletedTask;
    }

    public async Task<IsleExit?> WaitForExitAsync(string name, CancellationToken cancellationToken)
    {
        Task<IsleExit> exited;
        lock (_lock)
        {
            if (!_isles.TryGetValue(name, out var isle)) return null;
            exited = isle.Exited.Task;
        }
        return await exited.WaitAsync(cancellationToken);
    }

    /// <summary>When set, a stop waits for the task it returns before the isle dies (an isle that takes its stop timeout).</summary>
    public Func<string, Task>? StopGate { get; set; }

    public async Task StopAsync(string name, int signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (StopGate?.Invoke(name) is { } gate) await gate.WaitAsync(cancellationToken);
        Kill(name, signal);
    }

    /// <summary>
    /// The init receives <paramref name="signal"/>: SIGKILL ends it (the only signal a PID 1 cannot ignore); any other is
    /// recorded (<see cref="SignalsOf"/>) and the isle goes on, as a PID 1 with a handler that does not exit.
    /// </summary>
    public void Signal(string name, int signal)
    {
        lock (_lock)
        {
            if (!_isles.TryGetValue(name, out var isle) || isle.Exit is not null)
                throw new IslanderException($"isle {name} is not running: no process to signal (fake)", ErrorCategory.Conflict);
            isle.Signals.Add(signal);
        }
        if (signal == 9) Kill(name, 9);
    }

    /// <summary>The signals the isle's current (or last) init received through <see cref="Signal"/>, in order.</summary>
    public IReadOnlyList<int> SignalsOf(string name) { lock (_lock) return _isles.TryGetValue(name, out var i) ? [.. i.Signals] : []; }

    public Task FreezeAsync(string name, bool frozen, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_isles.TryGetValue(name, out var isle))
                throw new IslanderException($"no cgroup for isle {name} (fake)", ErrorCategory.NotFound);
            isle.Frozen = frozen;
        }
        return Task.CompletedTask;
    }

    /// <summary>Whether the isle's processes are frozen now.</summary>
    public bool IsFrozen(string name) { lock (_lock) return _isles.TryGetValue(name, out var i) && i.Frozen; }

    /// <summary>A running isle has one process, its init: pid 1 inside, its command line as started.</summary>
    public IReadOnlyList<IsleProcessView> Processes(string name)
    {
        lock (_lock)
            return _isles.TryGetValue(name, out var isle) && isle.Exit is null
                ? [new IsleProcessView(1, isle.Pid, 0, "root", string.Join(' ', isle.Spec.Command.Concat(isle.Spec.Args)))]
                : [];
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        FakeIsle? removed;
        lock (_lock)
            if (_isles.Remove(name, out removed)) removed.End(new IsleExit(null, 9, false, _time.GetUtcNow()));
        return Task.CompletedTask;
    }

    // What users and the kernel do to isles behind the daemon's back.

    /// <summary>The isle's process exits with <paramref name="code"/>. No-op if it is not running.</summary>
    public void Exit(string name, int code) => End(name, new IsleExit(code, null, false, _time.GetUtcNow()));

    /// <summary>The isle's process is killed by <paramref name="signal"/> (kill -9 by hand: 9).</summary>
    public void Kill(string name, int signal = 9) => End(name, new IsleExit(null, signal, false, _time.GetUtcNow()));

    /// <summary>The OOM killer ends the isle.</summary>
    public void OomKill(string name) => End(name, new IsleExit(null, 9, true, _time.GetUtcNow()));

    /// <summary>The OOM killer kills a child of the isle; its init goes on and exits with <paramref name="code"/>.</summary>
    public void OomKillChild(string name, int code) => End(name, new IsleExit(code, null, true, _time.GetUtcNow()));

    /// <summary>Every trace disappears without an exit status (its cgroup removed by hand, a reboot).</summary>
    public void Vanish(string name)
    {
        FakeIsle? removed;
        lock (_lock) _isles.Remove(name, out removed);
        removed?.End(IsleExit.Lost(_time.GetUtcNow()));
    }

    /// <summary>From now on the isle's running process uses this (a new process starts with the default, idle usage).</summary>
    public void SetUsage(string name, FakeIsleUsage usage)
    {
        lock (_lock) _isles[name].Usage = usage;
    }

    public IsleStats? Read(string name)
    {
        lock (_lock)
        {
            if (!_isles.TryGetValue(name, out var isle) || isle.Exit is not null) return null;
            var now = _time.GetUtcNow();
            var u = isle.Usage;
            var r = isle.Spec.Resources;
            return new IsleStats(now,
                CpuNanoseconds: (long)(u.CpuCores * (now - isle.StartedAt).Ticks * 100),
                MemoryBytes: u.MemoryBytes, MemoryLimitBytes: r.Memory, MachineMemoryBytes: MachineMemoryBytes,
                Pids: u.Pids, PidsLimit: r.Pids is > 0 and var pids ? pids : null, BlockReadBytes: u.BlockReadBytes, BlockWriteBytes: u.BlockWriteBytes,
                NetworkRxBytes: u.NetworkRxBytes, NetworkTxBytes: u.NetworkTxBytes);
        }
    }

    public bool IsRunning(string name) => Probe(name).State == IsleProcessState.Running;

    /// <summary>How many processes were started under this name: 1 after the first start, +1 per restart.</summary>
    public int Incarnations(string name) { lock (_lock) return _isles.TryGetValue(name, out var i) ? i.Incarnation : 0; }

    /// <summary>The spec the isle's current (or last) process was started with.</summary>
    public IsleSpec? SpecOf(string name) { lock (_lock) return _isles.GetValueOrDefault(name)?.Spec; }

    /// <summary>The image (layers, top first, and defaults) the isle's current (or last) process was started from; null for a rootfs isle.</summary>
    public Islander.Drivers.Images.ResolvedImage? ImageOf(string name) { lock (_lock) return _isles.GetValueOrDefault(name)?.Image; }

    public IReadOnlyCollection<string> Names { get { lock (_lock) return _isles.Keys.ToList(); } }

    public IReadOnlyCollection<string> RunningNames { get { lock (_lock) return _isles.Where(i => i.Value.Exit is null).Select(i => i.Key).ToList(); } }

    /// <summary>The isle's process writes a line to its stdout (or <paramref name="stream"/>), now.</summary>
    /// <summary>How many <c>logs -f</c> follow the isle's log now: a test writes its next lines once they do.</summary>
    public int LogFollowers(string name)
    {
        FakeIsle? isle;
        lock (_lock) isle = _isles.GetValueOrDefault(name);
        return isle?.Log.Followers ?? 0;
    }

    public void WriteLog(string name, string line, string stream = "stdout")
    {
        FakeIsle? isle;
        lock (_lock) isle = _isles.GetValueOrDefault(name);
        isle?.Log.Write(new LogEntryView(line + "\n", stream, LogTime.Format(DateTimeOffset.UtcNow)));
    }

    /// <summary>Writes <paramref name="text"/> as one entry as it is: a part of a line when it has no newline (the shim splits long lines).</summary>
    public void WriteLogPart(string name, string text, string stream = "stdout")
    {
        FakeIsle? isle;
        lock (_lock) isle = _isles.GetValueOrDefault(name);
        isle?.Log.Write(new LogEntryView(text, stream, LogTime.Format(DateTimeOffset.UtcNow)));
    }

    public async IAsyncEnumerable<LogEntryView> ReadAsync(string name, LogDriver driver, IsleLogQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FakeIsle? isle;
        lock (_lock) isle = _isles.GetValueOrDefault(name);
        if (isle is null) yield break;
        var (lines, reader) = isle.Log.Subscribe(query);
        foreach (var line in lines) yield return line;
        if (reader is null) yield break;
        var exited = isle.Exited.Task;
        while (true)
        {
            var next = reader.WaitToReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(next, exited) == exited && !reader.TryPeek(out _)) yield break;
            if (!await next) yield break;
            while (reader.TryRead(out var line)) if (Included(query, line)) yield return line;
        }
    }

    static bool Included(IsleLogQuery query, LogEntryView e) => LogTime.TryParse(e.Time, out var t) && query.Includes(t);

    void End(string name, IsleExit exit)
    {
        FakeIsle? isle;
        lock (_lock)
        {
            isle = _isles.GetValueOrDefault(name);
            if (isle is null || isle.Exit is not null) return;
            isle.Exit = exit;
        }
        isle.End(exit);
    }

    sealed class FakeIsle(IsleSpec spec, int pid, int shimPid, DateTimeOffset startedAt, int incarnation, FakeLog log)
    {
        public IsleSpec Spec { get; set; } = spec;
        public Islander.Drivers.Images.ResolvedImage? Image { get; set; }
        public int Pid { get; } = pid;
        public int ShimPid { get; } = shimPid;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public int Incarnation { get; } = incarnation;
        public FakeLog Log { get; } = log;
        public IsleExit? Exit { get; set; }
        public bool Frozen { get; set; }
        public List<int> Signals { get; } = [];
        public FakeIsleUsage Usage { get; set; } = new();
        public TaskCompletionSource<IsleExit> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public IsleHandle Handle => new(Pid, ShimPid, StartedAt);
        public void End(IsleExit exit) => Exited.TrySetResult(exit);
    }

    sealed class FakeLog
    {
        readonly List<LogEntryView> _lines = new();
        readonly List<ChannelWriter<LogEntryView>> _followers = new();

        public int Followers
        {
            get { lock (_lines) return _followers.Count; }
        }

        public void Write(LogEntryView line)
        {
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var f in _followers) f.TryWrite(line);
            }
        }

        public (IReadOnlyList<LogEntryView> Lines, ChannelReader<LogEntryView>? Follow) Subscribe(IsleLogQuery query)
        {
            lock (_lines)
            {
                var matching = _lines.Where(l => Included(query, l)).ToList();
                var lines = query.Tail is { } n ? matching.Skip(Math.Max(0, matching.Count - n)).ToList() : matching;
                if (!query.Follow) return (lines, null);
                var channel = Channel.CreateUnbounded<LogEntryView>();
                _followers.Add(channel.Writer);
                return (lines, channel.Reader);
            }
        }
    }
}

/// <summary>A program of <see cref="FakeIsleRuntime.Install"/>: returns its exit code; cancelled when it is killed.</summary>
public delegate Task<int> FakeProgram(FakeExecIo io, CancellationToken ct);

/// <summary>What a fake exec'd program sees: its request, and its stdout and stderr.</summary>
public sealed class FakeExecIo(ExecRequest request, ExecOutput output, FakeProcessInput input, CancellationToken ct)
{
    public ExecRequest Request { get; } = request;

    /// <summary>What the client sent: stdin, its end, the terminal's sizes.</summary>
    public FakeProcessInput Input { get; } = input;

    public ValueTask OutAsync(string text) => output(ExecStream.Stdout, Encoding.UTF8.GetBytes(text), ct);

    public ValueTask ErrAsync(string text) => output(ExecStream.Stderr, Encoding.UTF8.GetBytes(text), ct);
}

/// <summary>
/// A fake exec's input: what was written to its stdin comes out of <see cref="ReadAsync"/> in order, null once it was
/// closed; the sizes its terminal was given, in order.
/// </summary>
public sealed class FakeProcessInput(bool stdin, bool tty) : IProcessInput
{
    readonly System.Threading.Channels.Channel<byte[]> _stdin = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
    readonly System.Threading.Channels.Channel<(ushort Rows, ushort Cols)> _sizes = System.Threading.Channels.Channel.CreateUnbounded<(ushort, ushort)>();

    public bool HasStdin { get; } = stdin;

    public bool HasTerminal { get; } = tty;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct) =>
        _stdin.Writer.TryWrite(data.ToArray()) ? ValueTask.CompletedTask : throw new IOException("stdin is closed");

    public void CloseInput() => _stdin.Writer.TryComplete();

    public void Resize(ushort rows, ushort cols) => _sizes.Writer.TryWrite((rows, cols));

    /// <summary>The next chunk written to stdin; null once stdin is closed.</summary>
    public async Task<byte[]?> ReadAsync(CancellationToken ct) =>
        await _stdin.Reader.WaitToReadAsync(ct) && _stdin.Reader.TryRead(out var chunk) ? chunk : null;

    /// <summary>The next size the terminal was set to.</summary>
    public async Task<(ushort Rows, ushort Cols)> NextSizeAsync(CancellationToken ct) => await _sizes.Reader.ReadAsync(ct);
}
