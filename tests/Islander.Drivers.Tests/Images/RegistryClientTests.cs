using System.Net;
using System.Text;
using System.Text.Json;
using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Drivers.Tests.Images;

public sealed class RegistryClientTests : IDisposable
{
    readonly FakeRegistry fake = new();
    readonly TempDir temp = new();
    readonly TestImage image = TestImage.Build([new TestTar().File("hello", "world").Bytes()]);

    public RegistryClientTests() => fake.Push("team/app", "1", image);

    public void Dispose() => temp.Dispose();

    RegistryClient Client(string? credentialsJson = null, RegistryOptions? options = null) =>
        new(RegistryClient.CreateHttpClient(fake),
            credentialsJson is null ? RegistryCredentials.None : RegistryCredentials.Parse(credentialsJson),
            options ?? new RegistryOptions());

    static ImageReference Ref(string text = "registry.test/team/app:1") => ImageReference.Parse(text);

    const string AliceConfig = """{"auths":{"registry.test":{"auth":"YWxpY2U6cHc="}}}"""; // alice:pw

    [Fact]
    public async Task GetManifest_NoAuth_VerifiesAndTypes()
    {
        var repo = await Client().OpenAsync(Ref(), insecure: false, CancellationToken.None);

        var m = await repo.GetManifestAsync("1", CancellationToken.None);

        Assert.Equal(image.ManifestDigest, m.Digest);
        Assert.Equal(MediaTypes.OciManifest, m.MediaType);
        Assert.Equal("GET https://registry.test/v2/", fake.Log[0]);
    }

    [Fact]
    public async Task Open_BearerChallenge_FetchesTokenWithCredentialsAndScope()
    {
        fake.Auth = FakeRegistry.AuthMode.Bearer;
        fake.Account = ("alice", "pw");

        var repo = await Client(AliceConfig).OpenAsync(Ref(), false, CancellationToken.None);
        var m = await repo.GetManifestAsync("1", CancellationToken.None);

        Assert.Equal(image.ManifestDigest, m.Digest);
        Assert.Equal(["fake-registry repository:team/app:pull"], fake.TokenScopes);
    }

    [Fact]
    public async Task Open_BearerAnonymous_GetsToken()
    {
        fake.Auth = FakeRegistry.AuthMode.Bearer;

        var repo = await Client().OpenAsync(Ref(), false, CancellationToken.None);

        Assert.Equal(image.ManifestDigest, (await repo.GetManifestAsync("1", CancellationToken.None)).Digest);
    }

    [Fact]
    public async Task Open_BearerWrongPassword_CarriesRegistryMessage()
    {
        fake.Auth = FakeRegistry.AuthMode.Bearer;
        fake.Account = ("alice", "other");

        var e = await Assert.ThrowsAsync<RegistryException>(() => Client(AliceConfig).OpenAsync(Ref(), false, CancellationToken.None));

        Assert.Equal("incorrect username or password", e.RegistryMessage);
        Assert.Equal(HttpStatusCode.Unauthorized, e.Status);
    }

    [Fact]
    public async Task Open_Basic_SendsCredentials()
    {
        fake.Auth = FakeRegistry.AuthMode.Basic;
        fake.Account = ("alice", "pw");

        var repo = await Client(AliceConfig).OpenAsync(Ref(), false, CancellationToken.None);

        Assert.Equal(image.ManifestDigest, (await repo.GetManifestAsync("1", CancellationToken.None)).Digest);
    }

    [Fact]
    public async Task Open_BasicWithoutCredentials_UnauthorizedSaysSo()
    {
        fake.Auth = FakeRegistry.AuthMode.Basic;
        fake.Account = ("alice", "pw");

        var e = await Assert.ThrowsAsync<RegistryException>(() => Client().OpenAsync(Ref(), false, CancellationToken.None));

        Assert.Equal("UNAUTHORIZED", e.Code);
        Assert.Contains("no credentials", e.Message);
    }

    [Fact]
    public async Task GetManifest_UnknownTag_NotFoundWithRegistryMessage()
    {
        var repo = await Client().OpenAsync(Ref(), false, CancellationToken.None);

        var e = await Assert.ThrowsAsync<RegistryException>(() => repo.GetManifestAsync("nope", CancellationToken.None));

        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.Equal("MANIFEST_UNKNOWN", e.Code);
        Assert.Equal("manifest unknown", e.RegistryMessage);
    }

    [Fact]
    public async Task GetManifest_ByDigestWithOtherContent_DigestMismatch()
    {
        string wrong = "sha256:" + new string('0', 64);
        fake.AddManifest("team/app", wrong, image.Manifest, MediaTypes.OciManifest);
        var repo = await Client().OpenAsync(Ref(), false, CancellationToken.None);

        await Assert.ThrowsAsync<DigestMismatchException>(() => repo.GetManifestAsync(wrong, CancellationToken.None));
    }

    OciDescriptor LayerDescriptor => new() { Digest = Digest.Of(image.Layers[0]).ToString(), Size = image.Layers[0].Length, MediaType = MediaTypes.OciLayerGzip };

    [Fact]
    public async Task DownloadBlob_Corrupt_RejectedAndPartialDeleted()
    {
        fake.Corrupt.Add(LayerDescriptor.Digest);
        var repo = await Client().OpenAsync(Ref(), false, CancellationToken.None);
        string partial = temp["blob.partial"];

        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => repo.DownloadBlobAsync(LayerDescriptor, partial, null, CancellationToken.None));

        Assert.Equal(LayerDescriptor.Digest, e.Expected.ToString());
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task DownloadBlob_PartialFilePresent_ResumesWithRange()
    {
        var repo = await Client().OpenAsync(Ref(), false, CancellationToken.None);
        string partial = temp["blob.partial"];
        File.WriteAllBytes(partial, image.Layers[0][..10]);

        await repo.DownloadBlobAsync(LayerDescriptor, partial, null, CancellationToken.None);

        Assert.Equal(image.Layers[0], File.ReadAllBytes(partial));
        Assert.Contains(fake.Log, l => l.Contains("/blobs/") && l.EndsWith("bytes=10-"));
    }

    [Fact]
    public async Task DownloadBlob_RangeIgnored_Restarts()
    {
        fake.IgnoreRange = true;
        var repo = await Client().OpenAsync(Ref(), false, CancellationToken.None);
        string partial = temp["blob.partial"];
        File.WriteAllBytes(partial, image.Layers[0][..10]);

        await repo.DownloadBlobAsync(LayerDescriptor, partial, null, CancellationToken.None);

        Assert.Equal(image.Layers[0], File.ReadAllBytes(partial));
    }

    [Fact]
    public async Task DownloadBlob_ConnectionDrops_RetriesFromWhereItStopped()
    {
        fake.DropAfter[LayerDescriptor.Digest] = 7;
        var repo = await Client().OpenAsync(Ref(), false, CancellationToken.None);
        string partial = temp["blob.partial"];
        var seen = new List<long>();

        await repo.DownloadBlobAsync(LayerDescriptor, partial, new SyncProgress(seen.Add), CancellationToken.None);

        Assert.Equal(image.Layers[0], File.ReadAllBytes(partial));
        Assert.Contains(fake.Log, l => l.EndsWith("bytes=7-"));
        Assert.Equal(image.Layers[0].Length, seen[^1]);
    }

    [Theory]
    [InlineData("localhost:5000/a", false, "http")]
    [InlineData("127.0.0.1:5000/a", false, "http")]
    [InlineData("127.1.2.3/a", false, "http")]
    [InlineData("[::1]:5000/a", false, "http")]
    [InlineData("registry.test/a", false, "https")]
    [InlineData("registry.test/a", true, "http")]
    [InlineData("insecure.test:5000/a", false, "http")]
    public async Task Open_Scheme_FollowsDockerInsecureRules(string reference, bool insecure, string scheme)
    {
        fake.AddManifest("a", "latest", image.Manifest, MediaTypes.OciManifest);
        var client = Client(options: new RegistryOptions { InsecureRegistries = ["insecure.test:5000"] });

        var repo = await client.OpenAsync(Ref(reference), insecure, CancellationToken.None);

        Assert.Equal(scheme, repo.BaseUri.Scheme);
    }

    [Fact]
    public void Endpoints_DockerHubImageWithMirrors_MirrorsInOrderThenDockerHub()
    {
        var client = Client(options: new RegistryOptions
        {
            Mirrors = ["https://mirror.test", "http://plain.test:5000", "https://127.0.0.1:5001", "https://listed.test:5000/cache"],
            InsecureRegistries = ["listed.test:5000"],
        });

        var endpoints = client.Endpoints(Ref("busybox"), insecure: false);

        Assert.Equal(
            ["https://mirror.test/v2/", "http://plain.test:5000/v2/", "http://127.0.0.1:5001/v2/", "http://listed.test:5000/cache/v2/", "https://registry-1.docker.io/v2/"],
            endpoints.Select(e => e.BaseUri.ToString()));
        Assert.Equal(["mirror.test", "plain.test:5000", "127.0.0.1:5001", "listed.test:5000", "docker.io"], endpoints.Select(e => e.Host));
        Assert.Equal([true, true, true, true, false], endpoints.Select(e => e.IsMirror));
        Assert.Equal("http://listed.test:5000/cache", endpoints[3].Url);
        Assert.Equal("https://registry-1.docker.io", endpoints[^1].Url);
    }

    [Theory]
    [InlineData("registry.test/team/app:1", "https://registry.test/v2/")]
    [InlineData("localhost:5000/library/busybox", "http://localhost:5000/v2/")]
    [InlineData("quay.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "https://quay.io/v2/")]
    public void Endpoints_OtherRegistry_ItselfAloneWhateverTheMirrors(string reference, string baseUri)
    {
        var client = Client(options: new RegistryOptions { Mirrors = ["https://mirror.test"] });

        var endpoint = Assert.Single(client.Endpoints(Ref(reference), insecure: false));

        Assert.Equal((baseUri, false), (endpoint.BaseUri.ToString(), endpoint.IsMirror));
    }

    [Fact]
    public void Endpoints_NoMirrors_DockerHubAlone()
    {
        var endpoint = Assert.Single(Client().Endpoints(Ref("library/busybox:1"), insecure: false));

        Assert.Equal(("https://registry-1.docker.io/v2/", "docker.io"), (endpoint.BaseUri.ToString(), endpoint.Host));
    }

    sealed class SyncProgress(Action<long> action) : IProgress<long>
    {
        public void Report(long value) => action(value);
    }
}

public class RegistryExceptionTests
{
    [Fact]
    public void ParseErrorBody_DistributionErrors_FirstCodeAndMessage()
    {
        var parsed = RegistryException.ParseErrorBody("""{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":null}]}"""u8);

        Assert.Equal(("DENIED", "requested access to the resource is denied"), parsed);
    }

    [Fact]
    public void ParseErrorBody_Html_Null() => Assert.Null(RegistryException.ParseErrorBody("<html>bad gateway</html>"u8));

    [Theory]
    [InlineData(HttpStatusCode.NotFound, null, ErrorCategory.NotFound)]
    [InlineData(HttpStatusCode.BadGateway, null, ErrorCategory.Transient)]
    [InlineData(HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", ErrorCategory.Transient)]
    [InlineData(HttpStatusCode.Forbidden, "DENIED", ErrorCategory.Unknown)]
    public void Category_FromStatusAndCode(HttpStatusCode status, string? code, ErrorCategory category) =>
        Assert.Equal(category, new RegistryException("r", "op", status, code, "m").Category);

    [Fact]
    public void Message_CarriesRegistryWords() =>
        Assert.Equal("manifest app:1 from r.test: manifest unknown (MANIFEST_UNKNOWN, HTTP 404)",
            new RegistryException("r.test", "manifest app:1", HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", "manifest unknown").Message);
}

public sealed class ContentStoreTests : IDisposable
{
    readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Write_WrongDigest_RejectedNothingStored()
    {
        var store = new ContentStore(temp.Path);
        var claimed = Digest.Of("the real thing"u8);

        Assert.Throws<DigestMismatchException>(() => store.Write(claimed, "something else"u8));

        Assert.False(store.Exists(claimed));
        Assert.Empty(store.All());
    }

    [Fact]
    public void Import_WrongDigest_RejectedNothingStored()
    {
        var store = new ContentStore(temp.Path);
        File.WriteAllText(temp["f"], "tampered");
        var claimed = Digest.Of("original"u8);

        Assert.Throws<DigestMismatchException>(() => store.Import(claimed, temp["f"]));

        Assert.False(store.Exists(claimed));
    }

    [Fact]
    public void Write_RightDigest_Stored()
    {
        var store = new ContentStore(temp.Path);
        var d = Digest.Of("x"u8);

        store.Write(d, "x"u8);

        Assert.Equal("x"u8.ToArray(), store.Read(d));
    }
}
