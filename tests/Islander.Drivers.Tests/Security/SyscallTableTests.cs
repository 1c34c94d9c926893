using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

public class SyscallTableTests
{
    [Theory]
    [InlineData("read", 0)]
    [InlineData("write", 1)]
    [InlineData("clone", 56)]
    [InlineData("execve", 59)]
    [InlineData("personality", 135)]
    [InlineData("reboot", 169)]
    [InlineData("kexec_load", 246)]
    [InlineData("clone3", 435)]
    [InlineData("set_mempolicy_home_node", 450)]
    [InlineData("mseal", 462)]
    public void X86_64_KnownNumbers(string name, uint nr)
    {
        Assert.True(SyscallTable.For(SeccompArch.X86_64).TryGetNumber(name, out var got));
        Assert.Equal(nr, got);
    }

    [Theory]
    [InlineData("read", 63)]
    [InlineData("write", 64)]
    [InlineData("clone", 220)]
    [InlineData("execve", 221)]
    [InlineData("personality", 92)]
    [InlineData("openat", 56)]
    [InlineData("fstat", 80)]
    [InlineData("clone3", 435)]
    public void Aarch64_KnownNumbers(string name, uint nr)
    {
        Assert.True(SyscallTable.For(SeccompArch.Aarch64).TryGetNumber(name, out var got));
        Assert.Equal(nr, got);
    }

    [Theory]
    [InlineData(SeccompArch.X86_64, "chown32")]
    [InlineData(SeccompArch.X86_64, "_llseek")]
    [InlineData(SeccompArch.Aarch64, "open")]
    [InlineData(SeccompArch.Aarch64, "arch_prctl")]
    public void TryGetNumber_NameOfOtherArch_False(SeccompArch arch, string name) =>
        Assert.False(SyscallTable.For(arch).TryGetNumber(name, out _));

    [Fact]
    public void X86_64_HasNoX32OnlyNumbers() =>
        Assert.All(SyscallTable.For(SeccompArch.X86_64).Numbers.Values, nr => Assert.True(nr < 512));

    [Fact]
    public void Parse_BadLine_ThrowsWithLine()
    {
        var e = Assert.Throws<FormatException>(() => SyscallTable.Parse(SeccompArch.X86_64, "# c\n0 read\nx write\n"));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Parse_DuplicateName_Throws() =>
        Assert.Throws<FormatException>(() => SyscallTable.Parse(SeccompArch.X86_64, "0 read\n1 read\n"));
}
