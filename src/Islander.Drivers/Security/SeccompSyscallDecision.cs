namespace Islander.Drivers.Security;

/// <summary>
/// What the filter does with one syscall number: the first <see cref="Conditional"/> whose conditions
/// all hold, else <see cref="Fallback"/>. No conditional entries means the call always gets Fallback.
/// </summary>
internal sealed record SeccompSyscallDecision(IReadOnlyList<SeccompConditionalAction> Conditional, SeccompReturn Fallback)
{
    public bool IsUnconditional => Conditional.Count == 0;

    public SeccompReturn Evaluate(ReadOnlySpan<ulong> args)
    {
        foreach (var rule in Conditional)
        {
            var all = true;
            foreach (var condition in rule.Conditions)
                all &= condition.Matches(args[condition.Index]);
            if (all)
                return rule.Return;
        }
        return Fallback;
    }
}
