using Islander.Controller.Lifecycle;
using Islander.Drivers.Users;
using Islander.Model;

namespace Islander.Controller.Hosting;

/// <summary>
/// islanderd's config file: read, checked and applied to <see cref="DaemonOptions"/> before anything is touched, so a
/// bad file stops the daemon with nothing changed (flags, applied after it, override it).
/// </summary>
public static class DaemonConfigFile
{
    public const string DefaultPath = "/etc/islander/config.yaml";

    /// <summary>
    /// The options <paramref name="path"/> sets over the defaults. A missing file is every default when it is the
    /// default path, and an error when it was asked for (<c>--config</c>). Throws <see cref="DaemonConfigException"/>
    /// with every problem of a bad file, or for a file that cannot be read.
    /// </summary>
    public static DaemonOptions Load(string path, bool required)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && !required)
        {
            return new DaemonOptions();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaemonConfigException(e is FileNotFoundException or DirectoryNotFoundException
                ? $"{path}: no such config file (--config names a file that must exist)"
                : $"{path}: cannot read the config file: {e.Message}", e);
        }
        var result = DaemonConfigLoader.Load(text, path);
        if (result.Config is not { } config) throw new DaemonConfigException(result.Problems);
        return Apply(config, new DaemonOptions());
    }

    /// <summary>Sets on <paramref name="options"/> what <paramref name="config"/> sets.</summary>
    public static DaemonOptions Apply(DaemonConfig config, DaemonOptions options)
    {
        options.Manifests = config.Manifests ?? options.Manifests;
        options.State = config.State ?? options.State;
        options.Run = config.Run ?? options.Run;
        options.Socket = config.Socket ?? options.Socket;
        options.SocketGroup = config.SocketGroup ?? options.SocketGroup;
        options.Volumes = config.Volumes ?? options.Volumes;
        options.Workers = config.Workers ?? options.Workers;
        options.Resync = config.Resync ?? options.Resync;
        if (config.RestartBackoff is { } backoff) options.RestartBackoff = new RestartBackoff { Base = backoff };
        options.LogLevel = config.LogLevel ?? options.LogLevel;
        options.LogMaxSize = config.LogMaxSize ?? options.LogMaxSize;
        options.LogMaxFiles = config.LogMaxFiles ?? options.LogMaxFiles;
        options.DefaultSubnetPool = config.DefaultSubnetPool ?? options.DefaultSubnetPool;
        options.RegistryMirrors = config.RegistryMirrors ?? options.RegistryMirrors;
        options.InsecureRegistries = config.InsecureRegistries ?? options.InsecureRegistries;
        options.MetricsAddress = config.MetricsAddress ?? options.MetricsAddress;
        options.CgroupParent = config.CgroupParent ?? options.CgroupParent;
        return options;
    }

    /// <summary>
    /// Looks up <see cref="DaemonOptions.SocketGroup"/> in <paramref name="groupFile"/> and sets
    /// <see cref="DaemonOptions.SocketGid"/>; a group that does not exist is a <see cref="DaemonConfigException"/>:
    /// falling back to root would silently lock the group's users out.
    /// </summary>
    public static void ResolveSocketGroup(DaemonOptions options, string groupFile = "/etc/group")
    {
        if (options.SocketGroup is not { } name)
        {
            options.SocketGid = 0;
            return;
        }
        var groups = File.Exists(groupFile) ? PasswdFile.ParseGroups(File.ReadAllText(groupFile)) : [];
        options.SocketGid = groups.FirstOrDefault(g => g.Name == name) is { } group
            ? (int)group.Gid
            : throw new DaemonConfigException($"socketGroup: group \"{name}\" does not exist in {groupFile}; create it (groupadd --system {name}) or name another group");
    }
}
