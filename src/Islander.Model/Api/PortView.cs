namespace Islander.Model.Api;

/// <summary>A port a running isle publishes (<c>status.ports</c>, <c>islanderctl port</c>): <c>8080/tcp -> 0.0.0.0:18080</c>.</summary>
public sealed record PortView(int ContainerPort, string Protocol, string HostIp, int HostPort);
