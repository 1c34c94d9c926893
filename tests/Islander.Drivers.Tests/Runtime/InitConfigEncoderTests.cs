using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public class InitConfigEncoderTests
{
    static InitConfig Minimal() => new()
    {
        Argv = ["sh"],
        Rootfs = "/r",
        StatusPath = "/s",
        Namespaces = NamespaceFlags.Mount,
    };

    /// <summary>Splits a stream back into (tag, payload) records.</summary>
    static List<(InitConfigTag Tag, byte[] Payload)> Records(byte[] stream)
    {
        var records = new List<(InitConfigTag, byte[])>();
        int at = 0;
        while (at < stream.Length)
        {
            var tag = (InitConfigTag)BinaryPrimitives.ReadUInt16LittleEndian(stream.AsSpan(at));
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(at + 2));
            records.Add((tag, stream.AsSpan(at + 6, len).ToArray()));
            at += 6 + len;
        }
        Assert.Equal(stream.Length, at);
        return records;
    }

    static byte[] Z(string s) => Encoding.UTF8.GetBytes(s + "\0");

    [Fact]
    public void Encode_MinimalConfig_ExactBytes()
    {
        byte[] expected =
        [
            1, 0, 4, 0, 0, 0, 1, 0, 0, 0,                       // VERSION 1
            2, 0, 3, 0, 0, 0, (byte)'s', (byte)'h', 0,          // ARGV "sh"
            4, 0, 2, 0, 0, 0, (byte)'/', 0,                     // WORKDIR "/"
            6, 0, 3, 0, 0, 0, (byte)'/', (byte)'r', 0,          // ROOTFS "/r"
            7, 0, 8, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0,           // NAMESPACES CLONE_NEWNS
            10, 0, 4, 0, 0, 0, 0, 0, 0, 0,                      // UID 0
            11, 0, 4, 0, 0, 0, 0, 0, 0, 0,                      // GID 0
            13, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,          // CAPABILITIES 0
            14, 0, 1, 0, 0, 0, 1,                               // NO_NEW_PRIVS 1
            16, 0, 3, 0, 0, 0, (byte)'/', (byte)'s', 0,         // STATUS_PATH "/s"
            0, 0, 0, 0, 0, 0,                                   // END
        ];

        Assert.Equal(expected, InitConfigEncoder.Encode(Minimal()));
    }

    [Fact]
    public void Encode_StatusUnsynced_OneFlagAfterTheStatusPath_AbsentByDefault()
    {
        var records = Records(InitConfigEncoder.Encode(Minimal() with { StatusUnsynced = true }));

        int path = records.FindIndex(r => r.Tag == InitConfigTag.StatusPath);
        Assert.Equal(InitConfigTag.StatusUnsynced, records[path + 1].Tag);
        Assert.Equal([1], records[path + 1].Payload);
        Assert.DoesNotContain(Records(InitConfigEncoder.Encode(Minimal())), r => r.Tag == InitConfigTag.StatusUnsynced);
    }

    [Fact]
    public void Encode_CgroupJoin_TasksFilesInOrderThenTheCgroup2Directory()
    {
        var records = Records(InitConfigEncoder.Encode(Minimal() with { CgroupTasksFiles = ["/c/cpu/i/tasks", "/c/memory/i/tasks"], CgroupDirectory = "/c/unified/i" }));

        Assert.Equal(
            [(InitConfigTag.CgroupTasks, Z("/c/cpu/i/tasks")), (InitConfigTag.CgroupTasks, Z("/c/memory/i/tasks")), (InitConfigTag.CgroupDir, Z("/c/unified/i"))],
            records.Where(r => r.Tag is InitConfigTag.CgroupTasks or InitConfigTag.CgroupDir).Select(r => (r.Tag, r.Payload)));
        Assert.DoesNotContain(Records(InitConfigEncoder.Encode(Minimal())), r => r.Tag is InitConfigTag.CgroupTasks or InitConfigTag.CgroupDir);
    }

    [Fact]
    public void Encode_JsonFileLog_PathSizeAndCountBeforeTheEnd()
    {
        var records = Records(InitConfigEncoder.Encode(Minimal() with { Log = new IsleLogTarget.JsonFile("/l/log.json", 10 << 20, 3) }));

        Assert.Equal(
            [(InitConfigTag.LogPath, Z("/l/log.json")), (InitConfigTag.LogMaxSize, BitConverter.GetBytes(10UL << 20)),
             (InitConfigTag.LogMaxFiles, BitConverter.GetBytes(3u)), (InitConfigTag.End, [])],
            records.TakeLast(4).Select(r => (r.Tag, r.Payload)));
    }

    [Fact]
    public void Encode_StdinAndTty_FlagsAndAttachSocketBeforeTheEnd()
    {
        var log = new IsleLogTarget.JsonFile("/l/log.json", 10 << 20, 3);
        var records = Records(InitConfigEncoder.Encode(Minimal() with { Log = log, Stdin = true, Tty = true, AttachSocket = "/r/attach" }));

        Assert.Equal(
            [(InitConfigTag.Stdin, [1]), (InitConfigTag.Tty, [1]), (InitConfigTag.AttachSocket, Z("/r/attach")), (InitConfigTag.End, [])],
            records.TakeLast(4).Select(r => (r.Tag, r.Payload)));
    }

    [Theory]
    [InlineData(true, false, null, true)]   // no attach socket
    [InlineData(false, false, "/r/attach", true)] // a socket for neither
    [InlineData(false, true, "/r/attach", false)] // no log: the shim copies the output there
    public void Encode_StdinOrTtyWithoutTheirParts_Refused(bool stdin, bool tty, string? socket, bool logged)
    {
        var config = Minimal() with { Stdin = stdin, Tty = tty, AttachSocket = socket, Log = logged ? new IsleLogTarget.JsonFile("/l/log.json", 10 << 20, 3) : null };

        Assert.Throws<ArgumentException>(() => InitConfigEncoder.Encode(config));
    }

    [Fact]
    public void Encode_JournalLog_SocketAndName()
    {
        var records = Records(InitConfigEncoder.Encode(Minimal() with { Log = new IsleLogTarget.Journal("/run/systemd/journal/socket", "web") }));

        Assert.Equal([(InitConfigTag.LogJournal, Z("/run/systemd/journal/socket")), (InitConfigTag.LogName, Z("web"))],
            records.SkipLast(1).TakeLast(2).Select(r => (r.Tag, r.Payload)));
    }

    [Theory]
    [InlineData(64 * 1024, 3)]
    [InlineData(10 << 20, 0)]
    [InlineData(10 << 20, 101)]
    public void Encode_JsonFileLogOutOfBounds_Refused(long maxSize, int maxFiles) =>
        Assert.Throws<ArgumentException>(() => InitConfigEncoder.Encode(Minimal() with { Log = new IsleLogTarget.JsonFile("/l", maxSize, maxFiles) }));

    [Fact]
    public void Encode_Mount_FlagsOptionsThenFourStringsWithEmptyForNull()
    {
        var config = Minimal() with
        {
            Mounts = [new MountOp(null, "proc", "proc", MountFlags.NoSuid | MountFlags.NoExec, null, MountOpOptions.CreateDir)],
        };

        var mount = Records(InitConfigEncoder.Encode(config)).Single(r => r.Tag == InitConfigTag.Mount).Payload;

        byte[] expected = [10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, .. Z("proc"), .. Z("proc"), 0];
        Assert.Equal(expected, mount);
    }

    [Fact]
    public void Encode_RootfsMount_Fd5AfterTheRootfsPath_OnlyWhenTheDaemonHasOne()
    {
        var records = Records(InitConfigEncoder.Encode(Minimal() with { RootfsMountFd = 37 }));

        int rootfs = records.FindIndex(r => r.Tag == InitConfigTag.Rootfs);
        Assert.Equal(InitConfigTag.RootfsMount, records[rootfs + 1].Tag);
        Assert.Equal([5, 0, 0, 0], records[rootfs + 1].Payload); // the fd isle-init finds it at, not the daemon's
        Assert.DoesNotContain(Records(InitConfigEncoder.Encode(Minimal())), r => r.Tag == InitConfigTag.RootfsMount);
    }

    [Fact]
    public void Encode_SourceFdMounts_TheFdIsleInitGetsFrom6InOrder_NotTheDaemonsPath()
    {
        var config = Minimal() with
        {
            RootfsMountFd = 37,
            Mounts =
            [
                new MountOp("/v/a", "a", null, MountFlags.Bind | MountFlags.Recursive, null, MountOpOptions.CreateDir | MountOpOptions.SourceFd),
                new MountOp("/home/u", "h", null, MountFlags.Bind | MountFlags.Recursive, null, MountOpOptions.CreateDir),
                new MountOp("/v/b", "b", null, MountFlags.Bind | MountFlags.Recursive, null, MountOpOptions.CreateDir | MountOpOptions.SourceFd),
            ],
        };

        var sources = Records(InitConfigEncoder.Encode(config)).Where(r => r.Tag == InitConfigTag.Mount)
            .Select(r => Encoding.UTF8.GetString(r.Payload.AsSpan(12)).Split('\0')[0]).ToList();

        Assert.Equal(["6", "/home/u", "7"], sources);
        Assert.Equal(["/v/a", "/v/b"], InitConfigEncoder.SourceFdMounts(config).Select(m => m.Source));
        Assert.Throws<ArgumentException>(() => InitConfigEncoder.Encode(Minimal() with
        {
            Mounts = [new MountOp(null, "a", null, MountFlags.None, null, MountOpOptions.SourceFd)],
        }));
    }

    [Fact]
    public void Encode_RepeatedFields_OneRecordEachInOrder()
    {
        var config = Minimal() with
        {
            Argv = ["sh", "-c", "exit 42"],
            Env = ["A=1", "B=2"],
            AdditionalGids = [10, 20],
            Symlinks = [new SymlinkOp("/proc/self/fd", "dev/fd")],
        };

        var records = Records(InitConfigEncoder.Encode(config));

        Assert.Equal(InitConfigTag.Version, records[0].Tag);
        Assert.Equal(InitConfigTag.End, records[^1].Tag);
        Assert.Equal(["sh", "-c", "exit 42"], records.Where(r => r.Tag == InitConfigTag.Argv).Select(r => Encoding.UTF8.GetString(r.Payload).TrimEnd('\0')));
        Assert.Equal(["A=1", "B=2"], records.Where(r => r.Tag == InitConfigTag.Env).Select(r => Encoding.UTF8.GetString(r.Payload).TrimEnd('\0')));
        Assert.Equal([10u, 20u], records.Where(r => r.Tag == InitConfigTag.AdditionalGid).Select(r => BinaryPrimitives.ReadUInt32LittleEndian(r.Payload)));
        Assert.Equal([.. Z("/proc/self/fd"), .. Z("dev/fd")], records.Single(r => r.Tag == InitConfigTag.Symlink).Payload);
    }

    [Fact]
    public void Encode_OptionalFields_PresentOnlyWhenSet()
    {
        var config = Minimal() with
        {
            Namespaces = NamespaceFlags.Mount | NamespaceFlags.Uts,
            Hostname = "web",
            SeccompFilter = new byte[16],
            OomCounterPath = "/sys/fs/cgroup/memory/x/memory.oom_control",
        };

        var tags = Records(InitConfigEncoder.Encode(config)).Select(r => r.Tag).ToList();
        var minimalTags = Records(InitConfigEncoder.Encode(Minimal())).Select(r => r.Tag).ToList();

        Assert.Contains(InitConfigTag.Hostname, tags);
        Assert.Contains(InitConfigTag.Seccomp, tags);
        Assert.Contains(InitConfigTag.OomCounterPath, tags);
        Assert.DoesNotContain(InitConfigTag.Hostname, minimalTags);
        Assert.DoesNotContain(InitConfigTag.Seccomp, minimalTags);
        Assert.DoesNotContain(InitConfigTag.OomCounterPath, minimalTags);
    }

    public static TheoryData<string> InvalidConfigs() => ["no argv", "no mount ns", "hostname without uts", "seccomp not whole", "nul in env"];

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Encode_InvalidConfig_Throws(string which)
    {
        var config = which switch
        {
            "no argv" => Minimal() with { Argv = [] },
            "no mount ns" => Minimal() with { Namespaces = NamespaceFlags.Pid },
            "hostname without uts" => Minimal() with { Hostname = "h" },
            "seccomp not whole" => Minimal() with { SeccompFilter = new byte[12] },
            "nul in env" => Minimal() with { Env = ["A=\0"] },
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };

        Assert.Throws<ArgumentException>(() => InitConfigEncoder.Encode(config));
    }

    [Fact]
    public void EncodeExec_JoinsThePidWithTheIslesConfinementAndNoRootfs()
    {
        var config = new ExecConfig
        {
            Pid = 4321,
            Argv = ["ps", "-o", "pid"],
            Env = ["PATH=/bin"],
            WorkingDir = "/tmp",
            Namespaces = NamespaceFlags.Mount | NamespaceFlags.Pid,
            User = new Islander.Drivers.Users.IsleUser(1000, 100, [27], "/home/a"),
            Capabilities = 0x20,
            SeccompFilter = new byte[8],
        };

        var records = Records(InitConfigEncoder.EncodeExec(config));

        Assert.Equal(InitConfigTag.Version, records[0].Tag);
        Assert.Equal(InitConfigTag.ExecPid, records[1].Tag);
        Assert.Equal(BitConverter.GetBytes(4321u), records[1].Payload);
        Assert.Equal(["ps", "-o", "pid"], records.Where(r => r.Tag == InitConfigTag.Argv).Select(r => Encoding.UTF8.GetString(r.Payload).TrimEnd('\0')));
        Assert.Equal(Z("/tmp"), records.Single(r => r.Tag == InitConfigTag.WorkingDir).Payload);
        Assert.Equal(BitConverter.GetBytes(1000u), records.Single(r => r.Tag == InitConfigTag.Uid).Payload);
        Assert.Equal(BitConverter.GetBytes(27u), records.Single(r => r.Tag == InitConfigTag.AdditionalGid).Payload);
        Assert.Equal([(byte)1], records.Single(r => r.Tag == InitConfigTag.NoNewPrivileges).Payload);
        Assert.Single(records, r => r.Tag == InitConfigTag.Seccomp);
        Assert.DoesNotContain(records, r => r.Tag is InitConfigTag.Rootfs or InitConfigTag.Mount or InitConfigTag.Hostname or InitConfigTag.StatusPath);
        Assert.Equal(InitConfigTag.End, records[^1].Tag);
    }

    [Fact]
    public void EncodeExec_NoCommandOrNoMountNamespace_Throws()
    {
        var ok = new ExecConfig { Pid = 1, Argv = ["sh"], Namespaces = NamespaceFlags.Mount };

        Assert.Throws<ArgumentException>(() => InitConfigEncoder.EncodeExec(ok with { Argv = [] }));
        Assert.Throws<ArgumentException>(() => InitConfigEncoder.EncodeExec(ok with { Namespaces = NamespaceFlags.Pid }));
        Assert.Throws<ArgumentException>(() => InitConfigEncoder.EncodeExec(ok with { Env = ["A=\0"] }));
    }

    [Fact]
    public void Tags_MatchTheDefinesInIsleInitC()
    {
        var source = File.ReadAllText(SourceTree.Find("src/Islander.Drivers/native/isle-init.c"));
        var defines = Regex.Matches(source, @"^#define TAG_([A-Z_]+) (\d+)", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => ushort.Parse(m.Groups[2].Value), StringComparer.OrdinalIgnoreCase);

        // C uses WORKDIR and NO_NEW_PRIVS for WorkingDir and NoNewPrivileges.
        static string CName(InitConfigTag t) => t switch
        {
            InitConfigTag.WorkingDir => "WORKDIR",
            InitConfigTag.NoNewPrivileges => "NONEWPRIVS",
            _ => t.ToString(),
        };
        var tags = Enum.GetValues<InitConfigTag>().ToDictionary(CName, t => (ushort)t, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(tags.OrderBy(t => t.Value), defines.OrderBy(d => d.Value), new TagComparer());
        Assert.Contains($"#define CONFIG_VERSION {InitConfigEncoder.FormatVersion}", source);
    }

    [Fact]
    public void MountOpOptions_MatchTheDefinesInIsleInitC()
    {
        var source = File.ReadAllText(SourceTree.Find("src/Islander.Drivers/native/isle-init.c"));
        var defines = Regex.Matches(source, @"^#define MOUNTOP_([A-Z_]+) (\d+)u", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => uint.Parse(m.Groups[2].Value), StringComparer.OrdinalIgnoreCase);
        var options = Enum.GetValues<MountOpOptions>().Where(o => o != MountOpOptions.None)
            .ToDictionary(o => o.ToString(), o => (uint)o, StringComparer.OrdinalIgnoreCase);

        Assert.Equal(options.OrderBy(o => o.Value).Select(o => (o.Key.ToUpperInvariant(), o.Value)), defines.OrderBy(d => d.Value).Select(d => (d.Key, d.Value)));
    }

    sealed class TagComparer : IEqualityComparer<KeyValuePair<string, ushort>>
    {
        public bool Equals(KeyValuePair<string, ushort> a, KeyValuePair<string, ushort> b) =>
            a.Value == b.Value && string.Equals(a.Key, b.Key, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(KeyValuePair<string, ushort> kv) => kv.Value;
    }
}
