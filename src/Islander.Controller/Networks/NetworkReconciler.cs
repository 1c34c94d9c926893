using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Ipam;
using Islander.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Networks;

/// <summary>
/// The pass of a <c>kind: Network</c> key: what to do is <see cref="StateDiff.ForNetwork"/>'s decision (the rule
/// <c>islanderctl diff</c> shows), with the isles holding addresses on the network as its users; this pass carries it
/// out: a desired network gets its bridge (EnsureNetwork) and a ready <see cref="NetworkRecord"/>; a network no longer
/// desired is deleted once no isle holds an address on it. Then the firewall is synced (a table removed by hand comes back here, at every resync) and, when the pass changed the network, the isles that name it get a pass (a ready network lets them start).
/// </summary>
/// <remarks>
/// Locks: one per network (<see cref="LockOf"/>), held across the pass's kernel calls for that network only, and taken
/// by the addresses (<see cref="NetworkAddresses"/>) around every change of the network's record, so an allocation and
/// a subnet change never cross. A subnet picked for a network without one is claimed under a short lock of its own
/// until its record is saved, so two networks made at once never pick the same one.
/// </remarks>
public sealed class NetworkReconciler(
    NetworkDriverSet drivers, DesiredStore desired, StateStore store, EventRecorder events, ReconcileQueue queue,
    NetworkFirewall firewall, IOptions<DaemonOptions> options, ILogger<NetworkReconciler> log) : IReconciler
{
    readonly NameLocks _locks = new();
    readonly Lock _subnets = new();
    readonly Dictionary<string, IPNetwork> _claimed = new(StringComparer.Ordinal);

    public ObjectKind Kind => ObjectKind.Network;

    public static ObjectKey Key(string network) => new(ObjectKind.Network, network);

    /// <summary>The lock that orders every change of the network's record and bridge.</summary>
    public object LockOf(string network) => _locks.For(network);

    public Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var before = Status(store.GetNetwork(name));
        if (Reconcile(name, cancellationToken))
            firewall.Sync(); // outside the network's lock: its addresses need not wait for the kernel's table
        // The isles that name it get a pass when the network changed: made (it lets them start), remade, updated,
        // deleted, or waiting on them. Not after a pass that changed nothing (every resync's): the resync gives them
        // their own, and one more each would double an idle daemon's passes.
        if (Status(store.GetNetwork(name)) != before)
            foreach (var isle in desired.Referencing(Key(name))) queue.Add(ObjectKey.Isle(isle));
        return Task.FromResult(ReconcileResult.Done);
    }

    /// <summary>What the isles on a network depend on in its record (not its addresses, which isles change).</summary>
    static string? Status(NetworkRecord? r) =>
        r is null ? null : string.Join('\n', r.Driver, r.Subnet, r.Gateway, r.Masquerade, r.Internal, r.Bridge, r.Ready, r.Reason, r.Message);

    /// <summary>Carries out the network's pass under its lock; true when the firewall is to be synced after it.</summary>
    bool Reconcile(string name, CancellationToken cancellationToken)
    {
        lock (LockOf(name))
        {
            var entry = desired.Get(Key(name));
            if (entry is not null && entry.Object is null)
                return false; // never had a valid manifest: its status shows the problems
            if (entry is null)
            {
                if (store.GetNetwork(name) is not { } record)
                    return false;
                // What to do is the Model's decision (the rule islanderctl diff shows); the bridge, the record and the
                // status are this pass's.
                var decision = StateDiff.ForNetwork(name, null, ActualStates.Of(record), record.Allocations.Keys);
                if (decision.Problem is { } inUse)
                {
                    SetStatus(record, Reasons.InUse, inUse);
                    return false; // releasing the last address requeues this network
                }
                DriverOf(record).DeleteNetwork(Config(record), cancellationToken);
                store.DeleteNetwork(name);
                log.LogInformation("Network {Network} deleted (bridge {Bridge})", name, record.Bridge);
                events.Record(Key(name), EventType.Normal, "Deleted", $"bridge {record.Bridge} removed");
                return true;
            }
            EnsureNetwork(name, cancellationToken);
            return true;
        }
    }

    /// <summary>
    /// Makes the desired network's bridge exist and returns its record (a copy, read under the network's lock: hold
    /// <see cref="LockOf"/> to act on it); throws when it cannot (yet).
    /// </summary>
    public NetworkRecord EnsureNetwork(string name, CancellationToken cancellationToken)
    {
        lock (LockOf(name))
        {
            try
            {
                return EnsureNetworkLocked(name, cancellationToken);
            }
            finally
            {
                lock (_subnets) _claimed.Remove(name); // saved in the record by now, or not made
            }
        }
    }

    /// <summary>
    /// Carries out <see cref="StateDiff.ForNetwork"/>'s decision for a desired network, with the isles that hold
    /// addresses on it as its users: create (a subnet picked when the spec has none), recreate (subnet or gateway
    /// changed, nobody on it), update in place (masquerade, internal: bridge and the isles' links stay), or wait
    /// (InUse) while isles hold addresses a new subnet would not have.
    /// </summary>
    NetworkRecord EnsureNetworkLocked(string name, CancellationToken cancellationToken)
    {
        var spec = (desired.Get(Key(name))?.Object?.Spec is { } json ? SpecJson.To<NetworkSpec>(json) : null)
            ?? throw new IslanderException($"network {name} is not defined", ErrorCategory.NotFound);
        var record = store.GetNetwork(name);
        var decision = StateDiff.ForNetwork(name, spec, record is null ? null : ActualStates.Of(record), (IReadOnlyCollection<string>?)record?.Allocations.Keys ?? []);
        switch (decision.Action)
        {
            case null when decision.Problem is { } waits:
                SetStatus(record!, Reasons.InUse, waits);
                return record!;
            case null:
                DriverOf(record!).EnsureNetwork(Config(record!), cancellationToken); // cheap and idempotent: repairs a bridge removed by hand
                if (record!.Reason is not null)
                {
                    record.Reason = record.Message = null; // a change it waited for was taken back
                    store.SaveNetwork(record);
                }
                return record;
            case RecreateNetwork recreate:
                DriverOf(record!).DeleteNetwork(Config(record!), cancellationToken); // by the driver that made it
                return Make(record!, recreate.Spec, cancellationToken);
            case UpdateNetwork update:
                return Make(record!, update.Spec, cancellationToken);
            case CreateNetwork create:
                return Make(record ?? new NetworkRecord { Name = name }, create.Spec, cancellationToken);
            default:
                throw new InvalidOperationException($"network {name}: unexpected {decision.Action}");
        }
    }

    /// <summary>Makes (or updates) the bridge as <paramref name="spec"/> says and saves the record, ready.</summary>
    NetworkRecord Make(NetworkRecord record, NetworkSpec spec, CancellationToken cancellationToken)
    {
        string name = record.Name;
        var subnet = spec.Subnet ?? (record.Subnet.Length > 0 && spec.Gateway is null ? IPNetwork.Parse(record.Subnet) : FreeSubnet(name));
        var gateway = spec.Gateway ?? FirstHost(subnet);
        var want = new BridgeNetworkConfig(name, subnet, gateway, spec.Masquerade, spec.Internal);
        // Validates subnet and gateway (and the stored allocations against them) before touching the kernel.
        IpamPool.Create(name, want.Subnet, want.Gateway, NetworkAddresses.Allocations(record));
        drivers.For(spec.Driver).EnsureNetwork(want, cancellationToken);
        record.Driver = spec.Driver.Name;
        record.Subnet = want.Subnet.ToString();
        record.Gateway = want.Gateway.ToString();
        record.Masquerade = want.Masquerade;
        record.Internal = want.Internal;
        record.Bridge = want.BridgeName;
        record.Ready = true;
        record.Reason = record.Message = null;
        store.SaveNetwork(record);
        log.LogInformation("Network {Network} ready: bridge {Bridge}, {Subnet} via {Gateway}", name, want.BridgeName, want.Subnet, want.Gateway);
        events.Record(Key(name), EventType.Normal, "Ready", $"bridge {want.BridgeName}, {want.Subnet} via {want.Gateway}");
        return record;
    }

    /// <summary>
    /// For a network without a subnet: the first /24 of the default subnet pool (<c>defaultSubnetPool</c>, 10.89.0.0/16
    /// unless the config says otherwise) that no other network uses (kept in its record) or has claimed while it is
    /// being made.
    /// </summary>
    IPNetwork FreeSubnet(string name)
    {
        lock (_subnets)
        {
            var used = store.Networks().Where(n => n.Name != name && n.Subnet.Length > 0).Select(n => IPNetwork.Parse(n.Subnet)).ToList();
            foreach (var other in desired.List(ObjectKind.Network))
                if (other.Key.Name != name && other.Object?.Spec["subnet"]?.GetValue<string>() is { } s) used.Add(IPNetwork.Parse(s));
            used.AddRange(_claimed.Where(c => c.Key != name).Select(c => c.Value));
            var pool = options.Value.DefaultSubnetPool;
            var first = BinaryPrimitives.ReadUInt32BigEndian(pool.BaseAddress.GetAddressBytes());
            for (long n = 0; n < 1L << (24 - pool.PrefixLength); n++)
            {
                var bytes = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(bytes, first + (uint)(n << 8));
                var candidate = new IPNetwork(new IPAddress(bytes), 24);
                if (!used.Any(u => u.Contains(candidate.BaseAddress) || candidate.Contains(u.BaseAddress)))
                {
                    _claimed[name] = candidate;
                    return candidate;
                }
            }
        }
        throw new IslanderException($"network {name}: no free subnet left in {options.Value.DefaultSubnetPool}; set spec.subnet, or a wider defaultSubnetPool in the config", ErrorCategory.Conflict);
    }

    static IPAddress FirstHost(IPNetwork subnet)
    {
        var b = subnet.BaseAddress.GetAddressBytes();
        b[3]++;
        return new IPAddress(b);
    }

    void SetStatus(NetworkRecord record, string reason, string message)
    {
        if (record.Reason == reason && record.Message == message)
            return;
        record.Reason = reason;
        record.Message = message;
        store.SaveNetwork(record);
        log.LogInformation("Network {Network}: {Reason}: {Message}", record.Name, reason, message);
        events.Record(Key(record.Name), EventType.Normal, reason, message);
    }

    /// <summary>The driver a record's network was made by.</summary>
    INetworkDriver DriverOf(NetworkRecord record) => drivers.For(new NetworkDriverKind(record.Driver));

    /// <summary>The bridge configuration a record was made with.</summary>
    public static BridgeNetworkConfig Config(NetworkRecord r) =>
        new(r.Name, IPNetwork.Parse(r.Subnet), IPAddress.Parse(r.Gateway), r.Masquerade, r.Internal);
}
