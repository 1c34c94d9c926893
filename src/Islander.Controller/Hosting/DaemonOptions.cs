using System.Net;
using Islander.Controller.Lifecycle;
using Islander.Model;

namespace Islander.Controller.Hosting;

/// <summary>islanderd's settings; the paths default to those of docs/architecture.md, "Files on disk".</summary>
public sealed class DaemonOptions
{
    public string Manifests { get; set; } = "/etc/islander/manifests";
    public string State { get; set; } = "/var/lib/islander";
    public string Run { get; set; } = "/run/islander";
    public string Socket { get; set; } = "/run/islander/islander.sock";

    /// <summary>Named volumes' directory (one root per driver under it); null: <c>STATE/volumes</c>.</summary>
    public string? Volumes { get; set; }

    public string VolumesRoot => Volumes ?? Path.Combine(State, "volumes");

    /// <summary>Full rescan of the manifests directory and re-reconcile of every object, however quiet things are.</summary>
    public TimeSpan Resync { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Concurrent reconcile passes (for different keys; one key is never reconciled twice at once).</summary>
    public int Workers { get; set; } = 4;

    public RestartBackoff RestartBackoff { get; set; } = new();

    /// <summary>
    /// A TCP address (<c>127.0.0.1:9323</c>, <c>[::1]:9323</c>) that serves <c>/metrics</c>, <c>/healthz</c> and
    /// <c>/readyz</c> only, for a Prometheus that cannot read the socket; null: the socket only. Never the API: it has no
    /// authentication but the socket's mode.
    /// </summary>
    public string? MetricsAddress { get; set; }

    /// <summary>
    /// The cgroup that holds the isles' cgroups, below each hierarchy's root (<see cref="Model.CgroupParent"/>); outside
    /// islanderd.service's own cgroup, so isles outlive a restart of the unit (docs/packaging.md).
    /// </summary>
    public string CgroupParent { get; set; } = Model.CgroupParent.Default;

    /// <summary>The API socket's group (root:GROUP 0660), resolved at start; null: root's group (0).</summary>
    public string? SocketGroup { get; set; }

    /// <summary>The gid of <see cref="SocketGroup"/>, looked up before anything is touched (<see cref="DaemonConfigFile"/>).</summary>
    public int SocketGid { get; set; }

    /// <summary>islanderd's minimum log level (Serilog's).</summary>
    public DaemonLogLevel LogLevel { get; set; } = DaemonLogLevel.Information;

    /// <summary>
    /// Default size of an isle's log.json before its shim rotates it (<c>logs.maxSize</c>), for isles whose
    /// <c>logging</c> sets none; handed to the runtime (<c>IsleRuntime.LogDefaults</c>) at start.
    /// </summary>
    public long LogMaxSize { get; set; } = IsleLogging.DefaultMaxSize;

    /// <summary>Default number of an isle's log files kept (<c>logs.maxFiles</c>); see <see cref="LogMaxSize"/>.</summary>
    public int LogMaxFiles { get; set; } = IsleLogging.DefaultMaxFiles;

    /// <summary>The IPv4 range a network without <c>spec.subnet</c> takes its /24 from.</summary>
    public IPNetwork DefaultSubnetPool { get; set; } = IPNetwork.Parse("10.89.0.0/16");

    /// <summary>
    /// Mirrors of Docker Hub (<c>registries.mirrors</c>, <c>--registry-mirror</c>): Docker Hub images are asked of each
    /// in order, then of Docker Hub (dockerd's <c>registry-mirrors</c>); other registries' images never go to a mirror.
    /// </summary>
    public IReadOnlyList<string> RegistryMirrors { get; set; } = [];

    /// <summary>Registries spoken to over plain HTTP (<c>registries.insecure</c>), handed to the registry client.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; set; } = [];
}
