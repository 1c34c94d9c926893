namespace Islander.Drivers.Security;

/// <summary>
/// Builds a classic BPF program with forward labels, so code generators never count offsets.
/// Conditional jumps hold 8-bit offsets (at most 255 instructions forward); a jump whose target
/// ends up farther is relaxed into <c>jcond k, 0, 1; ja T; ja F</c>, since BPF_JA takes a 32-bit
/// offset. Relaxation only grows the program, so the fixpoint loop ends.
/// </summary>
internal sealed class BpfAssembler
{
    internal sealed class Label
    {
        internal int Item = -1;
    }

    abstract class Item;

    sealed class Plain(BpfInstruction instruction) : Item
    {
        public BpfInstruction Instruction { get; } = instruction;
    }

    sealed class Conditional(BpfCode op, uint k, Label onTrue, Label onFalse) : Item
    {
        public BpfCode Op { get; } = op;
        public uint K { get; } = k;
        public Label OnTrue { get; } = onTrue;
        public Label OnFalse { get; } = onFalse;
        public bool Long { get; set; }
    }

    sealed class Always(Label target) : Item
    {
        public Label Target { get; } = target;
    }

    sealed class Mark : Item;

    readonly List<Item> _items = [];

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static",
        Justification = "A label belongs to its assembler, as with ILGenerator.DefineLabel: callers ask the assembler for one.")]
    public Label NewLabel() => new();

    /// <summary>Places a label at the next instruction. Each label is placed once.</summary>
    public void Place(Label label)
    {
        if (label.Item >= 0)
            throw new InvalidOperationException("label placed twice");
        label.Item = _items.Count;
        _items.Add(new Mark());
    }

    public void Emit(BpfInstruction instruction) => _items.Add(new Plain(instruction));

    /// <summary>A = the 32-bit word at <paramref name="offset"/> of seccomp_data.</summary>
    public void LoadWord(uint offset) => Emit(new BpfInstruction(BpfCode.Ld | BpfCode.W | BpfCode.Abs, 0, 0, offset));

    /// <summary>A &amp;= k.</summary>
    public void And(uint k) => Emit(new BpfInstruction(BpfCode.Alu | BpfCode.And | BpfCode.K, 0, 0, k));

    public void Return(uint k) => Emit(new BpfInstruction(BpfCode.Ret | BpfCode.K, 0, 0, k));

    /// <summary>if (A op k) goto onTrue else goto onFalse; op is Jeq, Jgt, Jge or Jset.</summary>
    public void JumpIf(BpfCode op, uint k, Label onTrue, Label onFalse) =>
        _items.Add(new Conditional(op, k, onTrue, onFalse));

    public void Goto(Label target) => _items.Add(new Always(target));

    public BpfInstruction[] Assemble()
    {
        var positions = new int[_items.Count + 1];
        bool changed;
        do
        {
            var pos = 0;
            for (var i = 0; i < _items.Count; i++)
            {
                positions[i] = pos;
                pos += SizeOf(_items[i]);
            }
            positions[_items.Count] = pos;

            changed = false;
            for (var i = 0; i < _items.Count; i++)
            {
                if (_items[i] is not Conditional { Long: false } jump)
                    continue;
                var from = positions[i] + 1;
                if (Offset(jump.OnTrue, from, positions) > byte.MaxValue || Offset(jump.OnFalse, from, positions) > byte.MaxValue)
                {
                    jump.Long = true;
                    changed = true;
                }
            }
        } while (changed);

        var program = new List<BpfInstruction>(positions[_items.Count]);
        for (var i = 0; i < _items.Count; i++)
        {
            var at = positions[i];
            switch (_items[i])
            {
                case Plain plain:
                    program.Add(plain.Instruction);
                    break;
                case Always always:
                    program.Add(Ja(Offset(always.Target, at + 1, positions)));
                    break;
                case Conditional { Long: false } jump:
                    program.Add(new BpfInstruction(BpfCode.Jmp | jump.Op | BpfCode.K,
                        (byte)Offset(jump.OnTrue, at + 1, positions), (byte)Offset(jump.OnFalse, at + 1, positions), jump.K));
                    break;
                case Conditional jump:
                    program.Add(new BpfInstruction(BpfCode.Jmp | jump.Op | BpfCode.K, 0, 1, jump.K));
                    program.Add(Ja(Offset(jump.OnTrue, at + 2, positions)));
                    program.Add(Ja(Offset(jump.OnFalse, at + 3, positions)));
                    break;
            }
        }
        return [.. program];
    }

    static BpfInstruction Ja(int offset) => new(BpfCode.Jmp | BpfCode.Ja, 0, 0, (uint)offset);

    static int SizeOf(Item item) => item switch
    {
        Mark => 0,
        Conditional { Long: true } => 3,
        _ => 1,
    };

    /// <summary>Instructions to skip from <paramref name="from"/> (the instruction after the jump) to the label.</summary>
    static int Offset(Label label, int from, int[] positions)
    {
        if (label.Item < 0)
            throw new InvalidOperationException("jump to a label that was never placed");
        var offset = positions[label.Item] - from;
        if (offset < 0)
            throw new InvalidOperationException("classic BPF jumps only forward");
        return offset;
    }
}
