namespace Islander.Drivers.Security;

/// <summary>
/// A condition on one syscall argument (Docker's <c>args[]</c> entry): argument <see cref="Index"/> (0..5)
/// compared with <see cref="Value"/>; for <see cref="SeccompOperator.MaskedEqual"/>, Value is the mask and
/// <see cref="ValueTwo"/> the expected masked value.
/// </summary>
public sealed record SeccompArgCondition(int Index, ulong Value, ulong ValueTwo, SeccompOperator Op)
{
    /// <summary>The condition's meaning on a 64-bit argument: the reference the compiled BPF must agree with.</summary>
    public bool Matches(ulong argument) => Op switch
    {
        SeccompOperator.NotEqual => argument != Value,
        SeccompOperator.LessThan => argument < Value,
        SeccompOperator.LessOrEqual => argument <= Value,
        SeccompOperator.Equal => argument == Value,
        SeccompOperator.GreaterOrEqual => argument >= Value,
        SeccompOperator.GreaterThan => argument > Value,
        SeccompOperator.MaskedEqual => (argument & Value) == ValueTwo,
        _ => throw new InvalidOperationException($"seccomp operator {Op} is not one islander knows"),
    };
}
