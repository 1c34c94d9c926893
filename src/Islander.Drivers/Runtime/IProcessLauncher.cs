namespace Islander.Drivers.Runtime;

/// <summary>
/// Starts isles through isle-init and follows them afterwards. crun-sized on purpose: launch,
/// wait, signal, read the recorded status. Not a registry of isles: callers keep the
/// <see cref="IsleProcess"/> (and the status path) themselves, e.g. in the state store.
/// </summary>
public interface IProcessLauncher
{
    /// <summary>
    /// Starts one isle. isle-init is spawned, reads <paramref name="config"/>, detaches a shim
    /// (which is not the caller's child) and clones init into the namespaces; init then waits
    /// while <paramref name="beforeStart"/> runs with its host pid — the caller puts it into its
    /// cgroup and writes its id maps there. After that init mounts and pivots while
    /// <paramref name="beforeExec"/> runs (the caller attaches its networks), then drops
    /// privileges and execs the command once both are done. Returns when execve has succeeded.
    /// <para>Not idempotent: every call starts a new isle; callers check their own state first.</para>
    /// <para>Cleanup: when <paramref name="beforeStart"/> or <paramref name="beforeExec"/> throws or <paramref name="ct"/> is
    /// cancelled, init is told to abort and exits by itself, as does its shim. Whenever this
    /// throws after init was cloned, init has exited (it is killed if it lingers), so its cgroup
    /// can be removed right away; whatever
    /// <paramref name="beforeStart"/> and <paramref name="beforeExec"/> created (cgroups, links) stays the caller's to remove.
    /// A failure of init's own (a mount) while <paramref name="beforeExec"/> runs is what is thrown, whatever that
    /// failure took from <paramref name="beforeExec"/> (init's network namespace).
    /// The status file and log file are never deleted here.</para>
    /// </summary>
    /// <exception cref="IsleStartException">A step of isle-init failed (op, path, errno), e.g.
    /// <c>execve</c> of a missing command with ENOENT. No status file is written for an isle that never started.</exception>
    /// <exception cref="ArgumentException">The config breaks isle-init's rules (<see cref="InitConfigEncoder.Validate"/>).</exception>
    /// <exception cref="Interop.SyscallException">The host side failed (pipes, posix_spawn, the log file).</exception>
    /// <exception cref="Islander.Model.IslanderException">NotFound: the isle-init binary is missing.</exception>
    Task<IsleProcess> LaunchAsync(InitConfig config, IsleStdio stdio, Func<int, CancellationToken, ValueTask> beforeStart, CancellationToken ct,
        Func<int, CancellationToken, ValueTask>? beforeExec = null);

    /// <summary>
    /// Runs one more process in a running isle (isle-init's exec mode): it joins every namespace of the isle's init
    /// (<see cref="ExecConfig.Pid"/>), waits while <paramref name="beforeStart"/> runs with its host pid (the caller puts
    /// it into the isle's cgroup), then takes the confinement in <paramref name="config"/> and execs. stdin is /dev/null,
    /// or a pipe with <see cref="ExecConfig.Stdin"/>; stdout and stderr come through pipes to <paramref name="output"/>;
    /// with <see cref="ExecConfig.Tty"/> all three are a terminal from the isle's devpts, its output all stdout.
    /// <paramref name="started"/> gets the process's input once it runs, before any output. Returns how the process ended, once it has
    /// and its output is read (output still held open by its own children is read for a second more, then dropped).
    /// <para>Cancelling kills the process (SIGKILL), waits for its end, then throws <see cref="OperationCanceledException"/>.
    /// The process is isle-init's child, never the caller's: if the caller dies, isle-init sees its control pipe
    /// close and kills the process too.</para>
    /// </summary>
    /// <exception cref="IsleExecException">A step of isle-init failed (op, path, errno): <c>execve</c> of a missing command, <c>chdir</c>, <c>setns</c>.</exception>
    Task<ExecResult> ExecAsync(ExecConfig config, Func<int, CancellationToken, ValueTask> beforeStart, ExecOutput output, ExecStarted? started, CancellationToken ct);

    /// <summary>
    /// Completes when the isle's shim has exited (it does so right after its init) and returns
    /// the status it recorded; null when there is none: the isle never started, or its shim was killed.
    /// Safe to call any number of times, from any process, including after the shim is gone.
    /// </summary>
    Task<IsleExitStatus?> WaitForExitAsync(IsleProcess isle, string statusPath, CancellationToken ct);

    /// <summary>
    /// Sends <paramref name="signal"/> to the isle's init through a pidfd, after checking that the
    /// pid still belongs to that init (start time). Returns false when the isle has already
    /// ended; so stopping twice is harmless.
    /// </summary>
    bool Signal(IsleProcess isle, int signal);

    /// <summary>
    /// Whether the isle's init still runs: its pid alive with the recorded start time, and not a zombie (it has ended;
    /// its shim has not reaped it yet).
    /// </summary>
    bool IsRunning(IsleProcess isle);

    /// <summary>The recorded exit status, or null when the isle has not ended (no file yet).</summary>
    /// <exception cref="FormatException">The file exists but is not a status file.</exception>
    IsleExitStatus? ReadExitStatus(string statusPath);
}
