using System.Globalization;
using Islander.Controller.Hosting;
using Islander.Drivers.Storage;
using Islander.Model;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Volumes;

/// <summary>
/// The config files isles see (<c>volumes: [{configFile: ...}]</c>): one copy per isle and mount in RUN/config-files/ISLE/N,
/// written from the spec's content before each start and bind-mounted read-only at the mount path. A new content of a
/// running isle (<c>onChange: {signal: ...}</c>) is written through the same file, which is the inode the isle's bind
/// shows, then the signal is sent: the isle reads the new content with the same pid, and no other isle is touched.
/// </summary>
/// <remarks>
/// The daemon writes only its own copy, never a path inside the isle: whatever root in the isle does to the mount point
/// (unmount it, plant a symlink there) cannot lead the write anywhere else. The directory is 0700: a config file may hold
/// secrets, and isle-init receives each copy as a detached mount (an fd), not by path. The copy is 0644 and owned by the
/// host's root, so the isle's users can read it and, read-only bind aside, only a root that is the host's could write it.
/// A reader that reads while the content is rewritten may see a mix of both; the signal comes once the write is done.
/// </remarks>
public sealed class ConfigFileCopies(IOptions<DaemonOptions> options)
{
    readonly Lock _lock = new();

    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string Dir => Path.Combine(options.Value.Run, "config-files");

    /// <summary>The copy of <paramref name="isle"/>'s <paramref name="volume"/>-th mount.</summary>
    public string FileOf(string isle, int volume) => Path.Combine(Dir, isle, volume.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes the copy of every config file of <paramref name="spec"/> and returns the spec to start with: each config
    /// file mounted from its copy, read-only. The spec itself when it has none.
    /// </summary>
    public IsleSpec Prepare(string isle, IsleSpec spec)
    {
        if (!spec.Volumes.Any(v => v.ConfigFile is not null)) return spec;
        var volumes = spec.Volumes.ToArray();
        lock (_lock)
        {
            for (int i = 0; i < volumes.Length; i++)
            {
                if (volumes[i] is not { ConfigFile: not null } mount) continue;
                var copy = FileOf(isle, i);
                Write(copy, Content(isle, mount));
                volumes[i] = mount with { HostPath = copy, ReadOnly = true };
            }
        }
        return spec with { Volumes = volumes };
    }

    /// <summary>
    /// Writes the new content of each config file whose content differs between <paramref name="running"/> and
    /// <paramref name="desired"/> into the isle's copy, in place; returns the signals their <c>onChange</c> asks for,
    /// once each, in the mounts' order.
    /// </summary>
    public IReadOnlyList<int> Update(string isle, IsleSpec running, IsleSpec desired)
    {
        var signals = new List<int>();
        lock (_lock)
        {
            for (int i = 0; i < desired.Volumes.Count; i++)
            {
                var mount = desired.Volumes[i];
                if (mount.ConfigFile is null || running.Volumes.FirstOrDefault(v => v.MountPath == mount.MountPath)?.ConfigData == mount.ConfigData) continue;
                var copy = FileOf(isle, i);
                if (!File.Exists(copy))
                    throw new IslanderException($"isle {isle}: the copy of {mount.ConfigFile} it mounts at {mount.MountPath} is gone ({copy}); restart the isle", ErrorCategory.Conflict);
                Write(copy, Content(isle, mount));
                if (mount.ReloadSignal is { } signal && !signals.Contains(signal)) signals.Add(signal);
            }
        }
        return signals;
    }

    /// <summary>Removes the isle's copies (after the runtime removed the isle).</summary>
    public void Delete(string isle)
    {
        lock (_lock)
        {
            var dir = Path.Combine(Dir, isle);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    static byte[] Content(string isle, VolumeMount mount) => mount.ConfigData is { } data
        ? Convert.FromBase64String(data)
        : throw new IslanderException($"isle {isle}: the content of {mount.ConfigFile} was not read", ErrorCategory.InvalidManifest);

    /// <summary>Writes through the existing file (same inode), as the hosts files are: a rename would leave the isle's bind on the old one.</summary>
    void Write(string path, byte[] content)
    {
        HostDirectory.Ensure(Dir, Private);
        HostDirectory.Ensure(Path.GetDirectoryName(path)!, Private);
        using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite, UnixCreateMode = Readable });
        if (file.Length == content.Length)
        {
            var current = new byte[content.Length];
            file.ReadExactly(current);
            if (current.AsSpan().SequenceEqual(content)) return;
            file.Position = 0;
        }
        file.Write(content);
        file.SetLength(content.Length);
        file.Flush();
        File.SetUnixFileMode(path, Readable);
    }
}
