namespace Islander.Integration.Tests.Runtime;

/// <summary>Isles are started one at a time: they share the machine's pids, mounts and fds.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RuntimeCollection
{
    public const string Name = "Runtime (root)";
}
