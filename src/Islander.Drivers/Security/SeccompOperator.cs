namespace Islander.Drivers.Security;

/// <summary>
/// How a syscall argument (a 64-bit value) is compared (libseccomp's SCMP_CMP_*). All comparisons
/// are unsigned. <see cref="MaskedEqual"/> is <c>(arg &amp; Value) == ValueTwo</c>.
/// </summary>
public enum SeccompOperator
{
    NotEqual,
    LessThan,
    LessOrEqual,
    Equal,
    GreaterOrEqual,
    GreaterThan,
    MaskedEqual,
}
