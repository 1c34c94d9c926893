namespace Islander.Drivers.Runtime;

/// <summary>Where isle-init's shim writes an isle's stdout and stderr (config tags <c>LOG_*</c>).</summary>
public abstract record IsleLogTarget
{
    IsleLogTarget() { }

    /// <summary>
    /// Docker's json-file at <paramref name="Path"/> (STATE/isles/NAME/log.json), rotated before it would pass
    /// <paramref name="MaxSize"/> bytes, <paramref name="MaxFiles"/> files kept (Path, Path.1, ...).
    /// </summary>
    public sealed record JsonFile(string Path, long MaxSize, int MaxFiles) : IsleLogTarget;

    /// <summary>journald's native protocol: one datagram per line to <paramref name="Socket"/>, with the isle's name as a field.</summary>
    public sealed record Journal(string Socket, string IsleName) : IsleLogTarget
    {
        /// <summary>Where journald listens for its native protocol (sd_journal_send's socket).</summary>
        public const string DefaultSocket = "/run/systemd/journal/socket";
    }
}
