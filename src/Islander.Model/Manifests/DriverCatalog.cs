namespace Islander.Model;

/// <summary>
/// The drivers a manifest may name, as the parser sees them: handed in by whoever runs the parser (islanderd, from the
/// driver catalog where drivers register themselves), so that the Model names no driver but the defaults and a new
/// driver needs no edit here.
/// </summary>
/// <param name="Volumes">Volume drivers, with what they can do (a <c>size</c> needs <see cref="VolumeCapabilities.SizeLimit"/>).</param>
/// <param name="Networks">Network drivers.</param>
public sealed record DriverCatalog(IReadOnlyList<VolumeDriverDescription> Volumes, IReadOnlyList<NetworkDriverKind> Networks)
{
    /// <summary>The volume driver called <paramref name="name"/>, or null when none is.</summary>
    public VolumeDriverDescription? Volume(string name) => Volumes.FirstOrDefault(v => v.Kind.Name == name);

    public bool HasNetwork(string name) => Networks.Any(n => n.Name == name);

    /// <summary>
    /// Whether the host's cgroups can kill an isle's processes together on OOM (<c>resources.oomGroup</c>): cgroup v2's
    /// memory.oom.group. False on cgroup v1, which islanderd probes at startup; a manifest that sets oomGroup is then
    /// refused at the field. True by default, so the parser alone (tests, tools) takes every field.
    /// </summary>
    public bool OomGroup { get; init; } = true;
}
