using Islander.Drivers.Cgroups;
using static Islander.Drivers.Cgroups.DeviceAccess;

namespace Islander.Drivers.Tests.Cgroups;

/// <summary>The device filter, run through <see cref="EbpfInterpreter"/> over tables of device accesses.</summary>
public class DeviceFilterProgramTests
{
    const DeviceType C = DeviceType.Char, B = DeviceType.Block;
    const DeviceAccess RW = Read | Write;

    static readonly IReadOnlyList<EbpfInstruction> Docker = DeviceFilterProgram.For(DevicePolicy.Allowlist);
    static readonly IReadOnlyList<EbpfInstruction> Privileged = DeviceFilterProgram.For(DevicePolicy.AllowAll);

    public static TheoryData<DeviceType, uint, uint, DeviceAccess, bool> DockerTable => new()
    {
        { C, 1, 3, RW, true },      // /dev/null
        { C, 1, 3, Read, true },
        { C, 1, 3, Write, true },
        { C, 1, 3, Mknod, true },
        { C, 1, 5, RW, true },      // /dev/zero
        { C, 1, 7, RW, true },      // /dev/full
        { C, 1, 8, Read, true },    // /dev/random
        { C, 1, 9, Read, true },    // /dev/urandom
        { C, 5, 0, RW, true },      // /dev/tty
        { C, 5, 1, RW, true },      // /dev/console
        { C, 5, 2, RW, true },      // /dev/ptmx
        { C, 136, 0, RW, true },    // /dev/pts/0
        { C, 136, 1023, RW, true }, // /dev/pts/* (any minor)
        { C, 10, 200, RW, true },   // /dev/net/tun
        { C, 1, 1, Read, false },   // /dev/mem
        { C, 1, 1, Write, false },
        { C, 1, 11, Write, false }, // /dev/kmsg
        { C, 1, 2, Read, false },   // /dev/kmem
        { C, 1, 4, Read, false },   // /dev/port
        { C, 1, 6, Read, false },   // 1:6 is between allowed minors
        { C, 5, 3, RW, false },
        { C, 4, 0, RW, false },     // /dev/tty0
        { C, 10, 229, RW, false },  // /dev/fuse
        { C, 10, 201, RW, false },
        { C, 137, 0, RW, false },   // next to the pts major
        { C, 3, 1, Read, false },   // minor 1 under another major
        { B, 8, 0, Read, false },   // /dev/sda
        { B, 8, 0, Write, false },
        { B, 1, 3, Read, false },   // a block device that shares null's numbers
        { B, 136, 0, Read, false },
        { B, 253, 0, RW, false },   // device-mapper
        { C, 1, 1, Mknod, true },   // c *:* m: any node may be made...
        { C, 4095, 1048575, Mknod, true },
        { B, 8, 0, Mknod, true },   // b *:* m
        { B, 259, 3, Mknod, true },
        { C, 1, 1, Read | Mknod, false }, // ...but mknod does not grant reading
        { B, 8, 0, RW | Mknod, false },
    };

    [Theory]
    [MemberData(nameof(DockerTable))]
    public void Allowlist_DockerDefaults_Verdict(DeviceType type, uint major, uint minor, DeviceAccess access, bool allowed) =>
        Assert.Equal(allowed, EbpfInterpreter.Allows(Docker, type, major, minor, access));

    [Theory]
    [InlineData(C, 1u, 3u, RW)]
    [InlineData(C, 1u, 1u, RW)]
    [InlineData(C, 1u, 11u, Write)]
    [InlineData(B, 8u, 0u, RW)]
    [InlineData(B, 8u, 0u, Mknod)]
    [InlineData(C, 4095u, 1048575u, Read | Write | Mknod)]
    public void AllowAll_AnyDevice_Allowed(DeviceType type, uint major, uint minor, DeviceAccess access) =>
        Assert.True(EbpfInterpreter.Allows(Privileged, type, major, minor, access));

    [Fact]
    public void AllowAll_IsReturnOne() =>
        Assert.Equal([EbpfInstruction.Mov32(0, 1), EbpfInstruction.Exit()], Privileged.Skip(6));

    [Fact]
    public void For_DockerDefaults_Disassembly()
    {
        // The prologue and the blocks of "c *:* m" and "c 1:3 rwm": a review of the encoding, as runc's devicefilter_test.
        string[] expected =
        [
            "r2 = *(u32 *)(r1 +0)", "w2 &= 65535", "r3 = *(u32 *)(r1 +0)", "w3 >>= 16", "r4 = *(u32 *)(r1 +4)", "r5 = *(u32 *)(r1 +8)",
            "if r2 != 2 goto +5", "w1 = w3", "w1 &= 1", "if r1 != r3 goto +2", "w0 = 1", "exit",
            "if r2 != 1 goto +5", "w1 = w3", "w1 &= 1", "if r1 != r3 goto +2", "w0 = 1", "exit",
            "if r2 != 2 goto +4", "if r4 != 1 goto +3", "if r5 != 3 goto +2", "w0 = 1", "exit",
        ];
        Assert.Equal(expected, Docker.Take(expected.Length).Select(i => i.ToString()));
        Assert.Equal(["w0 = 0", "exit"], Docker.TakeLast(2).Select(i => i.ToString()));
    }

    [Fact]
    public void Encode_LikeTheKernelsStructBpfInsn()
    {
        // r4 = *(u32 *)(r1 + 4): code 0x61, dst 4 in the low nibble, src 1 in the high one, off 4, imm 0.
        Assert.Equal(new byte[] { 0x61, 0x14, 4, 0, 0, 0, 0, 0 }, EbpfInstruction.Encode([EbpfInstruction.LoadWord(4, 1, 4)]));
        // if r5 != 3 goto +2
        Assert.Equal(new byte[] { 0x55, 0x05, 2, 0, 3, 0, 0, 0 }, EbpfInstruction.Encode([EbpfInstruction.JumpIfNotEqual(5, 3, 2)]));
        Assert.Equal(new byte[] { 0x95, 0, 0, 0, 0, 0, 0, 0 }, EbpfInstruction.Encode([EbpfInstruction.Exit()]));
    }

    [Fact]
    public void Decode_Encode_RoundTrips()
    {
        var bytes = EbpfInstruction.Encode(Docker);
        Assert.Equal(Docker.Count * EbpfInstruction.Size, bytes.Length);
        Assert.Equal(Docker, EbpfInstruction.Decode(bytes));
    }

    [Fact]
    public void Compile_DenyExceptions_DenyOnAnyOverlap()
    {
        // Default allow, deny writes to 1:1 and everything of block 8:*: v1's blacklist semantics.
        var program = DeviceFilterProgram.Compile(
        [
            new DeviceRule(true, DeviceType.All, null, null, DeviceAccess.All),
            new DeviceRule(false, C, 1, 1, Write),
            new DeviceRule(false, B, 8, null, DeviceAccess.All),
        ]);
        Assert.True(EbpfInterpreter.Allows(program, C, 1, 1, Read));
        Assert.False(EbpfInterpreter.Allows(program, C, 1, 1, Write));
        Assert.False(EbpfInterpreter.Allows(program, C, 1, 1, RW));
        Assert.False(EbpfInterpreter.Allows(program, B, 8, 16, Mknod));
        Assert.True(EbpfInterpreter.Allows(program, C, 8, 16, Read));
        Assert.True(EbpfInterpreter.Allows(program, B, 9, 0, RW));
    }

    [Fact]
    public void Compile_TypeAllException_MatchesBothTypes()
    {
        var program = DeviceFilterProgram.Compile(
            [new DeviceRule(false, DeviceType.All, null, null, DeviceAccess.All), DeviceRule.Allowed(DeviceType.All, 7, null, Read)]);
        Assert.True(EbpfInterpreter.Allows(program, C, 7, 0, Read));
        Assert.True(EbpfInterpreter.Allows(program, B, 7, 9, Read));
        Assert.False(EbpfInterpreter.Allows(program, B, 7, 9, Write));
        Assert.False(EbpfInterpreter.Allows(program, C, 6, 0, Read));
    }

    [Fact]
    public void Compile_FirstRuleNotEverything_Throws() =>
        Assert.Throws<ArgumentException>(() => DeviceFilterProgram.Compile([DeviceRule.Allowed(C, 1, 3)]));

    [Fact]
    public void Compile_ExceptionWithTheDefaultVerdict_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceFilterProgram.Compile(
            [new DeviceRule(false, DeviceType.All, null, null, DeviceAccess.All), new DeviceRule(false, C, 1, 3, Read)]));
        Assert.Contains("c 1:3 r", e.Message);
    }

    [Fact]
    public void Compile_MajorAboveInt32_Throws() =>
        Assert.Throws<ArgumentException>(() => DeviceFilterProgram.Compile(
            [new DeviceRule(false, DeviceType.All, null, null, DeviceAccess.All), DeviceRule.Allowed(C, 0x8000_0000, 0)]));

    /// <summary>Random rule lists against the v1 semantics written out plainly (<see cref="DeviceRule.Covers"/> and overlap).</summary>
    [Fact]
    public void Compile_RandomRules_AgreeWithV1Semantics()
    {
        var random = new Random(20261124);
        DeviceType[] types = [DeviceType.All, B, C];
        for (int round = 0; round < 300; round++)
        {
            bool defaultAllow = random.Next(2) == 0;
            var rules = new List<DeviceRule> { new(defaultAllow, DeviceType.All, null, null, DeviceAccess.All) };
            for (int i = random.Next(6); i > 0; i--)
                rules.Add(new DeviceRule(!defaultAllow, types[random.Next(3)],
                    random.Next(3) == 0 ? null : (uint)random.Next(4), random.Next(3) == 0 ? null : (uint)random.Next(4),
                    (DeviceAccess)random.Next(1, 8)));
            var program = DeviceFilterProgram.Compile(rules);

            foreach (var type in (DeviceType[])[B, C])
                for (uint major = 0; major < 4; major++)
                    for (uint minor = 0; minor < 4; minor++)
                        for (int access = 1; access < 8; access++)
                        {
                            var a = (DeviceAccess)access;
                            bool Matches(DeviceRule r) => r.Allow
                                ? r.Covers(type, major, minor, a)
                                : r.Covers(type, major, minor, DeviceAccess.None) && (r.Access & a) != 0;
                            bool expected = rules.Skip(1).Any(Matches) ? !defaultAllow : defaultAllow;
                            Assert.True(expected == EbpfInterpreter.Allows(program, type, major, minor, a),
                                $"{string.Join(", ", rules)}: {(char)type} {major}:{minor} {a}");
                        }
        }
    }
}
