using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// The desired state of one key: its last good version (null if it never had one), where it comes from (a
/// manifest file, or <see cref="State.DesiredRecord.ApiOrigin"/>), its generation (+1 per spec change) and the
/// problems of its current manifest. Problems never replace the last good version.
/// </summary>
public sealed record DesiredEntry(ObjectKey Key, string Origin, long Generation, DesiredObject? Object, IReadOnlyList<string> Problems, DateTimeOffset CreatedAt)
{
    public bool FromApi => Origin == State.DesiredRecord.ApiOrigin;
}
