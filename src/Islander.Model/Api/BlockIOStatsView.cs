using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>Bytes read from and written to block devices.</summary>
public sealed record BlockIOStatsView([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? ReadBytes, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? WriteBytes);
