namespace Islander.Model.Tests.Loading;

/// <summary><c>volumes: [{configFile: FILE, mountPath: PATH, onChange: restart | {signal: NAME}}]</c>: reading, writing, what a change takes.</summary>
public sealed class ConfigFileVolumeTests
{
    static ManifestLoadResult<Manifest> Load(string volume) => ManifestLoader.Load(
        $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n  image: busybox\n  volumes:\n  - {volume}\n", "t.yaml",
        Islander.Drivers.DriverCatalogs.Known);

    static IsleManifest Isle(string volume)
    {
        var result = Load(volume);
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<IsleManifest>(Assert.Single(result.Objects));
    }

    [Fact]
    public void Load_ConfigFileWithSignal_ReadOnlyMountAndWhereItIsNamed()
    {
        var isle = Isle("{configFile: conf/nginx.conf, mountPath: /etc/nginx/nginx.conf, onChange: {signal: HUP}}");

        var mount = Assert.Single(isle.Spec.Volumes);
        Assert.Equal(("conf/nginx.conf", "/etc/nginx/nginx.conf", true, 1, null), (mount.ConfigFile, mount.MountPath, mount.ReadOnly, mount.ReloadSignal, mount.ConfigData));
        // Line 7, the column of the value: where a file that cannot be read is reported.
        Assert.Equal(new ConfigFileReference(0, "conf/nginx.conf", 7, 18), Assert.Single(isle.ConfigFiles));
        Assert.Equal("spec.volumes[0].configFile", isle.ConfigFiles[0].Field);
    }

    [Theory]
    [InlineData("{configFile: app.ini, mountPath: /etc/app.ini}")]
    [InlineData("{configFile: app.ini, mountPath: /etc/app.ini, onChange: restart}")]
    public void Load_NoSignal_Restarts(string volume) => Assert.Null(Assert.Single(Isle(volume).Spec.Volumes).ReloadSignal);

    [Fact]
    public void Load_ContentSent_NothingLeftToRead()
    {
        var isle = Isle("{configFile: app.ini, configData: YSA9IDEK, mountPath: /etc/app.ini}");

        Assert.Equal("YSA9IDEK", isle.Spec.Volumes[0].ConfigData);
        Assert.Empty(isle.ConfigFiles);
    }

    [Theory]
    [InlineData("{configFile: /etc/shadow, mountPath: /x}", "spec.volumes[0].configFile", "is absolute")]
    [InlineData("{configFile: conf/, mountPath: /x}", "spec.volumes[0].configFile", "names a directory")]
    [InlineData("{configFile: '..', mountPath: /x}", "spec.volumes[0].configFile", "names a directory")]
    [InlineData("{configFile: a, hostPath: /srv, mountPath: /x}", "spec.volumes[0].configFile", "set only one of")]
    [InlineData("{configFile: a, mountPath: /x, readOnly: false}", "spec.volumes[0].readOnly", "always read-only")]
    [InlineData("{configFile: a, mountPath: /x, onChange: reload}", "spec.volumes[0].onChange", "onChange: restart or onChange: {signal: HUP}")]
    [InlineData("{configFile: a, mountPath: /x, onChange: {signal: HUPP}}", "spec.volumes[0].onChange.signal", "is not a signal")]
    [InlineData("{configFile: a, mountPath: /x, onChange: {}}", "spec.volumes[0].onChange.signal", "is required")]
    [InlineData("{configFile: a, mountPath: /x, configData: '!!'}", "spec.volumes[0].configData", "is not base64")]
    [InlineData("{tmpfs: {}, mountPath: /x, onChange: restart}", "spec.volumes[0].onChange", "is for a configFile volume only")]
    [InlineData("{configFile: a, mountPath: /proc/sys}", "spec.volumes[0].mountPath", "")]
    public void Load_Bad_FieldAndWhy(string volume, string field, string why)
    {
        var result = Load(volume);

        Assert.Empty(result.Objects);
        Assert.Contains(result.Diagnostics, d => d.Field == field && d.Message.Contains(why, StringComparison.Ordinal));
    }

    [Fact]
    public void Write_ConfigFile_RoundTrip()
    {
        var spec = new IsleSpec { Image = "busybox", Volumes = [Testing.SpecEdits.ConfigFile("a = 1\n", signal: 1), Testing.SpecEdits.ConfigFile("b\n", file: "b.conf", mountPath: "/etc/b.conf")] };
        var yaml = ManifestWriter.WriteJson(new IsleManifest(new ObjectMeta("t"), spec, ManifestSource.None));

        var loaded = Assert.IsType<IsleManifest>(Assert.Single(ManifestLoader.Load(yaml, "t.yaml", Islander.Drivers.DriverCatalogs.Known).Objects)).Spec;
        Assert.Equal(spec.Volumes, loaded.Volumes);
    }

    [Fact]
    public void SpecHash_WithoutConfigFiles_Unchanged() =>
        Assert.DoesNotContain("Config", SpecHash.CanonicalJson(new IsleSpec { Image = "busybox", Volumes = [new VolumeMount { MountPath = "/d", Tmpfs = new TmpfsOptions() }] }), StringComparison.Ordinal);

    static (IsleSpec Before, IsleSpec After) Edit(int? signal, string content = "a = 2\n", string mountPath = "/etc/app.conf")
    {
        var before = Testing.SpecEdits.Base() with { Volumes = [Testing.SpecEdits.ConfigFile("a = 1\n", signal)] };
        return (before, before with { Volumes = [Testing.SpecEdits.ConfigFile(content, signal, mountPath: mountPath)] });
    }

    static PlanAction? Action((IsleSpec Before, IsleSpec After) edit) => StateDiff.ForIsle("web", edit.After, SpecHash.Of(edit.After),
        new ActualIsle("web", SpecHash.Of(edit.Before), IslePhase.Running, ProcessAlive: true) { Spec = edit.Before }, []).Action;

    [Fact]
    public void NewContent_Signal_LiveUpdateOfThatFieldOnly()
    {
        var edit = Edit(signal: 1);

        var update = Assert.IsType<UpdateIsle>(Action(edit));

        var change = Assert.Single(update.Changes);
        Assert.Equal("volumes.configData", change.Field);
        Assert.Equal($"~ spec.volumes.configData: /etc/app.conf {IsleSpecRules.ConfigDigest(Convert.ToBase64String("a = 1\n"u8.ToArray()))} -> /etc/app.conf {IsleSpecRules.ConfigDigest(Convert.ToBase64String("a = 2\n"u8.ToArray()))} (live)", change.ToString());
    }

    [Fact]
    public void NewContent_Restart_ARestartNotARecreate()
    {
        var action = Assert.IsType<RecreateIsle>(Action(Edit(signal: null)));

        Assert.Equal(SpecChangeKind.Restart, action.Kind);
        Assert.Equal(["volumes.configData"], action.Changes.Select(c => c.Field));
    }

    [Fact]
    public void NewMountPath_Recreate() =>
        Assert.Equal(SpecChangeKind.Recreate, Assert.IsType<RecreateIsle>(Action(Edit(signal: 1, content: "a = 1\n", mountPath: "/etc/other.conf"))).Kind);

    [Fact]
    public void OnlyOnChange_Live()
    {
        var before = Testing.SpecEdits.Base() with { Volumes = [Testing.SpecEdits.ConfigFile("a = 1\n", signal: null)] };
        var after = before with { Volumes = [Testing.SpecEdits.ConfigFile("a = 1\n", signal: 1)] };

        var update = Assert.IsType<UpdateIsle>(Action((before, after)));

        Assert.Equal("~ spec.volumes.onChange: /etc/app.conf restart -> /etc/app.conf signal SIGHUP (live)", Assert.Single(update.Changes).ToString());
    }

    [Fact]
    public void SameContent_Nothing()
    {
        var (before, _) = Edit(signal: 1);

        Assert.Null(Action((before, before with { Volumes = [.. before.Volumes] })));
    }
}
