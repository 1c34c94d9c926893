namespace Islander.Model.Api;

/// <summary>The events the daemon keeps, oldest first.</summary>
public sealed record EventListView(string ApiVersion, string Kind, IReadOnlyList<EventView> Items);
