using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Islander.Model;

/// <summary>
/// The JSON Schema (draft-07, which yaml-language-server reads best) of the manifest kinds, generated from the loader's
/// own field lists (<see cref="IsleSpecReader.FieldLists"/> and the other readers'), names (<see cref="ObjectKind"/>,
/// the enums, the drivers of a <see cref="DriverCatalog"/>) and patterns (<see cref="Names"/>,
/// <see cref="Quantity.BytesPattern"/>, <see cref="Durations"/>). Generation fails while a reader takes a field that the
/// schema does not describe, or the other way round, so the published file cannot drift from the loader.
/// </summary>
/// <remarks>
/// The schema is the loader's rules that JSON Schema can say: the shape, the types, the names and forms, the fields that
/// exclude each other. It accepts everything the loader accepts (a test checks the shipped examples and every valid
/// golden manifest); the loader alone knows what needs the whole file or the host (duplicates, a gateway inside its
/// subnet, overlapping id ranges, oomGroup on cgroup v1). As in the loader, a field set to null is a field left out,
/// and a string field takes any scalar (<c>value: 8080</c>).
/// </remarks>
public static class ManifestSchema
{
    /// <summary>Where the repository publishes it, from its root.</summary>
    public const string DocsPath = "docs/manifest.schema.json";

    /// <summary>The schema as the committed file holds it: indented JSON, one trailing newline.</summary>
    public static string Generate(DriverCatalog drivers)
    {
        var generator = new Generator(drivers);
        var schema = generator.Build();
        generator.CheckEveryListDescribed();
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private sealed class Generator(DriverCatalog drivers)
    {
        private readonly Dictionary<string, IReadOnlyCollection<string>> _lists = new(IsleSpecReader.FieldLists)
        {
            ["Manifest"] = ManifestLoader.TopLevelFields,
            ["Metadata"] = MetadataReader.Fields,
            ["NetworkSpec"] = NetworkSpecReader.Fields,
            ["VolumeSpec"] = VolumeSpecReader.Fields,
            ["SourceSpec"] = SourceSpecReader.Fields,
            ["GitSource"] = SourceSpecReader.GitFields,
            ["GitRef"] = SourceSpecReader.RefFields,
        };
        private readonly JsonObject _definitions = new();
        private readonly HashSet<string> _described = new(StringComparer.Ordinal);

        public JsonObject Build()
        {
            var kinds = System.Enum.GetNames<ObjectKind>();
            var specs = new Dictionary<string, string>
            {
                [nameof(ObjectKind.Isle)] = Define("IsleSpec", "An isle: one container, its process, limits, networks and volumes.", IsleSpec()),
                [nameof(ObjectKind.Network)] = Define("NetworkSpec", "A bridge network with a subnet; isles attached to it get an address and each other's names.", NetworkSpec()),
                [nameof(ObjectKind.Volume)] = Define("VolumeSpec", "Named, persistent storage mounted into isles.", VolumeSpec()),
                [nameof(ObjectKind.Source)] = Define("SourceSpec", "A git repository whose manifests under path are applied as one revision.", SourceSpec()),
            };
            foreach (var kind in kinds.Where(k => !specs.ContainsKey(k)))
                throw new InvalidOperationException($"kind {kind} has no spec in the schema; describe it in {nameof(ManifestSchema)}");
            Define("Metadata", "The object's name and labels.", Object("Metadata", [
                ("name", Text($"The object's name, unique per kind: {Names.DnsLabelRule}.", Names.DnsLabelPattern, 63)),
                ("labels", Labels()),
                ("annotations", new JsonObject { ["description"] = "Free-form notes for tools and people.", ["type"] = Types("object", "null"), ["additionalProperties"] = AnyScalar("A note.") })], "name"));

            var manifest = Object("Manifest", [
                ("apiVersion", new JsonObject { ["description"] = "The manifest format's version.", ["const"] = Manifest.ApiVersion }),
                ("kind", new JsonObject { ["description"] = "The kind of object.", ["enum"] = Values(kinds) }),
                ("metadata", Ref("Metadata")),
                ("spec", new JsonObject { ["description"] = "What the object should be; its fields depend on kind." }),
                ("status", new JsonObject { ["description"] = "As islanderctl get -o yaml prints it: accepted and ignored, so that output can be applied again." })]);
            manifest["type"] = "object";
            manifest["required"] = Values("apiVersion", "kind", "metadata");
            manifest["allOf"] = new JsonArray([.. kinds.Select(kind => (JsonNode)new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { ["kind"] = new JsonObject { ["const"] = kind } }, ["required"] = Values("kind") },
                // An isle without a spec has no image, a source no repository; a network or volume takes every default.
                ["then"] = kind is nameof(ObjectKind.Isle) or nameof(ObjectKind.Source)
                    ? new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["properties"] = new JsonObject { ["spec"] = Ref(specs[kind]) } }, Has("spec")) }
                    : new JsonObject { ["properties"] = new JsonObject { ["spec"] = Ref(specs[kind]) } },
            })]);

            var schema = new JsonObject
            {
                ["$schema"] = "http://json-schema.org/draft-07/schema#",
                ["title"] = "Islander manifest",
                ["description"] = $"One document of an Islander manifest ({string.Join(", ", kinds)}). Generated from the manifest loader's rules; "
                    + "regenerate it rather than edit it.",
            };
            foreach (var (key, value) in manifest.ToList())
            {
                manifest.Remove(key);
                schema[key] = value;
            }
            schema["definitions"] = _definitions;
            return schema;
        }

        public void CheckEveryListDescribed()
        {
            var missing = _lists.Keys.Where(name => !_described.Contains(name)).Order(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
                throw new InvalidOperationException($"the loader reads mappings that the schema does not describe: {string.Join(", ", missing)}; add them in {nameof(ManifestSchema)}");
        }

        private JsonObject IsleSpec()
        {
            var spec = Object("IsleSpec", [
                ("image", Text("An OCI image reference, e.g. busybox:1.36 or localhost:5000/app:v1; pulled when missing. Set image or rootfs.")),
                ("rootfs", AbsolutePath("A directory to run on as the root filesystem, e.g. /srv/rootfs/debian. Set image or rootfs.")),
                ("command", Strings("The program and its first arguments (the image's entrypoint when unset), e.g. [/bin/httpd, -f].")),
                ("args", Strings("Arguments after command (the image's cmd when unset).")),
                ("env", List("Environment variables.", Ref(Define("EnvVar", "One environment variable.", Object("EnvVar", [
                    ("name", Text("The variable's name: not empty, no '='.", "^[^=\\u0000]+$")),
                    ("value", AnyScalar("Its value; unset is empty."))], "name"))))),
                ("workingDir", AbsolutePath("The directory the process starts in, e.g. /app.")),
                ("hostname", Text("The isle's hostname (default: metadata.name): labels of a-z, A-Z, 0-9 and '-' separated by dots, at most 64 characters.",
                    $"^{Unanchored(Names.HostLabelPattern)}(?:\\.{Unanchored(Names.HostLabelPattern)})*$", 64)),
                ("user", Text("The user (and group) to run as: a name, uid, name:group or uid:gid, e.g. \"1000:1000\" (quoted); names are looked up in the isle's /etc/passwd.",
                    IsleSpecReader.UserPattern)),
                ("restartPolicy", Choice<RestartPolicy>("When the daemon restarts the isle's process: Always (default), OnFailure, Never.")),
                ("resources", Ref(Define("Resources", "Limits, applied to the running isle in place when changed (but disk).", Resources()))),
                ("security", Ref(Define("Security", "Privileges, capabilities, seccomp and user namespace.", Security()))),
                ("hostNetwork", Bool("Share the host's network (no networks, no ports).")),
                ("networks", List("Bridge networks to attach to, by Network name; the first has the default route.",
                    Ref(Define("NetworkAttachment", "An attachment to a network.", Object("NetworkAttachment", [
                        ("name", Name("A Network object's name.")),
                        ("ip", Text("A static address in the network's subnet; a free one when unset.", "^[0-9A-Fa-f.:]+$"))], "name"))))),
                ("ports", List("Ports published on the host (need a network).", Ref(Define("Port", "A published port.", Object("Port", [
                    ("containerPort", Int("The port the isle listens on.", 1, 65535)),
                    ("hostPort", Int("The host port to publish on.", 1, 65535)),
                    ("protocol", new JsonObject { ["description"] = "tcp (default) or udp.", ["enum"] = Values("tcp", "udp", "TCP", "UDP", null) }),
                    ("hostIp", Text("The host address to publish on; all when unset.", "^[0-9A-Fa-f.:]+$"))], "containerPort", "hostPort"))))),
                ("volumes", List("Mounts: a named Volume, a host path, a tmpfs or a config file beside the manifest.", Ref(Define("VolumeMount", "One mount; set one of name, hostPath, tmpfs and configFile.", VolumeMount())))),
                ("dependsOn", List("Isles to start first: a name (waits until it runs) or {name, condition: Healthy}.", new JsonObject
                {
                    ["anyOf"] = new JsonArray(Name("An isle's name."), Ref(Define("Dependency", "A dependency with its condition.", Object("Dependency", [
                        ("name", Name("An isle's name.")),
                        ("condition", Choice<DependencyCondition>("Running (default) or Healthy (needs that isle's healthcheck)."))], "name")))),
                })),
                ("stopSignal", Signal("The signal that asks the isle to stop (default SIGTERM): a name such as SIGTERM, TERM or SIGRTMIN+3, or a number.")),
                ("stopTimeout", Duration("How long a stop waits after the stop signal before SIGKILL (default 10s).")),
                ("logging", Ref(Define("Logging", "Where the isle's output goes and how much is kept (unset fields: the daemon's logs: defaults).", Logging()))),
                ("healthcheck", Ref(Define("Healthcheck", "A check run in the isle; set one of exec, http and tcp.", Healthcheck()))),
                ("update", Ref(Define("Update", "How a restart or recreate edit is rolled out: the new generation must become healthy in time, or the last good one comes back.", Object("Update", [
                    ("healthTimeout", Duration("How long the new generation has to become healthy, or to run minHealthyTime without a healthcheck (at least 1s, default 60s).")),
                    ("rollback", Bool("Start the last good generation again when the new one fails (default true).")),
                    ("snapshotVolumes", Bool("Snapshot the isle's dir and btrfs volumes before the update and restore them on rollback (default false).")),
                    ("minHealthyTime", Duration("Without a healthcheck, how long the new generation must run (shorter than healthTimeout, default 10s)."))])))),
                ("stdin", Bool("Keep PID 1's stdin open for attach (docker -i).")),
                ("tty", Bool("Run PID 1 on a terminal (docker -t)."))]);
            spec["anyOf"] = new JsonArray(Has("image"), Has("rootfs"));
            spec["allOf"] = new JsonArray(
                Not(Has("image", "rootfs"), "set only one of image and rootfs"),
                new JsonObject
                {
                    ["if"] = new JsonObject { ["properties"] = new JsonObject { ["hostNetwork"] = new JsonObject { ["const"] = true } }, ["required"] = Values("hostNetwork") },
                    ["then"] = Not(new JsonObject { ["anyOf"] = new JsonArray(Has("networks"), Has("ports")) }, "an isle with hostNetwork: true has no networks or ports"),
                },
                new JsonObject
                {
                    ["if"] = new JsonObject { ["properties"] = new JsonObject { ["ports"] = new JsonObject { ["type"] = "array", ["minItems"] = 1 } }, ["required"] = Values("ports") },
                    ["then"] = new JsonObject { ["anyOf"] = new JsonArray(Has("networks"), new JsonObject { ["properties"] = new JsonObject { ["hostNetwork"] = new JsonObject { ["const"] = true } }, ["required"] = Values("hostNetwork") }) },
                });
            return spec;
        }

        private JsonObject Resources()
        {
            var resources = Object("Resources", [
                ("memory", Bytes("Hard memory limit, e.g. 64Mi (at least 1Mi).")),
                ("cpu", new JsonObject
                {
                    ["description"] = "CPUs, e.g. 0.5 or 500m (quota = cpu × period); finer than 1m is refused.",
                    ["type"] = Types("string", "number", "null"), ["pattern"] = Quantity.CpuPattern, ["exclusiveMinimum"] = 0,
                }),
                ("cpuShares", Int("Relative CPU weight in cgroup v1 units (1024 is the default; v2: converted to cpu.weight).", 2, 262144)),
                ("cpuPeriod", Int("CFS period, µs.", 1000, 1_000_000)),
                ("cpuQuota", Int("CFS quota, µs: the raw form of cpu.", 1000, long.MaxValue / 2)),
                ("cpuset", Text("CPUs the isle may run on, e.g. \"0\", \"0-3\" or \"0,2-3\".", IsleSpecReader.CpusetPattern)),
                ("pids", new JsonObject
                {
                    ["description"] = $"At most this many tasks (max or 0: no limit; unset: {IsleResources.DefaultPids}).",
                    ["anyOf"] = new JsonArray(Int("Tasks.", 0, 4_194_304), new JsonObject { ["const"] = "max" }),
                }),
                ("disk", Bytes("Size of the writable layer, e.g. 1Gi (at least 1Mi; a change recreates the isle).")),
                ("io", List("Block device limits.", Ref(Define("IoLimit", "Limits on one block device; set at least one.", IoLimit())))),
                ("oomGroup", Bool("On OOM, kill the whole isle together (cgroup v2 only)."))]);
            resources["allOf"] = new JsonArray(Not(Has("cpu", "cpuQuota"), "set either cpu or cpuQuota"));
            return resources;
        }

        private JsonObject IoLimit()
        {
            var io = Object("IoLimit", [
                ("device", AbsolutePath("The block device, e.g. /dev/vda.")),
                ("readBps", Bytes("Read bytes per second, e.g. 10Mi.")),
                ("writeBps", Bytes("Write bytes per second.")),
                ("readIops", Int("Read operations per second.", 1, long.MaxValue)),
                ("writeIops", Int("Write operations per second.", 1, long.MaxValue))]);
            io["required"] = Values("device");
            io["anyOf"] = new JsonArray([.. IsleSpecReader.IoLimits.Select(k => (JsonNode)Has(k))]);
            return io;
        }

        private JsonObject Security() => Object("Security", [
            ("privileged", Bool("All capabilities, no seccomp filter, the host's devices.")),
            ("capAdd", List("Capabilities to add, e.g. [NET_ADMIN] (with or without CAP_), or ALL.", Capability())),
            ("capDrop", List("Capabilities to drop, or ALL.", Capability())),
            ("seccomp", Text("default, unconfined, or the absolute path of a Docker-format JSON profile.", "^(?:default|unconfined|/.*)$")),
            ("readOnlyRootFilesystem", Bool("Mount the root filesystem read-only.")),
            ("noNewPrivileges", Bool("Set no_new_privs: setuid binaries gain nothing.")),
            ("userNamespace", Ref(Define("UserNamespace", "Id ranges mapped into the isle's user namespace.", Object("UserNamespace", [
                ("uidMappings", IdMappings("User id ranges.")),
                ("gidMappings", IdMappings("Group id ranges."))], "uidMappings", "gidMappings"))))]);

        private JsonObject IdMappings(string description)
        {
            var list = List(description, Ref(Define("IdMapping", "A range of ids.", Object("IdMapping", [
                ("containerId", Int("First id inside the isle.", 0, uint.MaxValue - 1)),
                ("hostId", Int("First id on the host.", 0, uint.MaxValue - 1)),
                ("size", Int("How many ids.", 1, uint.MaxValue))], "containerId", "hostId", "size"))));
            list["minItems"] = 1;
            list["maxItems"] = 340;
            return list;
        }

        private JsonObject VolumeMount()
        {
            var mount = Object("VolumeMount", [
                ("name", Name("A Volume object's name.")),
                ("hostPath", AbsolutePath("A host directory or file to bind, e.g. /srv/www.")),
                ("tmpfs", Ref(Define("Tmpfs", "A tmpfs made for the isle.", Object("Tmpfs", [
                    ("size", Bytes("Its size, e.g. 64Mi (default: half of RAM).")),
                    ("mode", new JsonObject
                    {
                        ["description"] = "Octal permissions, e.g. 1777 or 0755 (always read as octal).",
                        ["type"] = Types("string", "integer", "null"), ["pattern"] = "^(?:0o)?[0-7]{1,5}$",
                    })])))),
                ("configFile", Text("A file beside the manifest (a path relative to its directory, inside the manifests tree), mounted read-only, e.g. nginx.conf.", "^[^/\\u0000].*$")),
                ("configData", Text("The config file's content, base64: islanderctl apply fills it from configFile; leave it out.", "^[A-Za-z0-9+/=\\s]*$")),
                ("onChange", new JsonObject
                {
                    ["description"] = "What a new content of the config file does: restart (default) or {signal: HUP} (written in place, then the signal to PID 1).",
                    ["anyOf"] = new JsonArray(new JsonObject { ["enum"] = Values("restart", null) },
                        Ref(Define("OnChange", "A signal sent to the isle's PID 1 once the new content is in place.", Object("OnChange", [
                            ("signal", Signal("The signal the isle reloads on, e.g. HUP: a name such as SIGHUP or HUP, or a number."))], "signal")))),
                }),
                ("mountPath", AbsolutePath("Where the isle sees it, e.g. /data (not /).")),
                ("readOnly", Bool("Mount it read-only."))]);
            mount["required"] = Values("mountPath");
            mount["anyOf"] = new JsonArray([.. IsleSpecReader.VolumeSources.Select(s => (JsonNode)Has(s))]);
            mount["allOf"] = new JsonArray(ExactlyOneOf(IsleSpecReader.VolumeSources, "set only one of name, hostPath, tmpfs and configFile"));
            return mount;
        }

        private JsonObject Healthcheck()
        {
            var check = Object("Healthcheck", [
                ("exec", Strings("A command run in the isle, e.g. [pg_isready]; exit 0 is healthy.", minItems: 1)),
                ("http", Ref(Define("HttpProbe", "An HTTP GET to 127.0.0.1 in the isle's network; 200-399 is healthy.", Object("HttpProbe", [
                    ("port", Int("The port.", 1, 65535)),
                    ("path", Text("The request path, e.g. /healthz (default /).", "^/[!-~]*$", 2048))], "port")))),
                ("tcp", Ref(Define("TcpProbe", "A TCP connect to 127.0.0.1 in the isle's network.", Object("TcpProbe", [
                    ("port", Int("The port.", 1, 65535))], "port")))),
                ("interval", Duration("Time between checks (at least 1s, default 10s).")),
                ("timeout", Duration("A check that takes longer fails (default 5s).")),
                ("retries", Int("Failures in a row that make the isle unhealthy (default 3).", 1, 1000)),
                ("startPeriod", Duration("Failures this soon after the start are not counted until the first pass (default 0)."))]);
            check["anyOf"] = new JsonArray([.. IsleSpecReader.HealthProbes.Select(p => (JsonNode)Has(p))]);
            check["allOf"] = new JsonArray(ExactlyOneOf(IsleSpecReader.HealthProbes, "set only one of exec, http and tcp"));
            return check;
        }

        private JsonObject Logging()
        {
            var logging = Object("Logging", [
                ("driver", new JsonObject { ["description"] = "json-file (default) or journald.", ["enum"] = Values([.. IsleSpecReader.LogDrivers, null]) }),
                ("maxSize", Bytes("json-file: the size at which a file is rotated (at least 128Ki).")),
                ("maxFiles", Int("json-file: how many files are kept.", 1, IsleLogging.MaximumMaxFiles))]);
            logging["allOf"] = new JsonArray(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { ["driver"] = new JsonObject { ["const"] = IsleLogging.Name(LogDriver.Journald) } }, ["required"] = Values("driver") },
                ["then"] = Not(new JsonObject { ["anyOf"] = new JsonArray(Has("maxSize"), Has("maxFiles")) }, "maxSize and maxFiles are json-file's; the journal keeps its own limits"),
            });
            return logging;
        }

        private JsonObject NetworkSpec()
        {
            var spec = Object("NetworkSpec", [
                ("driver", new JsonObject { ["description"] = "The network driver (default bridge).", ["enum"] = Values([.. drivers.Networks.Select(n => n.Name), null]) }),
                ("subnet", Text("CIDR, e.g. 10.88.0.0/24 (default: a free /24 of the daemon's pool).", "^[0-9A-Fa-f.:]+/[0-9]{1,3}$")),
                ("gateway", Text("The bridge's address in the subnet, e.g. 10.88.0.1.", "^[0-9A-Fa-f.:]+$")),
                ("masquerade", Bool("NAT traffic out of the subnet (default true, false when internal).")),
                ("internal", Bool("No route out of the subnet."))]);
            spec["allOf"] = new JsonArray(
                new JsonObject { ["if"] = Has("gateway"), ["then"] = Has("subnet") },
                new JsonObject
                {
                    ["if"] = new JsonObject { ["properties"] = new JsonObject { ["internal"] = new JsonObject { ["const"] = true } }, ["required"] = Values("internal") },
                    ["then"] = Not(new JsonObject { ["properties"] = new JsonObject { ["masquerade"] = new JsonObject { ["const"] = true } }, ["required"] = Values("masquerade") },
                        "an internal network cannot masquerade"),
                });
            return spec;
        }

        private JsonObject VolumeSpec()
        {
            var sized = drivers.Volumes.Where(v => v.Capabilities.HasFlag(VolumeCapabilities.SizeLimit)).Select(v => v.Kind.Name).ToList();
            var spec = Object("VolumeSpec", [
                ("driver", new JsonObject { ["description"] = "The volume driver (default dir).", ["enum"] = Values([.. drivers.Volumes.Select(v => v.Kind.Name), null]) }),
                ("size", Bytes($"A size limit, e.g. 1Gi (drivers {string.Join(", ", sized)}).")),
                ("reclaimPolicy", Choice<ReclaimPolicy>("When the manifest goes: Retain (default) keeps the data, Delete deletes it."))]);
            // A size needs a driver that enforces it; no driver is dir, which cannot.
            spec["allOf"] = new JsonArray(new JsonObject
            {
                ["if"] = Has("size"),
                ["then"] = new JsonObject { ["properties"] = new JsonObject { ["driver"] = new JsonObject { ["enum"] = Values([.. sized]) } }, ["required"] = Values("driver") },
            });
            return spec;
        }

        private JsonObject SourceSpec() => Object("SourceSpec", [
            ("git", Ref(Define("GitSource", "The repository, fetched with git; credentials are named by host paths, never written here.", Object("GitSource", [
                ("url", Text("https://, http://, ssh://, git://, file://, user@host:path or an absolute path; no password in it (use credentialsFile).", @"^[^-\s]\S*$")),
                ("ref", new JsonObject
                {
                    ["description"] = "A branch name (default: the remote's HEAD), or one of {branch, tag, commit}.",
                    ["anyOf"] = new JsonArray(Text("A branch.", GitRefPattern), Ref(Define("GitRef", "Exactly one of branch, tag and commit.", GitRef()))),
                }),
                ("path", new JsonObject
                {
                    ["description"] = "The directory of the repository whose manifests are applied (default: its root), relative, without \"..\", e.g. hosts/web1.",
                    ["type"] = Types("string", "null"), ["pattern"] = @"^(?!/)(?!(?:.*/)?\.\.(?:/|$))",
                }),
                ("interval", Duration("How often to fetch (1s to 24h; default: the daemon's).")),
                ("timeout", Duration("How long a fetch may take (1s to 1h).")),
                ("sshKeyFile", AbsolutePath("The SSH private key for ssh:// URLs, a host path only root can read.")),
                ("knownHostsFile", AbsolutePath("known_hosts for ssh:// URLs.")),
                ("credentialsFile", AbsolutePath("A file of username= and password= lines for https:// URLs."))], "url")))),
            ("prune", Bool("Delete what the repository no longer defines (default true); false keeps it running, owned by the API."))], "git");

        private JsonObject GitRef()
        {
            var fields = SourceSpecReader.RefFields;
            var gitRef = Object("GitRef", [
                ("branch", Text("A branch, e.g. main or release/1.2.", GitRefPattern)),
                ("tag", Text("A tag, e.g. v1.2.0.", GitRefPattern)),
                ("commit", Text("A full commit id (40 hex digits, 64 for SHA-256).", "^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$"))]);
            gitRef["anyOf"] = new JsonArray([.. fields.Select(f => (JsonNode)Has(f))]);
            gitRef["allOf"] = new JsonArray(ExactlyOneOf(fields, "give one of branch, tag and commit"));
            return gitRef;
        }

        /// <summary>git check-ref-format's main rules: no leading '-' or '/', no "..", spaces, ~ ^ : ? * [ \.</summary>
        private const string GitRefPattern = @"^(?![-/])(?!.*\.\.)(?!.*//)[^\s~^:?*\[\\]+$";

        /// <summary>Adds a definition and returns its name; a definition named after a reader's field list must describe exactly that list.</summary>
        private string Define(string name, string description, JsonObject schema)
        {
            var described = new JsonObject { ["description"] = description };
            foreach (var (key, value) in schema.ToList())
            {
                schema.Remove(key);
                described[key] = value;
            }
            _definitions[name] = described;
            return name;
        }

        /// <summary>A mapping with exactly these fields (null: unset), checked against the reader's list called <paramref name="list"/>.</summary>
        private JsonObject Object(string list, (string Name, JsonObject Schema)[] fields, params string[] required)
        {
            if (!_lists.TryGetValue(list, out var known))
                throw new InvalidOperationException($"{list}: no reader's field list has this name");
            _described.Add(list);
            var names = fields.Select(f => f.Name).ToList();
            var extra = names.Except(known).ToList();
            var missing = known.Except(names).ToList();
            if (extra.Count > 0 || missing.Count > 0)
                throw new InvalidOperationException($"{list}: the schema and the loader disagree"
                    + (missing.Count > 0 ? $"; the loader reads {string.Join(", ", missing)}, which the schema does not describe" : "")
                    + (extra.Count > 0 ? $"; the schema describes {string.Join(", ", extra)}, which the loader refuses" : "")
                    + $": describe each field in {nameof(ManifestSchema)}");
            var properties = new JsonObject();
            foreach (var (name, schema) in fields) properties[name] = schema;
            var result = new JsonObject { ["type"] = list == "Manifest" ? "object" : Types("object", "null"), ["properties"] = properties, ["additionalProperties"] = false };
            if (required.Length > 0) result["required"] = Values(required);
            return result;
        }

        private static JsonObject Ref(string definition) => new() { ["$ref"] = $"#/definitions/{definition}" };

        private static JsonObject Labels() => new()
        {
            ["description"] = "Labels for selectors (-l app=web): keys [prefix/]name, values at most 63 characters a-z, A-Z, 0-9, '-', '_', '.'.",
            ["type"] = Types("object", "null"),
            ["propertyNames"] = new JsonObject { ["pattern"] = $"^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?{Unanchored(Names.LabelValuePattern)}$", ["maxLength"] = 317 },
            ["additionalProperties"] = Text("A label value.", $"^(?:{Unanchored(Names.LabelValuePattern)})?$", 63),
        };

        private static JsonObject AnyScalar(string description) => new() { ["description"] = description, ["type"] = Types("string", "number", "boolean", "null") };

        /// <summary>A string field: any scalar, as the loader reads one (<c>8080</c> is "8080"); the pattern applies to strings.</summary>
        private static JsonObject Text(string description, string? pattern = null, int? maxLength = null)
        {
            var text = AnyScalar(description);
            if (pattern is not null) text["pattern"] = pattern;
            if (maxLength is { } max) text["maxLength"] = max;
            return text;
        }

        private static JsonObject Name(string description) => Text($"{description} {Names.DnsLabelRule}.", Names.DnsLabelPattern, 63);

        /// <summary>An absolute path with no "." or ".." component.</summary>
        private static JsonObject AbsolutePath(string description) => new()
        {
            ["description"] = description, ["type"] = Types("string", "null"), ["pattern"] = @"^/(?!(?:.*/)?\.{1,2}(?:/|$))",
        };

        private static JsonObject Bool(string description) => new() { ["description"] = description, ["type"] = Types("boolean", "null") };

        private static JsonObject Int(string description, long min, long max) => new()
        {
            ["description"] = description, ["type"] = Types("integer", "null"), ["minimum"] = min, ["maximum"] = max,
        };

        private static JsonObject Bytes(string description) => new()
        {
            ["description"] = description + " Ki/Mi/Gi binary, K/M/G decimal, k/m/g binary as Docker, or bytes.",
            ["type"] = Types("string", "number", "null"), ["pattern"] = Quantity.BytesPattern, ["minimum"] = 0,
        };

        private static JsonObject Duration(string description) => new()
        {
            ["description"] = description + " Seconds, or a duration such as 10s, 1m30s or 500ms.",
            ["type"] = Types("string", "integer", "null"), ["minimum"] = 0,
            ["pattern"] = $"^(?:[0-9]+|{Unanchored(Durations.GoPattern).Replace("(?<part>", "(?:", StringComparison.Ordinal)})$",
        };

        private static JsonObject Choice<T>(string description) where T : struct, System.Enum =>
            new() { ["description"] = description, ["enum"] = Values([.. System.Enum.GetNames<T>(), null]) };

        private static JsonObject Strings(string description, int minItems = 0)
        {
            var list = List(description, AnyScalar("An item."));
            if (minItems > 0) list["minItems"] = minItems;
            return list;
        }

        private static JsonObject List(string description, JsonObject item) => new() { ["description"] = description, ["type"] = Types("array", "null"), ["items"] = item };

        private static JsonObject Capability()
        {
            var names = string.Join("|", Capabilities.Known.Order(StringComparer.Ordinal).Append("ALL").Select(CaseInsensitive));
            return Text("A capability from capabilities(7).", $"^(?:{CaseInsensitive("CAP_")})?(?:{names})$");
        }

        /// <summary>A signal as the loader takes it: SIGTERM, TERM, sigterm, 15, SIGRTMIN+3, RTMAX-1.</summary>
        private static JsonObject Signal(string description)
        {
            var names = Signals.Known.Where(n => !n.StartsWith("SIGRT", StringComparison.Ordinal)).Select(n => n[3..]).Concat(["IOT", "POLL"]).Order(StringComparer.Ordinal);
            return new JsonObject
            {
                ["description"] = description,
                ["type"] = Types("string", "integer", "null"), ["minimum"] = 1, ["maximum"] = 64,
                ["pattern"] = $"^(?:[0-9]+|(?:{CaseInsensitive("SIG")})?(?:{string.Join("|", names.Select(CaseInsensitive))}|{CaseInsensitive("RTMIN")}(?:\\+[0-9]+)?|{CaseInsensitive("RTMAX")}(?:-[0-9]+)?))$",
            };
        }

        /// <summary>The field is there and not null (the loader reads <c>field: null</c> as unset).</summary>
        private static JsonObject Has(params string[] fields)
        {
            var properties = new JsonObject();
            foreach (var f in fields) properties[f] = new JsonObject { ["not"] = new JsonObject { ["type"] = "null" } };
            return new JsonObject { ["required"] = Values(fields), ["properties"] = properties };
        }

        private static JsonObject Not(JsonObject schema, string why) => new() { ["description"] = why, ["not"] = schema };

        private static JsonObject ExactlyOneOf(IReadOnlyList<string> fields, string why)
        {
            var pairs = new JsonArray();
            for (var i = 0; i < fields.Count; i++)
                for (var j = i + 1; j < fields.Count; j++)
                    pairs.Add((JsonNode)Has(fields[i], fields[j]));
            return Not(new JsonObject { ["anyOf"] = pairs }, why);
        }

        private static string Unanchored(string pattern) => $"(?:{pattern.TrimStart('^').TrimEnd('$')})";

        private static string CaseInsensitive(string word)
        {
            var sb = new StringBuilder();
            foreach (var c in word)
                sb.Append(char.IsAsciiLetter(c) ? $"[{char.ToUpperInvariant(c)}{char.ToLowerInvariant(c)}]" : c == '+' ? "\\+" : c.ToString());
            return sb.ToString();
        }

        private static JsonNode Types(params string[] types) => Values(types);

        private static JsonArray Values(params string?[] items) => new([.. items.Select(i => i is null ? null : (JsonNode)JsonValue.Create(i))]);
    }
}
