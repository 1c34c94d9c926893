using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Islander.Controller.Tests;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// Hundreds of mutated manifests and JSON bodies (fixed seed) through the real API: never a 5xx, always a Status or
/// ApplyResult with a message, and each manifest problem names file and line.
/// </summary>
public sealed class ApiFuzzTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    const string Punctuation = "[]{}:-,&*!|>'\"\n #\t\\?%@`~<=0x.";

    static readonly string[] Manifests =
    [
        ControllerHarness.IsleYaml("web", extra: "  env: [{name: MODE, value: prod}]\n  resources: {memory: 64Mi, cpu: 500m}\n"),
        "apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: back}\nspec: {subnet: 10.88.0.0/24}\n---\n" + ControllerHarness.IsleYaml("api"),
        "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: data}\nspec: {driver: dir}\n",
    ];

    static readonly string[] Json =
    [
        "{\"command\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"A=1\"],\"user\":\"0\",\"workingDir\":\"/\"}",
        "{\"command\":[\"true\"],\"tty\":false,\"stdin\":false}",
    ];

    static string Mutate(Random random, string text)
    {
        int a = random.Next(text.Length + 1);
        return random.Next(6) switch
        {
            0 => text[..a] + text[Math.Min(text.Length, a + random.Next(1, 30))..],
            1 => text[..a] + Punctuation[random.Next(Punctuation.Length)] + text[a..],
            2 => text[..a] + new string(random.Next(2) == 0 ? '[' : '{', random.Next(1, 200)) + text[a..],
            3 => text[..a] + new string('v', random.Next(100, 3000)) + text[a..],
            4 => text[..a] + (char)random.Next(0, 0x3000) + text[a..],
            _ => text[..a] + Span(text, random.Next(text.Length + 1), random.Next(1, 40)) + text[a..],
        };
    }

    static string Span(string text, int start, int length) => text.Substring(start, Math.Min(length, text.Length - start));

    [Fact]
    public async Task Api_MutatedBodies_NeverA5xxAndAlwaysAMessage()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", ControllerHarness.IsleYaml("web")));
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(_d.Socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        }) { BaseAddress = new Uri("http://islanderd") };
        var random = new Random(20261205);
        var clock = Stopwatch.StartNew();
        int cases = 0;
        const string prefix = Islander.Controller.Api.ApiEndpoints.Prefix;
        while (cases < 1500 && clock.Elapsed < TimeSpan.FromSeconds(8))
        {
            cases++;
            var exec = random.Next(4) == 0;
            var text = exec ? Json[random.Next(Json.Length)] : Manifests[random.Next(Manifests.Length)];
            for (int m = random.Next(1, 5); m > 0; m--) text = Mutate(random, text);
            var (method, path) = exec ? (HttpMethod.Post, prefix + "/isles/web/exec") : random.Next(3) switch
            {
                0 => (HttpMethod.Post, prefix + "/apply?dryRun=" + (random.Next(2) == 0 ? "true" : "false")),
                1 => (HttpMethod.Post, prefix + "/isles"),
                _ => (HttpMethod.Put, prefix + "/isles/web"),
            };

            using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(text) }, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var what = $"case {cases}: {method} {path} → {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}\n--- body:\n{text}";
            Assert.True((int)response.StatusCode < 500, what);
            if (exec && response.IsSuccessStatusCode) continue; // the fake's output frames
            var json = JsonNode.Parse(body)!.AsObject();
            if (!response.IsSuccessStatusCode && json["kind"]?.GetValue<string>() == "Status")
                Assert.True(((string?)json["message"])?.Length is > 0 and <= 2100, what);
            foreach (var problem in (json["problems"] ?? json["details"])?.AsArray() ?? [])
            {
                if (problem?["line"] is null) continue; // details of other kinds
                Assert.True((int)problem["line"]! >= 1 && ((string?)problem["file"])?.Length > 0, what);
            }
        }
        Assert.True(cases >= 300, $"only {cases} cases in {clock.Elapsed}");
        using var health = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.True(health.IsSuccessStatusCode);
    }
}
