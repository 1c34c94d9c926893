using System.Globalization;
using Islander.Drivers.Cgroups;
using Islander.Drivers.Users;
using Islander.Model;

namespace Islander.Drivers.Runtime;

// What a running isle's user may do to it besides stop and delete: signal its init, freeze and thaw it, list its processes.
public sealed partial class IsleRuntime
{
    /// <summary>
    /// Sends <paramref name="signal"/> to the isle's init (its PID 1) through a pidfd, as <c>docker kill</c> does;
    /// what the init does with it is the init's (PID 1 ignores signals it has no handler for, SIGKILL aside).
    /// <see cref="ErrorCategory.Conflict"/> when it is not running.
    /// </summary>
    public void Signal(string name, int signal)
    {
        if (Find(name) is not { } process || !launcher.Signal(process, signal))
            throw new IslanderException($"isle {name} is not running: no process to signal", ErrorCategory.Conflict);
    }

    /// <summary>Freezes or thaws every process of the isle (<see cref="ICgroupDriver.FreezeAsync"/>).</summary>
    public Task FreezeAsync(string name, bool frozen, CancellationToken ct = default) => cgroups.FreezeAsync(name, frozen, ct);

    /// <summary>Whether the isle's cgroup is frozen now.</summary>
    public bool Frozen(string name) => cgroups.Frozen(name, CancellationToken.None);

    /// <summary>
    /// The isle's processes, by pid inside it: the pids of its cgroup (no exec, so a frozen isle answers too), each read
    /// from /proc: its pid in the isle's PID namespace (NSpid), its uid as the isle sees it (through the isle's uid_map)
    /// with the name the isle's /etc/passwd gives it (read inside the isle's root, RESOLVE_IN_ROOT: a link there cannot
    /// lead to a host file), its command line. The shim is not in the cgroup. A process that ends while being read is
    /// left out. Empty when the isle does not run.
    /// </summary>
    public IReadOnlyList<IsleTask> Processes(string name)
    {
        if (Find(name) is not { } process || !IsRunning(process))
            return [];
        var pids = cgroups.Processes(name, CancellationToken.None);
        string? uidMap = ReadProc(process.InitPid, "uid_map");
        IReadOnlyList<PasswdEntry> users = [];
        try
        {
            users = UserFiles.Users($"/proc/{process.InitPid}/root");
        }
        catch (Exception e) when (e is IslanderException or IOException or UnauthorizedAccessException)
        {
            // No readable /etc/passwd in the isle (an image without one, a FIFO in its place): numbers, as ps shows them.
        }
        var tasks = new List<IsleTask>();
        foreach (int hostPid in pids)
        {
            if (ReadProc(hostPid, "status") is not { } status || ProcStatus.InnermostPid(status) is not { } pid || ProcStatus.RealUid(status) is not { } hostUid)
                continue;
            uint uid = ProcStatus.Inside(uidMap, hostUid);
            string user = users.FirstOrDefault(u => u.Uid == uid)?.Name ?? uid.ToString(CultureInfo.InvariantCulture);
            string command = ReadCommand(hostPid) ?? $"[{(ReadProc(hostPid, "stat") is { } stat ? ProcStat.Comm(stat) : null) ?? "?"}]";
            tasks.Add(new IsleTask(pid, hostPid, uid, user, command));
        }
        return [.. tasks.OrderBy(t => t.Pid)];
    }

    static string? ReadProc(int pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // it ended while we looked
        }
    }

    static string? ReadCommand(int pid)
    {
        try
        {
            return ProcStatus.Command(File.ReadAllBytes($"/proc/{pid}/cmdline"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
