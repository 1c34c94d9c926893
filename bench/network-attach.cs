#:project ../src/Islander.Drivers/Islander.Drivers.csproj
// Helper of bench/network-iperf.sh: attaches two namespaces to a network with islander's bridge
// driver, inside a "host" namespace, so the machine's own namespace is never touched.
// usage: dotnet run network-attach.cs -- HOSTPID ISLE1PID ISLE2PID [--firewall]
using System.Net;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;

int hostPid = int.Parse(args[0]), a = int.Parse(args[1]), b = int.Parse(args[2]);
bool firewall = args.Contains("--firewall");
var driver = new BridgeNetworkDriver(NetworkNamespace.OfProcess(hostPid));
var net = new BridgeNetworkConfig("bench", IPNetwork.Parse("10.212.0.0/24"), IPAddress.Parse("10.212.0.1"), Masquerade: true);
var sw = System.Diagnostics.Stopwatch.StartNew();
driver.EnsureNetwork(net);
var ensured = sw.Elapsed;
driver.Attach(net, new IsleEndpoint("isle-a", NetworkNamespace.OfProcess(a), IPAddress.Parse("10.212.0.2")));
var attachedA = sw.Elapsed;
driver.Attach(net, new IsleEndpoint("isle-b", NetworkNamespace.OfProcess(b), IPAddress.Parse("10.212.0.3")));
var attachedB = sw.Elapsed;
if (firewall)
    driver.SyncFirewall(new FirewallConfig([net], []));
Console.WriteLine($"ensure network {ensured.TotalMilliseconds:F1} ms, attach isle-a {(attachedA - ensured).TotalMilliseconds:F1} ms, attach isle-b {(attachedB - attachedA).TotalMilliseconds:F1} ms{(firewall ? $", firewall {(sw.Elapsed - attachedB).TotalMilliseconds:F1} ms" : "")}");
