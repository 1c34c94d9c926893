namespace Islander.Drivers.Security;

/// <summary>
/// One entry of a profile's <c>syscalls</c>: the calls it names get <see cref="Action"/> when every
/// condition in <see cref="Args"/> holds (an empty list always holds). <see cref="Includes"/> and
/// <see cref="Excludes"/> decide whether the rule is part of the filter at all for a given isle.
/// </summary>
public sealed record SeccompSyscallRule
{
    public required IReadOnlyList<string> Names { get; init; }
    public required SeccompAction Action { get; init; }

    /// <summary>errno for <see cref="SeccompAction.Errno"/>, message for <see cref="SeccompAction.Trace"/>; null: EPERM.</summary>
    public uint? ErrnoRet { get; init; }

    public IReadOnlyList<SeccompArgCondition> Args { get; init; } = [];
    public SeccompRuleFilter? Includes { get; init; }
    public SeccompRuleFilter? Excludes { get; init; }
    public string? Comment { get; init; }
}
