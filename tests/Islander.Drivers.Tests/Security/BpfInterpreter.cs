using System.Buffers.Binary;
using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

/// <summary>struct seccomp_data as the kernel hands it to a filter.</summary>
internal sealed record SeccompData(uint Nr, uint Arch, ulong[] Args, ulong InstructionPointer = 0)
{
    public static SeccompData X86_64(uint nr, params ulong[] args) => new(nr, (uint)SeccompArch.X86_64, Pad(args));
    public static SeccompData Aarch64(uint nr, params ulong[] args) => new(nr, (uint)SeccompArch.Aarch64, Pad(args));

    static ulong[] Pad(ulong[] args) => [.. args, .. new ulong[6 - args.Length]];

    /// <summary>64 bytes, little-endian (x86_64, aarch64).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Nr);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Arch);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), InstructionPointer);
        for (var i = 0; i < 6; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16 + 8 * i), Args[i]);
        return bytes;
    }
}

/// <summary>
/// A small classic BPF interpreter with the kernel's seccomp checks (net/core/filter.c bpf_check_classic,
/// kernel/seccomp.c seccomp_check_filter): only the instructions seccomp accepts, word loads aligned
/// inside seccomp_data, jumps inside the program, a return last.
/// </summary>
internal static class BpfInterpreter
{
    /// <summary>Throws when the kernel would refuse the program.</summary>
    public static void Verify(IReadOnlyList<BpfInstruction> program)
    {
        if (program.Count is 0 or > BpfInstruction.MaxInstructions)
            throw new InvalidDataException($"program length {program.Count} is outside 1..{BpfInstruction.MaxInstructions}");
        for (var pc = 0; pc < program.Count; pc++)
        {
            var insn = program[pc];
            var code = (ushort)insn.Code;
            switch (code)
            {
                case 0x20: // LD W ABS
                    if (insn.K % 4 != 0 || insn.K >= 64)
                        throw new InvalidDataException($"insn {pc}: load at {insn.K} outside seccomp_data");
                    break;
                case 0x00: case 0x01: // LD IMM, LDX IMM
                case 0x80: case 0x81: // LD W LEN, LDX W LEN
                case 0x06: case 0x16: // RET K, RET A
                case 0x07: case 0x87: // TAX, TXA
                    break;
                case 0x60: case 0x61: case 0x02: case 0x03: // LD MEM, LDX MEM, ST, STX
                    if (insn.K >= 16)
                        throw new InvalidDataException($"insn {pc}: scratch slot {insn.K} out of range");
                    break;
                case 0x05: // JA
                    if ((ulong)pc + 1 + insn.K >= (ulong)program.Count)
                        throw new InvalidDataException($"insn {pc}: ja +{insn.K} leaves the program");
                    break;
                default:
                    if ((code & 0x07) == 0x04) // ALU
                        break;
                    if ((code & 0x07) == 0x05 && (code & 0xF0) is 0x10 or 0x20 or 0x30 or 0x40)
                    {
                        if (pc + 1 + insn.Jt >= program.Count || pc + 1 + insn.Jf >= program.Count)
                            throw new InvalidDataException($"insn {pc}: jump +{insn.Jt}/+{insn.Jf} leaves the program");
                        break;
                    }
                    throw new InvalidDataException($"insn {pc}: opcode 0x{code:x2} is not allowed in seccomp filters");
            }
        }
        if ((ushort)program[^1].Code is not (0x06 or 0x16))
            throw new InvalidDataException("the last instruction is not a return");
    }

    /// <summary>Runs a verified program on one call and returns its SECCOMP_RET_* value.</summary>
    public static SeccompReturn Run(IReadOnlyList<BpfInstruction> program, SeccompData data)
    {
        var bytes = data.ToBytes();
        uint a = 0, x = 0;
        var mem = new uint[16];
        var pc = 0;
        while (true)
        {
            if (pc >= program.Count)
                throw new InvalidDataException("fell off the end of the program");
            var insn = program[pc++];
            var code = (ushort)insn.Code;
            var k = insn.K;
            switch (code & 0x07)
            {
                case 0x00: // LD
                    a = (code & 0xE0) switch
                    {
                        0x20 => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)k, 4)),
                        0x00 => k,
                        0x60 => mem[k],
                        0x80 => 64,
                        _ => throw new InvalidDataException($"unsupported load 0x{code:x2}"),
                    };
                    break;
                case 0x01: // LDX
                    x = (code & 0xE0) switch
                    {
                        0x00 => k,
                        0x60 => mem[k],
                        0x80 => 64,
                        _ => throw new InvalidDataException($"unsupported ldx 0x{code:x2}"),
                    };
                    break;
                case 0x02: mem[k] = a; break;
                case 0x03: mem[k] = x; break;
                case 0x04: // ALU
                {
                    var operand = (code & 0x08) != 0 ? x : k;
                    a = (code & 0xF0) switch
                    {
                        0x00 => a + operand,
                        0x10 => a - operand,
                        0x20 => a * operand,
                        0x40 => a | operand,
                        0x50 => a & operand,
                        0x60 => a << (int)operand,
                        0x70 => a >> (int)operand,
                        0x80 => (uint)-(int)a,
                        0xA0 => a ^ operand,
                        _ => throw new InvalidDataException($"unsupported alu 0x{code:x2}"),
                    };
                    break;
                }
                case 0x05: // JMP
                {
                    if ((code & 0xF0) == 0x00)
                    {
                        pc += (int)k;
                        break;
                    }
                    var operand = (code & 0x08) != 0 ? x : k;
                    var taken = (code & 0xF0) switch
                    {
                        0x10 => a == operand,
                        0x20 => a > operand,
                        0x30 => a >= operand,
                        0x40 => (a & operand) != 0,
                        _ => throw new InvalidDataException($"unsupported jump 0x{code:x2}"),
                    };
                    pc += taken ? insn.Jt : insn.Jf;
                    break;
                }
                case 0x06: // RET
                    return (SeccompReturn)((code & 0x18) == 0x10 ? a : k);
                case 0x07: // MISC
                    if ((code & 0xF8) == 0x00) x = a; else a = x;
                    break;
            }
        }
    }
}
