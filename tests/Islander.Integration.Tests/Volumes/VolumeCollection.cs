namespace Islander.Integration.Tests.Volumes;

/// <summary>Volume tests mount tmpfs and loop-mounted btrfs on a shared machine: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VolumeCollection
{
    public const string Name = "volumes (root, real kernel)";
}
