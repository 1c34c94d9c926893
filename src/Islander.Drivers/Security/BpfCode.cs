namespace Islander.Drivers.Security;

/// <summary>
/// Classic BPF opcode parts (linux/filter.h, linux/bpf_common.h). An opcode is
/// class | size | mode for loads, class | op | source for ALU and jumps, class | source for returns.
/// Several parts share a value (0x10 is B, SUB, JEQ and A): read a part through its class.
/// </summary>
[Flags]
public enum BpfCode : ushort
{
    // classes
    Ld = 0x00,
    Ldx = 0x01,
    St = 0x02,
    Stx = 0x03,
    Alu = 0x04,
    Jmp = 0x05,
    Ret = 0x06,
    Misc = 0x07,

    // load sizes
    W = 0x00,
    H = 0x08,
    B = 0x10,

    // load modes
    Imm = 0x00,
    Abs = 0x20,
    Ind = 0x40,
    Mem = 0x60,
    Len = 0x80,

    // ALU operations
    Add = 0x00,
    Sub = 0x10,
    Mul = 0x20,
    Div = 0x30,
    Or = 0x40,
    And = 0x50,
    Lsh = 0x60,
    Rsh = 0x70,
    Neg = 0x80,

    // jumps
    Ja = 0x00,
    Jeq = 0x10,
    Jgt = 0x20,
    Jge = 0x30,
    Jset = 0x40,

    // operand source
    K = 0x00,
    X = 0x08,

    // return source (BPF_RET | BPF_A)
    A = 0x10,

    ClassMask = 0x07,
    SizeMask = 0x18,
    ModeMask = 0xE0,
    OpMask = 0xF0,
    SourceMask = 0x08,
}
