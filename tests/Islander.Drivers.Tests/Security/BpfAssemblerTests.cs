using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

public class BpfAssemblerTests
{
    [Fact]
    public void Assemble_NearTarget_UsesShortJump()
    {
        var asm = new BpfAssembler();
        var yes = asm.NewLabel();
        var no = asm.NewLabel();
        asm.LoadWord(0);
        asm.JumpIf(BpfCode.Jeq, 7, yes, no);
        asm.Place(no);
        asm.Return(1);
        asm.Place(yes);
        asm.Return(2);
        var program = asm.Assemble();

        Assert.Equal(4, program.Length);
        Assert.Equal(new BpfInstruction(BpfCode.Jmp | BpfCode.Jeq, 1, 0, 7), program[1]);
        Assert.Equal((SeccompReturn)2, BpfInterpreter.Run(program, SeccompData.X86_64(7)));
        Assert.Equal((SeccompReturn)1, BpfInterpreter.Run(program, SeccompData.X86_64(8)));
    }

    [Theory]
    [InlineData(254, 4 + 254)]      // offset 255 still fits
    [InlineData(255, 4 + 255 + 2)]  // offset 256 does not: jcond + ja + ja
    public void Assemble_FarTarget_RelaxesIntoJa(int filler, int expectedLength)
    {
        var asm = new BpfAssembler();
        var far = asm.NewLabel();
        var near = asm.NewLabel();
        asm.LoadWord(0);
        asm.JumpIf(BpfCode.Jge, 10, far, near);
        asm.Place(near);
        for (var i = 0; i < filler; i++)
            asm.Return(1);
        asm.Return(1);
        asm.Place(far);
        asm.Return(2);
        var program = asm.Assemble();

        Assert.Equal(expectedLength, program.Length);
        BpfInterpreter.Verify(program);
        Assert.Equal((SeccompReturn)2, BpfInterpreter.Run(program, SeccompData.X86_64(10)));
        Assert.Equal((SeccompReturn)1, BpfInterpreter.Run(program, SeccompData.X86_64(9)));
    }

    [Fact]
    public void Assemble_UnplacedLabel_Throws()
    {
        var asm = new BpfAssembler();
        asm.Goto(asm.NewLabel());
        Assert.Throws<InvalidOperationException>(asm.Assemble);
    }

    [Fact]
    public void Assemble_BackwardJump_Throws()
    {
        var asm = new BpfAssembler();
        var back = asm.NewLabel();
        asm.Place(back);
        asm.Return(0);
        asm.Goto(back);
        Assert.Throws<InvalidOperationException>(asm.Assemble);
    }

    [Fact]
    public void EncodeDecode_RoundTrip_LittleEndianSockFilter()
    {
        BpfInstruction[] program = [new(BpfCode.Ld | BpfCode.W | BpfCode.Abs, 0, 0, 4), new(BpfCode.Jmp | BpfCode.Jeq, 1, 2, 0xC000003E), new(BpfCode.Ret, 0, 0, 0x7FFF0000)];
        var bytes = BpfInstruction.Encode(program);
        Assert.Equal(24, bytes.Length);
        Assert.Equal(new byte[] { 0x15, 0x00, 0x01, 0x02, 0x3E, 0x00, 0x00, 0xC0 }, bytes[8..16]);
        Assert.Equal(program, BpfInstruction.Decode(bytes));
        Assert.Throws<ArgumentException>(() => BpfInstruction.Decode(new byte[7]));
    }
}
