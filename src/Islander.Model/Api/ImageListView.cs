namespace Islander.Model.Api;

/// <summary>Every image, by first name.</summary>
public sealed record ImageListView(string ApiVersion, string Kind, IReadOnlyList<ImageView> Items);
