namespace Islander.Integration.Tests.Package;

/// <summary>The package's tests boot a Debian userland under systemd-nspawn: one machine at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackageCollection
{
    public const string Name = "package (root, systemd-nspawn)";
}
