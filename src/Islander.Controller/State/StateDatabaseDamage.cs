using System.Globalization;
using LiteDB;

namespace Islander.Controller.State;

/// <summary>
/// A state database that LiteDB cannot open or read (a file truncated, bytes flipped in a page, a header that is not
/// LiteDB's): moved aside as <c>islander.db.corrupt-TIME</c> with its log, and whatever collections still read whole
/// from the copy are carried into a new database. LiteDB pages have no checksums, so a collection is kept only when
/// every document of it reads and maps; a collection that fails is dropped whole rather than kept in part. The kernel
/// is the truth for the rest: the reconciler adopts running isles by their cgroups and rebuilds IPAM from their
/// namespaces, and the manifests directory gives the desired state again; what only the database held (objects
/// applied through the API, volume records, events) is named as lost.
/// </summary>
static class StateDatabaseDamage
{
    /// <summary>The collections carried over, in the order they are written.</summary>
    internal static readonly string[] Collections = ["schema", "isles", "desired", "networks", "volumes", "rollouts", "sources", "events", "health"];

    /// <summary>
    /// An exception that says the file's bytes are bad rather than that the disk or the permissions failed: a full
    /// disk or a read-only file system (IOException) while opening must never send a sound database aside, so those
    /// stop the start as they did; EndOfStreamException (an IOException) is a truncated page.
    /// </summary>
    internal static bool IsDamage(Exception e) => e switch
    {
        StateSchemaException => false,
        EndOfStreamException => true,
        IOException or UnauthorizedAccessException or OutOfMemoryException or OperationCanceledException => false,
        _ => true,
    };

    /// <summary>
    /// Renames the database to <c>PATH.corrupt-TIME</c> and LiteDB's log beside it to the name LiteDB looks for next to
    /// that copy, so the copy opens as it was. Returns the copy's path.
    /// </summary>
    internal static string SetAside(string path, DateTimeOffset now)
    {
        var aside = $"{path}.corrupt-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        for (int i = 1; File.Exists(aside); i++) aside = $"{aside.Split('~')[0]}~{i}";
        var (stem, ext) = StateSchema.Split(path);
        File.Move(path, aside);
        if (File.Exists(StateSchema.LogOf(path))) File.Move(StateSchema.LogOf(path), StateSchema.LogOf(aside));
        File.Delete($"{stem}-tmp{ext}");
        return aside;
    }

    /// <summary>LiteDB writes whole pages: a file of another length was cut short.</summary>
    internal const int PageSize = 8192;

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> for a file that is not a whole number of pages, before LiteDB sees it:
    /// LiteDB "repairs" such a file even when opened read-only (a 100-byte file came out empty).
    /// </summary>
    internal static void CheckLength(string path)
    {
        long length = new FileInfo(path).Length;
        if (length % PageSize != 0)
            throw new InvalidDataException($"{length} bytes, not a whole number of LiteDB's {PageSize}-byte pages: the file was cut short");
    }

    /// <summary>
    /// Reads every collection of the copy that reads whole and checks each document against
    /// <paramref name="mapper"/>'s types. Reads a scratch copy (LiteDB may write to what it opens, even read-only), cut
    /// to whole pages, and opens it again for each collection: LiteDB closes its engine at the first damaged page it
    /// meets. Returns the documents kept and what was lost.
    /// </summary>
    internal static (Dictionary<string, List<BsonDocument>> Kept, List<string> Lost) Salvage(string aside, BsonMapper mapper)
    {
        var kept = new Dictionary<string, List<BsonDocument>>(StringComparer.Ordinal);
        var lost = new List<string>();
        var (stem, ext) = StateSchema.Split(aside);
        string scratch = $"{stem}-salvage{ext}", scratchLog = $"{stem}-salvage-log{ext}";
        try
        {
            File.Copy(aside, scratch, overwrite: true);
            using (var f = new FileStream(scratch, FileMode.Open, FileAccess.Write))
                f.SetLength(f.Length / PageSize * PageSize);
            if (File.Exists(StateSchema.LogOf(aside))) File.Copy(StateSchema.LogOf(aside), scratchLog, overwrite: true);
            foreach (var name in Collections)
            {
                try
                {
                    using var db = new LiteDatabase(new ConnectionString { Filename = scratch, Connection = ConnectionType.Direct, ReadOnly = true }, mapper);
                    if (!db.CollectionExists(name)) continue;
                    var docs = db.GetCollection(name).FindAll().ToList();
                    foreach (var doc in docs) Check(mapper, name, doc);
                    kept[name] = docs;
                }
                catch (Exception e) when (IsDamage(e))
                {
                    lost.Add($"{name} ({e.Message})");
                }
            }
        }
        finally
        {
            File.Delete(scratch);
            File.Delete(scratchLog);
        }
        return (kept, lost);
    }

    /// <summary>Maps the document to its record type: a flipped byte that still parses as BSON often fails here.</summary>
    static void Check(BsonMapper mapper, string collection, BsonDocument doc)
    {
        _ = collection switch
        {
            "isles" => mapper.ToObject<IsleRecord>(doc),
            "desired" => mapper.ToObject<DesiredRecord>(doc),
            "networks" => mapper.ToObject<NetworkRecord>(doc),
            "volumes" => mapper.ToObject<VolumeRecord>(doc),
            "rollouts" => mapper.ToObject<RolloutRecord>(doc),
            "sources" => mapper.ToObject<SourceRecord>(doc),
            "events" => mapper.ToObject<EventRecord>(doc),
            _ => (object)doc,
        };
    }

    /// <summary>Writes the kept documents into a new database at <paramref name="path"/> in one transaction.</summary>
    internal static void Restore(string path, Dictionary<string, List<BsonDocument>> kept)
    {
        if (kept.Count == 0) return;
        var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        try
        {
            db.BeginTrans();
            foreach (var (name, docs) in kept)
                if (docs.Count > 0) db.GetCollection(name).InsertBulk(docs);
            db.Commit();
        }
        finally
        {
            LiteDatabases.Close(db); // a commit the disk refused leaves a transaction that cannot dispose itself
        }
    }
}
