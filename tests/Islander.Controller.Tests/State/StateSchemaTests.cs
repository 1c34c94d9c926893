using Islander.Controller.State;
using LiteDB;
using Microsoft.Extensions.Time.Testing;

namespace Islander.Controller.Tests; // not .State: it would hide Islander.Controller.State from the other tests

/// <summary>
/// The state database's schema version and migrations, on real LiteDB files written the way an older (or newer)
/// islanderd wrote them: raw documents, as the records of that version were stored.
/// </summary>
public sealed class StateSchemaTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-schema-").FullName;
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 6, 30, 0, TimeSpan.Zero));

    string Db => StateStore.FileIn(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A version 1 database: no version stored, a volume's driver as the enum name, a network without a driver.</summary>
    void WriteVersion1()
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = Db, Connection = ConnectionType.Direct });
        db.GetCollection("isles").Insert(new BsonDocument { ["_id"] = "web", ["State"] = "Running", ["Pid"] = 4242, ["SpecHash"] = "abc" });
        db.GetCollection("volumes").Insert(new BsonDocument { ["_id"] = "data", ["Created"] = true, ["Driver"] = "Btrfs", ["Phase"] = "Ready", ["Path"] = "/srv/data" });
        db.GetCollection("networks").Insert(new BsonDocument { ["_id"] = "back", ["Subnet"] = "10.88.0.0/24", ["Gateway"] = "10.88.0.1", ["Bridge"] = "isl-back", ["Ready"] = true });
    }

    static LiteDatabase Raw(string path) => new(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = true });

    string[] Files() => Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Migrations_ContiguousFromUnversioned()
    {
        for (int i = 0; i < StateSchema.Migrations.Count; i++)
            Assert.Equal(StateSchema.Unversioned + i, StateSchema.Migrations[i].From);
        Assert.Equal(3, StateSchema.Current);
    }

    [Fact]
    public void Open_Version2Database_DesiredOwnersWrittenOut()
    {
        using (var db = new LiteDatabase(new ConnectionString { Filename = Db, Connection = ConnectionType.Direct }))
        {
            db.GetCollection("schema").Insert(new BsonDocument { ["_id"] = "version", ["version"] = 2 });
            db.GetCollection("desired").Insert(new BsonDocument
            {
                ["_id"] = "Isle/web", ["Origin"] = "api", ["Generation"] = 1L, ["Source"] = "api",
                ["Problems"] = new BsonArray { "web.yaml:1: Isle/web was applied through the API; ..." },
            });
            db.GetCollection("desired").Insert(new BsonDocument { ["_id"] = "Isle/db", ["Origin"] = "/etc/islander/manifests/db.yaml", ["Generation"] = 1L, ["Problems"] = new BsonArray() });
        }

        using (var store = new StateStore(Db, StateSchema.Migrations, _time))
        {
            var records = store.DesiredRecords().ToDictionary(r => r.Id);
            Assert.Equal("api", records["Isle/web"].Owner);
            Assert.Empty(records["Isle/web"].Problems);
            Assert.Equal("web.yaml:1: Isle/web was applied through the API; ...", records["Isle/web"].Conflicts["files"]);
            Assert.Equal("files", records["Isle/db"].Owner);
        }
        using (var db = Raw(Db)) Assert.Equal(3, StateSchema.VersionOf(db));
    }

    [Fact]
    public void Open_Version1Database_MigratedToCurrentAndCopiedFirst()
    {
        WriteVersion1();

        using (var store = new StateStore(Db, StateSchema.Migrations, _time))
        {
            Assert.Equal(4242, store.GetIsle("web")!.Pid);
            Assert.Equal("btrfs", store.GetVolume("data")!.Driver.Name);
            Assert.Equal("bridge", store.GetNetwork("back")!.Driver);
        }

        using (var db = Raw(Db))
        {
            Assert.Equal(StateSchema.Current, StateSchema.VersionOf(db));
            Assert.Equal("btrfs", db.GetCollection("volumes").FindById("data")["Driver"].AsString);
            Assert.Equal("bridge", db.GetCollection("networks").FindById("back")["Driver"].AsString);
        }
        var backup = Path.Combine(_dir, "islander-v1-20261205T063000Z.db");
        Assert.True(File.Exists(backup), string.Join(", ", Files()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
        using (var db = Raw(backup))
        {
            Assert.False(db.CollectionExists("schema"));
            Assert.Equal("Btrfs", db.GetCollection("volumes").FindById("data")["Driver"].AsString);
            Assert.False(db.GetCollection("networks").FindById("back").ContainsKey("Driver"));
        }
    }

    [Fact]
    public void Open_NewDatabase_StampedCurrentWithoutCopy()
    {
        using (var store = new StateStore(Db, StateSchema.Migrations, _time))
            store.SaveIsle(new IsleRecord { Name = "web" });

        using (var db = Raw(Db)) Assert.Equal(StateSchema.Current, StateSchema.VersionOf(db));
        Assert.DoesNotContain(Files(), f => f.Contains("-v", StringComparison.Ordinal));

        // Opened again at its own version: nothing to migrate, nothing copied.
        using (var store = new StateStore(Db, StateSchema.Migrations, _time)) Assert.NotNull(store.GetIsle("web"));
        Assert.DoesNotContain(Files(), f => f.Contains("-v", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_NewerDatabase_RefusedWithFileAndVersions_FileUnchanged()
    {
        using (var db = new LiteDatabase(new ConnectionString { Filename = Db, Connection = ConnectionType.Direct }))
        {
            db.GetCollection("isles").Insert(new BsonDocument { ["_id"] = "web", ["State"] = "Hibernating" });
            db.GetCollection("schema").Insert(new BsonDocument { ["_id"] = "version", ["version"] = 99 });
        }
        var before = File.ReadAllBytes(Db);
        var files = Files();
        var mode = File.GetUnixFileMode(Db);

        var e = Assert.Throws<StateSchemaException>(() => new StateStore(Db, StateSchema.Migrations, _time));
        var again = Assert.Throws<StateSchemaException>(() => StateSchema.EnsureNotNewer(Db));

        Assert.Contains($"state database {Db} has schema version 99", e.Message, StringComparison.Ordinal);
        Assert.Contains($"knows versions up to {StateSchema.Current}", e.Message, StringComparison.Ordinal);
        Assert.Contains("Install that newer islander again", e.Message, StringComparison.Ordinal);
        Assert.Contains("The file was not changed.", e.Message, StringComparison.Ordinal);
        Assert.Equal(e.Message, again.Message);
        Assert.Equal(before, File.ReadAllBytes(Db));
        Assert.Equal(files, Files());
        Assert.Equal(mode, File.GetUnixFileMode(Db));
    }

    [Fact]
    public void Open_TestOnlyMigrations_RunInOrderFromTheFilesVersion()
    {
        using (var store = new StateStore(Db, StateSchema.Migrations, _time))
            store.SaveIsle(new IsleRecord { Name = "web", Pid = 7, Reason = "Completed" });
        int n = StateSchema.Current; // the test's steps follow the shipped ones
        var ran = new List<int>();
        StateMigration[] migrations =
        [
            .. StateSchema.Migrations.Select(m => m with { Apply = db => { ran.Add(m.From); m.Apply(db); } }),
            // n → n+1: Reason moves into a Message prefix; n+1 → n+2 reads what n → n+1 wrote.
            new(n, "test: reason into message", db =>
            {
                ran.Add(n);
                var isles = db.GetCollection("isles");
                foreach (var doc in isles.FindAll().ToList())
                {
                    doc["Message"] = $"[{doc["Reason"].AsString}]";
                    isles.Update(doc);
                }
            }),
            new(n + 1, "test: pid doubled", db =>
            {
                ran.Add(n + 1);
                var isles = db.GetCollection("isles");
                foreach (var doc in isles.FindAll().ToList())
                {
                    Assert.Equal("[Completed]", doc["Message"].AsString);
                    doc["Pid"] = doc["Pid"].AsInt32 * 2;
                    isles.Update(doc);
                }
            }),
        ];

        using (var store = new StateStore(Db, migrations, _time))
        {
            Assert.Equal([n, n + 1], ran);
            Assert.Equal(14, store.GetIsle("web")!.Pid);
            Assert.Equal("[Completed]", store.GetIsle("web")!.Message);
        }
        using (var db = Raw(Db)) Assert.Equal(n + 2, StateSchema.VersionOf(db));
        Assert.True(File.Exists(Path.Combine(_dir, $"islander-v{n}-20261205T063000Z.db")), string.Join(", ", Files()));
    }

    [Fact]
    public void Open_MigrationFails_StopsWithCopyNamed_DatabaseAtItsVersion()
    {
        using (var store = new StateStore(Db, StateSchema.Migrations, _time))
            store.SaveIsle(new IsleRecord { Name = "web", Pid = 7 });
        int n = StateSchema.Current;
        StateMigration[] migrations =
        [
            .. StateSchema.Migrations,
            new(n, "test: fails half way", db =>
            {
                var isles = db.GetCollection("isles");
                var doc = isles.FindById("web");
                doc["Pid"] = 8;
                isles.Update(doc);
                throw new InvalidOperationException("field Pid is not what this step expects");
            }),
        ];

        var e = Assert.Throws<StateSchemaException>(() => new StateStore(Db, migrations, _time));

        Assert.Contains($"state database {Db}: migration {n} → {n + 1} (test: fails half way) failed: field Pid is not what this step expects", e.Message, StringComparison.Ordinal);
        Assert.Contains($"The database stays at version {n}", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, $"islander-v{n}-20261205T063000Z.db"), e.Message, StringComparison.Ordinal);
        using var db = Raw(Db);
        Assert.Equal(n, StateSchema.VersionOf(db));
        Assert.Equal(7, db.GetCollection("isles").FindById("web")["Pid"].AsInt32);
    }
}
