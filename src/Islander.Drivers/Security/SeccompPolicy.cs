using Islander.Drivers.Interop;
namespace Islander.Drivers.Security;

/// <summary>
/// A profile resolved for one isle: the rules that apply (includes/excludes against its capabilities,
/// the architecture and the kernel, as moby's <c>profiles/seccomp.setupSeccomp</c> decides), their
/// names turned into numbers, merged per number. This is the meaning the BPF program must have;
/// <see cref="Evaluate"/> is the reference the compiler is tested against.
/// </summary>
internal sealed class SeccompPolicy
{
    SeccompPolicy(SeccompArch arch, SeccompReturn defaultReturn, SortedDictionary<uint, SeccompSyscallDecision> syscalls)
    {
        Arch = arch;
        DefaultReturn = defaultReturn;
        Syscalls = syscalls;
    }

    public SeccompArch Arch { get; }

    /// <summary>What calls no rule names get.</summary>
    public SeccompReturn DefaultReturn { get; }

    /// <summary>Decisions by syscall number, ascending.</summary>
    public IReadOnlyDictionary<uint, SeccompSyscallDecision> Syscalls { get; }

    /// <summary>
    /// Resolves a profile. Names the architecture does not have are skipped, as libseccomp does.
    /// Several rules for one number merge as libseccomp merges them (src/db.c, db_rule_add): a rule
    /// without conditions makes the call unconditional and the first such rule's action wins; otherwise
    /// the conditional rules are tried in profile order and the default action applies when none holds.
    /// </summary>
    /// <param name="kernel">The running kernel, for minKernel; null means a modern kernel that satisfies every minKernel.</param>
    public static SeccompPolicy Resolve(SeccompProfile profile, CapabilitySet capabilities, SeccompArch arch, Version? kernel)
    {
        var table = SyscallTable.For(arch);
        var defaultReturn = ReturnOf(profile.DefaultAction, profile.DefaultErrnoRet);
        var unconditional = new Dictionary<uint, SeccompReturn>();
        var conditional = new Dictionary<uint, List<SeccompConditionalAction>>();

        foreach (var rule in profile.Syscalls)
        {
            if (!Applies(rule, capabilities, arch, kernel))
                continue;
            var ret = ReturnOf(rule.Action, rule.ErrnoRet);
            foreach (var name in rule.Names)
            {
                if (!table.TryGetNumber(name, out var nr))
                    continue;
                if (rule.Args.Count == 0)
                    unconditional.TryAdd(nr, ret);
                else
                {
                    if (!conditional.TryGetValue(nr, out var list))
                        conditional[nr] = list = [];
                    list.Add(new SeccompConditionalAction(rule.Args, ret));
                }
            }
        }

        var decisions = new SortedDictionary<uint, SeccompSyscallDecision>();
        foreach (var (nr, ret) in unconditional)
            decisions[nr] = new SeccompSyscallDecision([], ret);
        foreach (var (nr, list) in conditional)
        {
            if (decisions.ContainsKey(nr))
                continue;
            // Trailing rules that return what the default returns change nothing: drop them.
            while (list.Count > 0 && list[^1].Return == defaultReturn)
                list.RemoveAt(list.Count - 1);
            decisions[nr] = new SeccompSyscallDecision(list, defaultReturn);
        }
        return new SeccompPolicy(arch, defaultReturn, decisions);
    }

    /// <summary>What the filter must return for a native call (x32 and foreign ABIs are refused before this).</summary>
    public SeccompReturn Evaluate(uint nr, ReadOnlySpan<ulong> args) =>
        Syscalls.TryGetValue(nr, out var decision) ? decision.Evaluate(args) : DefaultReturn;

    /// <summary>Docker's includes/excludes: all included caps present, no excluded cap present, arch and kernel match.</summary>
    static bool Applies(SeccompSyscallRule rule, CapabilitySet capabilities, SeccompArch arch, Version? kernel)
    {
        var goArch = GoArch(arch);
        if (rule.Excludes is { } ex)
        {
            if (ex.Arches.Contains(goArch, StringComparer.Ordinal))
                return false;
            if (ex.Caps.Any(c => Has(capabilities, c)))
                return false;
            if (ex.MinKernel is { } min && AtLeast(kernel, min))
                return false;
        }
        if (rule.Includes is { } inc)
        {
            if (inc.Arches.Count > 0 && !inc.Arches.Contains(goArch, StringComparer.Ordinal))
                return false;
            if (!inc.Caps.All(c => Has(capabilities, c)))
                return false;
            if (inc.MinKernel is { } min && !AtLeast(kernel, min))
                return false;
        }
        return true;
    }

    /// <summary>A capability name a profile uses; names islander does not know are never held (Docker compares strings).</summary>
    static bool Has(CapabilitySet capabilities, string name) =>
        CapabilityNames.TryParse(name, out var cap) && (capabilities & cap) != 0;

    static bool AtLeast(Version? kernel, Version min) =>
        kernel is null || new Version(kernel.Major, kernel.Minor) >= new Version(min.Major, min.Minor);

    /// <summary>Docker matches includes/excludes arches against Go's runtime.GOARCH.</summary>
    static string GoArch(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => "amd64",
        SeccompArch.Aarch64 => "arm64",
        _ => throw new ArgumentOutOfRangeException(nameof(arch), arch, null),
    };

    /// <summary>
    /// The kernel return value of an action, as runc maps them (libcontainer/seccomp): errno and trace
    /// carry errnoRet, EPERM when the profile gives none.
    /// </summary>
    public static SeccompReturn ReturnOf(SeccompAction action, uint? errnoRet)
    {
        return action switch
        {
            SeccompAction.KillThread => SeccompReturn.KillThread,
            SeccompAction.KillProcess => SeccompReturn.KillProcess,
            SeccompAction.Trap => SeccompReturn.Trap,
            SeccompAction.Errno => SeccompReturn.Errno | (SeccompReturn)((errnoRet ?? Errno.EPERM) & (uint)SeccompReturn.DataMask),
            SeccompAction.Trace => SeccompReturn.Trace | (SeccompReturn)((errnoRet ?? Errno.EPERM) & (uint)SeccompReturn.DataMask),
            SeccompAction.Log => SeccompReturn.Log,
            SeccompAction.Allow => SeccompReturn.Allow,
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        };
    }
}
