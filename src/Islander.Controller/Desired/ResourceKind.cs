namespace Islander.Controller.Desired;

/// <summary>The kinds the API serves. Plural path segments: isles, networks, volumes.</summary>
public enum ResourceKind { Isle, Network, Volume }
