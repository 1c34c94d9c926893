namespace Islander.Model.Api;

/// <summary>Only the kind of a JSON object: what a line of a stream is, before it is read as that kind.</summary>
public sealed record KindView(string? Kind);
