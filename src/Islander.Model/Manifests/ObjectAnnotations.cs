namespace Islander.Model;

/// <summary>The <c>metadata.annotations</c> islanderd reads (keys under <c>islander.io/</c>).</summary>
public static class ObjectAnnotations
{
    /// <summary>
    /// <c>islander.io/prune: disabled</c> keeps the object (desired and running) when its manifest goes, as Flux's
    /// <c>kustomize.toolkit.fluxcd.io/prune: disabled</c> does; <c>enabled</c> is the default.
    /// </summary>
    public const string Prune = "islander.io/prune";

    public const string PruneDisabled = "disabled";
    public const string PruneEnabled = "enabled";

    /// <summary>Whether <paramref name="annotations"/> keep their object when its manifest goes.</summary>
    public static bool KeepsWhenManifestGoes(IReadOnlyDictionary<string, string> annotations) =>
        annotations.TryGetValue(Prune, out var value) && value == PruneDisabled;
}
