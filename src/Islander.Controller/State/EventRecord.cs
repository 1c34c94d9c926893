namespace Islander.Controller.State;

public enum EventType { Normal, Warning }

/// <summary>Something that happened to an object (Kubernetes' Event): shown by <c>islanderctl events</c>.</summary>
public sealed class EventRecord
{
    public long Id { get; set; }
    public DateTimeOffset Time { get; set; }
    public EventType Type { get; set; }
    /// <summary>Object kind (Isle, Network, Volume) and name.</summary>
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>CamelCase cause: Started, Exited, BackOff, InvalidManifest, Deleted, ...</summary>
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
}
