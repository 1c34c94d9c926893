namespace Islander.Model;

/// <summary><c>healthcheck.tcp</c>: a connect to <see cref="Port"/> of the isle's loopback.</summary>
public sealed record TcpHealthCheck(int Port);
