using Islander.Model;

namespace Islander.Drivers.Security;

/// <summary>
/// A seccomp profile that cannot be used: unreadable, not JSON, or not a Docker-format profile.
/// Lists every problem found, each with its JSON path (<c>syscalls[3].args[0].op</c>).
/// </summary>
public sealed class SeccompProfileException : IslanderException
{
    public SeccompProfileException(string source, IReadOnlyList<string> problems, Exception? inner = null)
        : base(Format(source, problems), ErrorCategory.InvalidManifest, inner)
    {
        Profile = source;
        Problems = problems;
    }

    /// <summary>The profile's file path, or a name such as "default" for the built-in one.</summary>
    public string Profile { get; }

    public IReadOnlyList<string> Problems { get; }

    static string Format(string source, IReadOnlyList<string> problems) =>
        $"seccomp profile {source}: {string.Join("; ", problems)}" +
        " (a profile is Docker's JSON format, see https://docs.docker.com/engine/security/seccomp/;" +
        " set security.seccomp to \"default\" or \"unconfined\" to use none of it)";
}
