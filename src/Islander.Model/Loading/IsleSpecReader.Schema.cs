namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] EnvFields = ["name", "value"];
    private static readonly string[] AttachmentFields = ["name", "ip"];
    private static readonly string[] PortFields = ["containerPort", "hostPort", "protocol", "hostIp"];
    private static readonly string[] TmpfsFields = ["size", "mode"];
    private static readonly string[] UserNamespaceFields = ["uidMappings", "gidMappings"];

    /// <summary>
    /// Every field list this reader checks a mapping of the spec against, by the name of the schema definition that
    /// describes that mapping. <see cref="ManifestSchema"/> refuses to generate while a definition's properties and its
    /// list differ, so a field added here without its description in the schema fails the schema's test.
    /// </summary>
    internal static IReadOnlyDictionary<string, IReadOnlyCollection<string>> FieldLists => new Dictionary<string, IReadOnlyCollection<string>>
    {
        ["IsleSpec"] = Known,
        ["EnvVar"] = EnvFields,
        ["Resources"] = ResourceFields,
        ["IoLimit"] = IoFields,
        ["Security"] = SecurityFields,
        ["UserNamespace"] = UserNamespaceFields,
        ["IdMapping"] = MappingFields,
        ["NetworkAttachment"] = AttachmentFields,
        ["Port"] = PortFields,
        ["VolumeMount"] = VolumeFields,
        ["Tmpfs"] = TmpfsFields,
        ["OnChange"] = OnChangeFields,
        ["Healthcheck"] = HealthcheckFields,
        ["HttpProbe"] = HttpFields,
        ["TcpProbe"] = TcpFields,
        ["Dependency"] = DependencyFields,
        ["Logging"] = LoggingFields,
        ["Update"] = UpdateFields,
    };

    /// <summary>The patterns and names the reader checks values with, for the schema.</summary>
    internal static string UserPattern => UserRegex().ToString();

    internal static string CpusetPattern => CpusetRegex().ToString();

    internal static IReadOnlyList<string> LogDrivers => LogDriverNames;

    internal static IReadOnlyList<string> VolumeSources => Sources;

    internal static IReadOnlyList<string> HealthProbes => Probes;

    /// <summary>The fields of an io entry of which at least one is needed.</summary>
    internal static IReadOnlyList<string> IoLimits => IoFields[1..];
}
