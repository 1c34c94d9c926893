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
}
