using System.Text.Json;
using System.Text.Json.Serialization;
using Islander.Drivers.Users;

namespace Islander.Drivers.Runtime;

/// <summary>
/// What an exec into the isle shares with its init, recorded when the isle starts (STATE/isles/NAME/exec.json), as runc
/// keeps a container's config in its state directory for <c>runc exec</c>: so an exec gets the confinement of the isle
/// that runs, not of a spec edited since, and needs neither the spec nor the image.
/// </summary>
public sealed record IsleExecProfile
{
    public required NamespaceFlags Namespaces { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public required string WorkingDir { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    public IReadOnlyList<uint> AdditionalGids { get; init; } = [];

    /// <summary>The user's home from the isle's passwd, which HOME defaulted to.</summary>
    public string Home { get; init; } = "/";
    public required ulong Capabilities { get; init; }
    public required bool NoNewPrivileges { get; init; }
    public byte[]? SeccompFilter { get; init; }

    [JsonIgnore]
    public IsleUser User => new(Uid, Gid, AdditionalGids, Home);

    public static IsleExecProfile From(InitConfig init, string home) => new()
    {
        Namespaces = init.Namespaces,
        Env = init.Env,
        WorkingDir = init.WorkingDir,
        Uid = init.Uid,
        Gid = init.Gid,
        AdditionalGids = init.AdditionalGids,
        Home = home,
        Capabilities = init.Capabilities,
        NoNewPrivileges = init.NoNewPrivileges,
        SeccompFilter = init.SeccompFilter,
    };

    /// <summary>
    /// The exec's own config: the isle's environment with <paramref name="request"/>'s on top (HOME follows a
    /// <c>--user</c> unless the isle set it to something else), its working directory unless the request names one.
    /// </summary>
    public ExecConfig ToExecConfig(int initPid, ExecRequest request, IsleUser? user)
    {
        var env = new List<string>(Env);
        if (user is not null && user.Home != Home)
            Set(env, $"HOME={user.Home}", onlyIf: $"HOME={Home}");
        // Docker's exec -t: a terminal without TERM would leave the isle's programs guessing (busybox vi, less).
        if (request.Tty && !env.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)))
            env.Add("TERM=xterm");
        foreach (var e in request.Env)
            Set(env, e);
        return new ExecConfig
        {
            Pid = initPid,
            Argv = request.Command,
            Env = env,
            WorkingDir = request.WorkingDir ?? WorkingDir,
            Namespaces = Namespaces,
            User = user ?? User,
            Capabilities = Capabilities,
            NoNewPrivileges = NoNewPrivileges,
            // An unconfined isle's (privileged, seccomp: unconfined) profile holds an empty filter: no filter, not a broken one.
            SeccompFilter = SeccompFilter is { Length: > 0 } filter ? filter : null,
            Stdin = request.Stdin,
            Tty = request.Tty,
            Size = request.Size,
        };
    }

    static void Set(List<string> env, string entry, string? onlyIf = null)
    {
        int eq = entry.IndexOf('=');
        string prefix = eq > 0 ? entry[..(eq + 1)] : entry + "=";
        int i = env.FindIndex(e => e.StartsWith(prefix, StringComparison.Ordinal));
        if (onlyIf is not null && (i < 0 || env[i] != onlyIf))
            return;
        if (i >= 0) env[i] = entry;
        else env.Add(entry);
    }

    /// <summary>0600: the isle's environment is in it (<see cref="SecretFile"/>).</summary>
    public void Write(string path) => SecretFile.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(this, RuntimeJsonContext.Default.IsleExecProfile));

    /// <summary>The recorded profile; null when there is none (an isle started before islander had exec).</summary>
    public static IsleExecProfile? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), RuntimeJsonContext.Default.IsleExecProfile);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(IsleExecProfile))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
