using System.Text;
using Islander.Drivers.Interop;

namespace Islander.Drivers.Users;

/// <summary>
/// Reads an isle's /etc/passwd and /etc/group from its root filesystem, never the host's: each path is
/// resolved inside the root (openat2 RESOLVE_IN_ROOT), so a symlink in the image cannot lead elsewhere.
/// </summary>
public static class UserFiles
{
    /// <summary>Bigger files are refused rather than read into the daemon's memory (a real passwd is a few KiB).</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>
    /// Resolves <paramref name="user"/> (see <see cref="IsleUser.Resolve"/>) against the files of <paramref name="root"/>:
    /// the isle's prepared root filesystem (its overlay, so the image's layers and whiteouts count as the isle sees them).
    /// </summary>
    public static IsleUser Resolve(string root, string? user) =>
        IsleUser.Resolve(user, Read(root, "etc/passwd") is { } p ? PasswdFile.ParseUsers(p) : null,
            Read(root, "etc/group") is { } g ? PasswdFile.ParseGroups(g) : null);

    /// <summary>The users of <paramref name="root"/>'s /etc/passwd (empty when it has none), read the same safe way.</summary>
    public static IReadOnlyList<PasswdEntry> Users(string root) =>
        Read(root, "etc/passwd") is { } p ? PasswdFile.ParseUsers(p) : [];

    static string? Read(string root, string relative) =>
        FileInterop.ReadInRoot(root, relative, MaxBytes) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
}
