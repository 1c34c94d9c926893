namespace Islander.Model.Api;

/// <summary>A running isle's processes (kind IsleProcessList), in pid order: <c>GET isles/{name}/top</c>.</summary>
public sealed record IsleProcessListView(string ApiVersion, string Kind, string Name, IReadOnlyList<IsleProcessView> Items)
{
    public const string KindName = "IsleProcessList";
}
