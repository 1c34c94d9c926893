namespace Islander.Model;

/// <summary>
/// A volume that exists, with the spec it was created from. The spec is kept so that a volume whose manifest was
/// removed is still deleted or retained by its own <see cref="VolumeSpec.ReclaimPolicy"/>.
/// </summary>
public sealed record ActualVolume(string Name, VolumeSpec Spec);
