using System.Text.Json;
using Islander.Model.Api;

namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    /// <summary>The daemon's version (<c>GET /version</c>).</summary>
    public async Task<VersionView> VersionAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "version"), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.VersionView)!;
    }
}
