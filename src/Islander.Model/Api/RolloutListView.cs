namespace Islander.Model.Api;

/// <summary>An isle's revisions, oldest first.</summary>
public sealed record RolloutListView(string ApiVersion, string Kind, string Isle, IReadOnlyList<RolloutView> Items)
{
    public const string KindName = "RolloutList";
}
