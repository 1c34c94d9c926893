using System.Net;

namespace Islander.Model;

/// <summary>
/// What islanderd's config file (<c>/etc/islander/config.yaml</c>) sets: null for a field the file leaves out, so the
/// daemon's default (or a flag) applies. Read by <see cref="DaemonConfigLoader"/>; the fields are documented in
/// packaging/config.yaml.
/// </summary>
public sealed record DaemonConfig
{
    public string? Manifests { get; init; }
    public string? State { get; init; }
    public string? Run { get; init; }
    public string? Socket { get; init; }

    /// <summary>The group the API socket belongs to (root:GROUP 0660), as Docker's <c>docker</c> group.</summary>
    public string? SocketGroup { get; init; }

    public string? Volumes { get; init; }
    public int? Workers { get; init; }
    public TimeSpan? Resync { get; init; }
    public TimeSpan? RestartBackoff { get; init; }
    public DaemonLogLevel? LogLevel { get; init; }

    /// <summary>Default isle log limits (<c>logs.maxSize</c>, <c>logs.maxFiles</c>).</summary>
    public long? LogMaxSize { get; init; }
    public int? LogMaxFiles { get; init; }

    /// <summary>The IPv4 range networks without a subnet take their /24 from.</summary>
    public IPNetwork? DefaultSubnetPool { get; init; }

    /// <summary>Mirrors (https://host[:port]) tried before Docker Hub.</summary>
    public IReadOnlyList<string>? RegistryMirrors { get; init; }

    /// <summary>A TCP address (<c>127.0.0.1:9323</c>, <c>[::1]:9323</c>) that serves the metrics and health endpoints.</summary>
    public string? MetricsAddress { get; init; }

    /// <summary>The cgroup that holds the isles' cgroups, relative to each hierarchy's root (<see cref="Model.CgroupParent"/>).</summary>
    public string? CgroupParent { get; init; }

    /// <summary>Registries (host[:port]) spoken to over plain HTTP.</summary>
    public IReadOnlyList<string>? InsecureRegistries { get; init; }
}
