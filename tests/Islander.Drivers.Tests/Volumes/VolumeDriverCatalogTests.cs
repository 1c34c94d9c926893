using Islander.Drivers.Network;
using Islander.Drivers.Volumes;
using Islander.Model;

namespace Islander.Drivers.Tests.Volumes;

public class VolumeDriverCatalogTests
{
    [Fact]
    public void All_DriversMadeFromTheirRegistration_SayTheRegisteredNameAndCapabilities()
    {
        var root = Directory.CreateTempSubdirectory("islander-test-catalog-").FullName;
        try
        {
            foreach (var registration in VolumeDriverCatalog.All)
            {
                string driverRoot = Path.Combine(root, registration.Kind.Name);
                if (registration.Probe?.Invoke(driverRoot) is not null) continue; // btrfs off btrfs: VolumeDriverSetTests
                var driver = registration.Open(driverRoot);
                Assert.Equal((registration.Kind, registration.Capabilities), (driver.Kind, driver.Capabilities));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void All_NamesAreUniqueAndDirIsTheDefault()
    {
        Assert.Equal(VolumeDriverKind.Dir, VolumeDriverCatalog.All[0].Kind);
        Assert.Equal(VolumeDriverCatalog.All.Count, VolumeDriverCatalog.All.Select(r => r.Kind).Distinct().Count());
        Assert.Equal(NetworkDriverKind.Bridge, NetworkDriverCatalog.All[0].Kind);
    }

    [Fact]
    public void Known_IsWhatTheCatalogsRegister()
    {
        Assert.Equal(VolumeDriverCatalog.All.Select(r => (r.Kind, r.Capabilities)), DriverCatalogs.Known.Volumes.Select(v => (v.Kind, v.Capabilities)));
        Assert.Equal([NetworkDriverKind.Bridge], DriverCatalogs.Known.Networks);
    }

    [Fact]
    public void Readme_ListsEveryRegisteredVolumeDriver()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Islander.sln")))
            root = root.Parent!;
        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md"));

        // The user's list of drivers: a registered driver nobody can read about is not finished.
        foreach (var registration in VolumeDriverCatalog.All)
            Assert.Contains($"`{registration.Kind.Name}` (", readme);
    }
}
