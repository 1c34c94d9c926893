using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>
/// One running isle's resource usage, read from the kernel at the request: counters are cumulative (CPU in
/// nanoseconds, IO in bytes), <see cref="Timestamp"/> is when they were read (round-trip form, UTC). A counter this host
/// cannot read is a JSON null; <see cref="Network"/> is null for an isle on the host's network.
/// </summary>
public sealed record IsleStatsView(string ApiVersion, string Kind, ObjectMetaView Metadata, string Timestamp, CpuStatsView Cpu, MemoryStatsView Memory,
    PidsStatsView Pids, BlockIOStatsView BlockIO, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] NetworkStatsView? Network)
{
    public const string KindName = "IsleStats";
}
