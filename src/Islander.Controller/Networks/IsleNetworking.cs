using System.Collections.Concurrent;
using Islander.Controller.Ports;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Networks;

/// <summary>
/// The isles' side of networking: before a start, its part of the start plan (addresses, the hosts file bound at
/// /etc/hosts, the attachments); after start, stop and delete, the hosts files, the firewall and the addresses brought
/// up to date. Each part keeps its own lock (<see cref="NetworkAddresses"/>: one per network; <see cref="HostsFiles"/>;
/// <see cref="NetworkFirewall"/>), none for everything.
/// </summary>
public sealed class IsleNetworking(NetworkAddresses addresses, HostsFiles hosts, NetworkFirewall firewall, ILogger<IsleNetworking> log)
{
    /// <summary>The veth removals <see cref="Ended"/> began, by isle, until its next start or its delete waits for them.</summary>
    readonly ConcurrentDictionary<string, Task> _unplugging = new(StringComparer.Ordinal);

    public string HostsFileOf(string isle) => hosts.FileOf(isle);

    /// <summary>
    /// Before an isle starts: makes its networks exist, gives it an address on each (a static <c>ip</c> honoured;
    /// the stored allocation reused), releases its addresses on networks it no longer names, writes its hosts file,
    /// and returns the spec to start with (/etc/hosts bind-mounted from that file) and the attachments (eth0, eth1,
    /// ... in spec order, the default route on the first). An isle on host networking or on no network keeps its spec
    /// and gets no attachment (and holds no address).
    /// </summary>
    public NetworkPlan Prepare(string isle, IsleSpec spec)
    {
        WaitUnplugged(isle); // a veth of the same name is made below
        var names = spec.HostNetwork ? new HashSet<string>() : spec.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        addresses.ReleaseAllBut(isle, names);
        if (names.Count == 0)
            return new NetworkPlan(spec, []);
        var attachments = addresses.Allocate(isle, spec.Networks)
            .Select((a, i) => new IsleNetworkAttachment(a.Driver, a.Network, a.Ip, $"eth{i}", DefaultRoute: i == 0)).ToList();
        hosts.Write(isle, spec.Hostname);
        if (spec.Volumes.Any(v => v.MountPath.TrimEnd('/') == "/etc/hosts"))
            return new NetworkPlan(spec, attachments); // the isle brings its own
        return new NetworkPlan(spec with { Volumes = [.. spec.Volumes, new VolumeMount { HostPath = hosts.FileOf(isle), MountPath = "/etc/hosts" }] }, attachments);
    }

    /// <summary>After an isle started (or was found running): every hosts file current, the firewall publishing its ports.</summary>
    public void Started(string isle)
    {
        if (!addresses.HoldsAddress(isle))
            return;
        hosts.Refresh();
        firewall.SyncIfChanged();
    }

    /// <summary>
    /// After an isle stopped: its ports are unpublished. Its veths are left to the kernel, which deletes each pair when
    /// the isle's namespace goes with its last process (as for an isle that ended by itself); deleting a live veth here
    /// would cost about 20 ms of the stop. Its addresses stay its own until it is deleted (<see cref="Deleted"/>), and a
    /// start replaces a veth of the same name that is still there.
    /// </summary>
    public void Stopped(string isle)
    {
        if (!addresses.HoldsAddress(isle))
            return;
        firewall.SyncIfChanged();
    }

    /// <summary>
    /// After an isle was deleted: detached, its addresses released, the other isles' hosts files rewritten. When its veths
    /// are still going (<see cref="Ended"/>), that follows them in the background: the delete does not wait for the
    /// kernel, and no address is released while a veth of the isle still has it. Its next start waits for it
    /// (<see cref="Prepare"/>); a daemon that dies meanwhile drops the address when it next hands out one on that
    /// network (<see cref="NetworkAddresses"/>: an address of an isle that no longer exists).
    /// </summary>
    public void Deleted(string isle)
    {
        if (_unplugging.TryGetValue(isle, out var unplugging) && !unplugging.IsCompleted)
        {
            var follow = unplugging.ContinueWith(_ =>
            {
                try
                {
                    Forget(isle);
                    addresses.WaitDurable(); // no commit of the isle follows its releases any more
                }
                catch (Exception e) when (e is IslanderException or IOException)
                {
                    log.LogWarning("Isle {Isle}: its addresses were not released after its delete: {Error}", isle, e.Message);
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            _unplugging[isle] = follow;
            // Gone once done, unless a start of the same name took it meanwhile: a one-shot's name is never seen again.
            follow.ContinueWith(done => _unplugging.TryRemove(new KeyValuePair<string, Task>(isle, done)), TaskScheduler.Default);
            return;
        }
        WaitUnplugged(isle);
        Forget(isle);
    }

    void Forget(string isle)
    {
        bool held = addresses.HoldsAddress(isle);
        addresses.Detach(isle);
        if (!hosts.Delete(isle) && !held)
            return;
        hosts.Refresh();
        firewall.SyncIfChanged();
    }

    /// <summary>
    /// After an isle's process ended by itself (or was found ended), or was stopped for its delete: its veths are removed
    /// in the background, off the pass that records the exit (or deletes the isle). The kernel deletes a pair when the
    /// isle's namespace goes, but later: a delete that came first waited 10 to 13 ms for it, most of a bridge one-shot's
    /// removal. The isle's next start and its delete wait for the removal first (<see cref="Prepare"/>,
    /// <see cref="Deleted"/>): no veth of the same name is made, and no address released, while one is going. A removal
    /// that fails is done again, and reported, by the delete's (<see cref="NetworkAddresses.Detach"/>), or replaced by
    /// the next start's attach.
    /// </summary>
    public void Ended(string isle)
    {
        if (!addresses.HoldsAddress(isle) || _unplugging.ContainsKey(isle))
            return;
        _unplugging[isle] = Task.Run(() =>
        {
            try
            {
                addresses.Unplug(isle);
            }
            catch (IslanderException)
            {
                // done again by the delete, which reports it; or replaced by the next start's attach
            }
        });
    }

    /// <summary>The isles whose veth removal (and, after a delete, its address release) is still held here (for tests).</summary>
    internal int Unplugging => _unplugging.Count;

    /// <summary>Whether a veth removal or an address release is still going (for tests).</summary>
    internal bool Busy => _unplugging.Values.Any(t => !t.IsCompleted);

    void WaitUnplugged(string isle)
    {
        if (_unplugging.TryRemove(isle, out var unplugging))
            unplugging.Wait();
    }
}
