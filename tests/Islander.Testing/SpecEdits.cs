using Islander.Model;

namespace Islander.Testing;

/// <summary>
/// One valid edit per field of an isle's spec that changes that field (and its <see cref="Companions"/>), keyed by the field's manifest path
/// (<see cref="IsleSpecRules.Rules"/>). The rule's tests fail for a field without an edit here, so a new field gets a
/// rule and an edit: one line each.
/// </summary>
public static class SpecEdits
{
    /// <summary>The spec every edit starts from: a running busybox with a memory limit.</summary>
    public static IsleSpec Base(string rootfs = "/var/lib/islander/rootfs/busybox") => new()
    {
        Rootfs = rootfs,
        Command = ["sleep", "3600"],
        Resources = new IsleResources { Memory = 64L << 20 },
    };

    /// <summary>The fields an edit must change besides its own to stay valid.</summary>
    public static IReadOnlyDictionary<string, string[]> Companions { get; } = new Dictionary<string, string[]>
    {
        ["image"] = ["rootfs"],
        ["ports"] = ["networks"],
        ["healthyDependencies"] = ["dependsOn"],
        ["volumes.configData"] = ["volumes", "volumes.onChange"],
        ["volumes.onChange"] = ["volumes", "volumes.configData"],
    };

    /// <summary>A config file mounted at /etc/app.conf with <paramref name="content"/>; restarted on change unless <paramref name="signal"/>.</summary>
    public static VolumeMount ConfigFile(string content, int? signal = null, string file = "app.conf", string mountPath = "/etc/app.conf") => new()
    {
        MountPath = mountPath, ConfigFile = file, ReadOnly = true, ReloadSignal = signal,
        ConfigData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(content)),
    };

    public static IReadOnlyDictionary<string, Func<IsleSpec, IsleSpec>> ByField { get; } = new Dictionary<string, Func<IsleSpec, IsleSpec>>
    {
        ["image"] = s => s with { Image = "busybox:latest", Rootfs = null }, // exactly one of the two: rootfs goes too
        ["rootfs"] = s => s with { Rootfs = "/srv/rootfs/other" },
        ["command"] = s => s with { Command = ["sleep", "3601"] },
        ["args"] = s => s with { Args = ["-x"] },
        ["env"] = s => s with { Env = [new EnvVar("MODE", "debug")] },
        ["workingDir"] = s => s with { WorkingDir = "/tmp" },
        ["hostname"] = s => s with { Hostname = "other" },
        ["user"] = s => s with { User = "1000" },
        ["restartPolicy"] = s => s with { RestartPolicy = RestartPolicy.OnFailure },
        ["resources.memory"] = s => s with { Resources = s.Resources with { Memory = 128L << 20 } },
        ["resources.cpu"] = s => s with { Resources = s.Resources with { CpuMillis = 500 } },
        ["resources.cpuShares"] = s => s with { Resources = s.Resources with { CpuShares = 512 } },
        ["resources.cpuPeriod"] = s => s with { Resources = s.Resources with { CpuPeriod = 50_000 } },
        ["resources.cpuQuota"] = s => s with { Resources = s.Resources with { CpuQuota = 20_000 } },
        ["resources.cpuset"] = s => s with { Resources = s.Resources with { Cpuset = "0" } },
        ["resources.pids"] = s => s with { Resources = s.Resources with { Pids = 100 } },
        ["resources.disk"] = s => s with { Resources = s.Resources with { Disk = 1L << 30 } },
        ["resources.io"] = s => s with { Resources = s.Resources with { Io = [new IoLimit("/dev/null", WriteBps: 1 << 20)] } },
        ["resources.oomGroup"] = s => s with { Resources = s.Resources with { OomGroup = true } },
        ["security.privileged"] = s => s with { Security = s.Security with { Privileged = true } },
        ["security.capAdd"] = s => s with { Security = s.Security with { CapAdd = ["NET_ADMIN"] } },
        ["security.capDrop"] = s => s with { Security = s.Security with { CapDrop = ["CHOWN"] } },
        ["security.seccomp"] = s => s with { Security = s.Security with { Seccomp = "unconfined" } },
        ["security.userNamespace"] = s => s with { Security = s.Security with { UserNamespace = new UserNamespace([new IdMapping(0, 100000, 65536)], [new IdMapping(0, 100000, 65536)]) } },
        ["security.readOnlyRootFilesystem"] = s => s with { Security = s.Security with { ReadOnlyRootFilesystem = true } },
        ["security.noNewPrivileges"] = s => s with { Security = s.Security with { NoNewPrivileges = true } },
        ["hostNetwork"] = s => s with { HostNetwork = true },
        ["networks"] = s => s with { Networks = [new NetworkAttachment("backend")] },
        ["ports"] = s => s with { Networks = [new NetworkAttachment("backend")], Ports = [new PortMapping(80, 18099)] }, // published through a network
        ["volumes"] = s => s with { Volumes = [new VolumeMount { MountPath = "/data", Tmpfs = new TmpfsOptions() }] },
        ["volumes.configData"] = s => s with { Volumes = [ConfigFile("a = 1\n", signal: 1)] }, // a new mount: volumes and onChange too
        ["volumes.onChange"] = s => s with { Volumes = [ConfigFile("a = 1\n", signal: 10)] },
        ["dependsOn"] = s => s with { DependsOn = ["db"] },
        ["stopSignal"] = s => s with { StopSignal = 2 },
        ["stopTimeout"] = s => s with { StopTimeout = TimeSpan.FromSeconds(3) },
        ["logging"] = s => s with { Logging = new IsleLogging { MaxFiles = 2 } },
        ["healthcheck"] = s => s with { Healthcheck = new IsleHealthCheck { Exec = ["true"] } },
        ["update"] = s => s with { Update = new IsleUpdate { HealthTimeout = TimeSpan.FromSeconds(30), SnapshotVolumes = true } },
        ["healthyDependencies"] = s => s with { DependsOn = ["db"], HealthyDependencies = ["db"] }, // a dependency's condition
        ["stdin"] = s => s with { Stdin = true },
        ["tty"] = s => s with { Tty = true },
    };
}
