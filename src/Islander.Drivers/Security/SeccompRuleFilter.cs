namespace Islander.Drivers.Security;

/// <summary>
/// Docker's <c>includes</c> / <c>excludes</c> of a syscall rule: capabilities ("CAP_SYS_ADMIN"),
/// architectures in Go's names ("amd64", "arm64", "s390x") and a minimum kernel ("4.8").
/// Empty lists and a null kernel mean "no condition".
/// </summary>
public sealed record SeccompRuleFilter
{
    public IReadOnlyList<string> Caps { get; init; } = [];
    public IReadOnlyList<string> Arches { get; init; } = [];
    public Version? MinKernel { get; init; }
}
