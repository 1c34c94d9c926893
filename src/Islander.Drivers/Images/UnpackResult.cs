namespace Islander.Drivers.Images;

/// <summary>What an unpack did: the digest and size of the uncompressed tar (a layer's diffID), and what it left out.</summary>
public sealed record UnpackResult(Digest DiffId, long TarBytes, int Entries, int SkippedDevices, int SkippedXattrs);
