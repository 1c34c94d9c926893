using Islander.Drivers.Interop;
using Islander.Model;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// Puts a device filter program (<see cref="DeviceFilterProgram"/>) on a cgroup v2 directory, as runc's
/// loadAttachCgroupDeviceFilter does: load it, attach it with BPF_F_ALLOW_MULTI, then detach the filters
/// islander attached before (recognised by <see cref="DeviceFilterProgram.Name"/>), so that an update never
/// leaves the group unfiltered: for a moment both run, and the kernel allows only what every program allows.
/// Programs of other owners are left alone. The program fd is closed after attaching (the attachment holds
/// the program), and removing the cgroup directory detaches it.
/// </summary>
internal static class CgroupDeviceFilter
{
    /// <summary>Room for the verifier's log when a load fails (the kernel truncates a longer log).</summary>
    const int LogSize = 1 << 20;

    /// <param name="group">The cgroup directory.</param>
    /// <param name="program">The filter to enforce; null removes islander's filter (a privileged isle).</param>
    /// <exception cref="CgroupException">A bpf(2) call failed; a load that the verifier refused carries its log.</exception>
    public static void Apply(string group, IReadOnlyList<EbpfInstruction>? program)
    {
        Check(BpfInterop.OpenDirectory(group, out var dirFd), "open", group);
        using var dir = dirFd!;
        var ours = new List<(SafeFileHandle Fd, ulong Tag)>();
        SafeFileHandle? loaded = null;
        try
        {
            int queried = BpfInterop.Query(dir, BpfInterop.AttachCgroupDevice, out uint[] ids);
            // Allow-all (a privileged isle) where bpf is missing or denied: nothing of ours can be attached, and no
            // filter is wanted, so the isle starts as it would without device programs at all.
            if (queried != 0 && program is null)
                return;
            Check(queried, "bpf BPF_PROG_QUERY", group);
            foreach (uint id in ids)
                if (Ours(id, group) is { } found)
                    ours.Add(found);

            if (program is not null)
            {
                loaded = Load(program, group);
                Check(BpfInterop.ProgramInfo(loaded, out _, out ulong tag), "bpf BPF_OBJ_GET_INFO_BY_FD", group);
                // The same instructions are already attached (the tag is the kernel's hash of them): nothing to do.
                if (ours.Count == 1 && ours[0].Tag == tag)
                    return;
                Check(BpfInterop.Attach(dir, loaded, BpfInterop.AttachCgroupDevice, BpfInterop.AllowMulti),
                    "bpf BPF_PROG_ATTACH BPF_CGROUP_DEVICE", group);
            }
            foreach (var (fd, _) in ours)
            {
                int err = BpfInterop.Detach(dir, fd, BpfInterop.AttachCgroupDevice);
                if (err != 0 && err != Errno.ENOENT)
                    throw CgroupException.SyscallFailed("bpf BPF_PROG_DETACH BPF_CGROUP_DEVICE", group, err);
            }
        }
        finally
        {
            loaded?.Dispose();
            foreach (var (fd, _) in ours)
                fd.Dispose();
        }
    }

    /// <summary>
    /// Loads a device filter and returns its fd (the caller closes it). When the kernel refuses the program,
    /// loads it again with a log buffer, so the exception carries the verifier's reasons.
    /// </summary>
    /// <param name="group">For messages.</param>
    public static SafeFileHandle Load(IReadOnlyList<EbpfInstruction> program, string group)
    {
        byte[] code = EbpfInstruction.Encode(program);
        int err = BpfInterop.LoadProgram(BpfInterop.ProgTypeCgroupDevice, code, DeviceFilterProgram.License, DeviceFilterProgram.Name, null, out var fd);
        if (err == 0)
            return fd!;
        if (err is Errno.EACCES or Errno.EINVAL)
        {
            var log = new byte[LogSize];
            int again = BpfInterop.LoadProgram(BpfInterop.ProgTypeCgroupDevice, code, DeviceFilterProgram.License, DeviceFilterProgram.Name, log, out fd);
            if (again == 0)
                return fd!; // refused once, accepted now: nothing to report
            int end = Array.IndexOf(log, (byte)0);
            string text = System.Text.Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end).TrimEnd();
            if (again is Errno.EACCES or Errno.EINVAL or Errno.ENOSPC && text.Length > 0)
                throw new CgroupException(
                    $"bpf BPF_PROG_LOAD device filter for {group}: {Errno.Describe(again)}; the verifier said:\n{text}",
                    ErrorCategory.Unknown);
            err = again;
        }
        if (err == Errno.EPERM)
            throw new CgroupException(
                $"bpf BPF_PROG_LOAD device filter for {group}: {Errno.Describe(err)}: loading a BPF program needs " +
                "CAP_BPF or CAP_SYS_ADMIN (and, before Linux 5.11, enough RLIMIT_MEMLOCK)", ErrorCategory.Unsupported);
        throw CgroupException.SyscallFailed("bpf BPF_PROG_LOAD device filter for", group, err);
    }

    /// <summary>An fd and the tag of program <paramref name="id"/> when islander made it; null for others' and for one that went away.</summary>
    static (SafeFileHandle Fd, ulong Tag)? Ours(uint id, string group)
    {
        int err = BpfInterop.ProgramById(id, out var fd);
        // Gone since the query, or an LSM keeps it from us (runc skips those too: another filter only restricts more).
        if (err is Errno.ENOENT or Errno.EPERM or Errno.EACCES)
            return null;
        Check(err, "bpf BPF_PROG_GET_FD_BY_ID", group);
        err = BpfInterop.ProgramInfo(fd!, out string name, out ulong tag);
        if (err != 0 || name != DeviceFilterProgram.Name)
        {
            fd!.Dispose();
            Check(err, "bpf BPF_OBJ_GET_INFO_BY_FD", group);
            return null;
        }
        return (fd!, tag);
    }

    static void Check(int err, string op, string group)
    {
        if (err != 0)
            throw CgroupException.SyscallFailed(op, group, err);
    }
}
