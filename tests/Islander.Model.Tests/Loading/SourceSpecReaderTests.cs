namespace Islander.Model.Tests.Loading;

/// <summary><c>kind: Source</c>: what is read, and what is refused at its line (secrets, transports that run programs, paths out of the repository).</summary>
public class SourceSpecReaderTests
{
    static ManifestLoadResult<Manifest> Load(string git, string extra = "") => ManifestLoader.Load($"""
        apiVersion: islander.io/v1
        kind: Source
        metadata: {"{name: apps}"}
        spec:
          git: {git}
        {extra}
        """, "apps.yaml", Islander.Drivers.DriverCatalogs.Known);

    static SourceSpec Spec(string git, string extra = "")
    {
        var result = Load(git, extra);
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<SourceManifest>(Assert.Single(result.Objects)).Spec;
    }

    static Diagnostic Problem(string git) => Assert.Single(Load(git).Diagnostics);

    [Fact]
    public void Read_DesignExample_EveryField()
    {
        var spec = Spec("{url: \"https://git.example/ops.git\", ref: main, path: ./hosts//web1/, interval: 30s, timeout: 2m, credentialsFile: /etc/islander/keys/ops}", "  prune: false");

        Assert.Equal("https://git.example/ops.git", spec.Git.Url);
        Assert.Equal("main", spec.Git.Ref.Branch);
        Assert.Equal("hosts/web1", spec.Git.Path);
        Assert.Equal(TimeSpan.FromSeconds(30), spec.Git.Interval);
        Assert.Equal(TimeSpan.FromMinutes(2), spec.Git.Timeout);
        Assert.Equal("/etc/islander/keys/ops", spec.Git.CredentialsFile);
        Assert.False(spec.Prune);
    }

    [Fact]
    public void Read_Defaults_RemoteHeadWholeRepositoryOneMinutePrune()
    {
        var spec = Spec("{url: \"git@git.example:ops.git\", sshKeyFile: /etc/islander/keys/ops}");

        Assert.Equal("HEAD", spec.Git.Ref.ToString());
        Assert.Equal("", spec.Git.Path);
        Assert.Equal(TimeSpan.FromMinutes(1), spec.Git.Interval);
        Assert.True(spec.Prune);
    }

    [Fact]
    public void Read_TagAndCommit()
    {
        Assert.Equal("v1.2.0", Spec("{url: \"file:///srv/ops.git\", ref: {tag: v1.2.0}}").Git.Ref.Tag);
        var commit = new string('a', 40);
        Assert.Equal(commit, Spec($"{{url: \"file:///srv/ops.git\", ref: {{commit: {commit.ToUpperInvariant()}}}}}").Git.Ref.Commit);
    }

    [Theory]
    [InlineData("{url: \"https://me:hunter2@git.example/ops.git\"}", "spec.git.url", "has a password in it")]
    [InlineData("{url: \"ext::sh -c touch% /tmp/pwned\"}", "spec.git.url", "is empty or has spaces")]
    [InlineData("{url: \"ext::sh\"}", "spec.git.url", "names a remote helper")]
    [InlineData("{url: \"-uhttps://x\"}", "spec.git.url", "starts with '-'")]
    [InlineData("{url: \"ftp://git.example/ops.git\"}", "spec.git.url", "uses ftp://")]
    [InlineData("{url: \"https://git.example/ops.git\", path: ../../etc}", "spec.git.path", "is not a directory inside the repository")]
    [InlineData("{url: \"https://git.example/ops.git\", ref: \"main..x\"}", "spec.git.ref", "is not a valid git ref name")]
    [InlineData("{url: \"https://git.example/ops.git\", ref: {branch: main, tag: v1}}", "spec.git.ref", "give one of branch, tag or commit")]
    [InlineData("{url: \"https://git.example/ops.git\", ref: {commit: abc123}}", "spec.git.ref.commit", "is not a full commit id")]
    [InlineData("{url: \"https://git.example/ops.git\", interval: 100ms}", "spec.git.interval", "is out of range")]
    [InlineData("{url: \"https://git.example/ops.git\", sshKeyFile: /etc/islander/keys/ops}", "spec.git.sshKeyFile", "is for ssh://")]
    [InlineData("{url: \"ssh://git@git.example/ops.git\", credentialsFile: keys/ops}", "spec.git.credentialsFile", "is not an absolute path")]
    [InlineData("{url: \"https://git.example/ops.git\", token: abc}", "spec.git.token", "unknown field")]
    public void Read_Refused_AtItsField(string git, string field, string why)
    {
        var problem = Problem(git);

        Assert.Equal(field, problem.Field);
        Assert.Contains(why, problem.Message);
        Assert.Equal(5, problem.Line);
    }

    [Fact]
    public void Read_NoGit_Required() =>
        Assert.Contains("is required", Assert.Single(ManifestLoader.Load("apiVersion: islander.io/v1\nkind: Source\nmetadata: {name: apps}\nspec: {prune: true}\n", "a.yaml",
            Islander.Drivers.DriverCatalogs.Known).Diagnostics).Message);
}
