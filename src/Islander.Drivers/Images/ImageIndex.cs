using System.Text.Json;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// Which images exist and which names point at them, persisted as ROOT/index.json (written to a
/// temporary file and renamed, so a crash leaves the old or the new index, never half of one).
/// Pure lookups on the loaded document; callers serialize mutations.
/// </summary>
public sealed class ImageIndex
{
    readonly string path;
    ImageIndexDocument document;

    public ImageIndex(string root)
    {
        path = Path.Combine(root, "index.json");
        document = File.Exists(path) ? Load(path) : new ImageIndexDocument();
    }

    static ImageIndexDocument Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), OciJsonContext.Default.ImageIndexDocument) ?? new ImageIndexDocument();
        }
        catch (JsonException e)
        {
            throw new IslanderException($"image index {path} is corrupt: {e.Message}", ErrorCategory.Unknown, e);
        }
    }

    public IReadOnlyList<ImageRecord> Images => document.Images;

    /// <summary>Adds or replaces the image with <paramref name="record"/>'s id, moving its names and repo digests away from any other image.</summary>
    public void Put(ImageRecord record)
    {
        var images = document.Images.Where(i => i.Id != record.Id).Select(i => i with
        {
            Names = i.Names.Except(record.Names).ToList(),
            RepoDigests = i.RepoDigests.Except(record.RepoDigests).ToList(),
        }).ToList();
        images.Add(record);
        Save(document with { Images = images });
    }

    public void Delete(string id) => Save(document with { Images = document.Images.Where(i => i.Id != id).ToList() });

    void Save(ImageIndexDocument next)
    {
        string tmp = path + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, next, OciJsonContext.Default.ImageIndexDocument);
            file.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        document = next;
    }

    /// <summary>
    /// Finds what <paramref name="text"/> names, as Docker does: a full id; a tag or repo@digest;
    /// then a unique id prefix (at least 4 hex digits). <c>ByName</c> is the tag it matched, if any.
    /// </summary>
    public (ImageRecord Image, string? ByName)? Find(string text)
    {
        if (Digest.TryParse(text, out var id))
        {
            var exact = document.Images.FirstOrDefault(i => i.Id == id.ToString());
            if (exact is not null)
                return (exact, null);
        }
        if (ImageReference.TryParse(text, out var reference))
        {
            if (reference.Digest is not null)
            {
                string repoDigest = $"{reference.Name}@{reference.Digest}";
                var byDigest = document.Images.FirstOrDefault(i => i.RepoDigests.Contains(repoDigest));
                if (byDigest is not null)
                    return (byDigest, null);
            }
            else
            {
                string name = reference.ToString();
                var byName = document.Images.FirstOrDefault(i => i.Names.Contains(name));
                if (byName is not null)
                    return (byName, name);
            }
        }
        string hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex.Length >= 4 && hex.All(Uri.IsHexDigit))
        {
            var matches = document.Images.Where(i => i.Id.AsSpan(7).StartsWith(hex.ToLowerInvariant())).Take(2).ToList();
            if (matches.Count == 2)
                throw new IslanderException($"image id prefix {hex} is ambiguous", ErrorCategory.Conflict);
            if (matches.Count == 1)
                return (matches[0], null);
        }
        return null;
    }
}
