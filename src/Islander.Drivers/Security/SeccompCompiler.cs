namespace Islander.Drivers.Security;

/// <summary>
/// Compiles a Docker-format seccomp profile into a classic BPF program for seccomp(2), the job
/// libseccomp does for runc. Layout:
/// <code>
///   A = arch;  if (A != native) return BadArch          (i386, x32-by-arch, arm32...: foreign ABIs)
///   A = nr;    if (A &gt;= 0x40000000) return BadArch      (x86_64 only: x32 calls share the arch value)
///   binary search over syscall-number ranges, each leaf is either "return R" or
///   a block of argument checks: rule by rule, first match returns, else the default
/// </code>
/// Numbers are split into ranges of equal unconditional outcome (the default included), so the search
/// needs no range checks and about log2(ranges) comparisons. Argument checks compare 64-bit values
/// as two 32-bit halves, high word first (libseccomp's 64-bit comparisons; little-endian layout).
/// Jumps that would exceed 8 bits are relaxed by <see cref="BpfAssembler"/>.
/// </summary>
public static class SeccompCompiler
{
    /// <summary>
    /// What a call from another ABI gets (32-bit i386 or arm, x32): the process is killed (SIGSYS).
    /// libseccomp's default bad-arch action is a kill too; killing the process rather than the thread
    /// (Linux 4.14+) avoids a half-dead multithreaded program. A foreign ABI is not the profile's
    /// numbering, so neither allowing nor an errno per call would mean what the profile says.
    /// Unlike Docker, which adds the compat ABIs of its archMap, islander filters only the native ABI:
    /// 32-bit programs do not run in a confined isle.
    /// </summary>
    public const SeccompReturn BadArchReturn = SeccompReturn.KillProcess;

    /// <summary>__X32_SYSCALL_BIT: x86_64 x32 calls have arch AUDIT_ARCH_X86_64 and this bit in nr.</summary>
    public const uint X32SyscallBit = 0x40000000;

    // struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
    const uint NrOffset = 0;
    const uint ArchOffset = 4;
    const uint ArgsOffset = 16;

    /// <summary>Compiles <paramref name="profile"/> for an isle holding <paramref name="capabilities"/>.</summary>
    /// <param name="kernel">The running kernel, for minKernel; null: modern, every minKernel holds.</param>
    /// <returns>The program, at most <see cref="BpfInstruction.MaxInstructions"/> long.</returns>
    public static BpfInstruction[] Compile(SeccompProfile profile, CapabilitySet capabilities,
        SeccompArch arch = SeccompArch.X86_64, Version? kernel = null) =>
        Compile(SeccompPolicy.Resolve(profile, capabilities, arch, kernel));

    internal static BpfInstruction[] Compile(SeccompPolicy policy)
    {
        var asm = new BpfAssembler();

        var archOk = asm.NewLabel();
        var badArch = asm.NewLabel();
        asm.LoadWord(ArchOffset);
        asm.JumpIf(BpfCode.Jeq, (uint)policy.Arch, archOk, badArch);
        asm.Place(badArch);
        asm.Return((uint)BadArchReturn);
        asm.Place(archOk);

        asm.LoadWord(NrOffset);
        if (policy.Arch == SeccompArch.X86_64)
        {
            var x32 = asm.NewLabel();
            var native = asm.NewLabel();
            asm.JumpIf(BpfCode.Jge, X32SyscallBit, x32, native);
            asm.Place(x32);
            asm.Return((uint)BadArchReturn);
            asm.Place(native);
        }

        var ranges = Ranges(policy);
        EmitSearch(asm, ranges, 0, ranges.Count - 1);

        var program = asm.Assemble();
        if (program.Length > BpfInstruction.MaxInstructions)
            throw new SeccompProfileException("(compiled)",
                [$"the filter needs {program.Length} BPF instructions, more than the kernel's {BpfInstruction.MaxInstructions}; use fewer argument rules"]);
        return program;
    }

    /// <summary>A run of syscall numbers from <see cref="First"/> up to the next range's first, with one decision.</summary>
    sealed record Range(uint First, SeccompSyscallDecision Decision);

    /// <summary>Covers 0..2^32-1 with ranges; neighbouring unconditional ranges with the same return merge.</summary>
    static List<Range> Ranges(SeccompPolicy policy)
    {
        var fallback = new SeccompSyscallDecision([], policy.DefaultReturn);
        var ranges = new List<Range>();
        void Add(uint first, SeccompSyscallDecision decision)
        {
            if (ranges.Count > 0 && decision.IsUnconditional && ranges[^1].Decision.IsUnconditional &&
                ranges[^1].Decision.Fallback == decision.Fallback)
                return;
            ranges.Add(new Range(first, decision));
        }

        ulong next = 0;
        foreach (var (nr, decision) in policy.Syscalls)
        {
            if (nr > next)
                Add((uint)next, fallback);
            Add(nr, decision);
            next = (ulong)nr + 1;
        }
        if (next <= uint.MaxValue)
            Add((uint)next, fallback);
        return ranges;
    }

    /// <summary>A holds nr, known to lie within ranges[from..to]; splits at the middle range's first number.</summary>
    static void EmitSearch(BpfAssembler asm, List<Range> ranges, int from, int to)
    {
        if (from == to)
        {
            EmitDecision(asm, ranges[from].Decision);
            return;
        }
        var mid = (from + to + 1) / 2;
        var lower = asm.NewLabel();
        var upper = asm.NewLabel();
        asm.JumpIf(BpfCode.Jge, ranges[mid].First, upper, lower);
        asm.Place(lower);
        EmitSearch(asm, ranges, from, mid - 1);
        asm.Place(upper);
        EmitSearch(asm, ranges, mid, to);
    }

    static void EmitDecision(BpfAssembler asm, SeccompSyscallDecision decision)
    {
        foreach (var rule in decision.Conditional)
        {
            var next = asm.NewLabel();
            foreach (var condition in rule.Conditions)
            {
                var holds = asm.NewLabel();
                EmitCondition(asm, condition, holds, next);
                asm.Place(holds);
            }
            asm.Return((uint)rule.Return);
            asm.Place(next);
        }
        asm.Return((uint)decision.Fallback);
    }

    /// <summary>Jumps to <paramref name="onTrue"/> when the 64-bit argument satisfies the condition, else to <paramref name="onFalse"/>.</summary>
    static void EmitCondition(BpfAssembler asm, SeccompArgCondition c, BpfAssembler.Label onTrue, BpfAssembler.Label onFalse)
    {
        var low = ArgsOffset + 8 * (uint)c.Index;  // little-endian: low word first
        var high = low + 4;
        var valueHigh = (uint)(c.Value >> 32);
        var valueLow = (uint)c.Value;

        switch (c.Op)
        {
            case SeccompOperator.Equal:
                Equal(valueHigh, valueLow, onTrue, onFalse);
                break;
            case SeccompOperator.NotEqual:
                Equal(valueHigh, valueLow, onFalse, onTrue);
                break;
            case SeccompOperator.GreaterThan:
                Greater(BpfCode.Jgt, onTrue, onFalse);
                break;
            case SeccompOperator.GreaterOrEqual:
                Greater(BpfCode.Jge, onTrue, onFalse);
                break;
            case SeccompOperator.LessOrEqual:  // not (arg > value)
                Greater(BpfCode.Jgt, onFalse, onTrue);
                break;
            case SeccompOperator.LessThan:     // not (arg >= value)
                Greater(BpfCode.Jge, onFalse, onTrue);
                break;
            case SeccompOperator.MaskedEqual:
                MaskedWord(high, (uint)(c.Value >> 32), (uint)(c.ValueTwo >> 32), null);
                MaskedWord(low, (uint)c.Value, (uint)c.ValueTwo, onTrue);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Op, "unknown operator");
        }

        // (word & mask) == datum; falls through to the next word (next == null) or jumps to next, else onFalse.
        // A zero mask needs no load: (word & 0) == datum is known at compile time.
        void MaskedWord(uint offset, uint mask, uint datum, BpfAssembler.Label? next)
        {
            if (mask == 0)
            {
                if (datum != 0)
                    asm.Goto(onFalse);
                else if (next is not null)
                    asm.Goto(next);
                return;
            }
            var matched = next ?? asm.NewLabel();
            asm.LoadWord(offset);
            if (mask != uint.MaxValue)
                asm.And(mask);
            asm.JumpIf(BpfCode.Jeq, datum, matched, onFalse);
            if (next is null)
                asm.Place(matched);
        }

        void Equal(uint hi, uint lo, BpfAssembler.Label yes, BpfAssembler.Label no)
        {
            var lowWord = asm.NewLabel();
            asm.LoadWord(high);
            asm.JumpIf(BpfCode.Jeq, hi, lowWord, no);
            asm.Place(lowWord);
            asm.LoadWord(low);
            asm.JumpIf(BpfCode.Jeq, lo, yes, no);
        }

        // arg > value (Jgt) or arg >= value (Jge): high words decide unless equal, then the low words.
        void Greater(BpfCode lowTest, BpfAssembler.Label yes, BpfAssembler.Label no)
        {
            var notAbove = asm.NewLabel();
            var sameHigh = asm.NewLabel();
            asm.LoadWord(high);
            asm.JumpIf(BpfCode.Jgt, valueHigh, yes, notAbove);
            asm.Place(notAbove);
            asm.JumpIf(BpfCode.Jeq, valueHigh, sameHigh, no);
            asm.Place(sameHigh);
            asm.LoadWord(low);
            asm.JumpIf(lowTest, valueLow, yes, no);
        }
    }
}
