namespace Islander.Integration.Tests.Cgroups;

/// <summary>Real cgroup tests run one at a time: they fork, OOM and fill pids on a shared kernel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CgroupCollection
{
    public const string Name = "cgroups (root, real kernel)";
}
