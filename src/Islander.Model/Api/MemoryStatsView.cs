using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>The working set, and the isle's limit or, when <see cref="Limited"/> is false, the machine's memory (as docker shows it).</summary>
public sealed record MemoryStatsView([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? UsageBytes, long LimitBytes, bool Limited);
