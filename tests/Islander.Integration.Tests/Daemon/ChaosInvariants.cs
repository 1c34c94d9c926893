using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Islander.Drivers.Network;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// The invariants after a crash of islanderd, checked against the kernel (the daemon runs in <paramref name="host"/>'s
/// network namespace): every desired isle runs its spec with exactly one init, one shim and one cgroup, no other isle
/// is left (process, cgroup, mount, veth, netns, firewall rule, address, record), each address is its isle's only and
/// is the one its namespace has. <see cref="ViolationsAsync"/> names each broken one.
/// </summary>
internal sealed partial class ChaosInvariants(DaemonHarness h, Network.TestNetns host, ChaosWorld world)
{
    /// <summary>An isle's pid and restart count when it last ran a spec the test did not change.</summary>
    public readonly record struct Run(int Pid, int RestartCount);

    /// <summary>Every desired isle Running the command of its spec, no other isle in the API, networks and volumes Ready.</summary>
    public async Task<bool> ConvergedAsync()
    {
        var isles = await ListAsync("isles");
        if (isles.Count != world.Isles.Count) return false;
        foreach (var i in isles)
        {
            if (!world.Isles.TryGetValue(Name(i), out var want)) return false;
            if (DaemonHarness.Phase(i) != "Running" || DaemonHarness.Pid(i) is not { } pid) return false;
            if (DaemonLifecycleTests.Cmdline(pid) != want.Command) return false;
        }
        var volumes = await ListAsync("volumes");
        return volumes.Count == world.Volumes.Count && volumes.All(v => Phase(v) == "Ready")
            && (await ListAsync("networks")).Count(n => Phase(n) == "Ready") == ChaosWorld.Networks.Length;
    }

    /// <summary>The running isles' pids and restart counts, by name.</summary>
    public async Task<Dictionary<string, Run>> RunsAsync() =>
        (await ListAsync("isles")).Where(i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is not null)
            .ToDictionary(Name, i => new Run(DaemonHarness.Pid(i)!.Value, DaemonHarness.RestartCount(i)));

    /// <summary>Every invariant that does not hold, in words; <paramref name="unchanged"/> are isles that must not have been restarted.</summary>
    public async Task<List<string>> ViolationsAsync(IReadOnlyDictionary<string, Run> unchanged)
    {
        var bad = new List<string>();
        var isles = (await ListAsync("isles")).ToDictionary(Name);
        var pids = new Dictionary<string, int>();

        // Records: one per desired isle, none of an isle no longer desired.
        foreach (var name in world.Isles.Keys.Where(n => !isles.ContainsKey(n))) bad.Add($"lost isle {name}: no record in the API");
        foreach (var name in isles.Keys.Where(n => !world.Isles.ContainsKey(n))) bad.Add($"record of deleted isle {name} left in the API");

        // Processes: exactly one init (the pid the API shows, running the spec's command) and one shim per isle.
        foreach (var (name, want) in world.Isles)
        {
            if (!isles.TryGetValue(name, out var isle)) continue;
            var inits = IsleProcesses.Inits(name);
            int? pid = DaemonHarness.Pid(isle);
            if (DaemonHarness.Phase(isle) != "Running" || pid is null) bad.Add($"isle {name} is {DaemonHarness.Phase(isle)} ({isle["status"]?["reason"]}), not Running");
            else pids[name] = pid.Value;
            if (inits.Count != 1 || inits[0] != pid)
                bad.Add($"isle {name}: inits [{string.Join(", ", inits)}] in its cgroup, the API says pid {pid}");
            if (IsleProcesses.Shims(name) != 1) bad.Add($"isle {name}: {IsleProcesses.Shims(name)} shims");
            // Its command is sleep, exec'd: the init is the cgroup's only process (a second copy's would be another).
            if (IsleProcesses.CgroupProcs(name) is { Count: not 1 } procs) bad.Add($"isle {name}: processes [{string.Join(", ", procs)}] in its cgroup, not its init alone");
            if (pid is { } p && DaemonLifecycleTests.Cmdline(p) != want.Command)
                bad.Add($"isle {name}: runs '{DaemonLifecycleTests.Cmdline(p)}', its spec says '{want.Command}'");
            var cgroups = DaemonHarness.CgroupDirs(Path.Combine("islander", name)).Count();
            if (cgroups == 0) bad.Add($"isle {name}: no cgroup");
        }
        foreach (var (name, before) in unchanged)
            if (world.Isles.ContainsKey(name) && isles.TryGetValue(name, out var isle)
                && (DaemonHarness.Pid(isle) != before.Pid || DaemonHarness.RestartCount(isle) != before.RestartCount))
                bad.Add($"isle {name} was restarted though its spec did not change: pid {before.Pid} → {DaemonHarness.Pid(isle)}, restarts {before.RestartCount} → {DaemonHarness.RestartCount(isle)}");

        // Cgroups of isles no longer desired (a leaked group, with or without processes).
        foreach (var dir in DaemonHarness.CgroupDirs("islander").SelectMany(d => Directory.GetDirectories(d)))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith("chaos-", StringComparison.Ordinal) && !world.Isles.ContainsKey(name))
                bad.Add($"cgroup {dir} of deleted isle {name} left ({IsleProcesses.CgroupProcs(name).Count} processes)");
        }

        // Mounts under the daemon's directories that belong to an isle no longer desired.
        foreach (var mount in File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(h.Dir + "/", StringComparison.Ordinal)))
            if (IsleInPath().Match(mount) is { Success: true } m && m.Groups[1].Value.StartsWith("chaos-", StringComparison.Ordinal) && !world.Isles.ContainsKey(m.Groups[1].Value))
                bad.Add($"mount {mount} of deleted isle {m.Groups[1].Value} left");

        // Files and directories under the daemon's directories named after an isle no longer desired (its run directory,
        // writable layer, log, hosts file): what a delete a crash cut off would leave behind for good.
        foreach (var path in Directory.EnumerateFileSystemEntries(h.Dir, "chaos-*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 5, IgnoreInaccessible = true }))
            if (!path.StartsWith(h.ManifestsDir + "/", StringComparison.Ordinal) && !world.Isles.ContainsKey(Path.GetFileName(path)))
                bad.Add($"{path} of deleted isle {Path.GetFileName(path)} left");

        // Links in the daemon's namespace: the two bridges, one host-side veth per isle and network, nothing else.
        var links = host.Ok("ip -o link show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0]).Where(l => l.StartsWith(NetworkNames.Prefix, StringComparison.Ordinal)).ToHashSet();
        var wantLinks = ChaosWorld.Networks.Select(n => NetworkNames.Bridge(n.Name))
            .Concat(world.Isles.Values.SelectMany(i => i.Networks.Select(n => NetworkNames.HostVeth(n, i.Name)))).ToHashSet();
        foreach (var l in links.Except(wantLinks)) bad.Add($"link {l} left in the host namespace ({Owner(l)})");
        foreach (var l in wantLinks.Except(links)) bad.Add($"link {l} missing ({Owner(l)})");

        // Network namespaces: islanderd holds none but the host's and its running isles'.
        var isleNetns = pids.Values.Select(p => Netns($"/proc/{p}/ns/net")).ToHashSet();
        if (h.Daemon is { } daemon)
            foreach (var fd in SafeFiles($"/proc/{daemon.Id}/fd"))
                if (Netns(fd) is { } ns && ns.StartsWith("net:", StringComparison.Ordinal) && ns != Netns($"/proc/{host.Pid}/ns/net") && ns != Netns("/proc/self/ns/net") && !isleNetns.Contains(ns))
                    bad.Add($"islanderd holds network namespace {ns} (fd {fd}) of no running isle");

        // Addresses: the API's are the kernel's, each held by one isle, on the isle's networks only; a network counts its isles.
        var owners = new Dictionary<string, string>();
        foreach (var (name, want) in world.Isles)
        {
            if (!isles.TryGetValue(name, out var isle)) continue;
            var addresses = isle["status"]?["addresses"]?.AsObject().ToDictionary(a => a.Key, a => (string?)a.Value ?? "") ?? [];
            if (!addresses.Keys.Order().SequenceEqual(want.Networks.Order()))
                bad.Add($"isle {name}: addresses on [{string.Join(", ", addresses.Keys)}], its networks are [{string.Join(", ", want.Networks)}]");
            var inKernel = pids.TryGetValue(name, out var pid) ? host.Run($"nsenter -t {pid} -n ip -4 -o addr show").Out : "";
            foreach (var (net, ip) in addresses)
            {
                if (!owners.TryAdd(ip, name)) bad.Add($"address {ip} held by {owners[ip]} and {name}");
                if (pids.ContainsKey(name) && !inKernel.Contains($" {ip}/", StringComparison.Ordinal))
                    bad.Add($"isle {name}: the API says {net} {ip}, its namespace has: {inKernel.Trim()}");
            }
        }
        foreach (var net in await ListAsync("networks"))
        {
            int want = world.Isles.Values.Count(i => i.Networks.Contains(Name(net)));
            if ((int?)net["status"]?["isles"] is { } held && held != want)
                bad.Add($"network {Name(net)} holds {held} addresses for {want} isles (an address of a deleted or moved isle)");
        }

        // The firewall: one dnat map element per published port, to its isle's address, and the two rules that look the
        // maps up, whatever the number of ports; networks' rules only for the two.
        var (_, table, _) = host.Run("nft list table ip islander");
        var rules = IsleRule().Matches(table).Select(m => (Isle: m.Groups[2].Value, Port: int.Parse(m.Groups[1].Value), Ip: m.Groups[3].Value)).ToList();
        foreach (var r in rules)
        {
            if (!world.Isles.TryGetValue(r.Isle, out var want) || want.HostPort != r.Port) bad.Add($"nft rule of port {r.Port} → {r.Ip} of isle {r.Isle} left");
            else if (!owners.TryGetValue(r.Ip, out var o) || o != r.Isle) bad.Add($"nft rule of port {r.Port} of isle {r.Isle} sends to {r.Ip}, not its address");
        }
        foreach (var want in world.Isles.Values.Where(i => i.HostPort is not null && pids.ContainsKey(i.Name)))
            if (rules.Count(r => r.Isle == want.Name) != 1) bad.Add($"isle {want.Name}: {rules.Count(r => r.Isle == want.Name)} nft map elements for its port {want.HostPort}");
        int lookups = table.Split('\n').Count(l => l.TrimStart().StartsWith("dnat ", StringComparison.Ordinal)); // not "ct status dnat accept"
        if (rules.Count > 0 && lookups != 2) bad.Add($"{lookups} nft rules dnat for {rules.Count} published ports: the ports' two maps, not a rule a port, are the design");
        foreach (Match m in NetworkRule().Matches(table))
            if (!ChaosWorld.Networks.Any(n => n.Name == m.Groups[1].Value)) bad.Add($"nft rule of network {m.Groups[1].Value} left");

        // Volumes: the desired ones, Ready; no upload of an image import left behind by a crash.
        var volumes = await ListAsync("volumes");
        foreach (var v in volumes.Where(v => !world.Volumes.Contains(Name(v)) || Phase(v) != "Ready")) bad.Add($"volume {Name(v)} is {Phase(v)}");
        foreach (var v in world.Volumes.Where(v => volumes.All(x => Name(x) != v))) bad.Add($"volume {v} lost");
        foreach (var f in SafeFiles(Path.Combine(h.StateDir, "import"))) bad.Add($"import upload {f} left");
        return bad;
    }

    string Owner(string link)
    {
        foreach (var i in world.Isles.Values)
            foreach (var n in ChaosWorld.Networks)
                if (NetworkNames.HostVeth(n.Name, i.Name) == link) return $"isle {i.Name} on {n.Name}";
        return ChaosWorld.Networks.Any(n => NetworkNames.Bridge(n.Name) == link) ? "bridge" : "of no desired isle";
    }

    async Task<List<JsonObject>> ListAsync(string kind)
    {
        var body = await h.Http.GetStringAsync($"{DaemonHarness.Api}/{kind}", TestContext.Current.CancellationToken);
        return JsonNode.Parse(body)!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    static string Name(JsonObject o) => (string)o["metadata"]!["name"]!;
    static string? Phase(JsonObject o) => (string?)o["status"]?["phase"];

    static string? Netns(string link)
    {
        try { return File.ResolveLinkTarget(link, false)?.ToString(); }
        catch (IOException) { return null; }
    }

    static string[] SafeFiles(string dir)
    {
        try { return Directory.GetFiles(dir); }
        catch (DirectoryNotFoundException) { return []; }
    }

    [GeneratedRegex("/isles/([^/]+)")]
    private static partial Regex IsleInPath();

    // An element of the published ports' maps: [HOSTIP . ]tcp . PORT comment "isle NAME" : ISLEIP . PORT
    [GeneratedRegex("""(?:tcp|udp) \. (\d+) comment "isle ([^"]+)" : ([0-9.]+) \. \d+""")]
    private static partial Regex IsleRule();

    [GeneratedRegex("""comment "network ([^"]+)""")]
    private static partial Regex NetworkRule();
}
