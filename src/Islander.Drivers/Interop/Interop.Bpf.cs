using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// bpf(2), for the cgroup device filter: load a BPF_PROG_TYPE_CGROUP_DEVICE program, attach it to a cgroup
/// directory, find and detach the programs attached there. Like <see cref="CgroupInterop"/>, the calls return
/// the errno (0 on success): the caller skips some (ENOENT for a program that went away) and names the cgroup
/// in the rest. Layouts of <c>union bpf_attr</c> from include/uapi/linux/bpf.h; a size smaller than the
/// kernel's union is fine (it zero-fills), and every field after the ones set here must be zero. Program and cgroup
/// fds are <see cref="SafeFileHandle"/>s: the attr structs take their numbers while the caller holds them.
/// </summary>
internal static unsafe partial class BpfInterop
{
    // enum bpf_cmd
    const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13,
        BPF_OBJ_GET_INFO_BY_FD = 15, BPF_PROG_QUERY = 16;

    /// <summary>enum bpf_prog_type.</summary>
    public const uint ProgTypeCgroupDevice = 15;

    /// <summary>enum bpf_attach_type.</summary>
    public const uint AttachCgroupDevice = 6;

    /// <summary>Attach flags: several programs on one cgroup, all of which must allow (kernel 4.15).</summary>
    public const uint AllowMulti = 1u << 1;

    /// <summary>BPF_OBJ_NAME_LEN.</summary>
    const int ObjNameLength = 16;

    /// <summary>__NR_bpf: not unified across architectures (it predates the 5.x table).</summary>
    static long SysBpf => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 280,
        Architecture.X86 => 357,
        var other => throw new PlatformNotSupportedException($"bpf(2) syscall number for {other}"),
    };

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long cmd, void* attr, long size);

    static int Bpf(int cmd, void* attr, int size, out long result)
    {
        do result = Syscall(SysBpf, cmd, attr, size);
        while (result == -1 && Errno.Last == Errno.EINTR);
        return result == -1 ? Errno.Last : 0;
    }

    /// <summary>
    /// Equivalent to: bpftool prog load (BPF_PROG_LOAD). <paramref name="log"/>, when given, receives the
    /// verifier's log (log_level 1) as a NUL-terminated string; without it the kernel keeps no log, which is the
    /// fast path for a program that loads.
    /// </summary>
    public static int LoadProgram(uint type, ReadOnlySpan<byte> instructions, string license, string name, byte[]? log, out SafeFileHandle? fd)
    {
        fd = null;
        if (Encoding.ASCII.GetByteCount(name) >= ObjNameLength)
            throw new ArgumentException($"program name {name} is longer than {ObjNameLength - 1} bytes", nameof(name));
        byte[] licenseBytes = Encoding.ASCII.GetBytes(license + "\0");
        var attr = stackalloc byte[72];
        new Span<byte>(attr, 72).Clear();
        fixed (byte* insns = instructions)
        fixed (byte* lic = licenseBytes)
        fixed (byte* logBuf = log)
        {
            *(uint*)(attr + 0) = type;                                    // prog_type
            *(uint*)(attr + 4) = (uint)(instructions.Length / 8);         // insn_cnt
            *(ulong*)(attr + 8) = (ulong)insns;                           // insns
            *(ulong*)(attr + 16) = (ulong)lic;                            // license
            if (log is { Length: > 0 })
            {
                *(uint*)(attr + 24) = 1;                                  // log_level
                *(uint*)(attr + 28) = (uint)log.Length;                   // log_size
                *(ulong*)(attr + 32) = (ulong)logBuf;                     // log_buf
            }
            Encoding.ASCII.GetBytes(name, new Span<byte>(attr + 48, ObjNameLength)); // prog_name
            int err = Bpf(BPF_PROG_LOAD, attr, 72, out long result);
            if (err == 0)
                fd = new SafeFileHandle((nint)result, ownsHandle: true);
            return err;
        }
    }

    /// <summary>Equivalent to: bpftool cgroup attach CGROUP device id ID multi (BPF_PROG_ATTACH).</summary>
    public static int Attach(SafeHandle cgroupFd, SafeHandle programFd, uint attachType, uint flags) =>
        AttachDetach(BPF_PROG_ATTACH, cgroupFd, programFd, attachType, flags);

    /// <summary>Equivalent to: bpftool cgroup detach CGROUP device id ID (BPF_PROG_DETACH).</summary>
    public static int Detach(SafeHandle cgroupFd, SafeHandle programFd, uint attachType) =>
        AttachDetach(BPF_PROG_DETACH, cgroupFd, programFd, attachType, 0);

    static int AttachDetach(int cmd, SafeHandle cgroupFd, SafeHandle programFd, uint attachType, uint flags)
    {
        var attr = stackalloc uint[5];
        attr[0] = Number(cgroupFd);  // target_fd
        attr[1] = Number(programFd); // attach_bpf_fd
        attr[2] = attachType;      // attach_type
        attr[3] = flags;           // attach_flags
        attr[4] = 0;               // replace_bpf_fd
        return Bpf(cmd, attr, 20, out _);
    }

    /// <summary>
    /// Equivalent to: bpftool cgroup show CGROUP (BPF_PROG_QUERY without BPF_F_QUERY_EFFECTIVE): the ids of the
    /// programs of <paramref name="attachType"/> attached to this cgroup itself, not those inherited.
    /// </summary>
    public static int Query(SafeHandle cgroupFd, uint attachType, out uint[] ids)
    {
        int capacity = 64; // the kernel's limit of programs per cgroup and attach type (BPF_CGROUP_MAX_PROGS)
        var attr = stackalloc byte[32];
        while (true)
        {
            ids = new uint[capacity];
            new Span<byte>(attr, 32).Clear();
            fixed (uint* p = ids)
            {
                *(uint*)(attr + 0) = Number(cgroupFd); // target_fd
                *(uint*)(attr + 4) = attachType;     // attach_type
                *(ulong*)(attr + 16) = (ulong)p;     // prog_ids
                *(uint*)(attr + 24) = (uint)capacity; // prog_cnt (in: room, out: count)
                int err = Bpf(BPF_PROG_QUERY, attr, 32, out _);
                uint count = *(uint*)(attr + 24);
                if (err == Errno.ENOSPC && count > capacity)
                {
                    capacity = (int)count; // more attached since: ask again with room for them
                    continue;
                }
                if (err != 0)
                    return err;
                ids = ids[..(int)count];
                return 0;
            }
        }
    }

    /// <summary>An fd for the loaded program with this id (BPF_PROG_GET_FD_BY_ID); ENOENT when it is gone.</summary>
    public static int ProgramById(uint id, out SafeFileHandle? fd)
    {
        var attr = stackalloc uint[3];
        attr[0] = id; // prog_id
        attr[1] = 0;  // next_id
        attr[2] = 0;  // open_flags
        int err = Bpf(BPF_PROG_GET_FD_BY_ID, attr, 12, out long result);
        fd = err == 0 ? new SafeFileHandle((nint)result, ownsHandle: true) : null;
        return err;
    }

    /// <summary>
    /// A program's name and tag (the kernel's hash of its instructions) from BPF_OBJ_GET_INFO_BY_FD: in
    /// struct bpf_prog_info, tag is at offset 8 (8 bytes) and name at offset 64 (16 bytes).
    /// </summary>
    public static int ProgramInfo(SafeHandle programFd, out string name, out ulong tag)
    {
        name = "";
        tag = 0;
        var info = stackalloc byte[80];
        new Span<byte>(info, 80).Clear();
        var attr = stackalloc byte[16];
        *(uint*)(attr + 0) = Number(programFd); // bpf_fd
        *(uint*)(attr + 4) = 80;              // info_len
        *(ulong*)(attr + 8) = (ulong)info;    // info
        int err = Bpf(BPF_OBJ_GET_INFO_BY_FD, attr, 16, out _);
        if (err != 0)
            return err;
        tag = *(ulong*)(info + 8);
        var raw = new ReadOnlySpan<byte>(info + 64, ObjNameLength);
        int end = raw.IndexOf((byte)0);
        name = Encoding.ASCII.GetString(end < 0 ? raw : raw[..end]);
        return 0;
    }

    /// <summary>open(2) of a cgroup directory, as the target of attach, detach and query.</summary>
    public static int OpenDirectory(string path, out SafeFileHandle? fd)
    {
        try
        {
            fd = FileDescriptorInterop.OpenDirectory(path);
            return 0;
        }
        catch (SyscallException e)
        {
            fd = null;
            return e.Errno;
        }
    }

    /// <summary>The fd number inside a bpf_attr: valid while the caller holds the handle, which every caller here does.</summary>
    static uint Number(SafeHandle handle) => (uint)handle.DangerousGetHandle();
}
