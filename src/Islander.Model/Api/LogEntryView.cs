namespace Islander.Model.Api;

/// <summary>
/// One entry of an isle's log, as a line of Docker's json-file: <see cref="Log"/> is the line with its <c>\n</c> (none
/// when the line was split at 16 KiB or ended without one), <see cref="Stream"/> <c>stdout</c> or <c>stderr</c>,
/// <see cref="Time"/> when the shim read it (RFC 3339, nanoseconds, UTC). The log endpoint streams these as NDJSON.
/// </summary>
public sealed record LogEntryView(string Log, string Stream, string Time);
