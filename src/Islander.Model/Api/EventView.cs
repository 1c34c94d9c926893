namespace Islander.Model.Api;

/// <summary>One event: type Normal or Warning, about the object kind/name, with a reason and a message for people.</summary>
public sealed record EventView(long Id, DateTimeOffset Time, string Type, string Kind, string Name, string Reason, string Message);
