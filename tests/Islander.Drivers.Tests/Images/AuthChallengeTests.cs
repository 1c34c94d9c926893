using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Drivers.Tests.Images;

public class AuthChallengeTests
{
    [Fact]
    public void Parse_DockerHubBearer_ReadsRealmServiceScope()
    {
        var c = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"")!;

        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.docker.io/token", c["realm"]);
        Assert.Equal("registry.docker.io", c["service"]);
        Assert.Equal("repository:library/busybox:pull", c["scope"]);
    }

    [Fact]
    public void Parse_Basic_CaseInsensitiveNames()
    {
        var c = AuthChallenge.Parse("basic Realm=\"Registry Realm\"")!;

        Assert.True(c.IsBasic);
        Assert.Equal("Registry Realm", c["realm"]);
    }

    [Fact]
    public void Parse_TokensUnquotedEscapesAndSpaces()
    {
        var c = AuthChallenge.Parse("Bearer  realm = https://h/token , service=svc, error=\"insufficient_scope\", note=\"a \\\"q\\\" b\"")!;

        Assert.Equal("https://h/token", c["realm"]);
        Assert.Equal("svc", c["service"]);
        Assert.Equal("insufficient_scope", c["error"]);
        Assert.Equal("a \"q\" b", c["note"]);
    }

    [Fact]
    public void ParseAll_TwoChallenges()
    {
        var all = AuthChallenge.ParseAll("Basic realm=\"r\", Bearer realm=\"https://t\",service=\"s\"");

        Assert.Equal(["Basic", "Bearer"], all.Select(c => c.Scheme));
        Assert.Equal("s", all[1]["service"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Empty_Null(string? header) => Assert.Null(AuthChallenge.Parse(header));
}

public class RegistryCredentialsTests
{
    [Fact]
    public void Parse_AuthField_DecodesUserAndPassword()
    {
        var creds = RegistryCredentials.Parse("""{"auths":{"localhost:5000":{"auth":"YWxpY2U6czNjcjN0OndpdGg6Y29sb25z"}}}""");

        var c = creds.For("localhost:5000")!;
        Assert.Equal("alice", c.Username);
        Assert.Equal("s3cr3t:with:colons", c.Password);
        Assert.Null(creds.For("localhost:5001"));
    }

    [Fact]
    public void Parse_DockerHubLegacyKey_MatchesDockerIo()
    {
        var creds = RegistryCredentials.Parse("""{"auths":{"https://index.docker.io/v1/":{"username":"bob","password":"pw"}},"credsStore":"desktop"}""");

        Assert.Equal("bob", creds.For("docker.io")!.Username);
    }

    [Fact]
    public void Parse_SchemeAndPathInKey_Ignored()
    {
        var creds = RegistryCredentials.Parse("""{"auths":{"http://Reg.Example:5000/v2/":{"auth":"dTpw"}}}""");

        Assert.Equal("u", creds.For("reg.example:5000")!.Username);
    }

    [Fact]
    public void Parse_NotBase64UserColonPassword_InvalidManifest()
    {
        var e = Assert.Throws<IslanderException>(() => RegistryCredentials.Parse("""{"auths":{"h":{"auth":"bm9jb2xvbg=="}}}"""));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Load_MissingFile_NoCredentials() =>
        Assert.Null(RegistryCredentials.Load("/nonexistent/config.json").For("docker.io"));
}
