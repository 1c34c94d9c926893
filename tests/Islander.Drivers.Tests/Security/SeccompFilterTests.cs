using Islander.Drivers.Security;
using Islander.Model;

namespace Islander.Drivers.Tests.Security;

public sealed class SeccompFilterTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-seccomp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    const CapabilitySet Caps = CapabilityPolicy.DockerDefault;

    [Fact]
    public void For_Default_IsTheCompiledDefaultProfile()
    {
        var bytes = SeccompFilter.For(new IsleSecurity(), Caps, SeccompArch.X86_64);
        Assert.NotNull(bytes);
        Assert.Equal(SeccompCompiler.Compile(SeccompProfile.Default, Caps), BpfInstruction.Decode(bytes));
    }

    [Theory]
    [InlineData("unconfined", false)]
    [InlineData("Unconfined", false)]
    [InlineData("default", true)]
    [InlineData("/nonexistent/profile.json", true)]
    public void For_UnconfinedOrPrivileged_IsNull(string seccomp, bool privileged) =>
        Assert.Null(SeccompFilter.For(new IsleSecurity { Seccomp = seccomp, Privileged = privileged }, Caps, SeccompArch.X86_64));

    [Fact]
    public void For_CustomProfile_LoadsAndCompilesIt()
    {
        var path = Path.Combine(_dir, "p.json");
        File.WriteAllText(path, """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30}]}""");
        var program = BpfInstruction.Decode(SeccompFilter.For(new IsleSecurity { Seccomp = path }, Caps, SeccompArch.X86_64));

        Assert.Equal(SeccompReturn.Errno | (SeccompReturn)30, BpfInterpreter.Run(program, SeccompData.X86_64(83)));
        Assert.Equal(SeccompReturn.Allow, BpfInterpreter.Run(program, SeccompData.X86_64(169)));
    }

    [Fact]
    public void For_MissingFile_SaysWhichAndWhat()
    {
        var path = Path.Combine(_dir, "missing.json");
        var e = Assert.Throws<SeccompProfileException>(() => SeccompFilter.For(new IsleSecurity { Seccomp = path }, Caps));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Contains($"seccomp profile {path}: file not found", e.Message);
    }

    [Fact]
    public void For_RelativePath_AsksForAbsolute()
    {
        var e = Assert.Throws<SeccompProfileException>(() => SeccompFilter.For(new IsleSecurity { Seccomp = "profiles/p.json" }, Caps));
        Assert.Contains("absolute path", e.Message);
    }

    [Fact]
    public void For_InvalidProfile_NamesFileAndField()
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "ALLOW"}]}""");
        var e = Assert.Throws<SeccompProfileException>(() => SeccompFilter.For(new IsleSecurity { Seccomp = path }, Caps));
        Assert.Contains(path, e.Message);
        Assert.Contains("syscalls[0].action: unknown action \"ALLOW\"", e.Message);
    }

    [Fact]
    public void NativeArch_OnThisMachine_IsSupported() =>
        Assert.True(SeccompFilter.NativeArch is SeccompArch.X86_64 or SeccompArch.Aarch64);
}
