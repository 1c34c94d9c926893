using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Islander.Model;

namespace Islander.Controller.Sources;

/// <summary>
/// The sources' repositories under <c>STATE/sources/NAME/</c> (0700): <c>repo.git</c>, a bare repository fetched into
/// with the git program, and <c>trees/</c>, one directory per revision checked out (the files under
/// <c>spec.git.path</c> of one commit, written to a new directory and renamed into place, so a tree is complete or
/// absent). Objects from a remote are checked as they arrive (<c>transfer.fsckObjects</c>: no <c>..</c> or <c>.git</c>
/// entries), and every name is checked again as it is written.
/// </summary>
public sealed class GitRepositories(string root)
{
    /// <summary>What one revision's tree may hold: a manifests directory, not a data store.</summary>
    public const long MaxTreeBytes = 256L << 20;
    public const int MaxTreeEntries = 100_000;

    const string FetchedRef = "refs/islander/fetched";

    public string Root => root;

    public string DirectoryOf(string source) => Path.Combine(root, source);

    string RepositoryOf(string source) => Path.Combine(DirectoryOf(source), "repo.git");

    string TreesOf(string source) => Path.Combine(DirectoryOf(source), "trees");

    /// <summary>Fetches the ref of <paramref name="git"/> and returns the commit it names now.</summary>
    /// <exception cref="SourceException">git could not fetch it (reason <see cref="SourceReasons.FetchFailed"/>).</exception>
    public async Task<SourceRevision> FetchAsync(string source, GitSource git, CancellationToken ct)
    {
        var repository = RepositoryOf(source);
        await EnsureRepositoryAsync(source, git.Timeout, ct).ConfigureAwait(false);
        var (options, environment) = Access(git);
        var refName = git.Ref.ToString();
        if (git.Ref.Commit is { } commit)
        {
            // Servers answer a want of any reachable commit (protocol v2, uploadpack.allowReachableSHA1InWant);
            // others need every branch and tag fetched to find it.
            var direct = await Git([.. options, "-C", repository, "fetch", "--no-tags", "--no-write-fetch-head", "--", git.Url, commit], git, environment, ct).ConfigureAwait(false);
            if (direct.ExitCode != 0)
            {
                var all = await Git([.. options, "-C", repository, "fetch", "--no-tags", "--no-write-fetch-head", "--force", "--", git.Url,
                    "+refs/heads/*:refs/islander/heads/*", "+refs/tags/*:refs/islander/tags/*"], git, environment, ct).ConfigureAwait(false);
                if (all.ExitCode != 0) throw Failed(git, all.Why);
            }
            var exists = await Git(["-C", repository, "cat-file", "-e", commit + "^{commit}"], git, null, ct).ConfigureAwait(false);
            if (exists.ExitCode != 0) throw new SourceException(SourceReasons.FetchFailed, $"commit {commit} is not in {git.Url}");
            var update = await Git(["-C", repository, "update-ref", FetchedRef, commit], git, null, ct).ConfigureAwait(false);
            if (update.ExitCode != 0) throw Failed(git, update.Why);
        }
        else
        {
            var remote = git.Ref.Branch is { } branch ? "refs/heads/" + branch : git.Ref.Tag is { } tag ? "refs/tags/" + tag : "HEAD";
            var fetch = await Git([.. options, "-C", repository, "fetch", "--no-tags", "--no-write-fetch-head", "--force", "--", git.Url, $"+{remote}:{FetchedRef}"],
                git, environment, ct).ConfigureAwait(false);
            if (fetch.ExitCode != 0) throw Failed(git, fetch.Why);
        }
        var head = await Git(["-C", repository, "rev-parse", "--verify", "--end-of-options", FetchedRef + "^{commit}"], git, null, ct).ConfigureAwait(false);
        if (head.ExitCode != 0) throw Failed(git, head.Why);
        return new SourceRevision(refName, head.Output.Trim());
    }

    /// <summary>
    /// The directory holding <paramref name="path"/> of <paramref name="revision"/> (checked out once, then reused).
    /// </summary>
    /// <exception cref="SourceException">The path is not a directory of the revision, or its tree is too large.</exception>
    public async Task<string> CheckoutAsync(string source, GitSource git, SourceRevision revision, CancellationToken ct)
    {
        var repository = RepositoryOf(source);
        var treeish = git.Path.Length == 0 ? revision.Commit : $"{revision.Commit}:{git.Path}";
        var type = await Git(["-C", repository, "cat-file", "-t", "--end-of-options", treeish], git, null, ct).ConfigureAwait(false);
        if (type.ExitCode != 0 || type.Output.Trim() != "tree")
            throw new SourceException(SourceReasons.PathNotFound, type.ExitCode != 0
                ? $"path \"{git.Path}\" does not exist in {revision.Short}; nothing is applied or pruned until it does (fix spec.git.path or the repository)"
                : $"path \"{git.Path}\" is a file in {revision.Short}, not a directory; point spec.git.path at the manifests' directory");

        var trees = TreesOf(source);
        var final = Path.Combine(trees, TreeName(revision, git.Path));
        if (Directory.Exists(final)) return final;
        Directory.CreateDirectory(trees);
        var temporary = Path.Combine(trees, ".new-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(temporary);
        try
        {
            var archive = await GitCommand.RunAsync(["-C", repository, "archive", "--format=tar", "--end-of-options", treeish], git.Timeout, ct,
                readOutput: stream => ExtractAsync(stream, temporary, ct)).ConfigureAwait(false);
            if (archive.ExitCode != 0) throw Failed(git, archive.Why);
            Directory.Move(temporary, final);
            return final;
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>Removes every tree of <paramref name="source"/> but <paramref name="keep"/> (the applied revision's, which isles may mount files of).</summary>
    public void PruneTrees(string source, IReadOnlyCollection<string> keep)
    {
        var trees = TreesOf(source);
        if (!Directory.Exists(trees)) return;
        foreach (var dir in Directory.GetDirectories(trees))
            if (!keep.Contains(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Removes everything of a source that is gone.</summary>
    public void Remove(string source)
    {
        var dir = DirectoryOf(source);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    static string TreeName(SourceRevision revision, string path) =>
        $"{revision.Commit}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..8]}";

    async Task EnsureRepositoryAsync(string source, TimeSpan timeout, CancellationToken ct)
    {
        if (!Directory.Exists(root))
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var repository = RepositoryOf(source);
        if (File.Exists(Path.Combine(repository, "HEAD"))) return;
        Directory.CreateDirectory(DirectoryOf(source));
        var init = await GitCommand.RunAsync(["init", "--bare", "--quiet", "--", repository], timeout, ct).ConfigureAwait(false);
        if (init.ExitCode != 0) throw new IOException($"git init {repository}: {init.Why}");
    }

    static Task<GitCommand.Result> Git(IEnumerable<string> arguments, GitSource git, IReadOnlyDictionary<string, string>? environment, CancellationToken ct) =>
        RunBounded(arguments, git, environment, ct);

    static async Task<GitCommand.Result> RunBounded(IEnumerable<string> arguments, GitSource git, IReadOnlyDictionary<string, string>? environment, CancellationToken ct)
    {
        try
        {
            return await GitCommand.RunAsync(arguments, git.Timeout, ct, environment).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new SourceException(SourceReasons.FetchFailed, $"{git.Url}: {e.Message}");
        }
    }

    static SourceException Failed(GitSource git, string why) => new(SourceReasons.FetchFailed, $"cannot fetch {git.Ref} of {git.Url}: {why}");

    /// <summary>
    /// git's options and environment for the source's credentials: a credentials file as a credential helper that
    /// prints it (git's own <c>username=</c>/<c>password=</c> format), an SSH key and known_hosts through
    /// <c>GIT_SSH_COMMAND</c>. The paths were checked by the Model (absolute, no quotes); the files are checked here.
    /// </summary>
    static (string[] Options, IReadOnlyDictionary<string, string>? Environment) Access(GitSource git)
    {
        var options = new List<string> { "-c", "transfer.fsckObjects=true", "-c", "protocol.file.allow=always" };
        Dictionary<string, string> environment;
        if (git.CredentialsFile is { } credentials)
        {
            Readable(credentials, "credentialsFile");
            options.AddRange(["-c", "credential.helper=", "-c", $"credential.helper=!f() {{ test \"$1\" = get && cat '{credentials}'; }}; f"]);
        }
        // Whatever the host's or root's ssh_config say (StrictHostKeyChecking accept-new or no) and whether islanderd
        // has a terminal: no prompt, and a host key that no known_hosts lists is refused, never trusted on first use.
        // Options on the command line win over ssh_config; git uses this only for ssh:// and user@host:path URLs.
        var ssh = new StringBuilder("ssh -o BatchMode=yes -o StrictHostKeyChecking=yes");
        if (git.SshKeyFile is { } key)
        {
            Readable(key, "sshKeyFile");
            ssh.Append($" -o IdentitiesOnly=yes -i '{key}'");
        }
        if (git.KnownHostsFile is { } known)
        {
            Readable(known, "knownHostsFile");
            ssh.Append($" -o UserKnownHostsFile='{known}'");
        }
        environment = new() { ["GIT_SSH_COMMAND"] = ssh.ToString() };
        return ([.. options], environment);
    }

    /// <summary><c>a/b/c</c> → <c>a</c>, <c>a/b</c>.</summary>
    static IEnumerable<string> Parents(string name)
    {
        for (var i = name.IndexOf('/', StringComparison.Ordinal); i > 0; i = name.IndexOf('/', i + 1))
            yield return name[..i];
    }

    static void Readable(string path, string field)
    {
        if (!File.Exists(path))
            throw new SourceException(SourceReasons.FetchFailed, $"spec.git.{field} {path} does not exist; create it (readable by root only) or fix the path");
    }

    /// <summary>
    /// Writes the tar stream of <c>git archive</c> into <paramref name="into"/>: directories, regular files (their
    /// executable bit kept) and symbolic links (as links: whoever reads the tree resolves them beneath it). Any other
    /// entry, a name that would leave the directory, a name below a link the tree made (<c>a -> /etc</c>, then
    /// <c>a/cron.d/x</c>: a tar writer that followed it would write the host's files, CVE-2018-20699's shape), or a tree
    /// over the limits refuses the whole tree. git's own checks (<c>transfer.fsckObjects</c>: no duplicate entries) keep
    /// such a tree out of a repository too; this does not rely on them.
    /// </summary>
    internal static async Task ExtractAsync(Stream stream, string into, CancellationToken ct)
    {
        long bytes = 0;
        int entries = 0;
        var links = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = new TarReader(stream);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes) continue;
            if (++entries > MaxTreeEntries)
                throw new SourceException(SourceReasons.TreeTooLarge, $"the tree has more than {MaxTreeEntries} entries; point spec.git.path at the manifests' directory");
            var name = entry.Name.TrimEnd('/');
            if (name.Length == 0 || name.StartsWith('/') || name.Split('/').Any(p => p is ".." or "." or "" or ".git"))
                throw new SourceException(SourceReasons.FetchFailed, $"the tree has an entry named \"{name}\", which would leave its directory; it is not checked out");
            if (Parents(name).FirstOrDefault(links.Contains) is { } link)
                throw new SourceException(SourceReasons.FetchFailed, $"the tree has an entry named \"{name}\" below the symbolic link \"{link}\"; it is not checked out");
            var target = Path.Combine(into, name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    bytes += entry.Length;
                    if (bytes > MaxTreeBytes)
                        throw new SourceException(SourceReasons.TreeTooLarge, $"the tree is larger than {MaxTreeBytes >> 20}MiB; keep large files out of the manifests' directory (spec.git.path)");
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
                        | (entry.Mode.HasFlag(UnixFileMode.UserExecute) ? UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : 0);
                    await using (var file = new FileStream(target, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
                        if (entry.DataStream is { } data) await data.CopyToAsync(file, ct).ConfigureAwait(false);
                    break;
                case TarEntryType.SymbolicLink:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.CreateSymbolicLink(target, entry.LinkName);
                    links.Add(name);
                    break;
                default:
                    throw new SourceException(SourceReasons.FetchFailed, $"the tree has \"{name}\" of type {entry.EntryType}, which a repository does not hold; it is not checked out");
            }
        }
    }
}
