using System.Net;

namespace Islander.Model.Tests.Reconcile;

/// <summary>Builders for desired and actual state in diff tests.</summary>
internal static class States
{
    public static IsleManifest Isle(string name, Func<IsleSpec, IsleSpec>? configure = null) =>
        new(new ObjectMeta(name), (configure ?? (s => s))(new IsleSpec { Image = "busybox:1.36" }), ManifestSource.None);

    public static NetworkManifest Network(string name, string subnet = "10.88.0.0/24") =>
        new(new ObjectMeta(name), new NetworkSpec { Subnet = IPNetwork.Parse(subnet) }, ManifestSource.None);

    public static VolumeManifest Volume(string name, ReclaimPolicy policy = ReclaimPolicy.Retain, VolumeDriverKind driver = default) =>
        new(new ObjectMeta(name), new VolumeSpec { Driver = driver, ReclaimPolicy = policy }, ManifestSource.None);

    public static DesiredState Desired(params Manifest[] objects) => DesiredState.From(objects);

    /// <summary>The actual state of exactly these objects, every isle running.</summary>
    public static ActualState InSync(params Manifest[] objects) => new(
        objects.OfType<IsleManifest>().Select(i => Running(i)).ToList(),
        objects.OfType<NetworkManifest>().Select(n => new ActualNetwork(n.Name, n.Spec)).ToList(),
        objects.OfType<VolumeManifest>().Select(v => new ActualVolume(v.Name, v.Spec)).ToList());

    public static ActualIsle Running(IsleManifest isle, IslePhase phase = IslePhase.Running, bool alive = true, int? exitCode = null) =>
        new(isle.Name, SpecHash.Of(isle.Spec), phase, alive)
        {
            ExitCode = exitCode,
            Networks = isle.Spec.Networks.Select(n => n.Name).ToList(),
            Volumes = isle.Spec.Volumes.Select(v => v.Name).OfType<string>().ToList(),
            DependsOn = isle.Spec.DependsOn,
        };

    public static ActualState With(this ActualState state, params ActualIsle[] isles) =>
        state with { Isles = state.Isles.Where(i => isles.All(x => x.Name != i.Name)).Concat(isles).ToList() };

    public static IsleSpec On(this IsleSpec spec, params string[] networks) =>
        spec with { Networks = networks.Select(n => new NetworkAttachment(n)).ToList() };

    public static IsleSpec Mounting(this IsleSpec spec, params string[] volumes) =>
        spec with { Volumes = volumes.Select(v => new VolumeMount { Name = v, MountPath = "/" + v }).ToList() };

    public static IsleSpec After(this IsleSpec spec, params string[] isles) => spec with { DependsOn = isles };

    /// <summary>The plan's actions as their one-line descriptions.</summary>
    public static string[] Lines(this Plan plan) => plan.Actions.Select(a => a.Describe()).ToArray();
}
