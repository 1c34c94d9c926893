using System.Net;
using Islander.Drivers.Network.Ipam;
using Islander.Model;

namespace Islander.Drivers.Tests.Network.Ipam;

public class IpamPoolTests
{
    static IpamPool Pool(string subnet = "10.88.0.0/24", string gateway = "10.88.0.1") =>
        IpamPool.Create("backend", IPNetwork.Parse(subnet), IPAddress.Parse(gateway));

    static IPAddress Ip(string s) => IPAddress.Parse(s);

    [Fact]
    public void Allocate_Dynamic_SkipsNetworkAndGateway()
    {
        var (_, ip) = Pool().Allocate("web");
        Assert.Equal(Ip("10.88.0.2"), ip);
    }

    [Fact]
    public void Allocate_GatewayNotFirst_SkipsItInTheMiddle()
    {
        var pool = Pool(gateway: "10.88.0.2");
        (pool, var a) = pool.Allocate("a");
        (_, var b) = pool.Allocate("b");
        Assert.Equal([Ip("10.88.0.1"), Ip("10.88.0.3")], [a, b]);
    }

    [Fact]
    public void Allocate_SameOwnerTwice_IsIdempotent()
    {
        var (pool, first) = Pool().Allocate("web");
        var (again, second) = pool.Allocate("web");
        Assert.Equal(first, second);
        Assert.Same(pool, again);
    }

    [Fact]
    public void Allocate_Static_ReturnsIt()
    {
        var (pool, ip) = Pool().Allocate("db", Ip("10.88.0.10"));
        Assert.Equal(Ip("10.88.0.10"), ip);
        Assert.Equal("db", pool.HolderOf(Ip("10.88.0.10")));
    }

    [Fact]
    public void Allocate_StaticTakenByAnother_IsConflictNamingTheHolder()
    {
        var (pool, _) = Pool().Allocate("db", Ip("10.88.0.10"));
        var e = Assert.Throws<IpamException>(() => pool.Allocate("web", Ip("10.88.0.10")));
        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Contains("already allocated to db", e.Message);
    }

    [Theory]
    [InlineData("10.89.0.5", "outside the subnet")]
    [InlineData("10.88.0.0", "network address")]
    [InlineData("10.88.0.255", "broadcast address")]
    [InlineData("10.88.0.1", "gateway")]
    public void Allocate_StaticUnusable_IsInvalid(string ip, string why)
    {
        var e = Assert.Throws<IpamException>(() => Pool().Allocate("web", Ip(ip)));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Allocate_NewStaticForOwner_MovesIt()
    {
        var (pool, _) = Pool().Allocate("web");
        (pool, var ip) = pool.Allocate("web", Ip("10.88.0.20"));
        Assert.Equal(Ip("10.88.0.20"), ip);
        Assert.Null(pool.HolderOf(Ip("10.88.0.2")));
        Assert.Single(pool.Allocations);
    }

    [Fact]
    public void Allocate_Full_IsConflict()
    {
        var pool = Pool("10.88.0.0/30"); // .1 gateway, .2 the only isle address
        (pool, _) = pool.Allocate("a");
        var e = Assert.Throws<IpamException>(() => pool.Allocate("b"));
        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Contains("no free address", e.Message);
    }

    [Fact]
    public void Release_FreesTheAddressForTheNext()
    {
        var pool = Pool();
        (pool, _) = pool.Allocate("a");
        (pool, _) = pool.Allocate("b");
        pool = pool.Release("a").Release("a");
        var (_, ip) = pool.Allocate("c");
        Assert.Equal(Ip("10.88.0.2"), ip);
    }

    [Fact]
    public void Create_FromPersistedAllocations_DoesNotHandThemOutAgain()
    {
        var saved = Pool().Allocate("a").Pool.Allocate("b").Pool.Allocations;
        var reloaded = IpamPool.Create("backend", IPNetwork.Parse("10.88.0.0/24"), Ip("10.88.0.1"), saved.ToDictionary());

        var (_, ip) = reloaded.Allocate("c");

        Assert.Equal(Ip("10.88.0.4"), ip);
        Assert.Equal(Pool().Allocate("a").Pool.Allocate("b").Pool, reloaded);
    }

    [Fact]
    public void Create_DuplicateInPersistedState_IsConflict()
    {
        var e = Assert.Throws<IpamException>(() => IpamPool.Create("backend", IPNetwork.Parse("10.88.0.0/24"), Ip("10.88.0.1"),
            new Dictionary<string, IPAddress> { ["a"] = Ip("10.88.0.5"), ["b"] = Ip("10.88.0.5") }));
        Assert.Equal(ErrorCategory.Conflict, e.Category);
    }

    [Theory]
    [InlineData("10.88.0.0/31", "10.88.0.1")]
    [InlineData("fd00::/64", "fd00::1")]
    [InlineData("10.88.0.0/24", "10.89.0.1")]
    public void Create_BadSubnetOrGateway_IsInvalid(string subnet, string gateway)
    {
        var e = Assert.Throws<IpamException>(() => IpamPool.Create("n", IPNetwork.Parse(subnet), Ip(gateway)));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }
}
