namespace Islander.Model.Api;

/// <summary>Every running isle's stats (kind IsleStatsList).</summary>
public sealed record IsleStatsListView(string ApiVersion, string Kind, IReadOnlyList<IsleStatsView> Items);
