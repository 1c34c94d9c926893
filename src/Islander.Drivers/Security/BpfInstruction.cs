using System.Buffers.Binary;

namespace Islander.Drivers.Security;

/// <summary>
/// One classic BPF instruction, <c>struct sock_filter</c>: u16 code, u8 jt, u8 jf, u32 k.
/// Conditional jumps skip <see cref="Jt"/> or <see cref="Jf"/> instructions forward; BPF_JA skips <see cref="K"/>.
/// </summary>
public readonly record struct BpfInstruction(BpfCode Code, byte Jt, byte Jf, uint K)
{
    /// <summary>Size of one encoded instruction.</summary>
    public const int Size = 8;

    /// <summary>BPF_MAXINSNS: the kernel refuses longer programs.</summary>
    public const int MaxInstructions = 4096;

    /// <summary>Encodes a program as isle-init hands it to seccomp(2): sock_filter[], little-endian (host order on x86_64 and aarch64).</summary>
    public static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            var span = bytes.AsSpan(i * Size, Size);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)program[i].Code);
            span[2] = program[i].Jt;
            span[3] = program[i].Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], program[i].K);
        }
        return bytes;
    }

    /// <summary>The inverse of <see cref="Encode"/>.</summary>
    public static BpfInstruction[] Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % Size != 0)
            throw new ArgumentException($"a BPF program is a multiple of {Size} bytes, got {bytes.Length}", nameof(bytes));
        var program = new BpfInstruction[bytes.Length / Size];
        for (var i = 0; i < program.Length; i++)
        {
            var span = bytes.Slice(i * Size, Size);
            program[i] = new BpfInstruction(
                (BpfCode)BinaryPrimitives.ReadUInt16LittleEndian(span), span[2], span[3],
                BinaryPrimitives.ReadUInt32LittleEndian(span[4..]));
        }
        return program;
    }

    public override string ToString() => $"{{ 0x{(ushort)Code:x2}, {Jt}, {Jf}, 0x{K:x8} }}";
}
