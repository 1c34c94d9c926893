using System.CommandLine;
using System.CommandLine.Parsing;
using Islander.Cli.Completion;
using Islander.Model;

namespace Islander.Cli;

/// <summary>
/// The options of <c>islanderctl run</c>, named as Docker's and Podman's <c>run</c> flags, and the one place that
/// turns them into an <see cref="IsleSpec"/>, for both the daemon and the daemonless (<c>--no-daemon</c>) path.
/// </summary>
sealed class RunOptions
{
    public readonly Option<bool> NoDaemon = new("--no-daemon") { Description = "run the isle here, without islanderd (needs --rootfs; as runc run)" };
    public readonly Option<bool> Remove = new("--rm") { Description = "delete the isle when it ends (always so with --no-daemon)" };
    public readonly Option<bool> Detach = new("--detach", "-d") { Description = "print the isle's name once it runs, and return" };
    public readonly Option<string?> Restart = new("--restart") { Description = "no (default), on-failure or always" };
    public readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "keep the isle's stdin open and send this stdin to it (spec stdin: true)" };
    public readonly Option<bool> Tty = new("--tty", "-t") { Description = "run the isle on a terminal of its own (spec tty: true); with -i this one goes raw, Ctrl-P Ctrl-Q detaches" };
    public readonly Option<string> DetachKeys = new("--detach-keys") { Description = $"with -it: keys that detach and leave the isle running, Docker's format (default {Terminal.DetachKeys.Default})", DefaultValueFactory = _ => Terminal.DetachKeys.Default };
    public readonly Option<string?> Rootfs = new("--rootfs") { Description = "root filesystem directory (used read-only, under an overlay), instead of an IMAGE" };
    public readonly Option<string?> Name = new("--name") { Description = "isle name (default: a generated one)" };
    public readonly Option<string?> Hostname = new("--hostname", "-h") { Description = "hostname inside the isle (default: the name)" };
    public readonly Option<string[]> Env = new("--env", "-e") { Description = "NAME=value", AllowMultipleArgumentsPerToken = false };
    public readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "working directory inside the isle" };
    public readonly Option<string?> User = new("--user", "-u") { Description = "name, uid, name:group or uid:gid, looked up in the isle's /etc/passwd and /etc/group" };
    public readonly Option<string?> Memory = new("--memory", "-m") { Description = "memory limit, e.g. 64Mi or 512m" };
    public readonly Option<string?> Cpus = new("--cpus", "--cpu") { Description = "CPUs, e.g. 0.5 or 500m" };
    public readonly Option<long?> CpuShares = new("--cpu-shares")
    {
        Description = "relative CPU weight (cgroup v1 shares)", CustomParser = WholeNumber.Parser("--cpu-shares", "a whole number (e.g. 512)"),
    };
    public readonly Option<long?> CpuPeriod = new("--cpu-period")
    {
        Description = "CFS period in µs", CustomParser = WholeNumber.Parser("--cpu-period", "a whole number of µs (e.g. 100000)"),
    };
    public readonly Option<long?> CpuQuota = new("--cpu-quota")
    {
        Description = "CFS quota in µs", CustomParser = WholeNumber.Parser("--cpu-quota", "a whole number of µs (e.g. 50000)"),
    };
    public readonly Option<string?> Cpuset = new("--cpuset-cpus", "--cpuset") { Description = "CPUs the isle may run on, e.g. 0 or 0-1" };
    public readonly Option<long?> Pids = new("--pids-limit", "--pids")
    {
        Description = $"maximum number of tasks; 0 or -1 for no limit (default {IsleResources.DefaultPids})",
        CustomParser = WholeNumber.Parser("--pids-limit", "a whole number of tasks (e.g. 64; 0 or -1: no limit)"),
    };
    public readonly Option<string[]> StorageOpt = new("--storage-opt") { Description = "size=SIZE: limit what the isle writes to its root filesystem, e.g. size=1Gi" };
    public readonly Option<string[]> ReadBps = new("--device-read-bps") { Description = "DEVICE:RATE, e.g. /dev/vda:10Mi" };
    public readonly Option<string[]> WriteBps = new("--device-write-bps") { Description = "DEVICE:RATE, e.g. /dev/vda:5Mi" };
    public readonly Option<string?> Network = new("--network", "--net") { Description = "none (default: only lo), host, or a Network object's name" };
    public readonly Option<string[]> Publish = new("--publish", "-p") { Description = "HOSTPORT:CONTAINERPORT[/tcp|udp], with --network NAME" };
    public readonly Option<bool> Privileged = new("--privileged") { Description = "all capabilities, no seccomp, all devices" };
    public readonly Option<string[]> CapAdd = new("--cap-add") { Description = "add a capability, e.g. NET_ADMIN" };
    public readonly Option<string[]> CapDrop = new("--cap-drop") { Description = "drop a capability, or ALL" };
    public readonly Option<string?> Seccomp = new("--seccomp") { Description = "default, unconfined, or a profile JSON path" };
    public readonly Option<string[]> SecurityOpt = new("--security-opt") { Description = "no-new-privileges: setuid programs no longer raise privileges in the isle" };
    public readonly Option<bool> ReadOnly = new("--read-only") { Description = "mount the root filesystem read-only" };
    public readonly Option<string?> Userns = new("--userns") { Description = "user namespace mapping CONTAINER:HOST:SIZE, e.g. 0:100000:65536" };
    public readonly Option<string[]> Volumes = new("--volume", "-v") { Description = "HOSTPATH:PATH[:ro]" };
    public readonly Option<string[]> Tmpfs = new("--tmpfs") { Description = "PATH[:size=64Mi]" };
    public readonly Option<int> StopTimeout = new("--stop-timeout")
    {
        Description = "seconds between the stop signal and SIGKILL when the isle is stopped (Ctrl-C, delete)",
        DefaultValueFactory = _ => 10,
        CustomParser = r => (int)(WholeNumber.Parser("--stop-timeout", "a whole number of seconds (e.g. 10)", 0, int.MaxValue)(r) ?? 0),
    };
    public readonly Argument<string[]> Arguments = new("IMAGE -- COMMAND")
    {
        Description = "the image, then (after --) the command and its arguments; with --rootfs only the command", Arity = ArgumentArity.ZeroOrMore,
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { NoDaemon, Remove, Detach, Restart, Interactive, Tty, DetachKeys, Rootfs, Name, Hostname, Env, Workdir, User, Memory, Cpus,
                     CpuShares, CpuPeriod, CpuQuota, Cpuset, Pids, StorageOpt, ReadBps, WriteBps, Network, Publish, Privileged, CapAdd, CapDrop, Seccomp, SecurityOpt, ReadOnly,
                     Userns, Volumes, Tmpfs, StopTimeout })
            command.Options.Add(o);
        command.Arguments.Add(Arguments);
    }

    /// <summary>What the flags complete to: the daemon's images and networks, restart policies, host paths.</summary>
    public void AddCompletions(Option<string?> socket)
    {
        // The image is the first argument, unless --rootfs gives the root filesystem.
        Completions.Images(Arguments, socket, c => c.ParseResult.GetResult(Rootfs) is null);
        Completions.Values(Restart, "no", "on-failure", "always");
        Completions.Values(Network, "none", "host");
        Completions.Names(Network, socket, "networks");
        Completions.Directories(Rootfs);
        Completions.Values(Seccomp, "default", "unconfined");
        Completions.Files(Seccomp);
        Completions.Values(SecurityOpt, "no-new-privileges");
        Completions.Files(Volumes);
    }

    /// <summary>
    /// The isle spec the flags describe, for islanderd (<paramref name="daemon"/>) or for the daemonless runtime, which
    /// has no image store, networks or restarts. Bad values and combinations throw <see cref="IslanderException"/>
    /// naming the flag.
    /// </summary>
    public IsleSpec ToSpec(ParseResult r, bool daemon)
    {
        var (image, rootfs, argv) = ImageAndCommand(r);
        if (!daemon && image is not null)
            throw Bad("IMAGE", $"\"{image}\": images need islanderd; without the daemon, give --rootfs DIR");
        var network = r.GetValue(Network);
        var ports = (r.GetValue(Publish) ?? []).Select(ParsePort).ToList();
        if (ports.Count > 0 && network is null or "none" or "host")
            throw Bad("--publish", "publishes a port of an isle on a network: add --network NAME (a Network object; see islanderctl get networks)");
        return new IsleSpec
        {
            Image = image,
            Rootfs = rootfs,
            Command = argv,
            Hostname = r.GetValue(Hostname),
            Env = (r.GetValue(Env) ?? []).Select(ParseEnv).ToList(),
            WorkingDir = r.GetValue(Workdir),
            User = r.GetValue(User),
            RestartPolicy = ParseRestart(r.GetValue(Restart), daemon),
            StopTimeout = TimeSpan.FromSeconds(r.GetValue(StopTimeout)),
            // Without islanderd the isle has this process's own stdin, stdout and stderr (its terminal, if any) as they are.
            Stdin = daemon && r.GetValue(Interactive),
            Tty = daemon && r.GetValue(Tty),
            HostNetwork = network == "host",
            Networks = network is null or "none" or "host" ? []
                : daemon ? [new NetworkAttachment(network)]
                : throw Bad("--network", $"\"{network}\": networks need islanderd; without the daemon use none or host"),
            Ports = ports,
            Resources = new IsleResources
            {
                Memory = Flag("--memory", r.GetValue(Memory), Quantity.ParseBytes),
                CpuMillis = Flag("--cpus", r.GetValue(Cpus), Quantity.ParseCpuMillis),
                CpuShares = r.GetValue(CpuShares),
                CpuPeriod = r.GetValue(CpuPeriod),
                CpuQuota = r.GetValue(CpuQuota),
                Cpuset = r.GetValue(Cpuset),
                Pids = PidsLimit(r.GetValue(Pids)),
                Disk = DiskSize(r.GetValue(StorageOpt) ?? []),
                Io = IoLimits(r.GetValue(ReadBps) ?? [], r.GetValue(WriteBps) ?? []),
            },
            Security = new IsleSecurity
            {
                Privileged = r.GetValue(Privileged),
                CapAdd = r.GetValue(CapAdd) ?? [],
                CapDrop = r.GetValue(CapDrop) ?? [],
                Seccomp = r.GetValue(Seccomp) ?? "default",
                ReadOnlyRootFilesystem = r.GetValue(ReadOnly),
                NoNewPrivileges = NoNewPrivileges(r.GetValue(SecurityOpt) ?? []),
                UserNamespace = r.GetValue(Userns) is { } userns ? ParseUserns(userns) : null,
            },
            Volumes = [.. (r.GetValue(Volumes) ?? []).Select(ParseVolume), .. (r.GetValue(Tmpfs) ?? []).Select(ParseTmpfs)],
        };
    }

    /// <summary>
    /// IMAGE and the command from the positional arguments. With <c>--</c>, what comes after it is the command and
    /// what comes before is the image (none with --rootfs). Without it, Docker's reading: the first is the image, the
    /// rest the command; with --rootfs all of them are the command.
    /// </summary>
    (string? Image, string? Rootfs, string[] Command) ImageAndCommand(ParseResult r)
    {
        var values = r.GetValue(Arguments) ?? [];
        var rootfs = r.GetValue(Rootfs) is { } dir ? Path.GetFullPath(dir) : null;
        int dash = r.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        int afterDash = dash < 0 ? -1 : Math.Min(values.Length, r.Tokens.Count - dash - 1);
        var before = afterDash < 0 ? values : values[..^afterDash];
        var command = afterDash < 0 ? [] : values[^afterDash..];
        if (rootfs is not null)
        {
            if (afterDash >= 0 && before.Length > 0)
                throw Bad("--rootfs", $"runs a root filesystem, not an image; drop \"{before[0]}\" or --rootfs");
            command = afterDash < 0 ? values : command;
            if (command.Length == 0)
                throw Bad("--rootfs", "needs a command: islanderctl run --rootfs DIR -- COMMAND [ARG...]");
            return (null, rootfs, command);
        }
        if (before.Length == 0)
            throw Bad("IMAGE", "say what to run: islanderctl run IMAGE [-- COMMAND...], or islanderctl run --rootfs DIR -- COMMAND...");
        if (afterDash >= 0 && before.Length > 1)
            throw Bad("IMAGE", $"one image only, then -- and the command; got {string.Join(" ", before)}");
        return (before[0], null, afterDash < 0 ? before[1..] : command);
    }

    static RestartPolicy ParseRestart(string? value, bool daemon) => value switch
    {
        null or "no" or "never" or "Never" => RestartPolicy.Never,
        _ when !daemon => throw Bad("--restart", "restarts need islanderd; drop --no-daemon"),
        "on-failure" or "OnFailure" => RestartPolicy.OnFailure,
        "always" or "Always" => RestartPolicy.Always,
        _ => throw Bad("--restart", $"\"{value}\" is not no, on-failure or always"),
    };

    static PortMapping ParsePort(string s)
    {
        // Docker's HOSTPORT:CONTAINERPORT[/PROTO]; an address in front (IP:HOSTPORT:CONTAINERPORT) binds that address only.
        var (ports, proto) = s.LastIndexOf('/') is var slash and > 0 ? (s[..slash], s[(slash + 1)..]) : (s, "tcp");
        var parts = ports.Split(':');
        var protocol = proto.ToLowerInvariant() switch
        {
            "tcp" => PortProtocol.Tcp,
            "udp" => PortProtocol.Udp,
            _ => throw Bad("--publish", $"\"{s}\": protocol {proto} is not tcp or udp"),
        };
        if (parts.Length is < 2 or > 3 || !int.TryParse(parts[^2], out var host) || !int.TryParse(parts[^1], out var container)
            || host is < 1 or > 65535 || container is < 1 or > 65535)
            throw Bad("--publish", $"\"{s}\" is not HOSTPORT:CONTAINERPORT[/tcp|udp], ports 1-65535, e.g. 18080:8080");
        return new PortMapping(container, host, protocol, parts.Length == 3 ? parts[0] : null);
    }

    /// <summary>Docker's --pids-limit: 0 and -1 mean no limit; unset keeps islander's default.</summary>
    static long PidsLimit(long? value) => value switch
    {
        null => IsleResources.DefaultPids,
        0 or -1 => 0,
        > 0 => value.Value,
        _ => throw Bad("--pids-limit", $"{value} is not a number of tasks; give a positive number, or 0 or -1 for no limit"),
    };

    /// <summary>Docker's --storage-opt size=SIZE (overlay2 on XFS with pquota); the only option islander has.</summary>
    static long? DiskSize(string[] options)
    {
        long? size = null;
        foreach (var option in options)
        {
            if (!option.StartsWith("size=", StringComparison.Ordinal))
                throw Bad("--storage-opt", $"\"{option}\" is not size=SIZE, the only storage option (e.g. size=1Gi)");
            size = Flag("--storage-opt", option["size=".Length..], Quantity.ParseBytes);
        }
        return size;
    }

    /// <summary>Docker's <c>--security-opt no-new-privileges[:true|false]</c>; seccomp has its own flag here (<c>--seccomp</c>).</summary>
    static bool NoNewPrivileges(string[] options)
    {
        bool set = false;
        foreach (var option in options)
            set = option switch
            {
                "no-new-privileges" or "no-new-privileges:true" or "no-new-privileges=true" => true,
                "no-new-privileges:false" or "no-new-privileges=false" => false,
                _ => throw Bad("--security-opt", $"\"{option}\" is not a security option islanderctl knows; it takes no-new-privileges (use --seccomp for a profile, --privileged, --cap-add and --cap-drop for the rest)"),
            };
        return set;
    }

    static T? Flag<T>(string flag, string? value, Func<string, T> parse) where T : struct
    {
        if (value is null) return null;
        try { return parse(value); }
        catch (IslanderException e) { throw Bad(flag, e.Message); }
    }

    /// <summary><c>-e NAME=value</c>, or <c>-e NAME</c> for this shell's value (empty when unset), as Docker's.</summary>
    internal static EnvVar ParseEnv(string s)
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
