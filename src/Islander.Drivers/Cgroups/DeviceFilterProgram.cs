namespace Islander.Drivers.Cgroups;

/// <summary>
/// Compiles device rules into a BPF_PROG_TYPE_CGROUP_DEVICE program, the way cgroup v2 restricts devices (it has
/// no devices controller). Modelled on runc's devicefilter.go (itself from crun's ebpf.c): the kernel calls the
/// program on every open and mknod of a device node by a process of the cgroup (or a descendant), with
/// <c>struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }</c> in r1, where access_type holds
/// BPF_DEVCG_DEV_* in its low 16 bits and BPF_DEVCG_ACC_* in its high 16 bits; 1 allows, 0 denies (EPERM).
/// </summary>
/// <remarks>
/// The program loads type, access, major and minor into r2..r5, then has one block per exception rule that
/// jumps to the next block as soon as a field does not match and otherwise returns the rule's verdict; after the
/// last block it returns the default. Only the opcodes of <see cref="EbpfCode"/>, no helpers, no maps, so it needs
/// no GPL-compatible license and loads on any kernel with BPF_CGROUP_DEVICE (4.15).
/// </remarks>
public static class DeviceFilterProgram
{
    /// <summary>
    /// The license bpf(BPF_PROG_LOAD) is given. Only programs that call GPL-only helpers need a GPL-compatible one;
    /// this one calls none (runc says "Apache" too).
    /// </summary>
    public const string License = "Apache-2.0";

    /// <summary>The program's name (BPF_OBJ_NAME_LEN: 15 characters and NUL): how the driver tells its own programs apart.</summary>
    public const string Name = "islander_dev";

    // include/uapi/linux/bpf.h: enum bpf_devcg_type and the access bits.
    const int DevBlock = 1, DevChar = 2;
    const int AccMknod = 1, AccRead = 2, AccWrite = 4;

    // Registers: r1 holds the context on entry and is a scratch register after the loads.
    const byte R0 = 0, R1 = 1, RType = 2, RAccess = 3, RMajor = 4, RMinor = 5;

    /// <summary>The program for a policy's rules (<see cref="DeviceRules.For"/>).</summary>
    public static IReadOnlyList<EbpfInstruction> For(DevicePolicy policy) => Compile(DeviceRules.For(policy));

    /// <summary>
    /// Compiles rules in the form <see cref="DeviceRules.For"/> gives them: the first covers every device
    /// (<c>a</c>) and sets the default verdict; each one after it is an exception with the opposite verdict.
    /// An allowing exception matches a request whose access it grants entirely (as v1's match_exception); a
    /// denying one matches a request that asks for any access it names (as v1's match_exception_partial).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The first rule is not <c>a</c>, an exception has the default's verdict (v1 would merge it into the others;
    /// islander's policies never need that), or a major or minor does not fit an eBPF immediate.
    /// </exception>
    public static IReadOnlyList<EbpfInstruction> Compile(IReadOnlyList<DeviceRule> rules)
    {
        if (rules.Count == 0 || !rules[0].IsEverything)
            throw new ArgumentException("the first device rule must cover every device (a *:* rwm) and set the default", nameof(rules));
        bool defaultAllow = rules[0].Allow;

        var program = new List<EbpfInstruction>
        {
            EbpfInstruction.LoadWord(RType, R1, 0),
            EbpfInstruction.And32(RType, 0xFFFF),
            EbpfInstruction.LoadWord(RAccess, R1, 0),
            EbpfInstruction.RightShift32(RAccess, 16),
            EbpfInstruction.LoadWord(RMajor, R1, 4),
            EbpfInstruction.LoadWord(RMinor, R1, 8),
        };
        foreach (var rule in rules.Skip(1))
        {
            if (rule.Allow == defaultAllow)
                throw new ArgumentException(
                    $"device rule '{rule}' has the default verdict ({(defaultAllow ? "allow" : "deny")}); only exceptions may follow the first rule",
                    nameof(rules));
            if (rule.Access != DeviceAccess.None)
                program.AddRange(Block(rule));
        }
        program.Add(EbpfInstruction.Mov32(R0, defaultAllow ? 1 : 0));
        program.Add(EbpfInstruction.Exit());
        return program;
    }

    /// <summary>One rule: every check jumps past the block on a mismatch, so the block's end returns the rule's verdict.</summary>
    static List<EbpfInstruction> Block(DeviceRule rule)
    {
        // Checks as (instruction that jumps on mismatch, with offset still 0).
        var block = new List<EbpfInstruction>();
        var jumps = new List<int>();
        void Check(EbpfInstruction jump)
        {
            jumps.Add(block.Count);
            block.Add(jump);
        }

        if (rule.Type != DeviceType.All)
            Check(EbpfInstruction.JumpIfNotEqual(RType, rule.Type == DeviceType.Block ? DevBlock : DevChar, 0));

        int access = Bits(rule.Access);
        if (rule.Access != DeviceAccess.All)
        {
            block.Add(EbpfInstruction.Mov32Register(R1, RAccess));
            block.Add(EbpfInstruction.And32(R1, access));
            // Allow: every bit asked for is granted ((asked & granted) == asked). Deny: any bit asked for is named.
            Check(rule.Allow ? EbpfInstruction.JumpIfNotEqualRegister(R1, RAccess, 0) : EbpfInstruction.JumpIfEqual(R1, 0, 0));
        }
        if (rule.Major is uint major)
            Check(EbpfInstruction.JumpIfNotEqual(RMajor, Immediate(major, "major", rule), 0));
        if (rule.Minor is uint minor)
            Check(EbpfInstruction.JumpIfNotEqual(RMinor, Immediate(minor, "minor", rule), 0));

        block.Add(EbpfInstruction.Mov32(R0, rule.Allow ? 1 : 0));
        block.Add(EbpfInstruction.Exit());
        foreach (int at in jumps)
            block[at] = block[at] with { Offset = checked((short)(block.Count - (at + 1))) };
        return block;
    }

    static int Bits(DeviceAccess access) =>
        (access.HasFlag(DeviceAccess.Mknod) ? AccMknod : 0)
        | (access.HasFlag(DeviceAccess.Read) ? AccRead : 0)
        | (access.HasFlag(DeviceAccess.Write) ? AccWrite : 0);

    /// <summary>
    /// A 64-bit compare sign-extends its 32-bit immediate while the loaded field is zero-extended, so values from
    /// 2^31 would never match (Linux majors have 12 bits and minors 20, so no real device is refused).
    /// </summary>
    static int Immediate(uint value, string what, DeviceRule rule) =>
        value <= int.MaxValue ? (int)value
            : throw new ArgumentException($"device rule '{rule}': {what} {value} is above {int.MaxValue}", nameof(rule));
}
