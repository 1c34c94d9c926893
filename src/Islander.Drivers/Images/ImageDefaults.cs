namespace Islander.Drivers.Images;

/// <summary>What an OCI image config contributes to an isle's process.</summary>
public sealed record ImageDefaults(IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Cmd, IReadOnlyList<string> Env, string? WorkingDir, string? User)
{
    public static readonly ImageDefaults None = new([], [], [], null, null);
}
