using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

/// <summary>
/// Random profiles, compiled and interpreted, against <see cref="SeccompPolicy.Evaluate"/> (the meaning of the
/// profile computed directly in C#): every jump must stay inside the program and every call must get what the
/// profile says, including programs long enough to need relaxed (32-bit) jumps.
/// </summary>
public class SeccompCompilerRandomTests
{
    static readonly SeccompOperator[] Ops = Enum.GetValues<SeccompOperator>();
    static readonly SeccompAction[] ActionValues = Enum.GetValues<SeccompAction>();

    static ulong RandomValue(Random rng) => rng.Next(6) switch
    {
        0 => 0,
        1 => (ulong)rng.Next(0, 64),
        2 => 1UL << rng.Next(64),
        3 => (ulong)rng.NextInt64() << rng.Next(2),
        4 => ulong.MaxValue - (ulong)rng.Next(3),
        _ => 0xFFFFFFFFUL + (ulong)rng.Next(-2, 3),
    };

    static SeccompProfile RandomProfile(Random rng, string[] names, int rules, int maxArgsPerRule)
    {
        var list = new List<SeccompSyscallRule>();
        for (var i = 0; i < rules; i++)
        {
            var args = new List<SeccompArgCondition>();
            if (rng.Next(3) > 0)
                for (var a = rng.Next(1, maxArgsPerRule + 1); a > 0; a--)
                    args.Add(new SeccompArgCondition(rng.Next(6), RandomValue(rng), RandomValue(rng), Ops[rng.Next(Ops.Length)]));
            list.Add(new SeccompSyscallRule
            {
                Names = Enumerable.Range(0, rng.Next(1, 8)).Select(_ => names[rng.Next(names.Length)]).ToList(),
                Action = ActionValues[rng.Next(ActionValues.Length)],
                ErrnoRet = rng.Next(2) == 0 ? null : (uint)rng.Next(1, 4096),
                Args = args,
                Includes = rng.Next(5) == 0 ? new SeccompRuleFilter { Caps = ["CAP_NET_ADMIN"] } : null,
                Excludes = rng.Next(5) == 0 ? new SeccompRuleFilter { Caps = ["CAP_SYS_ADMIN"] } : null,
            });
        }
        return new SeccompProfile
        {
            DefaultAction = ActionValues[rng.Next(ActionValues.Length)],
            DefaultErrnoRet = rng.Next(2) == 0 ? null : (uint)rng.Next(1, 200),
            Syscalls = list,
        };
    }

    /// <summary>Arguments near the values the conditions test, so both outcomes of each comparison are reached.</summary>
    static ulong[] ArgsFor(Random rng, SeccompPolicy policy, uint nr)
    {
        var args = new ulong[6];
        for (var i = 0; i < 6; i++)
            args[i] = RandomValue(rng);
        if (policy.Syscalls.TryGetValue(nr, out var decision) && decision.Conditional.Count > 0)
        {
            var rule = decision.Conditional[rng.Next(decision.Conditional.Count)];
            foreach (var c in rule.Conditions)
            {
                var v = c.Op == SeccompOperator.MaskedEqual ? c.ValueTwo | (RandomValue(rng) & ~c.Value) : c.Value;
                args[c.Index] = rng.Next(4) switch
                {
                    0 => v,
                    1 => v + 1,
                    2 => v - 1,
                    _ => v ^ (1UL << rng.Next(64)),
                };
            }
        }
        return args;
    }

    static void CheckAgainstPolicy(Random rng, SeccompPolicy policy, int callsPerNumber)
    {
        var program = SeccompCompiler.Compile(policy);
        BpfInterpreter.Verify(program);
        var numbers = policy.Syscalls.Keys.Concat([0u, 1u, 334u, 335u, 600u, 0x3FFFFFFFu]).ToList();
        foreach (var nr in numbers)
            for (var i = 0; i < callsPerNumber; i++)
            {
                var args = ArgsFor(rng, policy, nr);
                var expected = policy.Evaluate(nr, args);
                var actual = BpfInterpreter.Run(program, SeccompData.X86_64(nr, args));
                Assert.True(expected == actual, $"nr {nr} args [{string.Join(", ", args.Select(a => $"0x{a:x}"))}]: expected 0x{(uint)expected:x8}, got 0x{(uint)actual:x8}");
            }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Compile_RandomProfiles_MatchTheirMeaning(int seed)
    {
        var rng = new Random(seed);
        var names = SyscallTable.For(SeccompArch.X86_64).Numbers.Keys.Order().ToArray();
        for (var round = 0; round < 10; round++)
        {
            var profile = RandomProfile(rng, names, rules: rng.Next(1, 120), maxArgsPerRule: 3);
            var caps = rng.Next(2) == 0 ? CapabilityPolicy.DockerDefault : CapabilitySet.All;
            CheckAgainstPolicy(rng, SeccompPolicy.Resolve(profile, caps, SeccompArch.X86_64, null), callsPerNumber: 12);
        }
    }

    [Fact]
    public void Compile_EverySyscallWithArgRules_StaysUnderKernelLimitAndNeedsLongJumps()
    {
        // ~370 syscalls, each with a rule on an argument: far more than 255 instructions between
        // the root of the search and its right half, so long jumps are exercised.
        var names = SyscallTable.For(SeccompArch.X86_64).Numbers.Keys.ToArray();
        var rules = names.Select((name, i) => new SeccompSyscallRule
        {
            Names = [name],
            Action = SeccompAction.Allow,
            Args = [new SeccompArgCondition(i % 6, (ulong)i, 0, SeccompOperator.NotEqual)],
        }).ToList();
        var profile = new SeccompProfile { DefaultAction = SeccompAction.Errno, Syscalls = rules };
        var program = SeccompCompiler.Compile(profile, CapabilitySet.None);

        BpfInterpreter.Verify(program);
        Assert.InRange(program.Length, 1000, BpfInstruction.MaxInstructions - 1);
        Assert.Contains(program, insn => insn.Code == (BpfCode.Jmp | BpfCode.Ja) && insn.K > 255);
        CheckAgainstPolicy(new Random(42), SeccompPolicy.Resolve(profile, CapabilitySet.None, SeccompArch.X86_64, null), callsPerNumber: 4);
    }

    [Fact]
    public void Compile_OneSyscallWithHundredsOfRules_RelaxesJumpsInsideItsBlock()
    {
        var rules = Enumerable.Range(0, 150).Select(i => new SeccompSyscallRule
        {
            Names = ["personality"],
            Action = SeccompAction.Allow,
            Args = [new SeccompArgCondition(0, (ulong)i * 3, 0, SeccompOperator.Equal)],
        }).Append(new SeccompSyscallRule { Names = ["read"], Action = SeccompAction.Allow }).ToList();
        var profile = new SeccompProfile { DefaultAction = SeccompAction.KillProcess, Syscalls = rules };
        var program = SeccompCompiler.Compile(profile, CapabilitySet.None);
        BpfInterpreter.Verify(program);

        Assert.Equal(SeccompReturn.Allow, BpfInterpreter.Run(program, SeccompData.X86_64(135, 447)));
        Assert.Equal(SeccompReturn.KillProcess, BpfInterpreter.Run(program, SeccompData.X86_64(135, 448)));
        Assert.Equal(SeccompReturn.Allow, BpfInterpreter.Run(program, SeccompData.X86_64(0)));
        Assert.Equal(SeccompReturn.KillProcess, BpfInterpreter.Run(program, SeccompData.X86_64(136)));
    }

    [Fact]
    public void Compile_TooManyRules_ExplainsTheKernelLimit()
    {
        var rules = Enumerable.Range(0, 1000).Select(i => new SeccompSyscallRule
        {
            Names = ["ioctl"],
            Action = SeccompAction.Allow,
            Args = [new SeccompArgCondition(1, (ulong)i, 0, SeccompOperator.Equal)],
        }).ToList();
        var profile = new SeccompProfile { DefaultAction = SeccompAction.Errno, Syscalls = rules };
        var e = Assert.Throws<SeccompProfileException>(() => SeccompCompiler.Compile(profile, CapabilitySet.None));
        Assert.Contains("4096", e.Message);
    }
}
