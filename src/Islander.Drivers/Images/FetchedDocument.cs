namespace Islander.Drivers.Images;

/// <summary>A manifest or index as the registry served it, with the digest of its exact bytes.</summary>
public sealed record FetchedDocument(byte[] Content, string MediaType, Digest Digest);
