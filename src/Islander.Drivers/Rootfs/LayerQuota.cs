using System.Runtime.InteropServices;
using Islander.Drivers.Interop;
using Islander.Drivers.Volumes.Btrfs;
using Islander.Model;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Rootfs;

/// <summary>
/// <c>resources.disk</c>: a limit on what an isle writes to its root filesystem, enforced on the directory that holds its
/// overlay's upper and work directories (STATE/isles/NAME/fs) before the overlay is mounted, as Docker's
/// <c>--storage-opt size=</c> does for overlay2. On XFS (prjquota) and ext4 (project feature, prjquota) the directory
/// gets a project id (<see cref="ProjectIds"/>) with the inherit flag, so all the isle writes is charged to it, and the
/// id a block limit: a write past it fails with ENOSPC on XFS, EDQUOT on ext4. On btrfs the directory is a subvolume
/// with a qgroup limit (EDQUOT), as the btrfs volume driver does. What the filesystem can do is probed once, on first
/// use; where it can do nothing, an isle asking for a limit fails to start with
/// <see cref="ErrorCategory.Unsupported"/>, a permanent error that says what to change.
/// </summary>
/// <remarks>
/// In the host's user namespace an isle's root holds CAP_FOWNER and could move its own files to another project
/// (FS_IOC_FSSETXATTR through the overlay), as under Docker; the kernel refuses that from a user namespace
/// (fileattr_set_prepare), so isles that must not lift their limit run with <c>userNamespace</c>.
/// </remarks>
public sealed class LayerQuota
{
    /// <summary>The layer's directory is made here, before the overlay: reachable by root only, as Docker's layer directories.</summary>
    const UnixFileMode LayerMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // Project ids are per filesystem, and two runtimes (tests) may share one: choose and claim an id under one lock.
    static readonly Lock Claim = new();

    readonly string _stateRoot;
    readonly string _projectsFile;
    readonly Lazy<LayerQuotaProbe> _probe;
    readonly Lazy<bool> _btrfsQuota;

    /// <param name="stateRoot">The state directory (islanderd's --state) that holds the isles' writable layers.</param>
    /// <param name="projectsFile">The administrator's project ids, which islander never takes.</param>
    public LayerQuota(string stateRoot, string projectsFile = "/etc/projid")
    {
        _stateRoot = stateRoot;
        _projectsFile = projectsFile;
        _probe = new(Probe);
        _btrfsQuota = new(() =>
        {
            BtrfsSubvolume.EnableQuota(Existing(_stateRoot));
            return true;
        });
    }

    /// <summary>What the state directory's filesystem can do; probed once, on first use.</summary>
    public LayerQuotaProbe Capability => _probe.Value;

    /// <summary>
    /// Limits what is written under <paramref name="dir"/> (made if missing) to <paramref name="bytes"/>. Call before
    /// anything is written in it: only what is made afterwards is charged. Idempotent: a directory that already has
    /// islander's project id keeps it and gets the limit again.
    /// </summary>
    /// <exception cref="IslanderException">Unsupported when the filesystem cannot limit it (the message says what to do).</exception>
    /// <exception cref="SyscallException">A quota call failed.</exception>
    public void Apply(string dir, long bytes)
    {
        var probe = _probe.Value;
        switch (probe.Kind)
        {
            case LayerQuotaKind.Project:
                ApplyProject(dir, bytes);
                break;
            case LayerQuotaKind.Btrfs:
                ApplyBtrfs(dir, bytes);
                break;
            default:
                throw new IslanderException(probe.Reason!, ErrorCategory.Unsupported);
        }
    }

    /// <summary>
    /// Lifts the limit of <paramref name="dir"/>, which the caller then deletes: its project id is freed once its files
    /// are gone. Nothing to do for a directory without one (or on btrfs, where deleting the subvolume is all); idempotent.
    /// </summary>
    public void Release(string dir)
    {
        if (!Directory.Exists(dir))
            return;
        using var fd = Open(dir);
        // A filesystem that reports no project id (ENOTTY, EOPNOTSUPP, ...) has none of ours: a delete must not stop here.
        if (QuotaInterop.GetProject(fd, out _, out uint id) != 0 || !ProjectIds.IsIslanders(id))
            return;
        int errno = QuotaInterop.SetBlockLimit(fd, id, 0);
        if (errno is not (Errno.ESRCH or Errno.ENOSYS)) // quotas turned off since: no limit is left to lift
            Check(errno, $"quotactl_fd Q_SETQUOTA project {id}", dir);
    }

    void ApplyProject(string dir, long bytes)
    {
        Directory.CreateDirectory(dir, LayerMode);
        // Limits are in 1 KiB blocks: round up, so the isle gets at least what it asked for.
        ulong kib = (ulong)((bytes + 1023) / 1024);
        using var fd = Open(dir);
        Check(QuotaInterop.GetProject(fd, out uint flags, out uint current), "ioctl FS_IOC_FSGETXATTR", dir);
        if (ProjectIds.IsIslanders(current) && (flags & QuotaInterop.ProjectInherit) != 0)
        {
            Check(QuotaInterop.SetBlockLimit(fd, current, kib), $"quotactl_fd Q_SETQUOTA project {current}", dir);
            return;
        }
        var reserved = ProjectIds.Reserved(File.Exists(_projectsFile) ? File.ReadAllText(_projectsFile) : null);
        lock (Claim)
        {
            uint id = ProjectIds.Candidates(IsleOf(dir)).First(id => !reserved.Contains(id) && !InUse(fd, id, dir));
            // The limit first: the directory is charged from the moment it has the id.
            Check(QuotaInterop.SetBlockLimit(fd, id, kib), $"quotactl_fd Q_SETQUOTA project {id}", dir);
            Check(QuotaInterop.SetProject(fd, id, inherit: true), $"ioctl FS_IOC_FSSETXATTR projid {id}", dir);
        }
    }

    /// <summary>An id the quota already charges or limits belongs to someone: another isle, a leftover, the administrator.</summary>
    static bool InUse(SafeHandle fd, uint id, string dir)
    {
        int errno = QuotaInterop.GetQuota(fd, id, out var q);
        if (errno == Errno.ENOENT)
            return false; // no record: never used, or used and emptied
        Check(errno, $"quotactl_fd Q_GETQUOTA project {id}", dir);
        return q.Bytes != 0 || q.Inodes != 0 || q.BlockHardLimitKiB != 0 || q.BlockSoftLimitKiB != 0 || q.InodeHardLimit != 0 || q.InodeSoftLimit != 0;
    }

    void ApplyBtrfs(string dir, long bytes)
    {
        if (!BtrfsSubvolume.IsSubvolume(dir))
        {
            // A plain directory left by an earlier start: the writable layer is new at every start, so it goes.
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
            BtrfsSubvolume.Create(dir);
            File.SetUnixFileMode(dir, LayerMode);
        }
        _ = _btrfsQuota.Value;
        BtrfsSubvolume.Limit(dir, BtrfsSubvolume.Id(dir), bytes);
    }

    LayerQuotaProbe Probe()
    {
        string existing = Existing(_stateRoot);
        long type = FileSystemInterop.Statfs(existing).Type;
        using var fd = Open(existing);
        int errno = QuotaInterop.GetProjectQuotaFlags(fd, out ushort flags);
        return LayerQuotaProbe.From(_stateRoot, type, errno, flags);
    }

    /// <summary>The nearest existing directory at or above <paramref name="path"/> (the state root may not exist yet).</summary>
    static string Existing(string path)
    {
        string existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing))
            existing = Path.GetDirectoryName(existing) ?? "/";
        return existing;
    }

    /// <summary>STATE/isles/NAME/fs → NAME: the isle's name seeds its first candidate id.</summary>
    static string IsleOf(string dir) => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(dir))) ?? dir;

    static SafeFileHandle Open(string dir) => FileDescriptorInterop.OpenDirectory(dir);

    static void Check(int errno, string op, string path)
    {
        if (errno != 0)
            throw new SyscallException(op, path, errno);
    }
}
