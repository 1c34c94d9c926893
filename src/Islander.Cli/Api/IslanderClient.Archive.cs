using System.Net;
using System.Text;
using System.Text.Json;
using Islander.Model.Api;

namespace Islander.Cli.Api;

public sealed partial class IslanderClient
{
    static string ArchiveUri(string isle, string path, bool keepOwners = false) =>
        $"{Prefix}isles/{Uri.EscapeDataString(isle)}/archive?path={Uri.EscapeDataString(path)}{(keepOwners ? "&copyUIDGID=true" : "")}";

    /// <summary>What is at <paramref name="path"/> in the isle (<c>HEAD isles/NAME/archive</c>); null when nothing is there.</summary>
    public async Task<PathStatView?> StatPathAsync(string isle, string path, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Head, ArchiveUri(isle, path)), ct);
        if (response.StatusCode == HttpStatusCode.NotFound && response.Headers.Contains("X-Islander-Path-Stat") is false)
        {
            // A HEAD has no body: ask with GET's status to tell "no such isle" from "no such path".
            using var check = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Prefix}isles/{Uri.EscapeDataString(isle)}"), ct);
            if (!check.IsSuccessStatusCode) throw Failure(check, await check.Content.ReadAsStringAsync(ct));
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            // The reason is in the body, which a HEAD does not have: GET says it.
            using var again = await SendAsync(new HttpRequestMessage(HttpMethod.Get, ArchiveUri(isle, path)), ct, HttpCompletionOption.ResponseHeadersRead);
            throw Failure(again, await again.Content.ReadAsStringAsync(ct));
        }
        var header = response.Headers.GetValues("X-Islander-Path-Stat").First();
        return JsonSerializer.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(header)), ApiJson.Context.PathStatView);
    }

    /// <summary>The tar stream of <paramref name="path"/> in the isle (<c>GET isles/NAME/archive</c>); dispose it when read.</summary>
    public async Task<Stream> GetArchiveAsync(string isle, string path, CancellationToken ct)
    {
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, ArchiveUri(isle, path)), ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
                throw Failure(response, await response.Content.ReadAsStringAsync(ct));
        }
        return await response.Content.ReadAsStreamAsync(ct);
    }

    /// <summary>Unpacks the tar stream <paramref name="tar"/> into the directory <paramref name="path"/> of the isle (<c>PUT isles/NAME/archive</c>).</summary>
    public async Task PutArchiveAsync(string isle, string path, Stream tar, bool keepOwners, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ArchiveUri(isle, path, keepOwners)) { Content = new StreamContent(tar) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(request, ct);
        await ReadAsync(response, ct);
    }
}
