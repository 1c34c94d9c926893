using System.Formats.Tar;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>A device node in an imported tarball is not created, and islanderctl and the daemon's log say so.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonImageDeviceTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonImageDeviceTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task ImageImport_TarballWithACharDevice_NamesItSkipped()
    {
        await _h.StartDaemonAsync();
        var tarball = Path.Combine(_h.Dir, "dev.tar");
        await using (var file = File.Create(tarball))
        await using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "dev/") { Mode = (UnixFileMode)0b111_101_101 }, TestContext.Current.CancellationToken);
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/fuse") { DeviceMajor = 10, DeviceMinor = 229, Mode = (UnixFileMode)0b110_110_110 }, TestContext.Current.CancellationToken);
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "etc/os-release") { DataStream = new MemoryStream("ID=dev\n"u8.ToArray()) }, TestContext.Current.CancellationToken);
        }
        var name = $"local/dev-{Guid.NewGuid().ToString("N")[..8]}:1";

        var import = await _h.CtlAsync("image", "import", tarball, "--name", name);

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("warning: device node /dev/fuse (character device 10:229) not created", import.Stderr);
        Assert.Contains("device node(s) in its layers not created", _h.DaemonOutput);
        Assert.Contains("/dev/fuse (character device 10:229)", (await _h.CtlAsync("image", "inspect", name)).Stdout);
        Assert.Equal(0, (await _h.CtlAsync("image", "rm", name)).ExitCode);
    }
}
