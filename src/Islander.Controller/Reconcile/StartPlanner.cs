using Islander.Controller.Networks;
using Islander.Controller.Ports;
using Islander.Controller.Volumes;
using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Controller.Reconcile;

/// <summary>
/// Puts an isle's start plan together: before a start it builds the <see cref="IsleStartPlan"/> from what the volume
/// and network services return (volume claims, addresses, the hosts file). It also keeps what an isle holds besides its
/// process up to date: after a start,
/// stop or delete, whoever drove the runtime says so here and the rest is brought up to date (hosts files, firewall,
/// addresses and volume users released). Nothing wraps the runtime.
/// </summary>
public sealed class StartPlanner(IsleNetworking networks, IsleVolumes volumes, ConfigFileCopies configFiles)
{
    /// <summary>
    /// The plan for starting <paramref name="isle"/> with <paramref name="spec"/> and <paramref name="image"/>: named
    /// volumes found (or made again) and claimed, addresses given, the hosts file written. Throws Transient when a
    /// volume or network is not ready. Dispose the result once the start ended.
    /// </summary>
    public PreparedStart Prepare(string isle, IsleSpec spec, ResolvedImage? image)
    {
        spec = configFiles.Prepare(isle, spec); // config files mounted from their copies, written now
        var claim = volumes.Prepare(isle, spec);
        bool prepared = false;
        try
        {
            var network = networks.Prepare(isle, spec);
            prepared = true;
            return new PreparedStart(new IsleStartPlan(isle, network.Spec, image, claim.Paths, network.Attachments), claim);
        }
        finally
        {
            if (!prepared) claim.Dispose();
        }
    }

    /// <summary>
    /// A running isle's config files whose content changed, written where it sees them; the signals their
    /// <c>onChange</c> asks for (<see cref="ConfigFileCopies.Update"/>).
    /// </summary>
    public IReadOnlyList<int> UpdateConfigFiles(string isle, IsleSpec running, IsleSpec desired) => configFiles.Update(isle, running, desired);

    /// <summary>Why the isle cannot start now: one message per named volume it mounts that is not ready (empty: it may).</summary>
    public IReadOnlyList<string> VolumesNotReady(IsleSpec spec) => volumes.NotReady(spec);

    /// <summary>After the runtime started the isle (or found it running): every hosts file current, its ports published.</summary>
    public void Started(string isle) => networks.Started(isle);

    /// <summary>
    /// After the isle's process ended by itself, or was stopped for its delete: its veths removed in the background
    /// (<see cref="IsleNetworking.Ended"/>).
    /// </summary>
    public void Ended(string isle) => networks.Ended(isle);

    /// <summary>After the runtime stopped the isle: its veths gone, its ports unpublished.</summary>
    public void Stopped(string isle) => networks.Stopped(isle);

    /// <summary>After the runtime removed the isle: its addresses and volumes released, the other isles' hosts files rewritten.</summary>
    public void Deleted(string isle)
    {
        networks.Deleted(isle);
        volumes.Deleted(isle);
        configFiles.Delete(isle);
    }
}
