using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Islander.Model;

/// <summary>
/// The one rule for what a changed field of an isle's spec takes: applied live, a restart, or a recreate
/// (<see cref="SpecChangeKind"/>). <see cref="StateDiff.ForIsle"/> acts on it and <c>islanderctl diff</c> prints it, so
/// the daemon does what diff says. A test walks every property of <see cref="IsleSpec"/>, <see cref="IsleResources"/> and
/// <see cref="IsleSecurity"/> and fails for one without a rule here: classifying a new field is one line in
/// <see cref="Rules"/>.
/// </summary>
/// <remarks>
/// Live: what the kernel takes in place on cgroup v1 and v2 (every resource but <c>disk</c>: memory, CPU, cpuset, pids,
/// IO throttles, oomGroup) and what only the daemon reads (restartPolicy, stopSignal, stopTimeout, dependsOn and which
/// dependencies must be healthy, which matter at the next start only; the healthcheck, which the health monitor reads
/// from the desired spec at its next check). Restart: what the isle's process is started with (command, env, user, capabilities,
/// logging...). Recreate: what the isle is made of (its root filesystem, mounts, networks, user namespace, device policy,
/// the writable layer's quota, which is set before anything is written to the layer; PID 1's stdin and terminal, which
/// init sets up and the shim holds).
/// </remarks>
public static class IsleSpecRules
{
    /// <summary>One field: its property (for the coverage test), its manifest path, how to show it, what a change takes.</summary>
    /// <remarks>
    /// <paramref name="KindOf"/>, when set, says what a change of the field takes given the running and the desired spec
    /// (a config file's new content: a signal or a restart, as its <c>onChange</c> says); <paramref name="Kind"/> otherwise.
    /// </remarks>
    public sealed record Rule(string Property, string Field, Func<IsleSpec, string?> Show, SpecChangeKind Kind,
        Func<IsleSpec, IsleSpec, SpecChangeKind>? KindOf = null);

    const SpecChangeKind Live = SpecChangeKind.Live, Restart = SpecChangeKind.Restart, Recreate = SpecChangeKind.Recreate;

    /// <summary>Every field of an isle's spec, in the manifest's order. Nested records are listed by their own properties.</summary>
    public static IReadOnlyList<Rule> Rules { get; } =
    [
        new(nameof(IsleSpec.Image), "image", s => s.Image, Recreate),
        new(nameof(IsleSpec.Rootfs), "rootfs", s => s.Rootfs, Recreate),
        new(nameof(IsleSpec.Command), "command", s => Json(s.Command), Restart),
        new(nameof(IsleSpec.Args), "args", s => Json(s.Args), Restart),
        new(nameof(IsleSpec.Env), "env", s => s.Env.Count == 0 ? null : string.Join(", ", s.Env.Select(e => $"{e.Name}={e.Value}")), Restart),
        new(nameof(IsleSpec.WorkingDir), "workingDir", s => s.WorkingDir, Restart),
        new(nameof(IsleSpec.Hostname), "hostname", s => s.Hostname, Restart),
        new(nameof(IsleSpec.User), "user", s => s.User, Restart),
        new(nameof(IsleSpec.RestartPolicy), "restartPolicy", s => s.RestartPolicy.ToString(), Live),
        new(nameof(IsleResources.Memory), "resources.memory", s => Bytes(s.Resources.Memory), Live),
        new(nameof(IsleResources.CpuMillis), "resources.cpu", s => s.Resources.CpuMillis is { } m ? Quantity.FormatCpuMillis(m) : null, Live),
        new(nameof(IsleResources.CpuShares), "resources.cpuShares", s => Number(s.Resources.CpuShares), Live),
        new(nameof(IsleResources.CpuPeriod), "resources.cpuPeriod", s => Number(s.Resources.CpuPeriod), Live),
        new(nameof(IsleResources.CpuQuota), "resources.cpuQuota", s => Number(s.Resources.CpuQuota), Live),
        new(nameof(IsleResources.Cpuset), "resources.cpuset", s => s.Resources.Cpuset, Live),
        new(nameof(IsleResources.Pids), "resources.pids", s => s.Resources.Pids == 0 ? "max" : Number(s.Resources.Pids), Live),
        new(nameof(IsleResources.Disk), "resources.disk", s => Bytes(s.Resources.Disk), Recreate),
        new(nameof(IsleResources.Io), "resources.io", s => Json(s.Resources.Io), Live),
        new(nameof(IsleResources.OomGroup), "resources.oomGroup", s => Flag(s.Resources.OomGroup), Live),
        new(nameof(IsleSecurity.Privileged), "security.privileged", s => Flag(s.Security.Privileged), Recreate),
        new(nameof(IsleSecurity.CapAdd), "security.capAdd", s => Json(s.Security.CapAdd), Restart),
        new(nameof(IsleSecurity.CapDrop), "security.capDrop", s => Json(s.Security.CapDrop), Restart),
        new(nameof(IsleSecurity.Seccomp), "security.seccomp", s => s.Security.Seccomp, Restart),
        new(nameof(IsleSecurity.UserNamespace), "security.userNamespace", s => Json(s.Security.UserNamespace), Recreate),
        new(nameof(IsleSecurity.ReadOnlyRootFilesystem), "security.readOnlyRootFilesystem", s => Flag(s.Security.ReadOnlyRootFilesystem), Restart),
        new(nameof(IsleSecurity.NoNewPrivileges), "security.noNewPrivileges", s => Flag(s.Security.NoNewPrivileges), Restart),
        new(nameof(IsleSpec.HostNetwork), "hostNetwork", s => Flag(s.HostNetwork), Recreate),
        new(nameof(IsleSpec.Networks), "networks", s => Json(s.Networks), Recreate),
        new(nameof(IsleSpec.Ports), "ports", s => Json(s.Ports), Restart),
        new(nameof(IsleSpec.Volumes), "volumes", s => Json(Mounts(s)), Recreate),
        new(nameof(IsleSpec.Volumes), "volumes.configData", ConfigContents, Live, ConfigContentChange),
        new(nameof(IsleSpec.Volumes), "volumes.onChange", s => Shown(s, v => v.ReloadSignal is { } n ? $"signal {Signals.Name(n)}" : "restart"), Live),
        new(nameof(IsleSpec.DependsOn), "dependsOn", s => Json(s.DependsOn), Live),
        new(nameof(IsleSpec.StopSignal), "stopSignal", s => Number(s.StopSignal), Live),
        new(nameof(IsleSpec.StopTimeout), "stopTimeout", s => s.StopTimeout.ToString("c", CultureInfo.InvariantCulture), Live),
        new(nameof(IsleSpec.Logging), "logging", s => Json(s.Logging), Restart),
        new(nameof(IsleSpec.Healthcheck), "healthcheck", s => Json(s.Healthcheck), Live),
        new(nameof(IsleSpec.Update), "update", s => Json(s.Update), Live),
        new(nameof(IsleSpec.HealthyDependencies), "healthyDependencies", s => Json(s.HealthyDependencies), Live),
        new(nameof(IsleSpec.Stdin), "stdin", s => Flag(s.Stdin), Recreate),
        new(nameof(IsleSpec.Tty), "tty", s => Flag(s.Tty), Recreate),
    ];

    /// <summary>The fields that differ between <paramref name="running"/> and <paramref name="desired"/>, in the manifest's order.</summary>
    public static IReadOnlyList<SpecChange> Changes(IsleSpec running, IsleSpec desired)
    {
        var changes = new List<SpecChange>();
        foreach (var rule in Rules)
        {
            string? before = rule.Show(running), after = rule.Show(desired);
            if (!string.Equals(before, after, StringComparison.Ordinal))
                changes.Add(new SpecChange(rule.Field, before, after, rule.KindOf?.Invoke(running, desired) ?? rule.Kind));
        }
        return changes;
    }

    /// <summary>
    /// What an edit takes: what its most demanding field takes. No changes to go by (the running spec is not known, or
    /// the hashes differ in a way no rule shows) counts as a recreate, what every edit was before this rule.
    /// </summary>
    public static SpecChangeKind Needs(IReadOnlyList<SpecChange> changes) =>
        changes.Count == 0 ? Recreate : changes.Max(c => c.Kind);

    /// <summary>
    /// The mounts themselves (what the isle is made with: a recreate), without what a config file's change takes in place:
    /// its content and its <c>onChange</c>.
    /// </summary>
    static IReadOnlyList<VolumeMount> Mounts(IsleSpec s) =>
        s.Volumes.Any(v => v.ConfigFile is not null) ? [.. s.Volumes.Select(v => v with { ConfigData = null, ReloadSignal = null })] : s.Volumes;

    /// <summary><c>/etc/nginx/nginx.conf sha256:0123456789ab</c> per config file: which content each mount shows.</summary>
    static string? ConfigContents(IsleSpec s) => Shown(s, v => v.ConfigData is { } data ? ConfigDigest(data) : "(not read)");

    static string? Shown(IsleSpec s, Func<VolumeMount, string> show)
    {
        var shown = s.Volumes.Where(v => v.ConfigFile is not null).Select(v => $"{v.MountPath} {show(v)}").ToList();
        return shown.Count == 0 ? null : string.Join(", ", shown);
    }

    /// <summary><c>sha256:</c> and 12 hex digits of the content: enough to tell two revisions of a file apart in a diff.</summary>
    public static string ConfigDigest(string base64) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Convert.FromBase64String(base64)))[..12];

    /// <summary>
    /// A new content takes a restart when a config file whose content changed says <c>onChange: restart</c> (the
    /// default), else it is live: the new content is written where the isle sees it and the signal sent, same process.
    /// A mount that is new or gone changes <c>volumes</c> too, which recreates.
    /// </summary>
    static SpecChangeKind ConfigContentChange(IsleSpec running, IsleSpec desired)
    {
        foreach (var mount in desired.Volumes.Where(v => v.ConfigFile is not null))
        {
            var before = running.Volumes.FirstOrDefault(v => v.MountPath == mount.MountPath);
            if (before?.ConfigData != mount.ConfigData && mount.ReloadSignal is null) return Restart;
        }
        return Live;
    }

    static string? Bytes(long? value) => value is { } v ? Quantity.FormatBytes(v) : null;

    static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    static string? Flag(bool value) => value ? "true" : null;

    /// <summary>Compact camelCase JSON of a list or record; null for nothing (null or an empty list).</summary>
    static string? Json<T>(T value) =>
        value is null or System.Collections.ICollection { Count: 0 } ? null
            : JsonSerializer.Serialize(value, (JsonTypeInfo<T>)SpecShowJsonContext.Default.Options.GetTypeInfo(typeof(T)));
}

/// <summary>How <see cref="IsleSpecRules"/> shows lists and records: as a manifest would write them, defaults left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(IsleSpec))]
internal sealed partial class SpecShowJsonContext : JsonSerializerContext;
