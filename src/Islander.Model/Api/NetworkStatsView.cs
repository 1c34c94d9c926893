using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>Bytes received and sent on the isle's interfaces, loopback aside.</summary>
public sealed record NetworkStatsView([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? RxBytes, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? TxBytes);
