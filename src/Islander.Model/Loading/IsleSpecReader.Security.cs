namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] SecurityFields = ["privileged", "capAdd", "capDrop", "seccomp", "readOnlyRootFilesystem", "noNewPrivileges", "userNamespace"];
    private static readonly string[] MappingFields = ["containerId", "hostId", "size"];

    /// <summary>The kernel takes at most 340 lines in uid_map/gid_map (since Linux 4.15).</summary>
    private const int MaxIdMappings = 340;

    private static IsleSecurity ReadSecurity(Fields s)
    {
        var seccomp = s.String("seccomp") ?? "default";
        if (seccomp is not ("default" or "unconfined") && !seccomp.StartsWith('/'))
        {
            s.Error("seccomp", $"\"{seccomp}\" is not a seccomp profile; use default, unconfined, or the absolute path of a Docker-format JSON profile");
        }
        return new IsleSecurity
        {
            Privileged = s.Bool("privileged") ?? false,
            CapAdd = ReadCapabilities(s, "capAdd"),
            CapDrop = ReadCapabilities(s, "capDrop"),
            Seccomp = seccomp,
            ReadOnlyRootFilesystem = s.Bool("readOnlyRootFilesystem") ?? false,
            NoNewPrivileges = s.Bool("noNewPrivileges") ?? false,
            UserNamespace = s.Object("userNamespace", UserNamespaceFields) is { } u ? ReadUserNamespace(u) : null,
        };
    }

    private static IReadOnlyList<string> ReadCapabilities(Fields s, string key)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return s.List(key, (node, path) =>
        {
            if (s.Reader.String(node, path) is not { } name) return null;
            if (Capabilities.Normalize(name) is not { } cap)
            {
                s.Reader.Error(node, path, $"\"{name}\" is not a capability; use a name from capabilities(7) such as NET_ADMIN or CAP_NET_ADMIN, or ALL{Suggest.DidYouMean(name.ToUpperInvariant(), Capabilities.Known)}");
                return null;
            }
            return seen.Add(cap) ? cap : null;
        }, "[NET_ADMIN]");
    }

    private static UserNamespace ReadUserNamespace(Fields u)
    {
        var uids = ReadIdMappings(u, "uidMappings");
        var gids = ReadIdMappings(u, "gidMappings");
        return new UserNamespace(uids, gids);
    }

    private static IReadOnlyList<IdMapping> ReadIdMappings(Fields u, string key)
    {
        if (!u.Has(key))
        {
            u.Required(key, "map at least one range, e.g. [{containerId: 0, hostId: 100000, size: 65536}]");
            return [];
        }
        var mappings = u.List(key, (node, path) =>
        {
            if (u.Reader.Object(node, path, MappingFields) is not { } f) return null;
            var containerId = f.Integer("containerId", 0, uint.MaxValue - 1);
            var hostId = f.Integer("hostId", 0, uint.MaxValue - 1);
            var size = f.Integer("size", 1, uint.MaxValue);
            foreach (var field in MappingFields)
            {
                if (!f.Has(field)) f.Required(field, "a mapping needs containerId, hostId and size");
            }
            if (containerId is null || hostId is null || size is null) return null;
            if (containerId + size > uint.MaxValue || hostId + size > uint.MaxValue)
            {
                f.Error("size", "the range goes past the last id (4294967294); make it smaller");
                return null;
            }
            return new IdMapping(containerId.Value, hostId.Value, size.Value);
        }, "[{containerId: 0, hostId: 100000, size: 65536}]");

        var path = u.PathOf(key);
        if (u.Get(key) is SequenceNode { Items.Count: 0 } empty)
        {
            u.Reader.Error(empty, path, "is empty; map at least one range");
        }
        if (mappings.Count > MaxIdMappings)
        {
            u.Error(key, $"has {mappings.Count} ranges; the kernel takes at most {MaxIdMappings}");
        }
        CheckOverlap(u, key, mappings, m => m.ContainerId, "container");
        CheckOverlap(u, key, mappings, m => m.HostId, "host");
        return mappings;
    }

    private static void CheckOverlap(Fields u, string key, IReadOnlyList<IdMapping> mappings, Func<IdMapping, long> start, string side)
    {
        var sorted = mappings.OrderBy(start).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (start(sorted[i]) < start(sorted[i - 1]) + sorted[i - 1].Size)
            {
                u.Error(key, $"{side} ranges overlap at id {start(sorted[i])}; the kernel rejects overlapping ranges");
                return;
            }
        }
    }
}
