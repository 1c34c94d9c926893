namespace Islander.Drivers.Images;

/// <summary>What an unpack did: the digest and size of the uncompressed tar (a layer's diffID), and what it left out.</summary>
/// <param name="SkippedDeviceNodes">What <paramref name="SkippedDevices"/> counts, named (<c>/dev/sda (block device 8:0)</c>), the first <see cref="TarUnpacker.MaxNamedSkips"/>.</param>
public sealed record UnpackResult(Digest DiffId, long TarBytes, int Entries, int SkippedDevices, int SkippedXattrs, IReadOnlyList<string> SkippedDeviceNodes);
