using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Islander.Cli.Api;
using Islander.Controller.Tests;
using Islander.Model;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// Bodies that once ended islanderd (a stack overflow, a record too large for the state database) or came back whole
/// in its answer: each is now a 413 or 422 with a short message, and the daemon keeps answering.
/// </summary>
public sealed class ApiLimitsTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    HttpClient Http() => _d.Http(TimeSpan.FromSeconds(60));

    const string Isles = Islander.Controller.Api.ApiEndpoints.Prefix + "/isles";
    const string Apply = Islander.Controller.Api.ApiEndpoints.Prefix + "/apply";

    async Task<(HttpStatusCode Code, string Body)> SendAsync(HttpMethod method, string path, HttpContent content)
    {
        using var http = Http();
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    async Task RunningAsync()
    {
        _d.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        using var client = new IslanderClient(_d.Socket);
        await _d.WaitAsync(() =>
        {
            try { return client.GetAsync("isles", "web", default).GetAwaiter().GetResult().Status.Phase == "Running"; }
            catch (ClientException) { return false; }
        }, TimeSpan.FromSeconds(5), "isle web to be Running");
    }

    async Task AssertStillAnswersAsync()
    {
        using var http = Http();
        Assert.StartsWith("ok", await http.GetStringAsync("/healthz"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Isles)]
    [InlineData(Apply)]
    public async Task Post_100000OpenBrackets_422WithTheDepthLimit(string path)
    {
        var (code, body) = await SendAsync(HttpMethod.Post, path, new StringContent(new string('[', 100_000)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains($"nested more than {ManifestLimits.MaxDepth} levels", body);
        Assert.Contains("\"line\":1", body);
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Exec_JsonNested100000Deep_IsRefusedWithAMessage()
    {
        await RunningAsync();
        var (code, body) = await SendAsync(HttpMethod.Post, Isles + "/web/exec", new StringContent("{\"command\":" + new string('[', 100_000)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("more than 64 levels deep", body);
        await AssertStillAnswersAsync();
    }

    public static TheoryData<string, string, bool> Bodies() => new()
    {
        { "POST", Isles, true }, { "POST", Apply, true }, { "PUT", Isles + "/web", true }, { "POST", Isles + "/web/exec", true },
        { "POST", Isles, false }, { "POST", Apply, false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Body_50MB_413WithAShortMessage(string method, string path, bool withLength)
    {
        var bytes = Encoding.UTF8.GetBytes("apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: web}\nspec:\n  image: \"" + new string('x', 50 << 20) + "\"\n");
        HttpContent content = withLength ? new ByteArrayContent(bytes) : new StreamContent(new MemoryStream(bytes)); // no length: chunked
        if (!withLength) content.Headers.ContentLength = null;
        if (path.EndsWith("/exec")) await RunningAsync(); // else 404 before the body is read

        var (code, body) = await SendAsync(new HttpMethod(method), path, content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, code);
        Assert.Contains("at most 8MiB", body);
        Assert.InRange(body.Length, 1, 1000);
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Post_A7MBBadValue_422QuotesAnExcerpt()
    {
        var yaml = ControllerHarness.IsleYaml("web", extra: "  resources:\n    memory: \"" + new string('Q', 7 << 20) + "\"\n");

        var (code, body) = await SendAsync(HttpMethod.Post, Isles, new StringContent(yaml));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("spec.resources.memory", body);
        Assert.Contains("more characters)", body);
        Assert.InRange(body.Length, 1, 4000);
    }

    [Fact]
    public async Task Exec_AHugeEnvEntry_422QuotesAnExcerpt()
    {
        await RunningAsync();
        var json = new JsonObject { ["command"] = new JsonArray("true"), ["env"] = new JsonArray(new string('E', 5 << 20)) }.ToJsonString();

        var (code, body) = await SendAsync(HttpMethod.Post, Isles + "/web/exec", new StringContent(json));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("is not NAME=value", body);
        Assert.InRange(body.Length, 1, 1000);
    }

    [Fact]
    public async Task Apply_AnObjectOverTheStoredLimit_422AndNothingStored()
    {
        var yaml = ControllerHarness.IsleYaml("web", extra: "  env:\n    - name: BLOB\n      value: \"" + new string('b', 2 << 20) + "\"\n");

        var (code, body) = await SendAsync(HttpMethod.Post, Apply, new StringContent(yaml));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("Isle/web is 2MiB as stored (spec and labels); an object may be at most 1.5MiB", body);
        Assert.Contains("\"outcome\":\"invalid\"", body);
        var (exit, _, error) = await _d.CtlAsync("get", "isle", "web");
        Assert.NotEqual(0, exit);
        Assert.Contains("not found", error);
        await AssertStillAnswersAsync();
    }

    [Theory]
    [InlineData("99999999999", "one\ntwo\n")]
    [InlineData("all", "one\ntwo\n")]
    [InlineData("1", "two\n")]
    public async Task Logs_TailBeyondAnInt_IsEveryLine(string tail, string expected)
    {
        await RunningAsync();
        _d.Runtime.WriteLog("web", "one");
        _d.Runtime.WriteLog("web", "two");

        var (exit, output, error) = await _d.CtlAsync("logs", "web", "--tail", tail);

        Assert.True(exit == 0, error);
        Assert.Equal(expected, output);
    }

    [Fact]
    public async Task Logs_StderrOnStderr_TimestampsAsDocker()
    {
        await RunningAsync();
        _d.Runtime.WriteLog("web", "out");
        _d.Runtime.WriteLog("web", "bad", "stderr");

        var plain = await _d.CtlAsync("logs", "web");
        var stamped = await _d.CtlAsync("logs", "web", "-t");

        Assert.Equal(("out\n", "bad\n"), (plain.Out, plain.Err));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out\n$", stamped.Out);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z bad\n$", stamped.Err);
    }

    [Theory]
    [InlineData("--since", "yesterday")]
    [InlineData("--until", "2026-12-05")]
    public async Task Logs_BadTime_SaysWhatItTakes(string flag, string value)
    {
        var (exit, _, error) = await _d.CtlAsync("logs", "web", flag, value);

        Assert.NotEqual(0, exit);
        Assert.Contains($"{flag} takes a duration back from now (10m, 1h30m, 90s), an RFC 3339 time", error);
    }

    [Fact]
    public async Task Logs_TailNotANumber_SaysWhatItTakes()
    {
        var (exit, _, error) = await _d.CtlAsync("logs", "web", "--tail", "-5");

        Assert.NotEqual(0, exit);
        Assert.Contains("--tail takes a number of lines (0 or more) or all, not \"-5\"", error);
        Assert.DoesNotContain("System.", error);
    }
}
