namespace Islander.Drivers.Runtime;

/// <summary>Where the isle's stdin, stdout and stderr go.</summary>
public abstract record IsleStdio
{
    IsleStdio() { }

    /// <summary>The caller's own 0, 1 and 2 (foreground runs of the CLI).</summary>
    public static IsleStdio Inherit { get; } = new InheritStdio();

    /// <summary>stdin /dev/null; stdout and stderr appended to <paramref name="path"/> (created 0640).</summary>
    public static IsleStdio LogFile(string path) => new LogFileStdio(path);

    public sealed record InheritStdio : IsleStdio;

    public sealed record LogFileStdio(string Path) : IsleStdio;
}
