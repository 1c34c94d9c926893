using System.Collections.Immutable;

namespace Islander.Testing.Fakes;

/// <summary>One volume of a <see cref="FakeVolumeDriver"/>: its size limit, its files (name → bytes) and its snapshots.</summary>
public sealed record FakeVolume(
    long? SizeLimit,
    ImmutableDictionary<string, byte[]> Files,
    ImmutableDictionary<string, ImmutableDictionary<string, byte[]>> Snapshots)
{
    public static readonly FakeVolume Empty = new(null, ImmutableDictionary<string, byte[]>.Empty, ImmutableDictionary<string, ImmutableDictionary<string, byte[]>>.Empty);

    public long BytesUsed => Files.Values.Sum(f => (long)f.Length);
}
