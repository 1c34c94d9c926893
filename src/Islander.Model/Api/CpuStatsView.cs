using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>CPU time used; <see cref="Percent"/> is not sent by islanderd: islanderctl computes it from two samples.</summary>
public sealed record CpuStatsView([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? UsageNanoseconds, double? Percent = null);
