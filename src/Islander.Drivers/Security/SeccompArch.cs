namespace Islander.Drivers.Security;

/// <summary>
/// Architectures islander compiles seccomp filters for; the value is the kernel's AUDIT_ARCH_*
/// constant (linux/audit.h) that seccomp_data.arch holds for calls of that ABI.
/// Both are little-endian, which the compiler relies on for 64-bit argument halves.
/// </summary>
public enum SeccompArch : uint
{
    /// <summary>AUDIT_ARCH_X86_64 = EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.</summary>
    X86_64 = 0xC000003E,

    /// <summary>AUDIT_ARCH_AARCH64 = EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.</summary>
    Aarch64 = 0xC00000B7,
}
