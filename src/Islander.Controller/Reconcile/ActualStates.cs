using Islander.Controller.Desired;
using Islander.Controller.Lifecycle;
using Islander.Controller.State;
using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Model;

namespace Islander.Controller.Reconcile;

/// <summary>The controller's records in the Model's terms (<see cref="ActualIsle"/>, <see cref="ActualState"/>).</summary>
public static class ActualStates
{
    /// <summary>
    /// One isle's record, checked against the kernel, as the Model sees it. An isle the user stopped
    /// (<see cref="IsleRecord.StoppedByUser"/>) is the Model's Stopped: nothing to do until its spec changes. One the
    /// controller stopped to recreate it is a start still to be made: the Model sees no isle there and starts it anew.
    /// A record never started (no spec hash) is no isle either. Stopping and Deleting are finished by a pass before it
    /// asks the Model. Given the desired spec's hash, the running spec (its JSON, parsed) is read only when the hashes
    /// differ: the Model reads it only to tell what kind of edit it is, and a no-op pass stays a hash compare.
    /// </summary>
    public static ActualIsle? Of(IsleRecord record, bool processAlive, string? desiredHash = null)
    {
        IslePhase? phase = record.State switch
        {
            IslePhase.Stopped when record.StoppedByUser => IslePhase.Stopped,
            IslePhase.Stopping or IslePhase.Stopped or IslePhase.Deleting => null,
            var recorded => recorded,
        };
        return record.SpecHash is { } hash && phase is { } p
            ? new ActualIsle(record.Name, hash, p, processAlive)
            {
                Spec = hash == desiredHash ? null : RunningSpec(record),
                ExitCode = record.ExitCode,
                Networks = record.Addresses.Count == 0 ? [] : record.Addresses.Keys.Order(StringComparer.Ordinal).ToList(),
            }
            : null;
    }

    /// <summary>The spec the isle runs with, from its record; null when the record does not hold it or it no longer reads.</summary>
    public static IsleSpec? RunningSpec(IsleRecord record)
    {
        if (record.RunningSpec is not { } json)
            return null;
        try
        {
            return JsonNode.Parse(json) is JsonObject o ? SpecJson.ToIsle(o) : null;
        }
        catch (Exception e) when (e is JsonException or IslanderException or InvalidOperationException)
        {
            return null; // written by another version: the edit is then a recreate, as before the rule
        }
    }

    /// <summary>
    /// Everything islander made, from its records, for a whole-state <see cref="StateDiff.Diff"/> (<c>islanderctl
    /// diff</c>). No probe: a Running record counts as alive. Networks exist as their records say, with the subnet and
    /// gateway they were given (<see cref="Of(NetworkRecord)"/>); volumes too (made, with the spec they were made
    /// with), and an isle uses the volumes whose records name it as a user.
    /// </summary>
    public static ActualState Of(StateStore store)
    {
        var volumes = store.Volumes();
        return new ActualState(
            store.Isles().Select(r => Of(r, r.State is IslePhase.Running or IslePhase.Paused)).OfType<ActualIsle>()
                .Select(i => i with { Volumes = volumes.Where(v => v.Users.Contains(i.Name)).Select(v => v.Name).ToList() }).ToList(),
            store.Networks().Select(Of).ToList(),
            volumes.Where(v => v.Created).Select(v => new ActualVolume(v.Name, v.Spec)).ToList());
    }

    /// <summary>
    /// A network's record as the Model sees it: the subnet and gateway it was given (a network made without a subnet
    /// keeps the one it got), its masquerade and internal settings. A record never made ready has no subnet: the Model
    /// sees a network still to create.
    /// </summary>
    public static ActualNetwork Of(NetworkRecord record) => new(record.Name, new NetworkSpec
    {
        Driver = new NetworkDriverKind(record.Driver),
        Subnet = record.Ready && record.Subnet.Length > 0 ? System.Net.IPNetwork.Parse(record.Subnet) : null,
        Gateway = record.Ready && record.Gateway.Length > 0 ? System.Net.IPAddress.Parse(record.Gateway) : null,
        Masquerade = record.Masquerade,
        Internal = record.Internal,
    });
}
