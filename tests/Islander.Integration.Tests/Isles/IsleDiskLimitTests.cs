using Islander.Model;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// <c>resources.disk</c> as an isle feels it, on a state directory of the test's own on each filesystem that can limit
/// it: a write past the limit fails inside the isle as dd reports it, one within it succeeds, and deleting the isle
/// lifts the limit.
/// </summary>
[Collection(IsleCollection.Name)]
public abstract class IsleDiskLimitTests : IAsyncDisposable
{
    IsleHarness? _harness;

    /// <summary>Skips when the filesystem cannot be made here.</summary>
    protected abstract void Require();

    /// <summary>A fresh state root on the filesystem.</summary>
    protected abstract string NewRoot();

    /// <summary>What dd says when the limit stops it: ENOSPC on XFS, EDQUOT on ext4 and btrfs.</summary>
    protected abstract string Refusal { get; }

    /// <summary>What holds the limit of the layer at <paramref name="layer"/> (a project id, a subvolume).</summary>
    protected abstract object LimitOf(string layer);

    /// <summary>Whether the limit <paramref name="limit"/> (from <see cref="LimitOf"/>) still limits anything.</summary>
    protected abstract bool Limits(object limit);

    IsleHarness H
    {
        get
        {
            Require();
            return _harness ??= IsleHarness.WithStateRoot(NewRoot());
        }
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _harness?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    static IsleSpec Limited(long disk, string script) =>
        IsleHarness.Spec("sh", "-c", script) with { Resources = new IsleResources { Disk = disk } };

    [Fact]
    public async Task Run_WritingPastTheLimit_DdFailsAndTheLayerKeepsToIt()
    {
        var (status, output) = await H.RunAsync(Limited(16 << 20, "dd if=/dev/zero of=/big bs=1M count=64; echo dd=$?; echo du=$(du -m /big)"));

        Assert.True(status.Code == 0, output);
        Assert.Contains($"dd: error writing '/big': {Refusal}", output);
        Assert.Contains("dd=1", output);
        Assert.DoesNotContain("64+0 records out", output);
        // stdout and stderr are two pipes: dd's report may land after du's line, so du's is found by its prefix.
        var du = output.Split('\n').Single(line => line.StartsWith("du=", StringComparison.Ordinal));
        var megabytes = int.Parse(du["du=".Length..].Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(megabytes, 1, 16);
    }

    [Fact]
    public async Task Run_WritingWithinTheLimit_Succeeds()
    {
        var (status, output) = await H.RunAsync(Limited(32 << 20, "dd if=/dev/zero of=/data bs=1M count=8 && sync && echo wrote"));

        Assert.True(status.Code == 0, output);
        Assert.Contains("8+0 records out", output);
        Assert.Contains("wrote", output);
    }

    [Fact]
    public async Task Run_InAUserNamespace_TheLimitHoldsThere()
    {
        IdMapping[] map = [new IdMapping(0, 100000, 65536)];
        var spec = Limited(16 << 20, "dd if=/dev/zero of=/big bs=1M count=64; echo dd=$? uid=$(id -u)") with
        {
            Security = new IsleSecurity { UserNamespace = new UserNamespace(map, map) },
        };

        var (status, output) = await H.RunAsync(spec);

        Assert.True(status.Code == 0, output);
        Assert.Contains($"dd: error writing '/big': {Refusal}", output);
        Assert.Contains("dd=1 uid=0\n", output); // one line: dd's report on stderr may come before or after it
    }

    [Fact]
    public async Task Delete_LimitedIsle_LiftsTheLimit()
    {
        var (name, _) = await H.StartAsync(Limited(16 << 20, "sleep 100"));
        string layer = Path.Combine(H.Paths.IsleStateDir(name), "fs");
        var limit = LimitOf(layer);
        Assert.True(Limits(limit), $"{limit} limits the running isle's layer");

        await H.Runtime.DeleteAsync(name, TestContext.Current.CancellationToken, keepLog: false);

        Assert.False(Directory.Exists(layer), "the layer is gone");
        Assert.False(Limits(limit), $"{limit} still limits something after the delete");
    }
}
