using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

/// <summary>
/// A tiny eBPF interpreter for BPF_PROG_TYPE_CGROUP_DEVICE programs, with the checks of the kernel verifier that
/// matter for them: only the opcodes <see cref="DeviceFilterProgram"/> emits, no read of a register before it is
/// written, loads only from the context pointer (r1 on entry) at the aligned u32 fields of bpf_cgroup_dev_ctx,
/// forward jumps that land inside the program, and a return value of 0 or 1.
/// </summary>
internal static class EbpfInterpreter
{
    // include/uapi/linux/bpf.h
    public const uint DevBlock = 1, DevChar = 2;
    public const uint AccMknod = 1, AccRead = 2, AccWrite = 4;

    /// <summary>Runs <paramref name="program"/> on one device access; true when it returns 1 (allow).</summary>
    public static bool Allows(IReadOnlyList<EbpfInstruction> program, DeviceType type, uint major, uint minor, DeviceAccess access)
    {
        uint typeBits = type switch { DeviceType.Block => DevBlock, DeviceType.Char => DevChar, _ => throw new ArgumentException("a request has one type") };
        uint accessBits = (access.HasFlag(DeviceAccess.Mknod) ? AccMknod : 0) | (access.HasFlag(DeviceAccess.Read) ? AccRead : 0)
                          | (access.HasFlag(DeviceAccess.Write) ? AccWrite : 0);
        return Run(program, [typeBits | (accessBits << 16), major, minor]) switch
        {
            1 => true,
            0 => false,
            var r => throw new InvalidDataException($"a device program returned {r}: the verifier only accepts 0 or 1"),
        };
    }

    /// <summary>Executes with r1 pointing at <paramref name="context"/> (access_type, major, minor).</summary>
    public static ulong Run(IReadOnlyList<EbpfInstruction> program, uint[] context)
    {
        var r = new ulong[11];
        var written = new bool[11];
        var isContext = new bool[11];
        written[1] = isContext[1] = true;

        ulong Read(byte reg, int pc)
        {
            if (reg > 10 || !written[reg])
                throw new InvalidDataException($"insn {pc}: R{reg} !read_ok");
            if (isContext[reg])
                throw new InvalidDataException($"insn {pc}: R{reg} is the context pointer, not a number");
            return r[reg];
        }
        void Write(byte reg, ulong value, int pc)
        {
            if (reg is 10 or > 10)
                throw new InvalidDataException($"insn {pc}: cannot write R{reg}");
            r[reg] = value;
            written[reg] = true;
            isContext[reg] = false;
        }

        for (int pc = 0, steps = 0; ; steps++)
        {
            if (pc < 0 || pc >= program.Count)
                throw new InvalidDataException($"pc {pc} is outside the program (fell off its end or jumped out)");
            if (steps > 10_000)
                throw new InvalidDataException("the program does not end");
            var insn = program[pc];
            int next = pc + 1;
            switch ((byte)insn.Code)
            {
                case 0x61: // ldxw dst, [src + off]
                    if (!isContext[insn.Src])
                        throw new InvalidDataException($"insn {pc}: load through R{insn.Src}, which is not the context");
                    if (insn.Offset is not (0 or 4 or 8))
                        throw new InvalidDataException($"insn {pc}: invalid bpf_context access off={insn.Offset} size=4");
                    Write(insn.Dst, context[insn.Offset / 4], pc);
                    break;
                case 0xB4: // mov32 dst, imm
                    Write(insn.Dst, (uint)insn.Imm, pc);
                    break;
                case 0xBC: // mov32 dst, src
                    Write(insn.Dst, (uint)Read(insn.Src, pc), pc);
                    break;
                case 0x54: // and32 dst, imm
                    Write(insn.Dst, (uint)Read(insn.Dst, pc) & (uint)insn.Imm, pc);
                    break;
                case 0x74: // rsh32 dst, imm
                    if (insn.Imm is < 0 or > 31)
                        throw new InvalidDataException($"insn {pc}: invalid shift {insn.Imm}");
                    Write(insn.Dst, (uint)Read(insn.Dst, pc) >> insn.Imm, pc);
                    break;
                case 0x55: // jne dst, imm (64-bit, imm sign-extended)
                    if (Read(insn.Dst, pc) != (ulong)(long)insn.Imm)
                        next = Jump(pc, insn, program.Count);
                    break;
                case 0x5D: // jne dst, src
                    if (Read(insn.Dst, pc) != Read(insn.Src, pc))
                        next = Jump(pc, insn, program.Count);
                    break;
                case 0x15: // jeq dst, imm
                    if (Read(insn.Dst, pc) == (ulong)(long)insn.Imm)
                        next = Jump(pc, insn, program.Count);
                    break;
                case 0x95: // exit
                    return Read(0, pc);
                default:
                    throw new InvalidDataException($"insn {pc}: opcode 0x{(byte)insn.Code:x2} is not one the device filter emits");
            }
            pc = next;
        }
    }

    static int Jump(int pc, EbpfInstruction insn, int count)
    {
        int target = pc + 1 + insn.Offset;
        if (insn.Offset < 0)
            throw new InvalidDataException($"insn {pc}: back-edge (the generator only jumps forward)");
        if (target >= count)
            throw new InvalidDataException($"insn {pc}: jump out of range to {target}");
        return target;
    }
}
