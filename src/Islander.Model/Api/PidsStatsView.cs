using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>Processes in the isle and its pids limit (null: none).</summary>
public sealed record PidsStatsView([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Current, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Limit);
