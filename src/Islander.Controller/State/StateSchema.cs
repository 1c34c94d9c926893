using System.Globalization;
using Islander.Drivers.Runtime;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.State;

/// <summary>
/// The layout of the state database, versioned: the version is the document <c>{_id: "version", version: N}</c> of
/// the collection <c>schema</c>, written in the same transaction as the step that reaches it (LiteDB's own
/// <c>USER_VERSION</c> pragma cannot be set inside a transaction, so a crash between a step and its stamp would run the
/// step twice). <see cref="Migrations"/> is the one ordered list of steps from each older layout to the next; islanderd
/// runs the ones a database needs when it opens it at start (an upgrade of the package restarts islanderd, which
/// migrates; the isles keep running), after copying the file. A database from a newer islanderd is refused and left
/// untouched: its records may mean what this daemon cannot read, and writing them back would lose what it does not
/// know.
/// </summary>
public static class StateSchema
{
    /// <summary>
    /// The version of a database written before versions were stored (it has no <c>schema</c> document): the layout
    /// every islander wrote until then.
    /// </summary>
    public const int Unversioned = 1;

    /// <summary>Every step, oldest first: <c>Migrations[i].From == i + 1</c>. Append; never edit a step that shipped.</summary>
    public static IReadOnlyList<StateMigration> Migrations { get; } =
    [
        new(1, "volume drivers by their lower-case name, every network's driver written out", DriverNames),
        new(2, "every desired object's owner written out (files or api)", DesiredOwners),
    ];

    /// <summary>The version this islanderd reads and writes.</summary>
    public static int Current => CurrentOf(Migrations);

    internal static int CurrentOf(IReadOnlyList<StateMigration> migrations) => migrations.Count == 0 ? Unversioned : migrations[^1].To;

    /// <summary>
    /// The version of the database at <paramref name="path"/>, read without writing to it (LiteDB read-only); null
    /// when there is no database yet (no file, or an empty one).
    /// </summary>
    public static int? VersionOf(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0) return null;
        StateDatabaseDamage.CheckLength(path);
        using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = true });
        return Read(db) ?? Unversioned;
    }

    const string Collection = "schema", VersionId = "version";

    static int? Read(LiteDatabase db) =>
        db.CollectionExists(Collection) && db.GetCollection(Collection).FindById(VersionId) is { } doc ? doc["version"].AsInt32 : null;

    static void Stamp(LiteDatabase db, int version) =>
        db.GetCollection(Collection).Upsert(new BsonDocument { ["_id"] = VersionId, ["version"] = version });

    /// <summary>The version an open database says it is (<see cref="Unversioned"/> when it says none).</summary>
    public static int VersionOf(LiteDatabase db) => Read(db) ?? Unversioned;

    /// <summary>Throws <see cref="StateSchemaException"/> when the database at <paramref name="path"/> is from a newer islanderd; writes nothing.</summary>
    public static void EnsureNotNewer(string path)
    {
        int? found;
        try
        {
            found = VersionOf(path);
        }
        catch (Exception e) when (StateDatabaseDamage.IsDamage(e))
        {
            return; // a damaged file: the store sets it aside when it opens it (StateDatabaseDamage), and says so
        }
        if (found > Current) throw Newer(path, found.Value, Current);
    }

    /// <summary>The error for a database from a newer islanderd: the file, both versions and the ways out.</summary>
    internal static StateSchemaException Newer(string path, int found, int current) => new(
        $"state database {path} has schema version {found}, and this islanderd ({Hosting.DaemonVersion.Current}) knows versions up to {current}: " +
        "a newer islanderd wrote it. Install that newer islander again (a downgrade cannot read its state), " +
        $"or move {path} away to start with no recorded state (running isles are then not adopted). The file was not changed.");

    /// <summary>
    /// Copies the database (and LiteDB's log of pages not yet checkpointed into it, if any) to
    /// <c>STEM-vFOUND-TIME.db</c> beside it, 0600 like the database: the state as it was before a migration, which
    /// LiteDB opens as it is (move it back over the database to undo an upgrade's migration). Returns the copy's path.
    /// </summary>
    internal static string Backup(string path, int found, DateTimeOffset now)
    {
        var (stem, ext) = Split(path);
        var copy = $"{stem}-v{found}-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}{ext}";
        CopyPrivate(path, copy);
        if (File.Exists(LogOf(path)) && new FileInfo(LogOf(path)).Length > 0)
            CopyPrivate(LogOf(path), LogOf(copy));
        return copy;
    }

    /// <summary>A new 0600 file (File.Copy would copy the mode of a database an older islander made 0644), synced.</summary>
    static void CopyPrivate(string from, string to)
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var target = new FileStream(to, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = SecretFile.Mode });
        source.CopyTo(target);
        target.Flush(flushToDisk: true);
    }

    /// <summary>LiteDB's log beside the database at <paramref name="path"/> (<c>STEM-log.db</c>): the pages written since its last checkpoint.</summary>
    internal static string LogOf(string path)
    {
        var (stem, ext) = Split(path);
        return $"{stem}-log{ext}";
    }

    internal static (string Stem, string Ext) Split(string path) =>
        (Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path)), Path.GetExtension(path));

    /// <summary>
    /// Brings the open database from <paramref name="found"/> (null: a new database) to the newest version of
    /// <paramref name="migrations"/>: a new one is stamped; an older one runs each step in its own transaction with
    /// the version it reaches, so a failed step leaves the database at the last version it completed.
    /// </summary>
    internal static void Migrate(LiteDatabase db, string path, int? found, IReadOnlyList<StateMigration> migrations, string? backup, ILogger? log)
    {
        int current = CurrentOf(migrations);
        if (found is null)
        {
            Stamp(db, current);
            return;
        }
        for (int version = found.Value; version < current; version++)
        {
            var step = migrations.SingleOrDefault(m => m.From == version)
                ?? throw new InvalidOperationException($"no state migration from version {version}");
            db.BeginTrans();
            try
            {
                step.Apply(db);
                Stamp(db, step.To);
                db.Commit();
            }
            catch (Exception e) when (e is LiteException or InvalidCastException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
            {
                db.Rollback();
                throw new StateSchemaException(
                    $"state database {path}: migration {step} failed: {e.Message}. The database stays at version {version}" +
                    (backup is null ? "" : $"; the copy taken before migrating is {backup}") + ". Report this with the file; islanderd did not start.", e);
            }
            log?.LogInformation("State database {Path}: migrated to version {Version} ({Migration})", path, step.To, step.Description);
        }
    }

    /// <summary>
    /// 1 → 2. Version 1 records could hold a volume's driver as the enum name it once was (<c>Btrfs</c>, <c>Dir</c>)
    /// and a network without <c>Driver</c> (written before networks kept one, when bridge was the only driver); the
    /// read path tolerated both. Now every record says what it means: lower-case driver names, <c>bridge</c> written
    /// out.
    /// </summary>
    static void DriverNames(LiteDatabase db)
    {
        var volumes = db.GetCollection("volumes");
        foreach (var doc in volumes.FindAll().ToList())
            if (doc.TryGetValue("Driver", out var driver) && driver.IsString && driver.AsString.ToLowerInvariant() is var name && name != driver.AsString)
            {
                doc["Driver"] = name;
                volumes.Update(doc);
            }
        var networks = db.GetCollection("networks");
        foreach (var doc in networks.FindAll().ToList())
            if (!doc.TryGetValue("Driver", out var driver) || !driver.IsString || driver.AsString.Length == 0)
            {
                doc["Driver"] = Islander.Model.NetworkDriverKind.Bridge.Name;
                networks.Update(doc);
            }
    }

    /// <summary>
    /// 2 → 3. Desired objects have owners (files, api, source/NAME) where version 2 knew only "a file or the API" by
    /// the origin. Each record gets its owner written out; an API object that a file defined too had that conflict as
    /// its problem, which is now the files' conflict on it. Also what makes an older islanderd refuse this database: it
    /// would read a source's objects as the manifests directory's and prune them at its first scan.
    /// </summary>
    static void DesiredOwners(LiteDatabase db)
    {
        var desired = db.GetCollection("desired");
        foreach (var doc in desired.FindAll().ToList())
        {
            if (doc.TryGetValue("Owner", out var owner) && owner.IsString && owner.AsString.Length > 0) continue;
            bool api = doc.TryGetValue("Origin", out var origin) && origin.IsString && origin.AsString == DesiredRecord.ApiOrigin;
            doc["Owner"] = api ? "api" : "files";
            if (api && doc.TryGetValue("Problems", out var problems) && problems.IsArray && problems.AsArray.Count > 0)
            {
                doc["Conflicts"] = new BsonDocument { ["files"] = string.Join("; ", problems.AsArray.Select(p => p.AsString)) };
                doc["Problems"] = new BsonArray();
            }
            desired.Update(doc);
        }
    }
}
