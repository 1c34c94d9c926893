namespace Islander.Model;

/// <summary>Where an isle's stdout and stderr go (<c>logging.driver</c>), as Docker's log drivers of those names.</summary>
public enum LogDriver
{
    /// <summary><c>json-file</c>: STATE/isles/NAME/log.json, one JSON object per line, rotated by size (the default).</summary>
    JsonFile,

    /// <summary><c>journald</c>: each line an entry of the host's journal, with the isle's name as a field.</summary>
    Journald,
}
