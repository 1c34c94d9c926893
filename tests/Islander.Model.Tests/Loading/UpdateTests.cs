namespace Islander.Model.Tests.Loading;

/// <summary><c>update:</c> (health-gated rollouts): reading, defaults, problems with file, line and field, and the rule.</summary>
public sealed class UpdateTests
{
    static ManifestLoadResult<Manifest> Load(string update) => ManifestLoader.Load(
        $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n  image: busybox\n  update: {update}\n", "t.yaml",
        Islander.Drivers.DriverCatalogs.Known);

    static IsleUpdate? Read(string update)
    {
        var result = Load(update);
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec.Update;
    }

    [Fact]
    public void Load_Empty_DefaultsRollbackOnSnapshotsOff() =>
        Assert.Equal(new IsleUpdate { HealthTimeout = TimeSpan.FromSeconds(60), Rollback = true, SnapshotVolumes = false, MinHealthyTime = TimeSpan.FromSeconds(10) },
            Read("{}"));

    [Fact]
    public void Load_EveryField_Read() =>
        Assert.Equal(new IsleUpdate { HealthTimeout = TimeSpan.FromMinutes(2), Rollback = false, SnapshotVolumes = true, MinHealthyTime = TimeSpan.FromSeconds(30) },
            Read("{healthTimeout: 2m, rollback: false, snapshotVolumes: true, minHealthyTime: 30s}"));

    [Fact]
    public void Load_ShortHealthTimeoutWithoutMinHealthyTime_HalfOfIt() =>
        Assert.Equal(TimeSpan.FromSeconds(3), Read("{healthTimeout: 6s}")!.MinHealthyTime);

    [Theory]
    [InlineData("{healthTimeout: 500ms}", 6, 27, "spec.update.healthTimeout", "500ms is too short; give the new generation at least 1s")]
    [InlineData("{healthTimeout: soon}", 6, 27, "spec.update.healthTimeout", "\"soon\" is not a duration")]
    [InlineData("{healthTimeout: 10s, minHealthyTime: 10s}", 6, 48, "spec.update.minHealthyTime", "10s is not shorter than healthTimeout (10s)")]
    [InlineData("{rollback: maybe}", 6, 22, "spec.update.rollback", "")]
    [InlineData("{snapshotVolume: true}", 6, 12, "spec.update.snapshotVolume", "did you mean snapshotVolumes?")]
    public void Load_BadUpdate_FileLineField(string update, int line, int column, string field, string message)
    {
        var result = Load(update);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("t.yaml", line, column, field), (d.File, d.Line, d.Column, d.Field));
        Assert.Contains(message, d.Message);
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void Rule_UpdateIsLiveAndInTheHash()
    {
        var before = new IsleSpec { Image = "busybox" };
        var after = before with { Update = new IsleUpdate { SnapshotVolumes = true } };

        var change = Assert.Single(IsleSpecRules.Changes(before, after));
        Assert.Equal(("update", SpecChangeKind.Live), (change.Field, change.Kind));
        Assert.NotEqual(SpecHash.Of(before), SpecHash.Of(after));
        Assert.Equal(SpecHash.Of(before), SpecHash.Of(before with { Update = null })); // isles without it keep their hash
    }
}
