using System.Buffers.Binary;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// One eBPF instruction, <c>struct bpf_insn</c>: u8 code, u8 dst_reg:4 + src_reg:4, s16 off, s32 imm. A jump
/// skips <see cref="Offset"/> instructions forward from the next one.
/// </summary>
public readonly record struct EbpfInstruction(EbpfCode Code, byte Dst, byte Src, short Offset, int Imm)
{
    /// <summary>Size of one encoded instruction.</summary>
    public const int Size = 8;

    /// <summary>dst = *(u32 *)(src + offset).</summary>
    public static EbpfInstruction LoadWord(byte dst, byte src, short offset) => new(EbpfCode.Ldx | EbpfCode.Mem | EbpfCode.W, dst, src, offset, 0);

    /// <summary>w_dst = imm (32-bit move: the upper half is zeroed).</summary>
    public static EbpfInstruction Mov32(byte dst, int imm) => new(EbpfCode.Alu | EbpfCode.Mov | EbpfCode.K, dst, 0, 0, imm);

    /// <summary>w_dst = w_src.</summary>
    public static EbpfInstruction Mov32Register(byte dst, byte src) => new(EbpfCode.Alu | EbpfCode.Mov | EbpfCode.X, dst, src, 0, 0);

    /// <summary>w_dst &amp;= imm.</summary>
    public static EbpfInstruction And32(byte dst, int imm) => new(EbpfCode.Alu | EbpfCode.And | EbpfCode.K, dst, 0, 0, imm);

    /// <summary>w_dst &gt;&gt;= imm (logical).</summary>
    public static EbpfInstruction RightShift32(byte dst, int imm) => new(EbpfCode.Alu | EbpfCode.Rsh | EbpfCode.K, dst, 0, 0, imm);

    /// <summary>if dst != imm goto +offset (64-bit compare, imm sign-extended).</summary>
    public static EbpfInstruction JumpIfNotEqual(byte dst, int imm, short offset) => new(EbpfCode.Jmp | EbpfCode.Jne | EbpfCode.K, dst, 0, offset, imm);

    /// <summary>if dst != src goto +offset.</summary>
    public static EbpfInstruction JumpIfNotEqualRegister(byte dst, byte src, short offset) => new(EbpfCode.Jmp | EbpfCode.Jne | EbpfCode.X, dst, src, offset, 0);

    /// <summary>if dst == imm goto +offset.</summary>
    public static EbpfInstruction JumpIfEqual(byte dst, int imm, short offset) => new(EbpfCode.Jmp | EbpfCode.Jeq | EbpfCode.K, dst, 0, offset, imm);

    /// <summary>return r0.</summary>
    public static EbpfInstruction Exit() => new(EbpfCode.Jmp | EbpfCode.Exit, 0, 0, 0, 0);

    /// <summary>The program as bpf(BPF_PROG_LOAD) takes it: bpf_insn[], little-endian (host order on x86_64 and aarch64).</summary>
    public static byte[] Encode(IReadOnlyList<EbpfInstruction> program)
    {
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            var span = bytes.AsSpan(i * Size, Size);
            var insn = program[i];
            span[0] = (byte)insn.Code;
            span[1] = (byte)((insn.Src << 4) | (insn.Dst & 0x0F));
            BinaryPrimitives.WriteInt16LittleEndian(span[2..], insn.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], insn.Imm);
        }
        return bytes;
    }

    /// <summary>The inverse of <see cref="Encode"/>.</summary>
    public static EbpfInstruction[] Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % Size != 0)
            throw new ArgumentException($"an eBPF program is a multiple of {Size} bytes, got {bytes.Length}", nameof(bytes));
        var program = new EbpfInstruction[bytes.Length / Size];
        for (var i = 0; i < program.Length; i++)
        {
            var span = bytes.Slice(i * Size, Size);
            program[i] = new EbpfInstruction((EbpfCode)span[0], (byte)(span[1] & 0x0F), (byte)(span[1] >> 4),
                BinaryPrimitives.ReadInt16LittleEndian(span[2..]), BinaryPrimitives.ReadInt32LittleEndian(span[4..]));
        }
        return program;
    }

    /// <summary>The kernel verifier's notation (<c>r2 = *(u32 *)(r1 +0)</c>), as in a verifier log.</summary>
    public override string ToString()
    {
        byte code = (byte)Code;
        return code switch
        {
            0x61 => $"r{Dst} = *(u32 *)(r{Src} {Offset:+0;-0})",
            0xB4 => $"w{Dst} = {Imm}",
            0xBC => $"w{Dst} = w{Src}",
            0x54 => $"w{Dst} &= {Imm}",
            0x74 => $"w{Dst} >>= {Imm}",
            0x55 => $"if r{Dst} != {Imm} goto {Offset:+0;-0}",
            0x5D => $"if r{Dst} != r{Src} goto {Offset:+0;-0}",
            0x15 => $"if r{Dst} == {Imm} goto {Offset:+0;-0}",
            0x95 => "exit",
            _ => $"(0x{code:x2}) dst r{Dst} src r{Src} off {Offset} imm {Imm}",
        };
    }
}
