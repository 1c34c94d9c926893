using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Islander.Drivers.Images;
using Islander.Model;
using Islander.Testing;

namespace Islander.Drivers.Tests.Images;

/// <summary>
/// Image archives (<c>islanderctl load</c>: docker save and OCI layouts) whose JSON documents (manifest.json, index.json,
/// the manifest, the config) have one field replaced by a random JSON value or removed, or are replaced whole, or are
/// not files at all (a directory, a fifo, a symlink to /dev/zero or out of the archive): the import succeeds or throws
/// <see cref="IslanderException"/>, in bounded time. The digests are recomputed after the change, so each document
/// reaches the parser that reads it.
/// </summary>
public sealed class ImageArchiveFuzzTests : IDisposable
{
    readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    static readonly byte[] Layer = new TestTar().Dir("bin").File("bin/sh", "shell", (UnixFileMode)0b111_101_101).Bytes();

    /// <summary>Which document is broken, how, and with what.</summary>
    public sealed record Case(bool Oci, int Document, int How, int Choice, JsonNode? Value, int Hostile)
    {
        public override string ToString() => $"{(Oci ? "oci" : "docker-save")} document {Document} how {How} choice {Choice} hostile {Hostile} value {Value?.ToJsonString() ?? "null"}";
    }

    static readonly Gen<Case> CaseGen = Gen.Select(Gen.Bool, Gen.Int[0, 2], Gen.Int[0, 9], Gen.Int, FuzzValues.JsonValue(), Gen.Frequency((12, Gen.Int[0, 0]), (1, Gen.Int[1, 5])),
        (oci, document, how, choice, value, hostile) => new Case(oci, document, how, choice, value, hostile));

    /// <summary><paramref name="json"/> with one value replaced (most often), removed, or the whole document replaced.</summary>
    internal static string Break(string json, Case c)
    {
        var root = JsonNode.Parse(json)!;
        if (c.How == 0) return c.Value?.ToJsonString() ?? "null";
        var slots = new List<(JsonNode Parent, object Key)>();
        void Collect(JsonNode? node)
        {
            if (node is JsonObject o)
                foreach (var (k, v) in o.ToList()) { slots.Add((o, k)); Collect(v); }
            else if (node is JsonArray a)
                for (int i = 0; i < a.Count; i++) { slots.Add((a, i)); Collect(a[i]); }
        }
        Collect(root);
        var (parent, key) = slots[(int)((uint)c.Choice % slots.Count)];
        var value = c.Value?.DeepClone();
        if (parent is JsonObject obj) { if (c.How == 1) obj.Remove((string)key); else obj[(string)key] = value; }
        else if (parent is JsonArray arr) { if (c.How == 1) arr.RemoveAt((int)key); else arr[(int)key] = value; }
        return root.ToJsonString();
    }

    static string Sha(byte[] b) => Digest.Of(b).ToString();

    /// <summary>The archive's files, in order: name → content; the broken document may instead be a hostile entry.</summary>
    internal static byte[] Build(Case c, string outside)
    {
        var files = new List<(string Name, byte[] Bytes)>();
        var layerDigest = Sha(Layer);
        var config = Encoding.UTF8.GetBytes(Maybe(c, 2, "{\"architecture\":\"" + (PlatformSelector.Current.Architecture) + "\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + (layerDigest) + "\"]}}"));
        string broken;
        if (!c.Oci)
        {
            files.Add(("config.json", config));
            files.Add(("layer.tar", Layer));
            broken = c.Document == 2 ? "config.json" : "manifest.json";
            files.Add(("manifest.json", Encoding.UTF8.GetBytes(Maybe(c, 0, """[{"Config":"config.json","RepoTags":["local/fuzz:1"],"Layers":["layer.tar"]}]"""))));
        }
        else
        {
            var manifest = Encoding.UTF8.GetBytes(Maybe(c, 1, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OciConfig + "\",\"digest\":\"" + Sha(config) + "\",\"size\":" + config.Length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OciLayer + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + Layer.Length + "}]}"));
            var index = Encoding.UTF8.GetBytes(Maybe(c, 0, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + (MediaTypes.OciManifest) + "\",\"digest\":\"" + (Sha(manifest)) + "\",\"size\":" + (manifest.Length) + ",\"annotations\":{\"io.containerd.image.name\":\"local/fuzz:1\"}}]}"));
            files.Add(("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray()));
            files.Add(($"blobs/sha256/{Digest.Of(config).Hex}", config));
            files.Add(($"blobs/sha256/{Digest.Of(Layer).Hex}", Layer));
            files.Add(($"blobs/sha256/{Digest.Of(manifest).Hex}", manifest));
            files.Add(("index.json", index));
            broken = c.Document switch { 0 => "index.json", 1 => $"blobs/sha256/{Digest.Of(manifest).Hex}", _ => $"blobs/sha256/{Digest.Of(config).Hex}" };
        }

        var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "blobs/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "blobs/sha256/"));
            foreach (var (name, bytes) in files)
            {
                if (name == broken && c.Hostile > 0)
                {
                    writer.WriteEntry(c.Hostile switch
                    {
                        1 => new PaxTarEntry(TarEntryType.Directory, name),
                        2 => new PaxTarEntry(TarEntryType.Fifo, name),
                        3 => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = "/dev/zero" },
                        4 => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = outside + "/secret.json" },
                        _ => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = "../../../../../../../../" + outside.TrimStart('/') + "/secret.json" },
                    });
                    continue;
                }
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }
        }
        return buffer.ToArray();
    }

    static string Maybe(Case c, int document, string json) => c.Document == document && c.Hostile == 0 ? Break(json, c) : json;

    [Fact]
    public async Task Import_ArchivesWithBrokenDocuments_SucceedsOrRefuses()
    {
        var outside = temp["outside"];
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.json"), """[{"Config":"/etc/hostname","Layers":[]}]""");
        var store = new OciImageStore(temp["store"], new RegistryClient(RegistryClient.CreateHttpClient(new FakeRegistry()), RegistryCredentials.None, new RegistryOptions()));
        int n = 0;
        var run = await Fuzz.RunAsync("image-archive", CaseGen, async c =>
        {
            var file = temp[$"a{Interlocked.Increment(ref n)}.tar"];
            await File.WriteAllBytesAsync(file, Build(c, outside));
            try
            {
                await store.ImportAsync(file, null, null, CancellationToken.None);
            }
            catch (IslanderException)
            {
                // refused: the documented outcome
            }
            finally
            {
                File.Delete(file);
            }
        }, 500, c => c.ToString());
        Assert.True(run >= 50, $"only {run} inputs");
    }
}
