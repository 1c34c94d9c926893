namespace Islander.Drivers.Images;

/// <summary>Per-pull choices.</summary>
/// <param name="Insecure">Speak plain HTTP to this registry (<c>--insecure</c>); loopback registries always are.</param>
public sealed record PullOptions(bool Insecure = false)
{
    public static PullOptions Default { get; } = new();
}
