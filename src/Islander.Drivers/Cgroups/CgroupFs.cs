using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// The file operations a cgroup driver makes, in one seam. <see cref="Kernel"/> does them with syscalls on
/// cgroupfs; unit tests derive a fake cgroupfs on a temp dir that plays the kernel's part (control files
/// appear on mkdir, cgroup.procs moves pids, rmdir refuses a populated group).
/// </summary>
internal class CgroupFs
{
    public static readonly CgroupFs Kernel = new();

    public virtual bool DirectoryExists(string path) => Directory.Exists(path);

    public virtual bool FileExists(string path) => File.Exists(path);

    /// <summary>Sub-directories (child groups) of <paramref name="path"/>; empty when it does not exist.</summary>
    public virtual IEnumerable<string> ChildDirectories(string path) =>
        Directory.Exists(path) ? Directory.EnumerateDirectories(path) : [];

    /// <summary>mkdir; an existing directory is success. True when this call made it (a new group, as the kernel makes one).</summary>
    public virtual bool MakeDirectory(string path)
    {
        int err = CgroupInterop.MakeDirectory(path);
        if (err != 0 && err != Errno.EEXIST)
            throw CgroupException.SyscallFailed("mkdir", path, err);
        return err == 0;
    }

    /// <summary>rmdir; false when the directory was already gone. Throws on anything else (EBUSY: still populated).</summary>
    public virtual bool RemoveDirectory(string path)
    {
        int err = CgroupInterop.RemoveDirectory(path);
        if (err == Errno.ENOENT)
            return false;
        if (err != 0)
            throw CgroupException.SyscallFailed("rmdir", path, err);
        return true;
    }

    /// <summary>The whole content of a control file, or null when the file does not exist.</summary>
    public virtual string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="value"/> in one write(2). Throws <see cref="CgroupException"/> naming file, value and errno.</summary>
    public virtual void Write(string path, string value)
    {
        int err = CgroupInterop.WriteFile(path, value);
        if (err != 0)
            throw CgroupException.WriteFailed(path, value, err);
    }

    /// <summary>SIGKILL; a process that is already gone is success.</summary>
    public virtual void Kill(int pid)
    {
        int err = CgroupInterop.Kill(pid, CgroupInterop.SigKill);
        if (err != 0 && err != Errno.ESRCH)
            throw CgroupException.SyscallFailed("kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), err);
    }

    /// <summary>major:minor of a block device node, for IO limits.</summary>
    /// <exception cref="CgroupException">NotFound when the path does not exist, InvalidManifest when it is not a block device.</exception>
    public virtual DeviceNumber ResolveBlockDevice(string path)
    {
        int err = CgroupInterop.StatDevice(path, out bool isBlock, out uint major, out uint minor);
        if (err != 0)
            throw CgroupException.SyscallFailed("stat io device", path, err);
        if (!isBlock)
            throw new CgroupException($"io device {path} is not a block device", ErrorCategory.InvalidManifest);
        return new DeviceNumber(major, minor);
    }

    /// <summary>
    /// Makes <paramref name="program"/> the group's BPF_CGROUP_DEVICE filter, replacing the one islander attached
    /// before; null removes islander's filter. Idempotent. The fake records the program instead of loading it.
    /// </summary>
    public virtual void SetDeviceFilter(string group, IReadOnlyList<EbpfInstruction>? program) =>
        CgroupDeviceFilter.Apply(group, program);

    /// <summary>Pause between polls of a group that is being emptied, without holding a thread; a fake can make it zero.</summary>
    public virtual Task PauseAsync(CancellationToken cancellationToken) => Task.Delay(10, cancellationToken);
}
