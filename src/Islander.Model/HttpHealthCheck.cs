namespace Islander.Model;

/// <summary><c>healthcheck.http</c>: GET <see cref="Path"/> on <see cref="Port"/> of the isle's loopback.</summary>
public sealed record HttpHealthCheck(int Port, string Path = "/");
