namespace Islander.Drivers.Cgroups;

/// <summary>
/// eBPF opcode parts (include/uapi/linux/bpf.h, bpf_common.h; Documentation/bpf/standardization/instruction-set.rst):
/// class | size | mode for loads, class | operation | source for ALU and jumps. Several parts share a value
/// (0x50 is AND and JNE): read a part through its class. Only what <see cref="DeviceFilterProgram"/> emits.
/// </summary>
[Flags]
public enum EbpfCode : byte
{
    // classes
    Ldx = 0x01,
    Alu = 0x04,   // 32-bit operations: the upper half of the destination is zeroed
    Jmp = 0x05,   // 64-bit comparisons
    ClassMask = 0x07,

    // load size and mode
    W = 0x00,
    Mem = 0x60,

    // ALU operations
    And = 0x50,
    Rsh = 0x70,
    Mov = 0xB0,

    // jump operations
    Jeq = 0x10,
    Jne = 0x50,
    Exit = 0x90,
    OpMask = 0xF0,

    // operand source: the immediate or the source register
    K = 0x00,
    X = 0x08,
}
