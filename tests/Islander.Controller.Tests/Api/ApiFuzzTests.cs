using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Islander.Controller.Tests;
using Islander.Testing;

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
        using var http = _d.Http();
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

    /// <summary>A request: method, path with a generated query string, and a body (JSON with a random value in one field's place, or none).</summary>
    public sealed record Request(string Method, string Path, string? Body)
    {
        public override string ToString() => $"{Method} {Path}\n{Body}";
    }

    static readonly string[] ExecBody = ["command", "env", "user", "workingDir", "tty", "stdin"];
    static readonly string[] PreviewBody = ["apiVersion", "kind", "owner", "whole", "files"];

    static Gen<Request> Requests()
    {
        const string p = Islander.Controller.Api.ApiEndpoints.Prefix;
        var value = FuzzValues.Strings.Select(Uri.EscapeDataString);
        var json = FuzzValues.JsonValue();
        return Gen.Frequency(
            (3, Gen.Select(Gen.OneOf(p + "/isles", p + "/networks", p + "/volumes", p + "/events", p + "/bogus"), value, (path, v) => new Request("GET", $"{path}?labelSelector={v}", null))),
            (3, Gen.Select(value, value, value, value, (tail, since, until, follow) =>
                new Request("GET", $"{p}/isles/web/log?tail={tail}&since={since}&until={until}&follow={(follow.Length % 2 == 0 ? "false" : follow)}", null))),
            (1, value.Select(v => new Request("POST", $"{p}/isles/web/kill?signal={v}", null))),
            (1, value.Select(v => new Request("POST", $"{p}/isles/{v}/stop?timeout={v}", null))),
            (1, value.Select(v => new Request("POST", $"{p}/isles/web/rollouts/undo?toRevision={v}", null))),
            (1, value.Select(v => new Request("GET", $"{p}/isles/web/archive?path={v}", null))),
            (1, value.Select(v => new Request("GET", $"{p}/isles/{v}", null))),
            (1, value.Select(v => new Request("DELETE", $"{p}/volumes/{v}", null))),
            (1, Gen.Select(value, Gen.OneOf("true", "1", "x", ""), (v, d) => new Request("POST", $"{p}/apply?dryRun={d}&source={v}", ControllerHarness.IsleYaml("web")))),
            (3, Gen.Select(Gen.OneOf(ExecBody), json, Gen.Bool, (field, v, whole) =>
            {
                var body = (JsonObject)JsonNode.Parse(Json[0])!;
                body[field] = v?.DeepClone();
                return new Request("POST", $"{p}/isles/web/exec", whole ? v?.ToJsonString() ?? "null" : body.ToJsonString());
            })),
            (3, Gen.Select(Gen.OneOf(PreviewBody), json, (field, v) =>
            {
                var body = new JsonObject { ["apiVersion"] = "islander.io/v1", ["kind"] = "PreviewRequest", ["owner"] = "api", ["whole"] = false,
                    ["files"] = new JsonArray(new JsonObject { ["name"] = "web.yaml", ["text"] = ControllerHarness.IsleYaml("web") }) };
                body[field] = v?.DeepClone();
                return new Request("POST", $"{p}/preview", body.ToJsonString());
            })));
    }

    /// <summary>
    /// Every endpoint's query parameters (labelSelector, tail, since, until, follow, signal, timeout, toRevision, path,
    /// dryRun, source, names in the path) and the JSON bodies of exec and preview with a random value in one field's place:
    /// never a 5xx; each error a Status with a message; the daemon keeps serving.
    /// </summary>
    [Fact]
    public async Task Api_GeneratedQueriesAndJsonBodies_NeverA5xxAndAlwaysAStatus()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", ControllerHarness.IsleYaml("web")));
        using var http = _d.Http();
        var run = await Fuzz.RunAsync("api", Requests(), async r =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
            if (r.Body is not null) request.Content = new StringContent(r.Body);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            // 501 Unsupported is the answer of a daemon without a part (this one copies no files), not an error of the input.
            var code = (int)response.StatusCode;
            Assert.True(code < 500 || (code == 501 && r.Path.Contains("/archive", StringComparison.Ordinal)), $"{code} {await Body(response)}");
            if (response.IsSuccessStatusCode) return; // a stream (log, exec) is not read to its end
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            // Kestrel's own answer to a request line it will not read (400 for a NUL in the path, 414 for a path of
            // kilobytes) comes before any endpoint, with no body.
            if (code is 400 or 414 && text.Length == 0 && (r.Path.Contains("%00", StringComparison.Ordinal) || r.Path.Length > 4000)) return;
            var json = JsonNode.Parse(text)!.AsObject();
            Assert.Equal("Status", (string?)json["kind"]);
            Assert.True(((string?)json["message"])?.Length is > 0 and <= 2100, json.ToJsonString());
        }, 1500, r => r.ToString(), TimeSpan.FromSeconds(15));
        Assert.True(run >= 150, $"only {run} inputs");
        using var health = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.True(health.IsSuccessStatusCode);
    }

    static async Task<string> Body(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return body[..Math.Min(body.Length, 1000)];
    }

    [Theory]
    [InlineData("{\"apiVersion\":\"islander.io/v1\",\"kind\":\"PreviewRequest\",\"owner\":\"api\",\"whole\":false,\"files\":[null]}")]
    [InlineData("{\"apiVersion\":\"islander.io/v1\",\"kind\":\"PreviewRequest\",\"owner\":\"api\",\"whole\":false,\"files\":[{\"path\":null,\"text\":\"\"}]}")]
    public async Task Preview_FileThatIsNull_400NotA500(string body)
    {
        // Found by Api_GeneratedQueriesAndJsonBodies: a NullReferenceException and a 500 with no body.
        using var http = _d.Http();

        using var response = await http.PostAsync(Islander.Controller.Api.ApiEndpoints.Prefix + "/preview", new StringContent(body), TestContext.Current.CancellationToken);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("each of files needs a path", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
