using Islander.Controller.Lifecycle;

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
}
