namespace Islander.Integration.Tests.Network;

/// <summary>Network tests share kernel state (sysctls, nft), so they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkTestCollection
{
    public const string Name = "network";
}
