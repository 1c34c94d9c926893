using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Islander.Drivers.Rootfs;

namespace Islander.Drivers.Runtime;

/// <summary>
/// Encodes an <see cref="InitConfig"/> into the TLV stream isle-init reads from fd 3, the way runc
/// sends netlink-encoded bootstrap data down its init pipe. Pure: bytes in, bytes out.
/// </summary>
public static class InitConfigEncoder
{
    /// <summary>Bumped whenever a record's meaning changes; isle-init refuses other versions.</summary>
    public const uint FormatVersion = 1;

    const int HeaderSize = 6;
    const int SockFilterSize = 8;
    const int MaxSeccompInstructions = 4096; // BPF_MAXINSNS

    /// <summary>The fd isle-init finds the detached rootfs mount at (FD_ROOTFS in isle-init.c).</summary>
    public const int RootfsMountFd = 5;

    /// <summary>
    /// The fd isle-init finds the first <see cref="MountOpOptions.SourceFd"/> mount's source at (FD_VOLUMES in
    /// isle-init.c); the next such mount's is one higher, and so on, in the order of <see cref="InitConfig.Mounts"/>.
    /// </summary>
    public const int FirstSourceFd = RootfsMountFd + 1;

    /// <summary>The mounts whose source isle-init receives as an fd: the n-th is at <see cref="FirstSourceFd"/> + n.</summary>
    public static IReadOnlyList<MountOp> SourceFdMounts(InitConfig config) =>
        config.Mounts.Where(m => m.Options.HasFlag(MountOpOptions.SourceFd)).ToList();

    /// <summary>Returns the whole stream, from the <see cref="InitConfigTag.Version"/> record to <see cref="InitConfigTag.End"/>.</summary>
    /// <exception cref="ArgumentException">The config breaks isle-init's rules (see <see cref="Validate"/>).</exception>
    public static byte[] Encode(InitConfig config)
    {
        Validate(config);
        var w = new Writer();
        w.UInt32(InitConfigTag.Version, FormatVersion);
        w.Command(config.Argv, config.Env, config.WorkingDir);
        if (config.Hostname is not null)
            w.String(InitConfigTag.Hostname, config.Hostname);
        w.String(InitConfigTag.Rootfs, config.Rootfs);
        if (config.RootfsMountFd >= 0)
            w.UInt32(InitConfigTag.RootfsMount, RootfsMountFd);
        w.UInt64(InitConfigTag.Namespaces, (ulong)config.Namespaces);
        int sourceFd = FirstSourceFd;
        foreach (var m in config.Mounts)
            // isle-init gets the fd's number, not the daemon's path (the launcher opens it, see SourceFdMounts).
            w.Mount(m.Options.HasFlag(MountOpOptions.SourceFd) ? m with { Source = (sourceFd++).ToString(CultureInfo.InvariantCulture) } : m);
        foreach (var s in config.Symlinks)
            w.Strings(InitConfigTag.Symlink, s.Target, s.Link);
        w.Confinement(config.Uid, config.Gid, config.AdditionalGids, config.Capabilities, config.NoNewPrivileges, config.SeccompFilter);
        w.String(InitConfigTag.StatusPath, config.StatusPath);
        if (config.StatusUnsynced)
            w.Bytes(InitConfigTag.StatusUnsynced, [1]);
        if (config.OomCounterPath is not null)
            w.String(InitConfigTag.OomCounterPath, config.OomCounterPath);
        w.Cgroups(config.CgroupTasksFiles, config.CgroupDirectory);
        switch (config.Log)
        {
            case IsleLogTarget.JsonFile f:
                w.String(InitConfigTag.LogPath, f.Path);
                w.UInt64(InitConfigTag.LogMaxSize, checked((ulong)f.MaxSize));
                w.UInt32(InitConfigTag.LogMaxFiles, checked((uint)f.MaxFiles));
                break;
            case IsleLogTarget.Journal j:
                w.String(InitConfigTag.LogJournal, j.Socket);
                w.String(InitConfigTag.LogName, j.IsleName);
                break;
        }
        if (config.AttachSocket is not null)
        {
            w.Bytes(InitConfigTag.Stdin, [config.Stdin ? (byte)1 : (byte)0]);
            w.Bytes(InitConfigTag.Tty, [config.Tty ? (byte)1 : (byte)0]);
            w.String(InitConfigTag.AttachSocket, config.AttachSocket);
        }
        w.Bytes(InitConfigTag.End, []);
        return w.ToArray();
    }

    /// <summary>The stream for isle-init's exec mode: join the isle of <see cref="ExecConfig.Pid"/>, then confine and exec.</summary>
    /// <exception cref="ArgumentException">No command, no mount namespace to join, a broken seccomp filter or a NUL in a string.</exception>
    public static byte[] EncodeExec(ExecConfig config)
    {
        ValidateCommand(config.Argv, nameof(config));
        if (!config.Namespaces.HasFlag(NamespaceFlags.Mount))
            throw new ArgumentException("exec needs the isle's mount namespace", nameof(config));
        ValidateSeccomp(config.SeccompFilter, nameof(config));
        if (config.Argv.Concat(config.Env).Append(config.WorkingDir).Concat(config.CgroupTasksFiles).Append(config.CgroupDirectory ?? "").Any(s => s.Contains('\0')))
            throw new ArgumentException("config strings must not contain NUL", nameof(config));
        var w = new Writer();
        w.UInt32(InitConfigTag.Version, FormatVersion);
        w.UInt32(InitConfigTag.ExecPid, checked((uint)config.Pid));
        w.Command(config.Argv, config.Env, config.WorkingDir);
        w.UInt64(InitConfigTag.Namespaces, (ulong)config.Namespaces);
        w.Confinement(config.User.Uid, config.User.Gid, config.User.AdditionalGids, config.Capabilities, config.NoNewPrivileges, config.SeccompFilter);
        w.Cgroups(config.CgroupTasksFiles, config.CgroupDirectory);
        if (config.Tty)
            w.UInt32(InitConfigTag.ExecTty, 1);
        w.Bytes(InitConfigTag.End, []);
        return w.ToArray();
    }

    /// <summary>
    /// The rules isle-init enforces too, checked here so a bad config fails before any process
    /// exists: argv is not empty, no string holds a NUL, a mount namespace is asked for (mounts
    /// and pivot_root would otherwise change the host), a hostname comes with a UTS namespace, and
    /// the seccomp filter is whole sock_filter instructions.
    /// </summary>
    public static void Validate(InitConfig config)
    {
        ValidateCommand(config.Argv, nameof(config));
        if (!config.Namespaces.HasFlag(NamespaceFlags.Mount))
            throw new ArgumentException("isle-init needs a mount namespace", nameof(config));
        if (config.Hostname is not null && !config.Namespaces.HasFlag(NamespaceFlags.Uts))
            throw new ArgumentException("a hostname needs a UTS namespace", nameof(config));
        ValidateSeccomp(config.SeccompFilter, nameof(config));
        IEnumerable<string?> strings = [
            .. config.Argv, .. config.Env, config.WorkingDir, config.Hostname, config.Rootfs, config.StatusPath, config.OomCounterPath,
            .. config.Mounts.SelectMany(m => new[] { m.Source, m.Target, m.FsType, m.Data }),
            .. config.Symlinks.SelectMany(s => new[] { s.Target, s.Link }),
            .. config.CgroupTasksFiles, config.CgroupDirectory,
        ];
        if (strings.Any(s => s is not null && s.Contains('\0')))
            throw new ArgumentException("config strings must not contain NUL", nameof(config));
        if (config.Log is IsleLogTarget.JsonFile { MaxSize: < Islander.Model.IsleLogging.MinimumMaxSize } or IsleLogTarget.JsonFile { MaxFiles: < 1 or > Islander.Model.IsleLogging.MaximumMaxFiles })
            throw new ArgumentException($"a json-file log needs maxSize of at least {Islander.Model.IsleLogging.MinimumMaxSize} bytes and 1 to {Islander.Model.IsleLogging.MaximumMaxFiles} files", nameof(config));
        // sockaddr_un's sun_path holds 108 bytes with its NUL.
        if (config.Log is IsleLogTarget.Journal j && (Encoding.UTF8.GetByteCount(j.Socket) >= 108 || j.IsleName.Length == 0))
            throw new ArgumentException("a journal socket's path must be shorter than 108 bytes, and the isle named", nameof(config));
        if (config.Log is IsleLogTarget.JsonFile { Path: var lp } && lp.Contains('\0') || config.Log is IsleLogTarget.Journal { Socket: var js, IsleName: var jn } && (js + jn).Contains('\0'))
            throw new ArgumentException("config strings must not contain NUL", nameof(config));
        // The shim serves stdin and the tty on the attach socket and copies what it reads to the log.
        if ((config.Stdin || config.Tty) != config.AttachSocket is not null
            || config.AttachSocket is { } a && (config.Log is null || Encoding.UTF8.GetByteCount(a) >= 108 || a.Contains('\0')))
            throw new ArgumentException("stdin and tty need a log and an attach socket (a path shorter than 108 bytes), and an attach socket one of them", nameof(config));
        if (config.Mounts.Any(m => m.Options.HasFlag(MountOpOptions.SourceFd) && string.IsNullOrEmpty(m.Source)))
            throw new ArgumentException("a mount whose source goes as an fd needs a source path to open", nameof(config));
    }

    static void ValidateCommand(IReadOnlyList<string> argv, string param)
    {
        if (argv.Count == 0 || argv[0].Length == 0)
            throw new ArgumentException("argv must name a command", param);
    }

    static void ValidateSeccomp(byte[]? filter, string param)
    {
        if (filter is { } f && (f.Length == 0 || f.Length % SockFilterSize != 0 || f.Length / SockFilterSize > MaxSeccompInstructions))
            throw new ArgumentException($"seccomp filter must be 1..{MaxSeccompInstructions} sock_filter instructions of {SockFilterSize} bytes", param);
    }

    sealed class Writer
    {
        /// <summary>The process to exec: argv, env, working directory (the start and the exec stream alike).</summary>
        public void Command(IReadOnlyList<string> argv, IReadOnlyList<string> env, string workingDir)
        {
            foreach (var arg in argv)
                String(InitConfigTag.Argv, arg);
            foreach (var e in env)
                String(InitConfigTag.Env, e);
            String(InitConfigTag.WorkingDir, workingDir);
        }

        /// <summary>Who the process runs as and how it is confined, applied by isle-init's confine_and_exec for both.</summary>
        public void Confinement(uint uid, uint gid, IEnumerable<uint> additionalGids, ulong capabilities, bool noNewPrivileges, byte[]? seccomp)
        {
            UInt32(InitConfigTag.Uid, uid);
            UInt32(InitConfigTag.Gid, gid);
            foreach (var g in additionalGids)
                UInt32(InitConfigTag.AdditionalGid, g);
            UInt64(InitConfigTag.Capabilities, capabilities);
            Bytes(InitConfigTag.NoNewPrivileges, [noNewPrivileges ? (byte)1 : (byte)0]);
            if (seccomp is not null)
                Bytes(InitConfigTag.Seccomp, seccomp);
        }

        /// <summary>The isle's groups, which the process starts in by itself (isle-init's start_init and exec_main).</summary>
        public void Cgroups(IReadOnlyList<string> tasksFiles, string? directory)
        {
            foreach (var tasks in tasksFiles)
                String(InitConfigTag.CgroupTasks, tasks);
            if (directory is not null)
                String(InitConfigTag.CgroupDir, directory);
        }

        readonly MemoryStream _out = new();

        public byte[] ToArray() => _out.ToArray();

        public void Bytes(InitConfigTag tag, ReadOnlySpan<byte> payload)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)tag);
            BinaryPrimitives.WriteUInt32LittleEndian(header[2..], (uint)payload.Length);
            _out.Write(header);
            _out.Write(payload);
        }

        public void UInt32(InitConfigTag tag, uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            Bytes(tag, b);
        }

        public void UInt64(InitConfigTag tag, ulong value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(b, value);
            Bytes(tag, b);
        }

        public void String(InitConfigTag tag, string value) => Strings(tag, value);

        public void Strings(InitConfigTag tag, params string?[] values) => Bytes(tag, NulTerminated(values));

        public void Mount(MountOp m)
        {
            var strings = NulTerminated(m.Source, m.Target, m.FsType, m.Data);
            var payload = new byte[12 + strings.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(payload, (ulong)m.Flags);
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(8), (uint)m.Options);
            strings.CopyTo(payload, 12);
            Bytes(InitConfigTag.Mount, payload);
        }

        static byte[] NulTerminated(params string?[] values)
        {
            var buf = new MemoryStream();
            foreach (var v in values)
            {
                buf.Write(Encoding.UTF8.GetBytes(v ?? ""));
                buf.WriteByte(0);
            }
            return buf.ToArray();
        }
    }
}
