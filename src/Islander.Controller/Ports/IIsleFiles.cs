using Islander.Drivers.Interop;

namespace Islander.Controller.Ports;

/// <summary>
/// Files in and out of a running isle as tar streams (<c>islanderctl cp</c>, Docker's archive endpoints). Every path is
/// resolved inside the isle's root and never through a link out of it (the drivers' <c>IsleArchive</c>). Errors are
/// <see cref="Islander.Model.IslanderException"/>s: Conflict when the isle does not run, NotFound when the path is not
/// there, InvalidManifest for a refused tar entry (absolute, <c>..</c>, through a link, a hard link, a device).
/// </summary>
public interface IIsleFiles
{
    /// <summary>What is at <paramref name="path"/> (a final symlink not followed); null when nothing is.</summary>
    EntryStat? Stat(string name, string path);

    /// <summary>Writes <paramref name="path"/> (and what is below it) to <paramref name="output"/> as a tar stream.</summary>
    Task ArchiveAsync(string name, string path, Stream output, CancellationToken cancellationToken);

    /// <summary>Unpacks <paramref name="input"/> into the directory <paramref name="path"/>; returns how many entries were written.</summary>
    Task<int> ExtractAsync(string name, string path, Stream input, bool keepOwners, CancellationToken cancellationToken);
}
