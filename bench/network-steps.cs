#:project ../src/Islander.Controller/Islander.Controller.csproj
// Helper of bench/network-steps.sh: what each step of a networked isle's start and removal costs, alone, in a throwaway
// "host" namespace (bridges, veths' host ends, the nft table there): EnsureNetwork (what every allocation calls), one
// Attach (the veth pair, into the isle's namespace, address, routes, up), one firewall apply (an nft process), one
// firewall sync that finds nothing to do (the generation read), one Detach, one IPAM commit (a NetworkRecord saved to
// LiteDB and its log synced). Medians over the isles given.
// usage: dotnet run network-steps.cs -- HOSTPID ISLEPID...
using System.Diagnostics;
using System.Net;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;

int hostPid = int.Parse(args[0]);
var isles = args.Skip(1).Select(int.Parse).ToList();
var driver = new BridgeNetworkDriver(NetworkNamespace.OfProcess(hostPid));
var net = new BridgeNetworkConfig("steps", IPNetwork.Parse("10.214.0.0/22"), IPAddress.Parse("10.214.0.1"), Masquerade: true);
var ct = CancellationToken.None;
var times = new Dictionary<string, List<double>>();
void Time(string step, Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    (times.TryGetValue(step, out var l) ? l : times[step] = []).Add(sw.Elapsed.TotalMilliseconds);
}

var dir = Directory.CreateTempSubdirectory("islander-steps-");
using var store = new StateStore(Path.Combine(dir.FullName, "islander.db"));
var record = new NetworkRecord { Name = "steps", Subnet = "10.214.0.0/22", Gateway = "10.214.0.1", Bridge = net.BridgeName, Ready = true };
var ports = new List<PortPublication>();
for (int i = 0; i < isles.Count; i++)
{
    string name = $"isle{i}";
    var ip = IPAddress.Parse($"10.214.0.{i + 2}");
    Time("EnsureNetwork (per allocation)", () => driver.EnsureNetwork(net, ct));
    Time("IPAM commit (SaveNetwork, log synced)", () => { record.Allocations[name] = ip.ToString(); store.SaveNetwork(record); });
    Time("Attach (netlink)", () => driver.Attach(net, new IsleEndpoint(name, NetworkNamespace.OfProcess(isles[i]), ip), ct));
    ports.Add(new PortPublication(name, ip, 80, 20000 + i));
    Time("SyncFirewall, new port (nft -f)", () => driver.SyncFirewall(new FirewallConfig([net], [.. ports]), ct));
    Time("SyncFirewall, unchanged (generation read)", () => driver.SyncFirewall(new FirewallConfig([net], [.. ports]), ct));
}
for (int i = 0; i < isles.Count; i++)
    Time("Detach (netlink)", () => driver.Detach(net, $"isle{i}", ct));
driver.SyncFirewall(FirewallConfig.Empty, ct);
driver.DeleteNetwork(net, ct);
dir.Delete(true);
foreach (var (step, list) in times)
{
    list.Sort();
    Console.WriteLine($"{step,-45} median {list[list.Count / 2],7:F2} ms  (min {list[0]:F2}, max {list[^1]:F2}, n={list.Count})");
}
