using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Islander.Drivers.Rootfs;

/// <summary>
/// The project ids islander gives isles' writable layers: 3 000 000 000 to 3 999 999 999, far above the small numbers
/// administrators write in /etc/projid and that xfs_quota and Docker hand out (Docker counts up from its root's id + 1).
/// An isle's first candidate is derived from its name (the same on every start and in every daemon); a candidate
/// listed in /etc/projid or that the quota already charges or limits is skipped for the next one. The id chosen is
/// recorded on the layer's directory itself (<c>lsattr -dp STATE/isles/NAME/fs</c>), where the kernel keeps it.
/// </summary>
public static class ProjectIds
{
    public const uint First = 3_000_000_000;
    public const uint Count = 1_000_000_000;

    /// <summary>Whether <paramref name="id"/> is one islander hands out (and so may take back).</summary>
    public static bool IsIslanders(uint id) => id - First < Count;

    /// <summary>The ids to try for <paramref name="isle"/>, in order: from its name's hash on, wrapping within the range.</summary>
    public static IEnumerable<uint> Candidates(string isle)
    {
        uint start = BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(isle))) % Count;
        for (uint i = 0; i < Count; i++)
            yield return First + (start + i) % Count;
    }

    /// <summary>The ids of an /etc/projid (<c>name:id</c> lines, # comments), which belong to the administrator.</summary>
    public static IReadOnlySet<uint> Reserved(string? projid)
    {
        var ids = new HashSet<uint>();
        foreach (var line in (projid ?? "").Split('\n'))
        {
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
                continue;
            int colon = text.LastIndexOf(':');
            if (colon >= 0 && uint.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                ids.Add(id);
        }
        return ids;
    }
}
