using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

/// <summary>Docker's default profile compiled for x86_64 and run through <see cref="BpfInterpreter"/>.</summary>
public class SeccompCompilerTests
{
    const SeccompReturn Allow = SeccompReturn.Allow;
    const SeccompReturn Eperm = SeccompReturn.Errno | (SeccompReturn)1;
    const SeccompReturn Enosys = SeccompReturn.Errno | (SeccompReturn)38;

    // linux/sched.h
    const ulong CloneNewNs = 0x00020000, CloneNewUser = 0x10000000, CloneNewNet = 0x40000000;
    const ulong ThreadFlags = 0x003D0F00; // VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID (glibc pthread_create)
    const ulong ForkFlags = 0x01200011;   // SIGCHLD|CHILD_SETTID|CHILD_CLEARTID (glibc fork)

    static readonly SyscallTable X64 = SyscallTable.For(SeccompArch.X86_64);

    static BpfInstruction[] Compile(CapabilitySet caps = CapabilityPolicy.DockerDefault, Version? kernel = null)
    {
        var program = SeccompCompiler.Compile(SeccompProfile.Default, caps, SeccompArch.X86_64, kernel);
        BpfInterpreter.Verify(program);
        return program;
    }

    static SeccompReturn Call(BpfInstruction[] program, string name, params ulong[] args)
    {
        Assert.True(X64.TryGetNumber(name, out var nr), name);
        return BpfInterpreter.Run(program, SeccompData.X86_64(nr, args));
    }

    [Fact]
    public void Compile_DefaultProfile_InstructionCountIsStable()
    {
        // Golden: changes only when default.json, the syscall table or the code generator change.
        Assert.Equal(GoldenDefaultCount, Compile().Length);
        Assert.True(Compile(CapabilitySet.All).Length < BpfInstruction.MaxInstructions / 4);
    }

    const int GoldenDefaultCount = 163;

    [Theory]
    [InlineData("read")]
    [InlineData("write")]
    [InlineData("execve")]
    [InlineData("openat")]
    [InlineData("mmap")]
    [InlineData("exit_group")]
    [InlineData("arch_prctl")]
    [InlineData("modify_ldt")]
    [InlineData("ptrace")]
    [InlineData("set_mempolicy_home_node", false)]
    public void Compile_Default_AllowsCommonCalls(string name, bool allowed = true) =>
        Assert.Equal(allowed ? Allow : Eperm, Call(Compile(), name, 0, 0, 0));

    [Theory]
    [InlineData("reboot")]
    [InlineData("kexec_load")]
    [InlineData("add_key")]
    [InlineData("keyctl")]
    [InlineData("mount")]
    [InlineData("unshare")]
    [InlineData("setns")]
    [InlineData("bpf")]
    [InlineData("init_module")]
    [InlineData("open_by_handle_at")]
    [InlineData("userfaultfd")]
    [InlineData("swapon")]
    [InlineData("mseal")]
    [InlineData("io_uring_setup")] // Docker 25 (moby#46762): io_uring's operations pass by seccomp
    [InlineData("io_uring_enter")]
    [InlineData("io_uring_register")]
    public void Compile_Default_DeniesWithEperm(string name) => Assert.Equal(Eperm, Call(Compile(), name));

    [Fact]
    public void Compile_NumbersBeyondAnyTable_GetTheDefault()
    {
        var program = Compile();
        foreach (var nr in new uint[] { 470, 511, 512, 547, 1000, 0x3FFFFFFF })
            Assert.Equal(Eperm, BpfInterpreter.Run(program, SeccompData.X86_64(nr)));
    }

    [Fact]
    public void Compile_WithoutSysChroot_DeniesChroot()
    {
        Assert.Equal(Allow, Call(Compile(), "chroot"));
        Assert.Equal(Eperm, Call(Compile(CapabilityPolicy.DockerDefault & ~CapabilitySet.SysChroot), "chroot"));
    }

    [Theory]
    [InlineData(CapabilitySet.SysBoot, "reboot")]
    [InlineData(CapabilitySet.SysModule, "finit_module")]
    [InlineData(CapabilitySet.SysTime, "settimeofday")]
    [InlineData(CapabilitySet.SysPtrace, "kcmp")]
    [InlineData(CapabilitySet.DacReadSearch, "open_by_handle_at")]
    [InlineData(CapabilitySet.SysAdmin, "mount")]
    [InlineData(CapabilitySet.SysAdmin, "unshare")]
    [InlineData(CapabilitySet.Bpf, "bpf")]
    [InlineData(CapabilitySet.Perfmon, "perf_event_open")]
    [InlineData(CapabilitySet.Syslog, "syslog")]
    [InlineData(CapabilitySet.SysNice, "mbind")]
    public void Compile_CapabilityRules_AllowOnlyWithTheCapability(CapabilitySet cap, string name)
    {
        Assert.Equal(Eperm, Call(Compile(), name));
        Assert.Equal(Allow, Call(Compile(CapabilityPolicy.DockerDefault | cap), name));
    }

    [Theory]
    [InlineData(ThreadFlags)]
    [InlineData(ForkFlags)]
    [InlineData(0x11ul)]                    // SIGCHLD only
    [InlineData(0xFFFFFFFF_00000000ul)]     // garbage in the high word is not a namespace flag
    public void Compile_CloneWithoutNamespaceFlags_Allowed(ulong flags) =>
        Assert.Equal(Allow, Call(Compile(), "clone", flags));

    [Theory]
    [InlineData(CloneNewUser)]
    [InlineData(CloneNewNs | 0x11)]
    [InlineData(CloneNewNet | ForkFlags)]
    [InlineData(0x02000000ul)]              // CLONE_NEWCGROUP
    public void Compile_CloneWithNamespaceFlags_DeniedWithoutSysAdmin(ulong flags)
    {
        Assert.Equal(Eperm, Call(Compile(), "clone", flags));
        Assert.Equal(Allow, Call(Compile(CapabilityPolicy.DockerDefault | CapabilitySet.SysAdmin), "clone", flags));
    }

    [Fact]
    public void Compile_Clone3_EnosysWithoutSysAdmin_SoLibcFallsBackToClone()
    {
        Assert.Equal(Enosys, Call(Compile(), "clone3"));
        Assert.Equal(Allow, Call(Compile(CapabilitySet.SysAdmin), "clone3"));
    }

    [Theory]
    [InlineData(0x0ul, true)]              // PER_LINUX
    [InlineData(0x8ul, true)]              // PER_LINUX32
    [InlineData(0x20000ul, true)]          // UNAME26
    [InlineData(0x20008ul, true)]          // UNAME26 | PER_LINUX32
    [InlineData(0xFFFFFFFFul, true)]       // query
    [InlineData(0x0040000ul, false)]       // ADDR_NO_RANDOMIZE
    [InlineData(0x1_00000000ul, false)]    // the high word counts
    [InlineData(0x1_00000008ul, false)]
    [InlineData(0xFFFFFFFF_FFFFFFFFul, false)]
    public void Compile_Personality_OnlyDockersValues(ulong persona, bool allowed) =>
        Assert.Equal(allowed ? Allow : Eperm, Call(Compile(), "personality", persona));

    [Theory]
    [InlineData(2ul, true)]    // AF_INET
    [InlineData(1ul, true)]    // AF_UNIX
    [InlineData(16ul, true)]   // AF_NETLINK
    [InlineData(40ul, false)]  // AF_VSOCK
    public void Compile_Socket_DeniesVsock(ulong family, bool allowed) =>
        Assert.Equal(allowed ? Allow : Eperm, Call(Compile(), "socket", family, 1, 0));

    [Fact]
    public void Compile_OldKernel_MinKernelRulesLeftOut()
    {
        Assert.Equal(Eperm, Call(Compile(kernel: new Version(4, 4, 0)), "ptrace"));
        Assert.Equal(Allow, Call(Compile(kernel: new Version(4, 8)), "ptrace"));
        Assert.Equal(Allow, Call(Compile(kernel: new Version(6, 1, 55)), "ptrace"));
        Assert.Equal(Allow, Call(Compile(CapabilitySet.SysPtrace, kernel: new Version(4, 4)), "ptrace"));
    }

    [Theory]
    [InlineData(0x40000003u)]   // AUDIT_ARCH_I386
    [InlineData(0x40000028u)]   // AUDIT_ARCH_ARM
    [InlineData((uint)SeccompArch.Aarch64)]
    [InlineData(0u)]
    public void Compile_ForeignArch_KillsProcess(uint arch)
    {
        var program = Compile();
        foreach (var nr in new uint[] { 0, 1, 11, 59, 0x40000000 })
            Assert.Equal(SeccompReturn.KillProcess, BpfInterpreter.Run(program, new SeccompData(nr, arch, new ulong[6])));
    }

    [Theory]
    [InlineData(0x40000000u)]          // x32 read
    [InlineData(0x40000000u + 59)]     // x32 execve at its x86_64 number
    [InlineData(0x40000000u + 520)]    // x32 execve
    [InlineData(0xFFFFFFFFu)]
    public void Compile_X32Call_KillsProcess(uint nr) =>
        Assert.Equal(SeccompReturn.KillProcess, BpfInterpreter.Run(Compile(), SeccompData.X86_64(nr)));

    [Fact]
    public void Compile_Default_AgreesWithPolicyOnEveryNumber()
    {
        foreach (var caps in new[] { CapabilityPolicy.DockerDefault, CapabilitySet.None, CapabilitySet.All })
        {
            var policy = SeccompPolicy.Resolve(SeccompProfile.Default, caps, SeccompArch.X86_64, null);
            var program = SeccompCompiler.Compile(policy);
            for (uint nr = 0; nr < 600; nr++)
                foreach (var arg0 in new ulong[] { 0, 8, 40, CloneNewUser, ThreadFlags, 0xFFFFFFFF })
                    Assert.Equal(policy.Evaluate(nr, [arg0, 0, 0, 0, 0, 0]), BpfInterpreter.Run(program, SeccompData.X86_64(nr, arg0)));
        }
    }

    [Fact]
    public void Compile_Aarch64_UsesItsNumbersAndArch()
    {
        var program = SeccompCompiler.Compile(SeccompProfile.Default, CapabilityPolicy.DockerDefault, SeccompArch.Aarch64);
        BpfInterpreter.Verify(program);
        var arm = SyscallTable.For(SeccompArch.Aarch64);
        SeccompReturn Call64(string name, params ulong[] args) =>
            BpfInterpreter.Run(program, SeccompData.Aarch64(arm.Numbers[name], args));

        Assert.Equal(Allow, Call64("read"));
        Assert.Equal(Allow, Call64("openat"));
        Assert.Equal(Allow, Call64("clone", ForkFlags));
        Assert.Equal(Eperm, Call64("clone", CloneNewUser));
        Assert.Equal(Eperm, Call64("reboot"));
        Assert.Equal(Allow, Call64("personality", 8));
        // No x32 check on aarch64: high numbers are just unknown calls.
        Assert.Equal(Eperm, BpfInterpreter.Run(program, SeccompData.Aarch64(0x40000000)));
        Assert.Equal(SeccompReturn.KillProcess, BpfInterpreter.Run(program, SeccompData.X86_64(63)));
    }

    [Fact]
    public void Compile_FirstTwoInstructions_CheckArch()
    {
        var program = Compile();
        Assert.Equal(new BpfInstruction(BpfCode.Ld | BpfCode.W | BpfCode.Abs, 0, 0, 4), program[0]);
        Assert.Equal(new BpfInstruction(BpfCode.Jmp | BpfCode.Jeq | BpfCode.K, 1, 0, 0xC000003E), program[1]);
        Assert.Equal(new BpfInstruction(BpfCode.Ret | BpfCode.K, 0, 0, 0x80000000), program[2]);
    }
}
