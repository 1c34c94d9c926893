namespace Islander.Model;

/// <summary>The serialized shape of an <see cref="IsleSpec"/>; see <see cref="ManifestDocument"/>.</summary>
internal sealed class IsleSpecDocument
{
    public string? Image { get; set; }
    public string? Rootfs { get; set; }
    public List<string>? Command { get; set; }
    public List<string>? Args { get; set; }
    public List<Dictionary<string, string>>? Env { get; set; }
    public string? WorkingDir { get; set; }
    public string? Hostname { get; set; }
    public string? User { get; set; }
    public string RestartPolicy { get; set; } = "Always";
    public Dictionary<string, object>? Resources { get; set; }
    public Dictionary<string, object>? Security { get; set; }
    public bool? HostNetwork { get; set; }
    public List<Dictionary<string, object>>? Networks { get; set; }
    public List<Dictionary<string, object>>? Ports { get; set; }
    public List<Dictionary<string, object>>? Volumes { get; set; }
    /// <summary>Names, and <c>{name, condition: Healthy}</c> for those that wait for health.</summary>
    public List<object>? DependsOn { get; set; }
    public string? StopSignal { get; set; }
    public string? StopTimeout { get; set; }
    public Dictionary<string, object>? Logging { get; set; }
    public Dictionary<string, object>? Healthcheck { get; set; }
    public Dictionary<string, object>? Update { get; set; }
    public bool? Stdin { get; set; }
    public bool? Tty { get; set; }

    public static IsleSpecDocument From(IsleSpec s) => new()
    {
        Image = s.Image,
        Rootfs = s.Rootfs,
        Command = NullIfEmpty(s.Command),
        Args = NullIfEmpty(s.Args),
        Env = s.Env.Count == 0 ? null : s.Env.Select(e => new Dictionary<string, string> { ["name"] = e.Name, ["value"] = e.Value }).ToList(),
        WorkingDir = s.WorkingDir,
        Hostname = s.Hostname,
        User = s.User,
        RestartPolicy = s.RestartPolicy.ToString(),
        Resources = ResourcesOf(s.Resources),
        Security = SecurityOf(s.Security),
        HostNetwork = s.HostNetwork ? true : null,
        Networks = s.Networks.Count == 0 ? null : s.Networks.Select(n => Entries(("name", n.Name), ("ip", n.Ip))).ToList(),
        Ports = s.Ports.Count == 0 ? null : s.Ports.Select(p => Entries(
            ("containerPort", p.ContainerPort), ("hostPort", p.HostPort), ("protocol", p.Protocol.ToString().ToLowerInvariant()), ("hostIp", p.HostIp))).ToList(),
        Volumes = s.Volumes.Count == 0 ? null : s.Volumes.Select(Volume).ToList(),
        DependsOn = s.DependsOn.Count == 0 ? null : s.DependsOn.Select(d => s.HealthyDependencies.Contains(d)
            ? Entries(("name", d), ("condition", nameof(DependencyCondition.Healthy))) : (object)d).ToList(),
        StopSignal = s.StopSignal == 15 ? null : Signals.Name(s.StopSignal),
        StopTimeout = s.StopTimeout == TimeSpan.FromSeconds(10) ? null : ManifestWriter.Seconds(s.StopTimeout),
        Logging = s.Logging is { } l
            ? Entries(("driver", IsleLogging.Name(l.Driver)), ("maxSize", Bytes(l.MaxSize)), ("maxFiles", l.MaxFiles))
            : null,
        Healthcheck = s.Healthcheck is { } h ? HealthcheckOf(h) : null,
        Update = s.Update is { } u ? Entries(
            ("healthTimeout", ManifestWriter.Seconds(u.HealthTimeout)), ("rollback", u.Rollback ? null : false),
            ("snapshotVolumes", u.SnapshotVolumes ? true : null),
            ("minHealthyTime", u.MinHealthyTime == IsleUpdate.DefaultMinHealthyTime ? null : ManifestWriter.Seconds(u.MinHealthyTime))) : null,
        Stdin = s.Stdin ? true : null,
        Tty = s.Tty ? true : null,
    };

    private static Dictionary<string, object> HealthcheckOf(IsleHealthCheck h) => Entries(
        ("exec", NullIfEmpty(h.Exec)),
        ("http", h.Http is { } http ? Entries(("port", http.Port), ("path", http.Path == "/" ? null : http.Path)) : null),
        ("tcp", h.Tcp is { } tcp ? Entries(("port", tcp.Port)) : null),
        ("interval", h.Interval == IsleHealthCheck.DefaultInterval ? null : ManifestWriter.Seconds(h.Interval)),
        ("timeout", h.Timeout == IsleHealthCheck.DefaultTimeout ? null : ManifestWriter.Seconds(h.Timeout)),
        ("retries", h.Retries == IsleHealthCheck.DefaultRetries ? null : h.Retries),
        ("startPeriod", h.StartPeriod == TimeSpan.Zero ? null : ManifestWriter.Seconds(h.StartPeriod)));

    private static Dictionary<string, object>? ResourcesOf(IsleResources r)
    {
        var io = r.Io.Count == 0 ? null : r.Io.Select(i => Entries(
            ("device", i.Device), ("readBps", Bytes(i.ReadBps)), ("writeBps", Bytes(i.WriteBps)), ("readIops", i.ReadIops), ("writeIops", i.WriteIops))).ToList();
        var map = Entries(
            ("memory", Bytes(r.Memory)), ("cpu", r.CpuMillis is { } c ? Quantity.FormatCpuMillis(c) : null), ("cpuShares", r.CpuShares),
            ("cpuPeriod", r.CpuPeriod), ("cpuQuota", r.CpuQuota), ("cpuset", r.Cpuset),
            ("pids", Pids(r.Pids)), ("disk", Bytes(r.Disk)), ("io", io),
            ("oomGroup", r.OomGroup ? true : null));
        return map.Count == 0 ? null : map;
    }

    private static Dictionary<string, object>? SecurityOf(IsleSecurity s)
    {
        var userNamespace = s.UserNamespace is { } u
            ? Entries(("uidMappings", u.UidMappings.Select(IdMapping).ToList()), ("gidMappings", u.GidMappings.Select(IdMapping).ToList()))
            : null;
        var map = Entries(
            ("privileged", s.Privileged ? true : null), ("capAdd", NullIfEmpty(s.CapAdd)), ("capDrop", NullIfEmpty(s.CapDrop)),
            ("seccomp", s.Seccomp == "default" ? null : s.Seccomp), ("readOnlyRootFilesystem", s.ReadOnlyRootFilesystem ? true : null),
            ("noNewPrivileges", s.NoNewPrivileges ? true : null), ("userNamespace", userNamespace));
        return map.Count == 0 ? null : map;
    }

    private static Dictionary<string, object> IdMapping(IdMapping m) =>
        Entries(("containerId", m.ContainerId), ("hostId", m.HostId), ("size", m.Size));

    private static Dictionary<string, object> Volume(VolumeMount v) => Entries(
        ("name", v.Name), ("hostPath", v.HostPath),
        ("tmpfs", v.Tmpfs is { } t ? Entries(("size", Bytes(t.Size)), ("mode", t.Mode is { } m ? IsleSpecReader.FormatMode(m) : null)) : null),
        ("configFile", v.ConfigFile), ("configData", v.ConfigData),
        ("onChange", v.ConfigFile is null ? null : v.ReloadSignal is { } signal ? Entries(("signal", Signals.Name(signal))) : "restart"),
        ("mountPath", v.MountPath), ("readOnly", v.ReadOnly && v.ConfigFile is null ? true : null));

    /// <summary>Left out at the default, <c>max</c> for no limit (what the reader takes back).</summary>
    private static object? Pids(long pids) => pids switch
    {
        IsleResources.DefaultPids => null,
        0 => "max",
        _ => pids,
    };

    private static string? Bytes(long? value) => value is { } v ? Quantity.FormatBytes(v) : null;

    private static List<string>? NullIfEmpty(IReadOnlyList<string> list) => list.Count == 0 ? null : list.ToList();

    /// <summary>A mapping in the given order, without the null entries.</summary>
    private static Dictionary<string, object> Entries(params (string Key, object? Value)[] entries) =>
        entries.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!);
}
