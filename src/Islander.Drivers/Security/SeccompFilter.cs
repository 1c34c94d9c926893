using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Islander.Model;

namespace Islander.Drivers.Security;

/// <summary>
/// The seccomp program an isle gets, as the bytes isle-init installs right before execve
/// (struct sock_filter[], see <see cref="BpfInstruction.Encode"/>).
/// </summary>
public static class SeccompFilter
{
    /// <summary><c>security.seccomp</c> value for Docker's default profile.</summary>
    public const string DefaultProfileName = "default";

    /// <summary><c>security.seccomp</c> value for no filter.</summary>
    public const string UnconfinedProfileName = "unconfined";

    /// <summary>
    /// The filter for an isle: null when privileged or unconfined (as Docker: --privileged disables
    /// seccomp), Docker's default profile for "default", otherwise the JSON profile at the given
    /// absolute path. Rules depending on capabilities follow <paramref name="capabilities"/>, the set
    /// the isle keeps (<see cref="CapabilityPolicy.Kept"/>).
    /// </summary>
    /// <param name="arch">Null: the machine's own (<see cref="NativeArch"/>).</param>
    /// <param name="kernel">The running kernel for minKernel rules; null: a modern kernel.</param>
    /// <exception cref="SeccompProfileException">InvalidManifest: the profile file is missing, unreadable or invalid.</exception>
    /// <exception cref="IslanderException">Unsupported: the machine's architecture has no syscall table.</exception>
    public static byte[]? For(IsleSecurity security, CapabilitySet capabilities, SeccompArch? arch = null, Version? kernel = null)
    {
        if (security.Privileged || string.Equals(security.Seccomp, UnconfinedProfileName, StringComparison.OrdinalIgnoreCase))
            return null;
        var target = arch ?? NativeArch;
        if (string.IsNullOrEmpty(security.Seccomp) || string.Equals(security.Seccomp, DefaultProfileName, StringComparison.OrdinalIgnoreCase))
            return DefaultFilters.GetOrAdd((capabilities, target, kernel), key => Compile(SeccompProfile.Default, key.Capabilities, key.Arch, key.Kernel));
        // A profile file is read at every start: the user may edit it between two starts.
        return Compile(Load(security.Seccomp), capabilities, target, kernel);
    }

    /// <summary>
    /// Docker's default profile compiled per capability set: the daemon starts many isles with the same few sets,
    /// and compiling costs milliseconds of each start. The bytes are never written to, so they are shared.
    /// </summary>
    static readonly ConcurrentDictionary<(CapabilitySet Capabilities, SeccompArch Arch, Version? Kernel), byte[]> DefaultFilters = new();

    static byte[] Compile(SeccompProfile profile, CapabilitySet capabilities, SeccompArch arch, Version? kernel) =>
        BpfInstruction.Encode(SeccompCompiler.Compile(profile, capabilities, arch, kernel));

    /// <summary>Reads and parses a profile file, with the file and the problem in every error.</summary>
    /// <exception cref="SeccompProfileException">InvalidManifest.</exception>
    public static SeccompProfile Load(string path)
    {
        if (!Path.IsPathFullyQualified(path))
            throw new SeccompProfileException(path,
                [$"security.seccomp must be \"{DefaultProfileName}\", \"{UnconfinedProfileName}\" or an absolute path to a JSON profile"]);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SeccompProfileException(path, ["file not found"], e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SeccompProfileException(path, ["permission denied reading the file"], e);
        }
        catch (IOException e)
        {
            throw new SeccompProfileException(path, [$"cannot read the file: {e.Message}"], e);
        }
        return SeccompProfile.Parse(json, path);
    }

    /// <summary>The architecture this process runs on.</summary>
    /// <exception cref="IslanderException">Unsupported: neither x86_64 nor aarch64.</exception>
    public static SeccompArch NativeArch => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => SeccompArch.X86_64,
        Architecture.Arm64 => SeccompArch.Aarch64,
        var other => throw new IslanderException(
            $"seccomp filters are built for x86_64 and aarch64 only, not {other}; set security.seccomp to \"{UnconfinedProfileName}\"",
            ErrorCategory.Unsupported),
    };
}
