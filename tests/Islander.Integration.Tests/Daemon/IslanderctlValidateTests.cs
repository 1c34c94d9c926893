namespace Islander.Integration.Tests.Daemon;

/// <summary><c>islanderctl validate</c> as CI runs it: the real binary, no daemon anywhere, the exit code.</summary>
public sealed class IslanderctlValidateTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task NoDaemon_ExitCodesForCi()
    {
        var manifests = Directory.CreateDirectory(Path.Combine(_dir, "manifests")).FullName;
        var nowhere = Path.Combine(_dir, "no.sock"); // nothing listens: validate must not need it
        File.WriteAllText(Path.Combine(manifests, "web.yaml"), "apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: web}\nspec:\n  rootfs: /srv/busybox\n  command: [sh]\n");

        var valid = await DaemonHarness.RunCtlAsync("--socket", nowhere, "validate", "-f", manifests);
        Assert.True(valid.ExitCode == 0, valid.ToString());
        Assert.Equal("1 manifest file, 1 valid object: valid\n", valid.Stderr);

        File.WriteAllText(Path.Combine(manifests, "db.yaml"), "apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: db}\nspec:\n  rootfs: /srv/busybox\n  resources: {memory: 64Q}\n");
        var invalid = await DaemonHarness.RunCtlAsync("--socket", nowhere, "validate", "-f", manifests);
        Assert.True(invalid.ExitCode == 1, invalid.ToString());
        Assert.StartsWith($"{manifests}/db.yaml:6:23: spec.resources.memory: \"64Q\"", invalid.Stdout);

        var missing = await DaemonHarness.RunCtlAsync("--socket", nowhere, "validate", "-f", Path.Combine(_dir, "typo"));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("typo: no such file or directory", missing.Stderr);
    }
}
