using Islander.Controller.Tests.Api;

namespace Islander.Controller.Tests.Cli;

/// <summary>`islanderctl describe` against a real islanderd over the fake runtime: the spec as its manifest says it.</summary>
public sealed class DescribeCommandTests : IAsyncDisposable
{
    readonly DaemonFixture _d = new();

    public ValueTask DisposeAsync() => _d.DisposeAsync();

    [Fact]
    public async Task DescribeIsle_QuantitiesDurationsAndQuotes_InTheManifestsOwnForms()
    {
        _d.Write("web.yaml", """
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: web}
            spec:
              rootfs: /srv/rootfs/busybox
              command: ["sh", "-c", "echo 'hello <world>' && exec sleep 1000"]
              resources: {memory: 32Mi, cpu: 500m}
              stopSignal: SIGINT
              stopTimeout: 3s
            """);
        await _d.StartAsync();
        var (output, error) = ("", "");
        for (var sw = System.Diagnostics.Stopwatch.StartNew(); !output.Contains("Running", StringComparison.Ordinal); await Task.Delay(20, TestContext.Current.CancellationToken))
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"web not Running; last: {output}{error}");
            (_, output, error) = await _d.CtlAsync("describe", "isle", "web");
        }

        var spec = output[output.IndexOf("Spec:\n", StringComparison.Ordinal)..output.IndexOf("Events:\n", StringComparison.Ordinal)];

        Assert.Contains("  - \"echo 'hello <world>' && exec sleep 1000\"\n", spec);
        Assert.Contains("memory: 32Mi\n", spec);
        Assert.Contains("cpu: 500m\n", spec);
        Assert.Contains("stopSignal: SIGINT\n", spec);
        Assert.Contains("stopTimeout: 3s\n", spec);
        Assert.DoesNotContain("\\u00", spec);
        Assert.DoesNotContain("33554432", spec);
        Assert.DoesNotContain("00:00:03", spec);
    }

    [Fact]
    public async Task DescribeVolume_Size_AsAQuantity()
    {
        _d.Write("v.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: data}\nspec: {driver: tmpfs, size: 64Mi}\n");
        await _d.StartAsync();
        string output = "";
        await _d.WaitAsync(() => (output = _d.CtlAsync("describe", "volume", "data").GetAwaiter().GetResult().Out).Contains("Spec:"),
            TimeSpan.FromSeconds(10), "data described");

        Assert.Contains("  size: 64Mi\n", output);
        Assert.Contains("  driver: tmpfs\n", output);
    }
}
