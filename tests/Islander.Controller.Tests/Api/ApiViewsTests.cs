using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Islander.Controller.Api;
using Islander.Controller.Desired;
using Islander.Controller.State;
using Islander.Drivers.Images;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// The API's views on the wire: each view as islanderd writes it (the JSON a client sees, field by field, nulls left
/// out or written as before) and read back by islanderctl's deserializer without losing anything.
/// </summary>
public class ApiViewsTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 24, 4, 0, 0, TimeSpan.Zero);

    static DesiredEntry Entry(ObjectKey key, JsonObject? spec, params string[] problems) => new(key, DesiredOwner.Files, "/etc/islander/web.yaml", 3,
        spec is null ? null : new DesiredObject(key, new Dictionary<string, string> { ["tier"] = "web", ["app"] = "shop" }, spec, null, "web.yaml:1:1"),
        problems, T0);

    static JsonObject Spec() => new() { ["image"] = "busybox:latest", ["command"] = new JsonArray("sh", "-c", "echo 'hi' é") };

    /// <summary>
    /// The daemon's answer (as ApiErrors.Json writes it) is <paramref name="expected"/>, and what the client reads from
    /// it, written again, is the same (or <paramref name="reread"/>: a JSON null the client reads as none).
    /// </summary>
    static string RoundTrip<T>(T view, JsonTypeInfo<T> type, string expected, string? reread = null)
    {
        var wire = JsonSerializer.Serialize(view, type);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(wire)), $"wire: {wire}\nwanted: {expected}");
        var again = JsonSerializer.Serialize(JsonSerializer.Deserialize(wire, type)!, type);
        if (reread is null) Assert.Equal(wire, again);
        else Assert.True(JsonNode.DeepEquals(JsonNode.Parse(reread), JsonNode.Parse(again)), $"read back: {again}\nwanted: {reread}");
        return wire;
    }

    [Fact]
    public void Isle_WithRecordLabelsAndProblems_WireAsBefore()
    {
        var record = new IsleRecord
        {
            Name = "web", State = IslePhase.Running, Generation = 2, Pid = 1234, RestartCount = 1, StartedAt = T0,
            Addresses = new() { ["default"] = "10.88.0.2" },
        };

        var wire = RoundTrip(ObjectViews.Object(Entry(ObjectKey.Isle("web"), Spec(), "web.yaml:3:5: spec.image: bad"), record, ObjectKey.Isle("web")),
            ApiJson.Context.ObjectView, """
            {"apiVersion":"islander.io/v1","kind":"Isle",
             "metadata":{"name":"web","generation":3,"creationTimestamp":"2026-11-24T04:00:00+00:00","managedBy":"manifest","source":"web.yaml:1:1","labels":{"app":"shop","tier":"web"}},
             "spec":{"image":"busybox:latest","command":["sh","-c","echo 'hi' é"]},
             "status":{"phase":"Running","observedGeneration":2,"pid":1234,"restartCount":1,"startedAt":"2026-11-24T04:00:00+00:00","addresses":{"default":"10.88.0.2"},
               "reason":"InvalidManifest","message":"web.yaml:3:5: spec.image: bad (the last good version, generation 3, stays)","problems":["web.yaml:3:5: spec.image: bad"]}}
            """);

        Assert.Contains("\"echo 'hi' é\"", wire); // quotes and non-ASCII text are not \u-escaped
        Assert.Contains("\"labels\":{\"app\":\"shop\",\"tier\":\"web\"}", wire); // sorted
    }

    [Fact]
    public void Isle_NoRecordNoEntry_OnlyNameAndPhase()
    {
        RoundTrip(ObjectViews.Object(null, null, ObjectKey.Isle("gone")), ApiJson.Context.ObjectView,
            """{"apiVersion":"islander.io/v1","kind":"Isle","metadata":{"name":"gone"},"spec":{},"status":{"phase":"Error"}}""");
        RoundTrip(ObjectViews.Object(Entry(ObjectKey.Isle("new"), Spec()), null, ObjectKey.Isle("new")).Status, ApiJson.Context.ObjectStatusView,
            """{"phase":"Pending"}""");
    }

    [Fact]
    public void Network_Status_WireAsBefore()
    {
        var key = new ObjectKey(ObjectKind.Network, "front");
        var network = new NetworkRecord { Name = "front", Subnet = "10.89.0.0/24", Gateway = "10.89.0.1", Bridge = "isl-front", Ready = true, Allocations = new() { ["web"] = "10.89.0.2" } };

        RoundTrip(ObjectViews.Object(null, null, key, network: network).Status, ApiJson.Context.ObjectStatusView,
            """{"phase":"Ready","bridge":"isl-front","subnet":"10.89.0.0/24","gateway":"10.89.0.1","isles":1}""");
    }

    [Fact]
    public void Volume_Status_WireAsBefore()
    {
        var key = new ObjectKey(ObjectKind.Volume, "data");
        var volume = new VolumeRecord
        {
            Name = "data", Driver = new VolumeDriverKind("btrfs"), Phase = VolumePhase.Ready, Path = "/var/lib/islander/volumes/data", SizeLimit = 64L << 20,
            BytesUsed = 4096, Snapshots = ["s1"], Users = ["web", "db"], Reason = "Resized", Message = "size limit 64Mi",
        };

        RoundTrip(ObjectViews.Object(null, null, key, volume: volume).Status, ApiJson.Context.ObjectStatusView, """
            {"phase":"Ready","driver":"btrfs","path":"/var/lib/islander/volumes/data","sizeLimit":67108864,"bytesUsed":4096,"snapshots":["s1"],
             "usedBy":["db","web"],"reason":"Resized","message":"size limit 64Mi"}
            """);
    }

    [Fact]
    public void List_Event_Status_WireAsBefore()
    {
        RoundTrip(ObjectViews.List(ObjectKind.Isle, [ObjectViews.Object(null, null, ObjectKey.Isle("a"))]), ApiJson.Context.ObjectListView,
            """{"apiVersion":"islander.io/v1","kind":"IsleList","items":[{"apiVersion":"islander.io/v1","kind":"Isle","metadata":{"name":"a"},"spec":{},"status":{"phase":"Error"}}]}""");
        var e = new EventRecord { Id = 7, Time = T0, Type = EventType.Warning, Kind = "Isle", Name = "web", Reason = "BackOff", Message = "restarting in 10s" };
        RoundTrip(ObjectViews.Event(e), ApiJson.Context.EventView,
            """{"id":7,"time":"2026-11-24T04:00:00+00:00","type":"Warning","kind":"Isle","name":"web","reason":"BackOff","message":"restarting in 10s"}""");
        RoundTrip(new EventListView(ApiJson.ApiVersion, "EventList", [ObjectViews.Event(e)]), ApiJson.Context.EventListView,
            """{"apiVersion":"islander.io/v1","kind":"EventList","items":[{"id":7,"time":"2026-11-24T04:00:00+00:00","type":"Warning","kind":"Isle","name":"web","reason":"BackOff","message":"restarting in 10s"}]}""");
        RoundTrip(StatusView.Failure("InvalidManifest", "bad", 422, [ProblemView.From(new Diagnostic("web.yaml", 3, 5, "spec.image", "bad"))]), ApiJson.Context.StatusView, """
            {"apiVersion":"islander.io/v1","kind":"Status","status":"Failure","reason":"InvalidManifest","message":"bad","code":422,
             "details":[{"file":"web.yaml","line":3,"column":5,"field":"spec.image","message":"bad","text":"web.yaml:3:5: spec.image: bad"}]}
            """);
        RoundTrip(StatusView.Success("Isle/web deleted"), ApiJson.Context.StatusView,
            """{"apiVersion":"islander.io/v1","kind":"Status","status":"Success","message":"Isle/web deleted"}""");
        RoundTrip(StatusView.Success("volume data restored", []), ApiJson.Context.StatusView,
            """{"apiVersion":"islander.io/v1","kind":"Status","status":"Success","message":"volume data restored","isles":[]}""");
    }

    [Fact]
    public void ApplyResult_DryRunNewObject_CurrentIsNull()
    {
        var items = new List<ApplyItemView>
        {
            new("Isle", "web", "created", Current: JsonDocument.Parse("null").RootElement.Clone(), Desired: ObjectViews.Element(Spec())),
            new("Isle", "db", "configured", Generation: 4),
            new("Network", "front", "error", Reason: "Conflict", Message: "Network/front comes from net.yaml; edit that file instead"),
            new("Volume", "data", "invalid"),
        };

        const string Expected = """
            {"apiVersion":"islander.io/v1","kind":"ApplyResult","dryRun":true,"items":[
              {"kind":"Isle","name":"web","outcome":"created","current":null,"desired":{"image":"busybox:latest","command":["sh","-c","echo 'hi' é"]}},
              {"kind":"Isle","name":"db","outcome":"configured","generation":4},
              {"kind":"Network","name":"front","outcome":"error","reason":"Conflict","message":"Network/front comes from net.yaml; edit that file instead"},
              {"kind":"Volume","name":"data","outcome":"invalid"}],
             "problems":[],"plan":["+ start isle web (New)"]}
            """;

        var wire = RoundTrip(new ApplyResultView(ApiJson.ApiVersion, "ApplyResult", true, items, [], ["+ start isle web (New)"]), ApiJson.Context.ApplyResultView,
            Expected, Expected.Replace("\"current\":null,", ""));

        Assert.Null(JsonSerializer.Deserialize(wire, ApiJson.Context.ApplyResultView)!.Items[0].Current); // the client reads a new object's "current": null as none
    }

    [Fact]
    public void Image_UnknownFields_WrittenAsNull()
    {
        var info = new ImageInfo
        {
            Id = "sha256:" + new string('a', 64), Names = ["docker.io/library/busybox:latest"], Added = T0, Architecture = "amd64", Size = 4096,
            DiffIds = ["sha256:" + new string('b', 64)], Config = new ImageDefaults(["sh"], [], ["PATH=/bin"], null, null),
        };

        RoundTrip(ImageEndpoints.View(info), ApiJson.Context.ImageView, $$$"""
            {"apiVersion":"islander.io/v1","kind":"Image","id":"sha256:{{{new string('a', 64)}}}","names":["docker.io/library/busybox:latest"],"repoDigests":[],
             "manifestDigest":null,"created":null,"added":"2026-11-24T04:00:00+00:00","os":"linux","architecture":"amd64","size":4096,
             "layers":["sha256:{{{new string('b', 64)}}}"],"skippedDevices":[],
             "config":{"entrypoint":["sh"],"cmd":[],"env":["PATH=/bin"],"workingDir":null,"user":null}}
            """);
        RoundTrip(new ImageProgressView(ImageProgressView.KindName, "3f4a1b2c", "Downloading", 1024, 4096), ApiJson.Context.ImageProgressView,
            """{"kind":"ImageProgress","item":"3f4a1b2c","phase":"Downloading","current":1024,"total":4096}""");
    }

    [Fact]
    public void ExecFrames_ThreeShapes_WireAsBefore()
    {
        RoundTrip(new ExecFrameView("stdout", Convert.ToBase64String([0xfb, 0xff, 0x68])), ApiJson.Context.ExecFrameView, """{"stream":"stdout","data":"+/9o"}""");
        RoundTrip(new ExecFrameView(ExitCode: 0, Signal: 0), ApiJson.Context.ExecFrameView, """{"exitCode":0,"signal":0}""");
        RoundTrip(new ExecFrameView(ExitCode: 125, Reason: "Transient", Message: "the isle's cgroup went away"), ApiJson.Context.ExecFrameView,
            """{"exitCode":125,"reason":"Transient","message":"the isle's cgroup went away"}""");
    }

    [Fact]
    public void Stats_UnreadableCountersAndHostNetwork_WrittenAsNull()
    {
        var sample = new Ports.IsleStats(T0, CpuNanoseconds: 5_000_000_000, MemoryBytes: 30L << 20, MachineMemoryBytes: 8L << 30, Pids: 3);

        RoundTrip(StatsEndpoints.View("web", sample), ApiJson.Context.IsleStatsView, """
            {"apiVersion":"islander.io/v1","kind":"IsleStats","metadata":{"name":"web"},"timestamp":"2026-11-24T04:00:00.0000000Z",
             "cpu":{"usageNanoseconds":5000000000},"memory":{"usageBytes":31457280,"limitBytes":8589934592,"limited":false},
             "pids":{"current":3,"limit":null},"blockIO":{"readBytes":null,"writeBytes":null},"network":null}
            """);
    }
}
