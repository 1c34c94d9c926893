using System.Text.Json;

namespace Islander.Drivers.Security;

public sealed partial record SeccompProfile
{
    static readonly Dictionary<string, SeccompAction> Actions = new(StringComparer.Ordinal)
    {
        ["SCMP_ACT_KILL"] = SeccompAction.KillThread,
        ["SCMP_ACT_KILL_THREAD"] = SeccompAction.KillThread,
        ["SCMP_ACT_KILL_PROCESS"] = SeccompAction.KillProcess,
        ["SCMP_ACT_TRAP"] = SeccompAction.Trap,
        ["SCMP_ACT_ERRNO"] = SeccompAction.Errno,
        ["SCMP_ACT_TRACE"] = SeccompAction.Trace,
        ["SCMP_ACT_LOG"] = SeccompAction.Log,
        ["SCMP_ACT_ALLOW"] = SeccompAction.Allow,
    };

    static readonly Dictionary<string, SeccompOperator> Operators = new(StringComparer.Ordinal)
    {
        ["SCMP_CMP_NE"] = SeccompOperator.NotEqual,
        ["SCMP_CMP_LT"] = SeccompOperator.LessThan,
        ["SCMP_CMP_LE"] = SeccompOperator.LessOrEqual,
        ["SCMP_CMP_EQ"] = SeccompOperator.Equal,
        ["SCMP_CMP_GE"] = SeccompOperator.GreaterOrEqual,
        ["SCMP_CMP_GT"] = SeccompOperator.GreaterThan,
        ["SCMP_CMP_MASKED_EQ"] = SeccompOperator.MaskedEqual,
    };

    /// <summary>
    /// Reads a Docker-format profile. Keys are matched case-insensitively and unknown keys are ignored,
    /// as Go's encoding/json does for Docker. Every problem is reported at once.
    /// </summary>
    /// <param name="json">The profile text.</param>
    /// <param name="source">Where it came from (a path, "default"), for messages.</param>
    /// <exception cref="SeccompProfileException">Not JSON, or not a usable profile.</exception>
    public static SeccompProfile Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}: " : "";
            throw new SeccompProfileException(source, [$"{where}not valid JSON ({e.Message})"], e);
        }

        using (document)
        {
            var reader = new ProfileReader();
            var profile = reader.Profile(document.RootElement);
            if (reader.Problems.Count > 0 || profile is null)
                throw new SeccompProfileException(source, reader.Problems);
            return profile;
        }
    }

    /// <summary>Walks the JSON, collecting problems with their paths instead of stopping at the first.</summary>
    sealed class ProfileReader
    {
        public List<string> Problems { get; } = [];

        public SeccompProfile? Profile(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Problems.Add("the document must be a JSON object with defaultAction and syscalls");
                return null;
            }

            var defaultAction = Get(root, "defaultAction") is { } da ? Action(da, "defaultAction") : Missing("defaultAction");
            var defaultErrno = Get(root, "defaultErrnoRet") is { } de ? Errno(de, "defaultErrnoRet") : null;

            if (Get(root, "listenerPath") is { ValueKind: JsonValueKind.String } lp && lp.GetString() is { Length: > 0 })
                Problems.Add("listenerPath: seccomp user notification (SCMP_ACT_NOTIFY) is not supported by islander");
            if (Get(root, "flags") is { ValueKind: JsonValueKind.Array } flags && flags.GetArrayLength() > 0)
                Problems.Add("flags: SECCOMP_FILTER_FLAG_* are not supported by islander; remove them");

            var archMap = new List<SeccompArchMapEntry>();
            foreach (var (entry, path) in Array(root, "archMap"))
            {
                var arch = String(Get(entry, "architecture"), path + ".architecture", required: true);
                var subs = Strings(Get(entry, "subArchitectures"), path + ".subArchitectures");
                if (arch is not null)
                    archMap.Add(new SeccompArchMapEntry(arch, subs));
            }
            foreach (var arch in Strings(Get(root, "architectures"), "architectures"))
                archMap.Add(new SeccompArchMapEntry(arch, []));

            var rules = new List<SeccompSyscallRule>();
            foreach (var (entry, path) in Array(root, "syscalls"))
                if (Rule(entry, path) is { } rule)
                    rules.Add(rule);

            return defaultAction is { } action
                ? new SeccompProfile { DefaultAction = action, DefaultErrnoRet = defaultErrno, ArchMap = archMap, Syscalls = rules }
                : null;
        }

        SeccompSyscallRule? Rule(JsonElement entry, string path)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                Problems.Add($"{path}: must be an object with names and action");
                return null;
            }

            var names = Strings(Get(entry, "names"), path + ".names").ToList();
            if (String(Get(entry, "name"), path + ".name", required: false) is { Length: > 0 } single)
            {
                if (names.Count > 0)
                    Problems.Add($"{path}: use either name or names, not both");
                names.Add(single);
            }
            if (names.Count == 0)
                Problems.Add($"{path}.names: at least one syscall name is required");

            var action = Get(entry, "action") is { } a ? Action(a, path + ".action") : Missing(path + ".action");
            var errno = Get(entry, "errnoRet") is { } e ? Errno(e, path + ".errnoRet") : null;

            var args = new List<SeccompArgCondition>();
            foreach (var (arg, argPath) in Array(entry, "args", path))
                if (Arg(arg, argPath) is { } condition)
                    args.Add(condition);

            var includes = Filter(Get(entry, "includes"), path + ".includes");
            var excludes = Filter(Get(entry, "excludes"), path + ".excludes");
            var comment = Get(entry, "comment") is { ValueKind: JsonValueKind.String } c ? c.GetString() : null;

            return action is { } act && names.Count > 0
                ? new SeccompSyscallRule
                {
                    Names = names, Action = act, ErrnoRet = errno, Args = args,
                    Includes = includes, Excludes = excludes, Comment = comment,
                }
                : null;
        }

        SeccompArgCondition? Arg(JsonElement arg, string path)
        {
            if (arg.ValueKind != JsonValueKind.Object)
            {
                Problems.Add($"{path}: must be an object with index, value and op");
                return null;
            }
            var index = Get(arg, "index") is { } i ? UInt(i, path + ".index") : Missing<ulong>(path + ".index");
            if (index > 5)
            {
                Problems.Add($"{path}.index: {index} is out of range; syscalls have arguments 0 to 5");
                index = null;
            }
            var value = Get(arg, "value") is { } v ? UInt(v, path + ".value") : Missing<ulong>(path + ".value");
            var valueTwo = Get(arg, "valueTwo") is { } v2 ? UInt(v2, path + ".valueTwo") : 0;
            SeccompOperator? op = null;
            if (String(Get(arg, "op"), path + ".op", required: true) is { } name)
            {
                if (Operators.TryGetValue(name, out var o))
                    op = o;
                else
                    Problems.Add($"{path}.op: unknown operator \"{name}\"; expected one of {string.Join(", ", Operators.Keys)}");
            }
            return index is { } idx && value is { } val && valueTwo is { } val2 && op is { } oper
                ? new SeccompArgCondition((int)idx, val, val2, oper)
                : null;
        }

        SeccompRuleFilter? Filter(JsonElement? element, string path)
        {
            if (element is not { } filter || filter.ValueKind == JsonValueKind.Null)
                return null;
            if (filter.ValueKind != JsonValueKind.Object)
            {
                Problems.Add($"{path}: must be an object with caps, arches or minKernel");
                return null;
            }
            Version? minKernel = null;
            if (String(Get(filter, "minKernel"), path + ".minKernel", required: false) is { Length: > 0 } text)
            {
                if (Version.TryParse(text, out var version) && text.Contains('.'))
                    minKernel = version;
                else
                    Problems.Add($"{path}.minKernel: \"{text}\" is not a kernel version such as \"4.8\"");
            }
            return new SeccompRuleFilter
            {
                Caps = Strings(Get(filter, "caps"), path + ".caps"),
                Arches = Strings(Get(filter, "arches"), path + ".arches"),
                MinKernel = minKernel,
            };
        }

        SeccompAction? Action(JsonElement element, string path)
        {
            if (String(element, path, required: true) is not { } name)
                return null;
            if (Actions.TryGetValue(name, out var action))
                return action;
            Problems.Add(name == "SCMP_ACT_NOTIFY"
                ? $"{path}: SCMP_ACT_NOTIFY (user notification) is not supported by islander"
                : $"{path}: unknown action \"{name}\"; expected one of {string.Join(", ", Actions.Keys)}");
            return null;
        }

        uint? Errno(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Null)
                return null;
            if (element.ValueKind == JsonValueKind.Number && element.TryGetUInt32(out var errno) && errno <= (uint)SeccompReturn.DataMask)
                return errno;
            Problems.Add($"{path}: must be an errno number from 0 to 65535, got {element.GetRawText()}");
            return null;
        }

        ulong? UInt(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out var value))
                return value;
            Problems.Add($"{path}: must be an unsigned 64-bit integer, got {element.GetRawText()}");
            return null;
        }

        string? String(JsonElement? element, string path, bool required)
        {
            if (element is not { } e || e.ValueKind == JsonValueKind.Null)
            {
                if (required)
                    Problems.Add($"{path}: is required");
                return null;
            }
            if (e.ValueKind == JsonValueKind.String)
                return e.GetString();
            Problems.Add($"{path}: must be a string, got {e.GetRawText()}");
            return null;
        }

        IReadOnlyList<string> Strings(JsonElement? element, string path)
        {
            if (element is not { } e || e.ValueKind == JsonValueKind.Null)
                return [];
            if (e.ValueKind != JsonValueKind.Array)
            {
                Problems.Add($"{path}: must be a list of strings");
                return [];
            }
            var list = new List<string>();
            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                if (String(item, $"{path}[{i}]", required: true) is { } s)
                    list.Add(s);
                i++;
            }
            return list;
        }

        IEnumerable<(JsonElement Item, string Path)> Array(JsonElement parent, string name, string? parentPath = null)
        {
            var path = parentPath is null ? name : $"{parentPath}.{name}";
            if (Get(parent, name) is not { } e || e.ValueKind == JsonValueKind.Null)
                yield break;
            if (e.ValueKind != JsonValueKind.Array)
            {
                Problems.Add($"{path}: must be a list");
                yield break;
            }
            var i = 0;
            foreach (var item in e.EnumerateArray())
                yield return (item, $"{path}[{i++}]");
        }

        SeccompAction? Missing(string path)
        {
            Problems.Add($"{path}: is required");
            return null;
        }

        T? Missing<T>(string path) where T : struct
        {
            Problems.Add($"{path}: is required");
            return null;
        }

        /// <summary>A property by name, case-insensitively (as Go's encoding/json matches keys).</summary>
        static JsonElement? Get(JsonElement obj, string name)
        {
            if (obj.ValueKind != JsonValueKind.Object)
                return null;
            if (obj.TryGetProperty(name, out var exact))
                return exact;
            foreach (var property in obj.EnumerateObject())
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                    return property.Value;
            return null;
        }
    }
}
