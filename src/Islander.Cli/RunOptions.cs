using System.CommandLine;
using Islander.Model;

namespace Islander.Cli;

/// <summary>The options of <c>islanderctl run</c>, named as Docker's and Podman's <c>run</c> flags.</summary>
sealed class RunOptions
{
    public readonly Option<string?> Rootfs = new("--rootfs") { Description = "root filesystem directory (used read-only, under an overlay)" };
    public readonly Option<string?> Name = new("--name") { Description = "isle name (default: a generated one)" };
    public readonly Option<string?> Hostname = new("--hostname", "-h") { Description = "hostname inside the isle (default: the name)" };
    public readonly Option<string[]> Env = new("--env", "-e") { Description = "NAME=value", AllowMultipleArgumentsPerToken = false };
    public readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "working directory inside the isle" };
    public readonly Option<string?> User = new("--user", "-u") { Description = "name, uid, name:group or uid:gid, looked up in the isle's /etc/passwd and /etc/group" };
    public readonly Option<string?> Memory = new("--memory", "-m") { Description = "memory limit, e.g. 64Mi or 512m" };
    public readonly Option<string?> Cpus = new("--cpus", "--cpu") { Description = "CPUs, e.g. 0.5 or 500m" };
    public readonly Option<long?> CpuShares = new("--cpu-shares") { Description = "relative CPU weight (cgroup v1 shares)" };
    public readonly Option<long?> CpuPeriod = new("--cpu-period") { Description = "CFS period in µs" };
    public readonly Option<long?> CpuQuota = new("--cpu-quota") { Description = "CFS quota in µs" };
    public readonly Option<string?> Cpuset = new("--cpuset-cpus", "--cpuset") { Description = "CPUs the isle may run on, e.g. 0 or 0-1" };
    public readonly Option<long?> Pids = new("--pids-limit", "--pids") { Description = "maximum number of tasks" };
    public readonly Option<string[]> ReadBps = new("--device-read-bps") { Description = "DEVICE:RATE, e.g. /dev/vda:10Mi" };
    public readonly Option<string[]> WriteBps = new("--device-write-bps") { Description = "DEVICE:RATE, e.g. /dev/vda:5Mi" };
    public readonly Option<string?> Network = new("--network", "--net") { Description = "none (default: only lo) or host" };
    public readonly Option<bool> Privileged = new("--privileged") { Description = "all capabilities, no seccomp, all devices" };
    public readonly Option<string[]> CapAdd = new("--cap-add") { Description = "add a capability, e.g. NET_ADMIN" };
    public readonly Option<string[]> CapDrop = new("--cap-drop") { Description = "drop a capability, or ALL" };
    public readonly Option<string?> Seccomp = new("--seccomp") { Description = "default, unconfined, or a profile JSON path" };
    public readonly Option<bool> ReadOnly = new("--read-only") { Description = "mount the root filesystem read-only" };
    public readonly Option<string?> Userns = new("--userns") { Description = "user namespace mapping CONTAINER:HOST:SIZE, e.g. 0:100000:65536" };
    public readonly Option<string[]> Volumes = new("--volume", "-v") { Description = "HOSTPATH:PATH[:ro]" };
    public readonly Option<string[]> Tmpfs = new("--tmpfs") { Description = "PATH[:size=64Mi]" };
    public readonly Option<int> StopTimeout = new("--stop-timeout") { Description = "seconds between SIGTERM and SIGKILL on Ctrl-C", DefaultValueFactory = _ => 10 };
    public readonly Argument<string[]> Command = new("command") { Description = "command and arguments (after --)", Arity = ArgumentArity.OneOrMore };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Rootfs, Name, Hostname, Env, Workdir, User, Memory, Cpus, CpuShares, CpuPeriod, CpuQuota, Cpuset, Pids,
                     ReadBps, WriteBps, Network, Privileged, CapAdd, CapDrop, Seccomp, ReadOnly, Userns, Volumes, Tmpfs, StopTimeout })
            command.Options.Add(o);
        command.Arguments.Add(Command);
    }

    /// <summary>The isle spec the flags describe; bad values throw <see cref="IslanderException"/> naming the flag.</summary>
    public IsleSpec ToSpec(ParseResult r)
    {
        var argv = r.GetValue(Command) ?? [];
        return new IsleSpec
        {
            Rootfs = r.GetValue(Rootfs) is { } rootfs ? Path.GetFullPath(rootfs) : throw Bad("--rootfs", "is required (images come with the image store)"),
            Command = argv,
            Hostname = r.GetValue(Hostname),
            Env = (r.GetValue(Env) ?? []).Select(ParseEnv).ToList(),
            WorkingDir = r.GetValue(Workdir),
            User = r.GetValue(User),
            RestartPolicy = RestartPolicy.Never,
            StopTimeout = TimeSpan.FromSeconds(r.GetValue(StopTimeout)),
            HostNetwork = r.GetValue(Network) switch
            {
                null or "none" => false,
                "host" => true,
                var n => throw Bad("--network", $"\"{n}\" is not supported without the daemon; use none or host"),
            },
            Resources = new IsleResources
            {
                Memory = Flag("--memory", r.GetValue(Memory), Quantity.ParseBytes),
                CpuMillis = Flag("--cpus", r.GetValue(Cpus), Quantity.ParseCpuMillis),
                CpuShares = r.GetValue(CpuShares),
                CpuPeriod = r.GetValue(CpuPeriod),
                CpuQuota = r.GetValue(CpuQuota),
                Cpuset = r.GetValue(Cpuset),
                Pids = r.GetValue(Pids),
                Io = IoLimits(r.GetValue(ReadBps) ?? [], r.GetValue(WriteBps) ?? []),
            },
            Security = new IsleSecurity
            {
                Privileged = r.GetValue(Privileged),
                CapAdd = r.GetValue(CapAdd) ?? [],
                CapDrop = r.GetValue(CapDrop) ?? [],
                Seccomp = r.GetValue(Seccomp) ?? "default",
                ReadOnlyRootFilesystem = r.GetValue(ReadOnly),
                UserNamespace = r.GetValue(Userns) is { } userns ? ParseUserns(userns) : null,
            },
            Volumes = [.. (r.GetValue(Volumes) ?? []).Select(ParseVolume), .. (r.GetValue(Tmpfs) ?? []).Select(ParseTmpfs)],
        };
    }

    static T? Flag<T>(string flag, string? value, Func<string, T> parse) where T : struct
    {
        if (value is null) return null;
        try { return parse(value); }
        catch (IslanderException e) { throw Bad(flag, e.Message); }
    }

    static EnvVar ParseEnv(string s)
    {
        int eq = s.IndexOf('=');
        return eq > 0 ? new EnvVar(s[..eq], s[(eq + 1)..]) : new EnvVar(s, Environment.GetEnvironmentVariable(s) ?? "");
    }

    static IReadOnlyList<IoLimit> IoLimits(string[] reads, string[] writes)
    {
        var limits = new Dictionary<string, IoLimit>();
        foreach (var (flag, entries, isRead) in new[] { ("--device-read-bps", reads, true), ("--device-write-bps", writes, false) })
            foreach (var entry in entries)
            {
                int colon = entry.LastIndexOf(':');
                if (colon <= 0) throw Bad(flag, $"\"{entry}\" is not DEVICE:RATE, e.g. /dev/vda:10Mi");
                string device = entry[..colon];
                long rate = Flag(flag, entry[(colon + 1)..], Quantity.ParseBytes)!.Value;
                var limit = limits.GetValueOrDefault(device) ?? new IoLimit(device);
                limits[device] = isRead ? limit with { ReadBps = rate } : limit with { WriteBps = rate };
            }
        return limits.Values.ToList();
    }

    static UserNamespace ParseUserns(string s)
    {
        var parts = s.Split(':');
        if (parts.Length != 3 || !long.TryParse(parts[0], out var inside) || !long.TryParse(parts[1], out var outside) || !long.TryParse(parts[2], out var size))
            throw Bad("--userns", $"\"{s}\" is not CONTAINER:HOST:SIZE, e.g. 0:100000:65536");
        var map = new[] { new IdMapping(inside, outside, size) };
        return new UserNamespace(map, map);
    }

    static VolumeMount ParseVolume(string s)
    {
        var parts = s.Split(':');
        if (parts.Length is < 2 or > 3 || !Path.IsPathRooted(parts[0]) || !Path.IsPathRooted(parts[1]) || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
            throw Bad("--volume", $"\"{s}\" is not HOSTPATH:PATH[:ro], both paths absolute");
        return new VolumeMount { HostPath = parts[0], MountPath = parts[1], ReadOnly = parts.Length == 3 && parts[2] == "ro" };
    }

    static VolumeMount ParseTmpfs(string s)
    {
        var parts = s.Split(':', 2);
        long? size = null;
        if (parts.Length == 2)
            size = parts[1].StartsWith("size=") ? Flag("--tmpfs", parts[1][5..], Quantity.ParseBytes) : throw Bad("--tmpfs", $"\"{s}\" is not PATH[:size=64Mi]");
        return new VolumeMount { MountPath = parts[0], Tmpfs = new TmpfsOptions(size) };
    }

    static IslanderException Bad(string flag, string why) => new($"{flag}: {why}", ErrorCategory.InvalidManifest);
}
