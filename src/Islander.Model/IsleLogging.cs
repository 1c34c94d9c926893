namespace Islander.Model;

/// <summary>
/// An isle's <c>logging</c>: the driver and, for json-file, the size a log file may reach before it is rotated and how
/// many files are kept (the daemon's <c>logs:</c> defaults where the spec sets none). The log never takes more than
/// <see cref="MaxSize"/> × <see cref="MaxFiles"/> on disk.
/// </summary>
public sealed record IsleLogging
{
    /// <summary>
    /// The smallest file that holds the longest entry: a line is split at 16 KiB (as Docker's), and a line of control
    /// bytes is six times that once escaped as JSON (\u0001). With less, one entry could take a file past its size.
    /// </summary>
    public const long MinimumMaxSize = 128 * 1024;

    /// <summary>The daemon's defaults without a config file: Docker's size (its local driver's 20 MB is per 5 files) and count.</summary>
    public const long DefaultMaxSize = 10L << 20;

    public const int DefaultMaxFiles = 3;

    /// <summary>At most this many files per isle (log.json.99 is the oldest).</summary>
    public const int MaximumMaxFiles = 100;

    public LogDriver Driver { get; init; } = LogDriver.JsonFile;

    /// <summary>Bytes of log.json before it is rotated; null: the daemon's default.</summary>
    public long? MaxSize { get; init; }

    /// <summary>Files kept, log.json included; null: the daemon's default.</summary>
    public int? MaxFiles { get; init; }

    /// <summary>The manifest's name of a driver: <c>json-file</c>, <c>journald</c>.</summary>
    public static string Name(LogDriver driver) => driver == LogDriver.Journald ? "journald" : "json-file";
}
