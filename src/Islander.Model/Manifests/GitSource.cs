namespace Islander.Model;

/// <summary>
/// <c>spec.git</c> of a Source. Credentials are never in the manifest (it is often in the repository itself): an SSH
/// key or a credentials file is named by its path on the host, readable only by root.
/// </summary>
public sealed record GitSource
{
    /// <summary>https://, http://, ssh://, git://, file://, <c>user@host:path</c> (scp's form) or an absolute path.</summary>
    public string Url { get; init; } = "";

    /// <summary>What to follow; none is the remote's default branch (its HEAD).</summary>
    public GitRef Ref { get; init; } = new();

    /// <summary>The directory of the repository whose manifests are applied, relative and clean; empty for the whole repository.</summary>
    public string Path { get; init; } = "";

    /// <summary>How often the repository is fetched (a webhook fetches at once in between).</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>How long one fetch may take before it is stopped and counted as failed.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>A private key for ssh:// and scp-form URLs.</summary>
    public string? SshKeyFile { get; init; }

    /// <summary>known_hosts for the SSH host (else the system's and root's).</summary>
    public string? KnownHostsFile { get; init; }

    /// <summary>For http(s): a file of <c>username=NAME</c> and <c>password=TOKEN</c> lines (git's credential format).</summary>
    public string? CredentialsFile { get; init; }

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
}
