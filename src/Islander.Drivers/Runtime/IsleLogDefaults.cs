using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>
/// The log settings of isles whose spec leaves them out: islanderd's <c>logs: {maxSize, maxFiles}</c>, and where the
/// journal listens and where its files are (null: the system's; a test points both at a journald of its own).
/// </summary>
public sealed record IsleLogDefaults(long MaxSize = IsleLogging.DefaultMaxSize, int MaxFiles = IsleLogging.DefaultMaxFiles,
    string JournalSocket = IsleLogTarget.Journal.DefaultSocket, string? JournalDirectory = null);
