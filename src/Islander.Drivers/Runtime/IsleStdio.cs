namespace Islander.Drivers.Runtime;

/// <summary>Where the isle's stdin, stdout and stderr go.</summary>
public abstract record IsleStdio
{
    IsleStdio() { }

    /// <summary>The caller's own 0, 1 and 2 (foreground runs of the CLI).</summary>
    public static IsleStdio Inherit { get; } = new InheritStdio();

    /// <summary>stdin /dev/null; stdout and stderr through two pipes to the shim, which writes them to <paramref name="target"/>.</summary>
    public static IsleStdio Log(IsleLogTarget target) => new LogStdio(target);

    public sealed record InheritStdio : IsleStdio;

    public sealed record LogStdio(IsleLogTarget Target) : IsleStdio;
}
