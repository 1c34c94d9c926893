namespace Islander.Drivers.Images;

/// <summary>An image ready to run: <see cref="LayerDirs"/> go to OverlayRootfs.Prepare as lower dirs (top first).</summary>
public sealed record ResolvedImage(string Id, IReadOnlyList<string> LayerDirs, ImageDefaults Defaults);
