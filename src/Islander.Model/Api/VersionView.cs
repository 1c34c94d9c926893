namespace Islander.Model.Api;

/// <summary>
/// <c>GET /version</c>: the daemon's version (its assembly's informational version, <c>0.9.0+COMMIT</c>), the API
/// version it serves and the .NET runtime it runs on, as Kubernetes' and Docker's <c>/version</c>.
/// </summary>
public sealed record VersionView(string ApiVersion, string Kind, string Version, string Runtime)
{
    public const string KindName = "Version";
}
