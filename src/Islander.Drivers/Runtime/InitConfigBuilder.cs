using Islander.Drivers.Images;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Users;
using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>The host-side facts an <see cref="InitConfig"/> is built from, besides the spec.</summary>
public sealed record InitConfigInput
{
    public required string Name { get; init; }
    public required IsleSpec Spec { get; init; }

    /// <summary>The prepared root filesystem (overlay mount point).</summary>
    public required string Rootfs { get; init; }

    /// <summary>The rootfs as a detached mount that isle-init attaches at <see cref="Rootfs"/>; -1 when it is mounted there already.</summary>
    public int RootfsMountFd { get; init; } = -1;

    public required string StatusPath { get; init; }
    public string? OomCounterPath { get; init; }

    /// <summary>Where the shim serves attach connections when the spec asks for stdin or a tty (<see cref="RuntimePaths.AttachSocket"/>).</summary>
    public string? AttachSocket { get; init; }

    /// <summary>Bounding set to keep (bit n = capability n).</summary>
    public required ulong Capabilities { get; init; }
    public byte[]? SeccompFilter { get; init; }
    public IReadOnlyList<string> MaskedPaths { get; init; } = [];
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];
    public IReadOnlyDictionary<string, string> NamedVolumePaths { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Who the process runs as: the spec's (else the image's) user resolved against the isle's own
    /// /etc/passwd and /etc/group (<see cref="UserFiles.Resolve"/>), a host fact like the paths above.
    /// </summary>
    public IsleUser User { get; init; } = IsleUser.Root;

    /// <summary>Defaults from the image config (entrypoint + cmd, env, working dir); empty for a plain rootfs. Its user arrives resolved, in <see cref="User"/>.</summary>
    public ImageDefaults Image { get; init; } = ImageDefaults.None;
}

/// <summary>Turns an isle spec into the config isle-init carries out. Pure: every host fact comes in <see cref="InitConfigInput"/>.</summary>
public static class InitConfigBuilder
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static InitConfig Build(InitConfigInput input)
    {
        var spec = input.Spec;
        var (mounts, links) = IsleMountPlan.Build(input.Rootfs, new MountPlanInput
        {
            Security = spec.Security,
            Volumes = spec.Volumes,
            NamedVolumePaths = input.NamedVolumePaths,
            MaskedPaths = input.MaskedPaths,
            ReadOnlyPaths = input.ReadOnlyPaths,
        });
        string hostname = spec.Hostname ?? input.Name;
        return new InitConfig
        {
            Argv = Argv(spec, input.Image),
            Env = Environment(spec, input.Image, hostname, input.User.Home),
            WorkingDir = spec.WorkingDir ?? (string.IsNullOrEmpty(input.Image.WorkingDir) ? "/" : input.Image.WorkingDir),
            Hostname = hostname,
            Rootfs = input.Rootfs,
            RootfsMountFd = input.RootfsMountFd,
            Namespaces = Namespaces(spec),
            Mounts = mounts,
            Symlinks = links,
            Uid = input.User.Uid,
            Gid = input.User.Gid,
            AdditionalGids = input.User.AdditionalGids,
            Capabilities = input.Capabilities,
            NoNewPrivileges = spec.Security.NoNewPrivileges,
            SeccompFilter = input.SeccompFilter,
            StatusPath = input.StatusPath,
            OomCounterPath = input.OomCounterPath,
            Stdin = spec.Stdin,
            Tty = spec.Tty,
            AttachSocket = spec.Stdin || spec.Tty ? input.AttachSocket : null,
        };
    }

    /// <summary>Kubernetes' rule: command replaces the entrypoint, args replace cmd; command alone drops the image's cmd.</summary>
    public static IReadOnlyList<string> Argv(IsleSpec spec, ImageDefaults image)
    {
        var argv = spec.Command.Count > 0
            ? spec.Command.Concat(spec.Args).ToList()
            : image.Entrypoint.Concat(spec.Args.Count > 0 ? spec.Args : image.Cmd).ToList();
        if (argv.Count == 0)
            throw new IslanderException("the isle has no command: set spec.command (the root filesystem has no image config to take one from)", ErrorCategory.InvalidManifest);
        return argv;
    }

    static IReadOnlyList<string> Environment(IsleSpec spec, ImageDefaults image, string hostname, string home)
    {
        // Later entries win, as with Docker: defaults, then the image's, then the spec's.
        // HOME defaults to the user's home from the isle's passwd, as runc sets it when the env has none.
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath,
            ["HOSTNAME"] = hostname,
            ["HOME"] = home,
        };
        foreach (var entry in image.Env)
        {
            int eq = entry.IndexOf('=');
            if (eq > 0) env[entry[..eq]] = entry[(eq + 1)..];
        }
        foreach (var e in spec.Env)
            env[e.Name] = e.Value;
        return env.Select(kv => $"{kv.Key}={kv.Value}").ToList();
    }

    static NamespaceFlags Namespaces(IsleSpec spec)
    {
        var flags = NamespaceFlags.Mount | NamespaceFlags.Pid | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Cgroup;
        if (!spec.HostNetwork)
            flags |= NamespaceFlags.Network;
        if (spec.Security.UserNamespace is not null)
            flags |= NamespaceFlags.User;
        return flags;
    }
}
