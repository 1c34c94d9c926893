using Islander.Controller.Ports;
using Islander.Model;

namespace Islander.Controller.Networks;

/// <summary>Networking's part of a start plan: the spec with the hosts file bound at /etc/hosts, and the attachments in spec order.</summary>
public sealed record NetworkPlan(IsleSpec Spec, IReadOnlyList<IsleNetworkAttachment> Attachments);
