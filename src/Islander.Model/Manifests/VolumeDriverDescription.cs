namespace Islander.Model;

/// <summary>What the parser knows of one volume driver: its name and what it can do.</summary>
public sealed record VolumeDriverDescription(VolumeDriverKind Kind, VolumeCapabilities Capabilities);
