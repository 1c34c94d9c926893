namespace Islander.Model;

/// <summary>A network that exists, with the spec it was created from (compared by value).</summary>
public sealed record ActualNetwork(string Name, NetworkSpec Spec);
