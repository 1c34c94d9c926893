namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] LoggingFields = ["driver", "maxSize", "maxFiles"];
    private static readonly string[] LogDriverNames = ["json-file", "journald"];
    private static readonly string[] JsonFileLimits = ["maxSize", "maxFiles"];

    /// <summary><c>logging: {driver: json-file|journald, maxSize: 10Mi, maxFiles: 3}</c>; null when the spec has none.</summary>
    private static IsleLogging? ReadLogging(Fields spec)
    {
        if (spec.Object("logging", LoggingFields) is not { } f) return null;
        var driver = LogDriver.JsonFile;
        if (f.String("driver") is { } name)
        {
            if (name == IsleLogging.Name(LogDriver.Journald)) driver = LogDriver.Journald;
            else if (name != IsleLogging.Name(LogDriver.JsonFile))
                f.Error("driver", $"\"{ManifestLimits.Excerpt(name, 40)}\" is not a log driver; use json-file (the default) or journald"
                    + Suggest.DidYouMean(name, LogDriverNames));
        }
        var maxSize = f.Bytes("maxSize");
        if (maxSize is < IsleLogging.MinimumMaxSize)
            f.Error("maxSize", $"{maxSize} bytes is below 128Ki, the size of the longest entry (a 16 KiB line, escaped); e.g. 10Mi");
        var maxFiles = (int?)f.Integer("maxFiles", 1, IsleLogging.MaximumMaxFiles);
        if (driver == LogDriver.Journald)
            foreach (var key in JsonFileLimits.Where(f.Has))
                f.Error(key, "is json-file's; the journal keeps its own limits (SystemMaxUse= in journald.conf): remove it, or use driver: json-file");
        return new IsleLogging { Driver = driver, MaxSize = maxSize is >= IsleLogging.MinimumMaxSize ? maxSize : null, MaxFiles = maxFiles };
    }
}
