namespace Islander.Model.Api;

/// <summary>The objects of one kind: kind is <c>IsleList</c>, <c>NetworkList</c> or <c>VolumeList</c>.</summary>
public sealed record ObjectListView(string ApiVersion, string Kind, IReadOnlyList<ObjectView> Items);
