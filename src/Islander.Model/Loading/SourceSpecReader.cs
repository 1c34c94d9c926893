using System.Text.RegularExpressions;

namespace Islander.Model;

/// <summary>Reads and validates the <c>spec</c> of a <c>kind: Source</c> manifest.</summary>
internal static partial class SourceSpecReader
{
    public static readonly string[] Fields = ["git", "prune"];
    public static readonly string[] GitFields = ["url", "ref", "path", "interval", "timeout", "sshKeyFile", "knownHostsFile", "credentialsFile"];
    public static readonly string[] RefFields = ["branch", "tag", "commit"];

    static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1), MaxTimeout = TimeSpan.FromHours(1);

    public static SourceSpec? Read(Fields top)
    {
        if (!top.Has("spec"))
        {
            top.Required("spec", "a source needs spec: {git: {url: https://git.example/ops.git, ref: main}}");
            return null;
        }
        if (top.Object("spec", Fields) is not { } spec) return null;
        if (!spec.Has("git"))
        {
            spec.Required("git", "name the repository: git: {url: https://git.example/ops.git, ref: main, path: hosts/web1}");
            return null;
        }
        var prune = spec.Bool("prune") ?? true;
        if (spec.Object("git", GitFields) is not { } git) return null;
        var url = Url(git);
        var gitRef = Ref(git);
        var path = RepositoryPath(git);
        var interval = Duration(git, "interval", GitSource.DefaultInterval, MinInterval, TimeSpan.FromDays(1));
        var timeout = Duration(git, "timeout", GitSource.DefaultTimeout, MinInterval, MaxTimeout);
        var sshKey = HostFile(git, "sshKeyFile");
        var knownHosts = HostFile(git, "knownHostsFile");
        var credentials = HostFile(git, "credentialsFile");
        if (url is not null)
        {
            bool http = url.StartsWith("https://", StringComparison.Ordinal) || url.StartsWith("http://", StringComparison.Ordinal);
            bool ssh = url.StartsWith("ssh://", StringComparison.Ordinal) || ScpForm().IsMatch(url);
            if (sshKey is not null && !ssh) git.Error("sshKeyFile", "is for ssh:// (or user@host:path) URLs; remove it, or use the repository's SSH URL");
            if (knownHosts is not null && !ssh) git.Error("knownHostsFile", "is for ssh:// (or user@host:path) URLs; remove it, or use the repository's SSH URL");
            if (credentials is not null && !http) git.Error("credentialsFile", "is for https:// URLs; remove it (ssh:// takes sshKeyFile)");
        }
        return new SourceSpec
        {
            Prune = prune,
            Git = new GitSource
            {
                Url = url ?? "", Ref = gitRef ?? new GitRef(), Path = path ?? "", Interval = interval, Timeout = timeout,
                SshKeyFile = sshKey, KnownHostsFile = knownHosts, CredentialsFile = credentials,
            },
        };
    }

    /// <summary>
    /// The transports git fetches over here: never another (<c>ext::</c> runs a command, CVE-2015-7545's lesson), never an
    /// argument in disguise (a URL starting with '-', CVE-2017-1000117), never a password in the manifest.
    /// </summary>
    static string? Url(Fields git)
    {
        if (!git.Has("url"))
        {
            git.Required("url", "name the repository, e.g. url: https://git.example/ops.git");
            return null;
        }
        if (git.String("url") is not { } url) return null;
        string why;
        if (url.Length == 0 || url.Any(char.IsControl) || url.Any(char.IsWhiteSpace))
            why = "is empty or has spaces or control characters";
        else if (url.StartsWith('-'))
            why = "starts with '-' (git would read it as an option)";
        else if (url.Contains("::", StringComparison.Ordinal) && !url.Contains("://", StringComparison.Ordinal))
            why = "names a remote helper (TRANSPORT::ADDRESS), which runs programs; use https://, ssh://, git:// or file://";
        else if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && url.Contains("://", StringComparison.Ordinal))
        {
            if (uri.Scheme is not ("https" or "http" or "ssh" or "git" or "file"))
                why = $"uses {uri.Scheme}://; use https://, http://, ssh://, git:// or file://";
            else if (uri.UserInfo.Contains(':'))
                why = "has a password in it; a manifest is no place for secrets: put username=... and password=... lines in a file only root can read and name it in credentialsFile";
            else
                return url;
        }
        else if (url.StartsWith('/') || ScpForm().IsMatch(url))
            return url;
        else
            why = "is not a repository URL";
        git.Error("url", $"\"{ManifestLimits.Excerpt(url, 80)}\" {why}; e.g. url: https://git.example/ops.git or git@git.example:ops.git");
        return null;
    }

    /// <summary><c>ref: main</c> (a branch), or <c>ref: {branch|tag|commit: ...}</c> with exactly one of them.</summary>
    static GitRef? Ref(Fields git)
    {
        if (git.Get("ref") is not { } node) return new GitRef();
        var path = git.PathOf("ref");
        if (node is ScalarNode)
            return git.String("ref") is { } branch && RefName(git.Reader, node, path, branch) ? new GitRef { Branch = branch } : null;
        if (git.Object("ref", RefFields) is not { } r) return null;
        var given = RefFields.Where(r.Has).ToList();
        if (given.Count != 1)
        {
            git.Error("ref", $"give one of branch, tag or commit (got {(given.Count == 0 ? "none" : string.Join(" and ", given))}), e.g. ref: {{tag: v1.2.0}}");
            return null;
        }
        var which = given[0];
        if (r.String(which) is not { } name) return null;
        if (which == "commit")
        {
            if (!CommitId().IsMatch(name))
            {
                r.Error("commit", $"\"{ManifestLimits.Excerpt(name, 80)}\" is not a full commit id; write all 40 hex digits (64 for SHA-256), as git rev-parse prints it");
                return null;
            }
            return new GitRef { Commit = name.ToLowerInvariant() };
        }
        if (!RefName(git.Reader, r.Get(which)!, r.PathOf(which), name)) return null;
        return which == "branch" ? new GitRef { Branch = name } : new GitRef { Tag = name };
    }

    /// <summary>git check-ref-format's rules, roughly: what git itself would refuse, refused here at its line.</summary>
    static bool RefName(NodeReader reader, Node node, string path, string name)
    {
        if (name.Length > 0 && !name.StartsWith('-') && !name.StartsWith('/') && !name.EndsWith('/') && !name.EndsWith('.') && !name.EndsWith(".lock", StringComparison.Ordinal)
            && !name.Contains("..", StringComparison.Ordinal) && !name.Contains("//", StringComparison.Ordinal) && !name.Contains("@{", StringComparison.Ordinal)
            && !name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            && !name.Split('/').Any(part => part.StartsWith('.')))
            return true;
        reader.Error(node, path, $"\"{ManifestLimits.Excerpt(name, 80)}\" is not a valid git ref name (see git check-ref-format); e.g. main or release/1.2");
        return false;
    }

    /// <summary>A directory of the repository: relative, no ".." (it must stay in the repository), cleaned of "." and slashes.</summary>
    static string? RepositoryPath(Fields git)
    {
        if (git.String("path") is not { } path) return git.Has("path") ? null : "";
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (path.StartsWith('/') || parts.Contains("..") || path.Contains('\0') || path.Any(char.IsControl))
        {
            git.Error("path", $"\"{ManifestLimits.Excerpt(path, 80)}\" is not a directory inside the repository; write it relative to the repository's root, without \"..\", e.g. hosts/web1");
            return null;
        }
        return string.Join('/', parts);
    }

    static TimeSpan Duration(Fields git, string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (git.Get(key) is not { } node) return fallback;
        if (node is ScalarNode s && Durations.TryParse(s.Value, out var value))
        {
            if (value >= min && value <= max) return value;
            git.Error(key, $"{s.Value} is out of range; use from {min.TotalSeconds}s to {Describe(max)}");
            return fallback;
        }
        git.Error(key, $"{node.Describe()} is not a duration; {Durations.Forms}");
        return fallback;
    }

    static string Describe(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours}h" : $"{t.TotalSeconds}s";

    /// <summary>A host file named by an absolute path (the manifest holds where the secret is, never the secret).</summary>
    static string? HostFile(Fields git, string key)
    {
        if (Paths.Absolute(git, key, $"/etc/islander/keys/{key.Replace("File", "", StringComparison.Ordinal).ToLowerInvariant()}") is not { } path) return null;
        if (path.Any(c => char.IsControl(c) || c is '\'' or '"' or '\\' or '`' or '$'))
        {
            git.Error(key, $"\"{ManifestLimits.Excerpt(path, 80)}\" has quotes, '$', '`', '\\' or control characters; name the file with a plain path");
            return null;
        }
        return path;
    }

    [GeneratedRegex(@"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:(?!//)[^\s]+$")]
    private static partial Regex ScpForm();

    [GeneratedRegex(@"^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")]
    private static partial Regex CommitId();
}
