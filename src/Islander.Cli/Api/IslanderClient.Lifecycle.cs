using System.Text.Json;
using Islander.Model.Api;

namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    /// <summary>
    /// A lifecycle verb (<c>POST isles/NAME/stop</c>, start, restart, kill, pause, unpause) with its query (<c>timeout=10</c>,
    /// <c>signal=SIGTERM</c>); the isle as it is afterwards. NotFound, Conflict and BadRequest come back as <see cref="ClientException"/>s.
    /// </summary>
    public async Task<ObjectView> IsleVerbAsync(string name, string verb, string? query, CancellationToken ct)
    {
        var path = $"{Prefix}isles/{Uri.EscapeDataString(name)}/{verb}" + (string.IsNullOrEmpty(query) ? "" : "?" + query);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, path), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.ObjectView)!;
    }

    /// <summary>The isle's processes (<c>GET isles/NAME/top</c>); Conflict when it is not running.</summary>
    public async Task<IsleProcessListView> TopAsync(string name, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Prefix}isles/{Uri.EscapeDataString(name)}/top"), ct);
        return JsonSerializer.Deserialize(await ReadAsync(response, ct), ApiJson.Context.IsleProcessListView)!;
    }
}
