namespace Islander.Model;

/// <summary>
/// Apply a changed masquerade or internal setting to a network in place: the bridge, its addresses and the isles'
/// links stay; the firewall follows at once. An isle's default route follows at its next start (an internal network
/// gives none).
/// </summary>
public sealed record UpdateNetwork(string Name, NetworkSpec Spec) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Network, Name);

    public override string Describe() =>
        $"~ update network {Name} (masquerade {(Spec.Masquerade ? "on" : "off")}, internal {(Spec.Internal ? "on" : "off")})";
}
