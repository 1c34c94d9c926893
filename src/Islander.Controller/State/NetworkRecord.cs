using Islander.Model;

namespace Islander.Controller.State;

/// <summary>
/// Actual state of one network as LiteDB stores it: the configuration its bridge was made with, whether the
/// driver made it, and its IPAM allocations (isle → address). The allocations are the truth IPAM is rebuilt from
/// after a daemon restart, so an address is never given out twice.
/// </summary>
public sealed class NetworkRecord
{
    /// <summary>The network's name (LiteDB id).</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The driver that made it (<c>bridge</c>), by name: the one that deletes it, attaches isles to it and probes it.
    /// A record written before networks kept their driver reads as <c>bridge</c>, the only driver there was.
    /// </summary>
    public string Driver { get; set; } = NetworkDriverKind.Bridge.Name;

    public string Subnet { get; set; } = "";
    public string Gateway { get; set; } = "";
    public bool Masquerade { get; set; }
    public bool Internal { get; set; }
    public string Bridge { get; set; } = "";

    /// <summary>The bridge exists with this configuration (EnsureNetwork succeeded).</summary>
    public bool Ready { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }

    /// <summary>Isle name → IPv4 address, as IPAM gave them out.</summary>
    public Dictionary<string, string> Allocations { get; set; } = new();

    public NetworkRecord Clone()
    {
        var c = (NetworkRecord)MemberwiseClone();
        c.Allocations = new Dictionary<string, string>(Allocations);
        return c;
    }
}
