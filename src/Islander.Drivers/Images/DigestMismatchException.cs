using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// Content did not hash to the digest it was asked for (or was longer than its descriptor said).
/// Transient: corruption in transit is the usual cause, and the partial content is discarded so a
/// retry starts clean.
/// </summary>
public sealed class DigestMismatchException(string what, Digest expected, string actual)
    : IslanderException($"{what}: digest mismatch: expected {expected}, got {actual}", ErrorCategory.Transient)
{
    public Digest Expected { get; } = expected;
    public string Actual { get; } = actual;
}
