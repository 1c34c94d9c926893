namespace Islander.Drivers.Runtime;

/// <summary>
/// Where an isle's files live. State (kept across reboots): STATE/isles/NAME/{fs,log.json*,exec.json} (and log, from an earlier release). Run
/// (gone with the isle): RUN/isles/NAME/{rootfs,status,process}.
/// </summary>
public sealed record RuntimePaths(string StateRoot, string RunRoot)
{
    public static RuntimePaths Default { get; } = new("/var/lib/islander", "/run/islander");

    /// <summary>RUN/isles and STATE/isles: the parents of every isle's directories.</summary>
    public string IslesRunRoot => Path.Combine(RunRoot, "isles");
    public string IslesStateRoot => Path.Combine(StateRoot, "isles");

    public string IsleRunDir(string isle) => Path.Combine(IslesRunRoot, isle);
    public string IsleStateDir(string isle) => Path.Combine(IslesStateRoot, isle);

    /// <summary>The shim's record of how the isle ended.</summary>
    public string StatusFile(string isle) => Path.Combine(IsleRunDir(isle), "status");

    /// <summary>
    /// The shim's attach socket, for an isle with stdin or a tty: 0600 root's, in the run directory (0710, root's and
    /// the group of a remapped root, which may pass but not connect).
    /// </summary>
    public string AttachSocket(string isle) => Path.Combine(IsleRunDir(isle), "attach");

    /// <summary>The pids and start times of the isle's init and shim.</summary>
    public string ProcessFile(string isle) => Path.Combine(IsleRunDir(isle), "process");

    /// <summary>
    /// What an exec into the isle shares with its init (<see cref="IsleExecProfile"/>). In the state directory: a run
    /// directory wiped while the isle runs loses the process file, which the cgroup gives back, but nothing could give
    /// this back. Removed when the isle is deleted.
    /// </summary>
    public string ExecProfileFile(string isle) => Path.Combine(IsleStateDir(isle), "exec.json");

    /// <summary>
    /// The isle's stdout and stderr as Docker's json-file, which its shim writes and rotates (log.json.1, ...); kept
    /// after it ends and across its restarts, removed when it is deleted.
    /// </summary>
    public string LogFile(string isle) => Path.Combine(IsleStateDir(isle), "log.json");

    /// <summary>
    /// The plain-text log a shim of an earlier release writes (stdout and stderr as one, no times): an isle adopted from
    /// that release keeps writing it until it restarts. Read before log.json; removed with the isle's state directory.
    /// </summary>
    public string LegacyLogFile(string isle) => Path.Combine(IsleStateDir(isle), "log");
}
