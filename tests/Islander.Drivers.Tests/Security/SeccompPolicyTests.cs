using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

public class SeccompPolicyTests
{
    static SeccompProfile Profile(SeccompAction defaultAction, params SeccompSyscallRule[] rules) =>
        new() { DefaultAction = defaultAction, Syscalls = rules };

    static SeccompSyscallRule Rule(string name, SeccompAction action, uint? errno = null, params SeccompArgCondition[] args) =>
        new() { Names = [name], Action = action, ErrnoRet = errno, Args = args };

    [Fact]
    public void Resolve_UnconditionalRule_WinsOverConditionalOnes_AsLibseccomp()
    {
        var profile = Profile(SeccompAction.Errno,
            Rule("socket", SeccompAction.Errno, 13, new SeccompArgCondition(0, 40, 0, SeccompOperator.Equal)),
            Rule("socket", SeccompAction.Allow),
            Rule("socket", SeccompAction.Log));
        var policy = SeccompPolicy.Resolve(profile, CapabilitySet.None, SeccompArch.X86_64, null);
        Assert.Equal(SeccompReturn.Allow, policy.Evaluate(41, [40, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void Resolve_ConditionalRules_FirstMatchInProfileOrder()
    {
        var profile = Profile(SeccompAction.KillProcess,
            Rule("ioctl", SeccompAction.Errno, 25, new SeccompArgCondition(1, 0x5401, 0, SeccompOperator.Equal)),
            Rule("ioctl", SeccompAction.Allow, null, new SeccompArgCondition(1, 0x5000, 0, SeccompOperator.GreaterOrEqual)));
        var policy = SeccompPolicy.Resolve(profile, CapabilitySet.None, SeccompArch.X86_64, null);
        Assert.Equal(SeccompReturn.Errno | (SeccompReturn)25, policy.Evaluate(16, [0, 0x5401, 0, 0, 0, 0]));
        Assert.Equal(SeccompReturn.Allow, policy.Evaluate(16, [0, 0x5402, 0, 0, 0, 0]));
        Assert.Equal(SeccompReturn.KillProcess, policy.Evaluate(16, [0, 0x10, 0, 0, 0, 0]));
    }

    [Theory]
    [InlineData(SeccompAction.Errno, null, 0x00050001u)]
    [InlineData(SeccompAction.Errno, 38u, 0x00050026u)]
    [InlineData(SeccompAction.Trace, null, 0x7FF00001u)]
    [InlineData(SeccompAction.Trace, 5u, 0x7FF00005u)]
    [InlineData(SeccompAction.KillThread, null, 0u)]
    [InlineData(SeccompAction.KillProcess, null, 0x80000000u)]
    [InlineData(SeccompAction.Trap, null, 0x00030000u)]
    [InlineData(SeccompAction.Log, null, 0x7FFC0000u)]
    [InlineData(SeccompAction.Allow, null, 0x7FFF0000u)]
    public void ReturnOf_MapsActionsAsRunc(SeccompAction action, uint? errno, uint expected) =>
        Assert.Equal(expected, (uint)SeccompPolicy.ReturnOf(action, errno));

    [Fact]
    public void Resolve_ArchIncludes_UseGoArchNames()
    {
        var profile = Profile(SeccompAction.Errno,
            new SeccompSyscallRule { Names = ["getpid"], Action = SeccompAction.Allow, Includes = new() { Arches = ["amd64"] } },
            new SeccompSyscallRule { Names = ["gettid"], Action = SeccompAction.Allow, Excludes = new() { Arches = ["arm64"] } });
        var x64 = SeccompPolicy.Resolve(profile, CapabilitySet.None, SeccompArch.X86_64, null);
        var arm = SeccompPolicy.Resolve(profile, CapabilitySet.None, SeccompArch.Aarch64, null);
        Assert.Equal(SeccompReturn.Allow, x64.Evaluate(39, new ulong[6]));   // getpid
        Assert.Equal(SeccompReturn.Allow, x64.Evaluate(186, new ulong[6]));  // gettid
        Assert.Equal(SeccompReturn.Errno | (SeccompReturn)1, arm.Evaluate(172, new ulong[6])); // getpid
        Assert.Equal(SeccompReturn.Errno | (SeccompReturn)1, arm.Evaluate(178, new ulong[6])); // gettid
    }

    [Fact]
    public void Resolve_IncludesNeedsEveryCap_ExcludesAnyCap()
    {
        var profile = Profile(SeccompAction.Errno,
            new SeccompSyscallRule { Names = ["getpid"], Action = SeccompAction.Allow, Includes = new() { Caps = ["CAP_NET_ADMIN", "CAP_NET_RAW"] } },
            new SeccompSyscallRule { Names = ["gettid"], Action = SeccompAction.Allow, Excludes = new() { Caps = ["CAP_NET_ADMIN", "CAP_BOGUS"] } });
        SeccompReturn Eval(CapabilitySet caps, uint nr) =>
            SeccompPolicy.Resolve(profile, caps, SeccompArch.X86_64, null).Evaluate(nr, new ulong[6]);
        Assert.NotEqual(SeccompReturn.Allow, Eval(CapabilitySet.NetAdmin, 39));
        Assert.Equal(SeccompReturn.Allow, Eval(CapabilitySet.NetAdmin | CapabilitySet.NetRaw, 39));
        Assert.Equal(SeccompReturn.Allow, Eval(CapabilitySet.NetRaw, 186));
        Assert.NotEqual(SeccompReturn.Allow, Eval(CapabilitySet.NetAdmin, 186));
    }

    [Fact]
    public void Resolve_ExcludesMinKernel_DropsRuleOnNewerKernels()
    {
        var profile = Profile(SeccompAction.Errno,
            new SeccompSyscallRule { Names = ["getpid"], Action = SeccompAction.Allow, Excludes = new() { MinKernel = new Version(5, 4) } });
        Assert.Equal(SeccompReturn.Allow, SeccompPolicy.Resolve(profile, 0, SeccompArch.X86_64, new Version(4, 19, 100)).Evaluate(39, new ulong[6]));
        Assert.NotEqual(SeccompReturn.Allow, SeccompPolicy.Resolve(profile, 0, SeccompArch.X86_64, new Version(5, 4)).Evaluate(39, new ulong[6]));
        Assert.NotEqual(SeccompReturn.Allow, SeccompPolicy.Resolve(profile, 0, SeccompArch.X86_64, null).Evaluate(39, new ulong[6]));
    }
}
