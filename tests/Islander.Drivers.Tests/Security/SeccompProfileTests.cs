using Islander.Drivers.Security;
using Islander.Model;

namespace Islander.Drivers.Tests.Security;

public class SeccompProfileTests
{
    [Fact]
    public void Default_ParsesDockersProfile()
    {
        var profile = SeccompProfile.Default;
        Assert.Equal(SeccompAction.Errno, profile.DefaultAction);
        Assert.Equal(1u, profile.DefaultErrnoRet);
        Assert.Contains(profile.ArchMap, a => a.Architecture == "SCMP_ARCH_X86_64" && a.SubArchitectures.Contains("SCMP_ARCH_X32"));
        Assert.Contains(profile.ArchMap, a => a.Architecture == "SCMP_ARCH_RISCV64" && a.SubArchitectures.Count == 0);

        var allowList = profile.Syscalls[0];
        Assert.Equal(SeccompAction.Allow, allowList.Action);
        Assert.Contains("read", allowList.Names);
        Assert.DoesNotContain("reboot", allowList.Names);
        Assert.True(allowList.Names.Count > 300);

        var cloneRule = Assert.Single(profile.Syscalls, r => r.Names.SequenceEqual(["clone"]) && r.Includes is null);
        Assert.Equal(new SeccompArgCondition(0, 0x7E020000, 0, SeccompOperator.MaskedEqual), Assert.Single(cloneRule.Args));
        Assert.Equal(["CAP_SYS_ADMIN"], cloneRule.Excludes!.Caps);
        Assert.Equal(["s390", "s390x"], cloneRule.Excludes.Arches);

        var clone3 = Assert.Single(profile.Syscalls, r => r.Names.SequenceEqual(["clone3"]));
        Assert.Equal((SeccompAction.Errno, 38u), (clone3.Action, clone3.ErrnoRet!.Value));

        var ptrace = profile.Syscalls.First(r => r.Names.Contains("ptrace"));
        Assert.Equal(new Version(4, 8), ptrace.Includes!.MinKernel);
    }

    [Fact]
    public void Parse_AllFieldsAndLegacyName_Read()
    {
        var profile = SeccompProfile.Parse("""
            {
              "DefaultAction": "SCMP_ACT_KILL_PROCESS",
              "architectures": ["SCMP_ARCH_X86_64"],
              "unknownKey": {"ignored": true},
              "syscalls": [
                {"name": "read", "action": "SCMP_ACT_LOG"},
                {"names": ["write"], "action": "SCMP_ACT_TRACE", "errnoRet": 7,
                 "args": [{"index": 5, "value": 18446744073709551615, "valueTwo": 3, "op": "SCMP_CMP_GE"}],
                 "includes": {"caps": ["CAP_NET_ADMIN"], "arches": ["amd64"], "minKernel": "5.10"},
                 "excludes": {"minKernel": "6.1"}},
                {"names": ["kill"], "action": "SCMP_ACT_KILL"}
              ]
            }
            """, "test.json");
        Assert.Equal(SeccompAction.KillProcess, profile.DefaultAction);
        Assert.Null(profile.DefaultErrnoRet);
        Assert.Equal("SCMP_ARCH_X86_64", Assert.Single(profile.ArchMap).Architecture);
        Assert.Equal(["read"], profile.Syscalls[0].Names);
        Assert.Equal(SeccompAction.Log, profile.Syscalls[0].Action);
        var write = profile.Syscalls[1];
        Assert.Equal(7u, write.ErrnoRet);
        Assert.Equal(new SeccompArgCondition(5, ulong.MaxValue, 3, SeccompOperator.GreaterOrEqual), Assert.Single(write.Args));
        Assert.Equal(new Version(5, 10), write.Includes!.MinKernel);
        Assert.Equal(new Version(6, 1), write.Excludes!.MinKernel);
        Assert.Equal(SeccompAction.KillThread, profile.Syscalls[2].Action);
    }

    [Fact]
    public void Parse_NotJson_ReportsLineAndColumn()
    {
        var e = Assert.Throws<SeccompProfileException>(() => SeccompProfile.Parse("{\n  \"defaultAction\": ,\n}", "/etc/p.json"));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Equal("/etc/p.json", e.Profile);
        Assert.StartsWith("seccomp profile /etc/p.json: line 2, column", e.Message);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsEveryOneWithItsPath()
    {
        var e = Assert.Throws<SeccompProfileException>(() => SeccompProfile.Parse("""
            {
              "defaultAction": "SCMP_ACT_DENY",
              "defaultErrnoRet": -1,
              "syscalls": [
                {"names": [], "action": "SCMP_ACT_ALLOW"},
                {"names": ["read"], "name": "write", "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": "x", "op": "EQ"}]},
                {"names": ["write"]},
                {"names": ["close"], "action": "SCMP_ACT_NOTIFY", "includes": {"minKernel": "five"}}
              ]
            }
            """, "p.json"));
        Assert.Contains("defaultAction: unknown action \"SCMP_ACT_DENY\"", e.Message);
        Assert.Contains("defaultErrnoRet: must be an errno number", e.Message);
        Assert.Contains("syscalls[0].names: at least one syscall name is required", e.Message);
        Assert.Contains("syscalls[1]: use either name or names", e.Message);
        Assert.Contains("syscalls[1].args[0].index: 6 is out of range", e.Message);
        Assert.Contains("syscalls[1].args[1].value: must be an unsigned 64-bit integer", e.Message);
        Assert.Contains("syscalls[1].args[1].op: unknown operator \"EQ\"", e.Message);
        Assert.Contains("syscalls[2].action: is required", e.Message);
        Assert.Contains("syscalls[3].action: SCMP_ACT_NOTIFY (user notification) is not supported", e.Message);
        Assert.Contains("syscalls[3].includes.minKernel: \"five\" is not a kernel version", e.Message);
        Assert.Equal(10, e.Problems.Count);
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{}", "defaultAction: is required")]
    [InlineData("""{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}}""", "syscalls: must be a list")]
    [InlineData("""{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock"}""", "listenerPath")]
    [InlineData("""{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"]}""", "flags")]
    [InlineData("""{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}""", "0 to 65535")]
    public void Parse_Invalid_Explains(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<SeccompProfileException>(() => SeccompProfile.Parse(json, "p")).Message);
}
