namespace Islander.Model;

/// <summary>The <c>kind</c> of a manifest.</summary>
public enum ObjectKind { Isle, Network, Volume, Source }
