namespace Islander.Model;

/// <summary>
/// What a new record of a spec starts with, for each record of the specs (isle, network, volume, source) that has a
/// parameterless constructor: its members may start with values other than zero (Resources = new(), StopSignal = 15,
/// Masquerade = true, ...). <see cref="SpecHash"/> leaves members at these values out of the hash; the specs' JSON
/// reader (<see cref="Api.SpecJsonContext.Read{T}"/>) fills the members a JSON form leaves out with them. Records with
/// a primary constructor need no entry: its parameters' defaults say the same. A test checks the list is whole.
/// </summary>
public static class SpecDefaults
{
    public static IReadOnlyDictionary<Type, object> Templates { get; } = new Dictionary<Type, object>
    {
        [typeof(IsleSpec)] = new IsleSpec(),
        [typeof(IsleResources)] = new IsleResources(),
        [typeof(IsleSecurity)] = new IsleSecurity(),
        [typeof(VolumeMount)] = new VolumeMount { MountPath = null! },
        [typeof(IsleLogging)] = new IsleLogging(),
        [typeof(IsleHealthCheck)] = new IsleHealthCheck(),
        [typeof(IsleUpdate)] = new IsleUpdate(),
        [typeof(NetworkSpec)] = new NetworkSpec(),
        [typeof(VolumeSpec)] = new VolumeSpec(),
        [typeof(SourceSpec)] = new SourceSpec(),
        [typeof(GitSource)] = new GitSource(),
        [typeof(GitRef)] = new GitRef(),
    };
}
