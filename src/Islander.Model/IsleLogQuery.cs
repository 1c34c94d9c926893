namespace Islander.Model;

/// <summary>
/// Which entries of an isle's log to read (<c>islanderctl logs</c>' flags): those from <see cref="Since"/> up to
/// <see cref="Until"/> (both inclusive), of them the last <see cref="Tail"/>, then with <see cref="Follow"/> each new one
/// until the isle's run ends (or <see cref="Until"/> has passed).
/// </summary>
public sealed record IsleLogQuery(int? Tail = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null, bool Follow = false)
{
    public bool Includes(DateTimeOffset time) => (Since is not { } s || time >= s) && (Until is not { } u || time <= u);
}
