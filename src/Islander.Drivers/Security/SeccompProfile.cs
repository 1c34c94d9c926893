using System.Reflection;

namespace Islander.Drivers.Security;

/// <summary>
/// A seccomp profile in Docker's JSON format (moby <c>api/types/seccomp.Seccomp</c>): a default action
/// and rules per syscall name. <see cref="Parse"/> reads one; <see cref="Default"/> is Docker's own.
/// Which rules apply to an isle (includes/excludes) is decided when it is compiled (<see cref="SeccompCompiler"/>).
/// </summary>
public sealed partial record SeccompProfile
{
    public required SeccompAction DefaultAction { get; init; }

    /// <summary>errno of the default action when it is <see cref="SeccompAction.Errno"/>; null: EPERM.</summary>
    public uint? DefaultErrnoRet { get; init; }

    /// <summary>Informational here: islander filters the native ABI only (see <see cref="SeccompCompiler"/>).</summary>
    public IReadOnlyList<SeccompArchMapEntry> ArchMap { get; init; } = [];

    public IReadOnlyList<SeccompSyscallRule> Syscalls { get; init; } = [];

    static readonly Lazy<SeccompProfile> DefaultProfile = new(() => Parse(ReadResource("default.json"), "default"));

    /// <summary>
    /// Docker's default profile, moby's <c>profiles/seccomp/default.json</c> (Apache-2.0; the commit is in
    /// Security/Data/README.md), embedded unchanged: an allow list, errno EPERM for everything else.
    /// </summary>
    public static SeccompProfile Default => DefaultProfile.Value;

    internal static string ReadResource(string fileName)
    {
        var name = $"Islander.Drivers.Security.Data.{fileName}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from Islander.Drivers");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
