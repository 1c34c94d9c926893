using System.Net;
using System.Text;
using Islander.Controller.Desired;
using Islander.Controller.Hosting;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Islander.Model;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Networks;

/// <summary>
/// The isles' /etc/hosts files, one per isle on a network, listing every isle that holds an address. They live in
/// RUN/networks/hosts/ISLE, not the isle's run directory, which the runtime empties on every restart. One lock
/// serializes the writes (no kernel calls): the members are read under it, so the last write has the latest list.
/// A refresh rewrites every isle's file, so 50 isles started at once would rewrite 50 files 50 times; a refresh asked
/// for while another runs is covered by the next one to read the members (<see cref="CoalescedRun"/>).
/// </summary>
public sealed class HostsFiles(DesiredStore desired, StateStore store, IOptions<DaemonOptions> options)
{
    readonly Lock _lock = new();
    readonly CoalescedRun _refresh = new();

    public string Dir => Path.Combine(options.Value.Run, "networks", "hosts");

    public string FileOf(string isle) => Path.Combine(Dir, isle);

    /// <summary>The isles that have a hosts file.</summary>
    public IEnumerable<string> Isles() => Directory.Exists(Dir) ? Directory.GetFiles(Dir).Select(f => Path.GetFileName(f)) : [];

    /// <summary>Writes the isle's hosts file from the allocations now.</summary>
    public void Write(string isle, string? hostname)
    {
        lock (_lock) WriteInPlace(FileOf(isle), HostsFile.Render(isle, hostname ?? isle, Members()));
    }

    /// <summary>
    /// Rewrites the hosts file of every isle that has one and holds an address, from the allocations now (the caller's
    /// changes made before the call included: a refresh that began reading after this call covers it).
    /// </summary>
    public void Refresh() => _refresh.Run(() =>
    {
        lock (_lock)
        {
            if (!Directory.Exists(Dir))
                return;
            var members = Members();
            var holders = members.Select(m => m.Isle).ToHashSet(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(Dir))
            {
                string isle = Path.GetFileName(file);
                if (!holders.Contains(isle))
                    continue; // deleted or off every network: left as it was until the isle goes
                string? hostname = desired.Get(ObjectKey.Isle(isle))?.Object?.Isle?.Hostname;
                WriteInPlace(file, HostsFile.Render(isle, hostname ?? isle, members));
            }
        }
    });

    /// <summary>Removes the isle's hosts file; false when it had none.</summary>
    public bool Delete(string isle)
    {
        lock (_lock)
        {
            if (!File.Exists(FileOf(isle)))
                return false;
            File.Delete(FileOf(isle));
            return true;
        }
    }

    IReadOnlyList<NetworkMember> Members() =>
        store.Networks().SelectMany(n => n.Allocations.Select(a => new NetworkMember(n.Name, a.Key, IPAddress.Parse(a.Value)))).ToList();

    /// <summary>
    /// Writes through the existing file (same inode): the isle sees the file bind-mounted at its start, so a rename
    /// over it would leave the isle reading the old one.
    /// </summary>
    static void WriteInPlace(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(content);
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (file.Length == bytes.Length)
        {
            var current = new byte[bytes.Length];
            file.ReadExactly(current);
            if (current.AsSpan().SequenceEqual(bytes))
                return;
            file.Position = 0;
        }
        file.Write(bytes);
        file.SetLength(bytes.Length);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
