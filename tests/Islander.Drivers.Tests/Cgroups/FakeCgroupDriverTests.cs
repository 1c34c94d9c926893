using Islander.Drivers.Cgroups;
using Islander.Model;
using Islander.Testing;
using Islander.Testing.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

/// <summary>The fake keeps the real drivers' contract, on both versions.</summary>
public abstract class FakeCgroupDriverTests(CgroupVersion version) : CgroupDriverContract
{
    int _nextPid = 40_000;
    protected FakeCgroupDriver Fake => (FakeCgroupDriver)Driver;

    protected override ICgroupDriver CreateDriver() => new FakeCgroupDriver(version);
    protected override int StartProcess() => Interlocked.Increment(ref _nextPid);
    protected override bool IsInGroup(string isle, int pid) => Fake.Groups.TryGetValue(isle, out var g) && g.Pids.Contains(pid);
    protected override bool IsRunning(int pid) => !Fake.Killed.Contains(pid);
    protected override bool RestrictsDevices(string isle) => Fake.Groups[isle].Devices == DevicePolicy.Allowlist;

    [Fact]
    public void Create_Again_KeepsPidsAndCountsApplies()
    {
        Fake.Create(NewIsle("web"), new IsleResources { Memory = 1 }, Devices, TestContext.Current.CancellationToken);
        Fake.AddProcess("web", 7, TestContext.Current.CancellationToken);
        Fake.Create("web", new IsleResources { Memory = 2 }, Devices, TestContext.Current.CancellationToken);
        var g = Fake.Groups["web"];
        Assert.Equal(2, g.Applied);
        Assert.Equal(2, g.Resources.Memory);
        Assert.Contains(7, g.Pids);
    }

    [Fact]
    public void SimulateOomKill_CountsInStats()
    {
        Fake.Create(NewIsle("web"), new IsleResources(), Devices, TestContext.Current.CancellationToken);
        Fake.SimulateOomKill("web");
        Assert.Equal(1, Fake.Stats("web", TestContext.Current.CancellationToken).OomKills);
    }

    [Fact]
    public void NextError_ThrownOnce()
    {
        Fake.NextError = new CgroupException("boom", ErrorCategory.Transient);
        Assert.Throws<CgroupException>(() => Fake.Create(NewIsle("web"), new IsleResources(), Devices, TestContext.Current.CancellationToken));
        Fake.Create("web", new IsleResources(), Devices, TestContext.Current.CancellationToken);
    }
}

public class FakeCgroupDriverV1Tests() : FakeCgroupDriverTests(CgroupVersion.V1);

public class FakeCgroupDriverV2Tests() : FakeCgroupDriverTests(CgroupVersion.V2);
