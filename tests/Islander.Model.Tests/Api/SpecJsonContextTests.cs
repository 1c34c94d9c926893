using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Islander.Model.Api;

namespace Islander.Model.Tests.Api;

/// <summary>
/// Specs read back from the JSON forms that leave members out (the stored form leaves out defaults, empty lists and
/// false flags): source-generated reading must give what reading by reflection gives, the records' starting values at
/// every depth. NativeAOT (the package's islanderd, islanderctl) reads only the source-generated way.
/// </summary>
public sealed class SpecJsonContextTests
{
    // What the JIT's reflection reads: a missing init-only member keeps its initializer.
    static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        Converters = { new JsonStringEnumConverter(), new IpAddressJsonConverter(), new IpNetworkJsonConverter() },
    };

    static void AssertReadsAsReflection<T>(string json, JsonTypeInfo<T> info)
    {
        var read = SpecJsonContext.Read(JsonNode.Parse(json)!.AsObject(), info);
        var expected = JsonSerializer.Deserialize<T>(json, Reflection);
        Assert.Equal(JsonSerializer.Serialize(expected!, info), JsonSerializer.Serialize(read, info));
    }

    [Fact]
    public void Read_Isle_MembersLeftOutInNestedObjectsAndListItems_AtTheirStartingValues()
    {
        const string json = """
            {"image":"busybox","command":["/bin/sh"],
             "resources":{"memory":33554432,"io":[{"device":"8:0","readBps":1048576}]},
             "security":{"capAdd":["NET_ADMIN"]},
             "ports":[{"containerPort":80,"hostPort":8080}],
             "volumes":[{"mountPath":"/data","name":"data"},{"mountPath":"/tmp","tmpfs":{}}],
             "healthcheck":{"exec":["true"]},
             "logging":{"maxFiles":2},
             "update":{"snapshotVolumes":true}}
            """;
        AssertReadsAsReflection(json, SpecJsonContext.Default.IsleSpec);

        var spec = SpecJsonContext.Read(JsonNode.Parse(json)!.AsObject(), SpecJsonContext.Default.IsleSpec);
        Assert.Equal(IsleResources.DefaultPids, spec.Resources.Pids);
        Assert.Equal("default", spec.Security.Seccomp);
        Assert.Empty(spec.Security.CapDrop);
        Assert.Equal(PortProtocol.Tcp, spec.Ports[0].Protocol);
        Assert.Equal(new IsleHealthCheck().Interval, spec.Healthcheck!.Interval);
        Assert.Equal(IsleUpdate.DefaultHealthTimeout, spec.Update!.HealthTimeout);
        Assert.True(spec.Update.Rollback);
        Assert.Equal(LogDriver.JsonFile, spec.Logging!.Driver);
        Assert.Equal(15, spec.StopSignal);
        Assert.Empty(spec.Networks);
    }

    [Fact]
    public void Read_EverySpec_FromTheEmptyObject_AsANewRecord()
    {
        AssertReadsAsReflection("{}", SpecJsonContext.Default.IsleSpec);
        AssertReadsAsReflection("{}", SpecJsonContext.Default.NetworkSpec);
        AssertReadsAsReflection("{}", SpecJsonContext.Default.VolumeSpec);
        AssertReadsAsReflection("{}", SpecJsonContext.Default.SourceSpec);
        AssertReadsAsReflection("""{"git":{"url":"https://example.org/x.git"}}""", SpecJsonContext.Default.SourceSpec);
        AssertReadsAsReflection("""{"subnet":"10.90.0.0/24"}""", SpecJsonContext.Default.NetworkSpec);
    }

    [Fact]
    public void Read_WhatTheJsonSays_WinsOverTheStartingValues()
    {
        const string json = """{"stopSignal":9,"resources":{"pids":10},"update":{"rollback":false},"ports":[{"containerPort":53,"hostPort":53,"protocol":"Udp"}]}""";
        AssertReadsAsReflection(json, SpecJsonContext.Default.IsleSpec);
        var spec = SpecJsonContext.Read(JsonNode.Parse(json)!.AsObject(), SpecJsonContext.Default.IsleSpec);
        Assert.Equal(9, spec.StopSignal);
        Assert.Equal(10, spec.Resources.Pids);
        Assert.False(spec.Update!.Rollback);
        Assert.Equal(PortProtocol.Udp, spec.Ports[0].Protocol);
    }

    [Fact]
    public void Read_ARequiredMemberLeftOut_IsRefused()
    {
        var e = Assert.Throws<JsonException>(() => SpecJsonContext.Read(JsonNode.Parse("""{"volumes":[{"name":"data"}]}""")!.AsObject(), SpecJsonContext.Default.IsleSpec));
        Assert.Contains("mountPath", e.Message, StringComparison.Ordinal);
    }
    // The stored form's writing: unset (null) members left out.
    static readonly JsonTypeInfo<IsleSpec> Stored = (JsonTypeInfo<IsleSpec>)new SpecJsonContext(new JsonSerializerOptions(SpecJsonContext.Default.Options)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    }).Options.GetTypeInfo(typeof(IsleSpec));

    static JsonObject Compact(IsleSpec spec) => SpecJsonContext.Compact(JsonSerializer.SerializeToNode(spec, Stored)!.AsObject(), Stored);

    [Fact]
    public void Compact_FalseFlagsEmptyListsAndObjects_AtTheirStartingValues_AreLeftOut()
    {
        var json = Compact(new IsleSpec
        {
            Rootfs = "/srv/rootfs", Command = ["sleep", "1"],
            Volumes = [new VolumeMount { MountPath = "/data", Name = "data" }],
            Update = new IsleUpdate { SnapshotVolumes = true },
        });

        Assert.Equal(["rootfs", "command", "restartPolicy", "resources", "security", "volumes", "stopSignal", "stopTimeout", "update"],
            json.Select(m => m.Key));
        Assert.Equal("""{"mountPath":"/data","name":"data"}""", json["volumes"]![0]!.ToJsonString());
        Assert.Equal($"{{\"pids\":{IsleResources.DefaultPids}}}", json["resources"]!.ToJsonString());
        Assert.Equal("""{"seccomp":"default"}""", json["security"]!.ToJsonString());
        Assert.Equal(["healthTimeout", "rollback", "snapshotVolumes", "minHealthyTime"], json["update"]!.AsObject().Select(m => m.Key));
    }

    // Each of these read back otherwise when its false flag or empty object was left out: a restarted daemon took
    // rollback: false for true, and a tmpfs volume for a volume with no source.
    public static TheoryData<string> SpecsWithValuesUnlikeTheirStart => new()
    {
        """{"rootfs":"/r","update":{"rollback":false}}""",
        """{"rootfs":"/r","volumes":[{"mountPath":"/scratch","tmpfs":{}}]}""",
        """{"rootfs":"/r","healthcheck":{"exec":["true"]},"security":{"userNamespace":{"uidMappings":[],"gidMappings":[]}}}""",
    };

    [Theory]
    [MemberData(nameof(SpecsWithValuesUnlikeTheirStart))]
    public void Compact_ThenRead_GivesTheSpecBack(string json)
    {
        var spec = SpecJsonContext.Read(JsonNode.Parse(json)!.AsObject(), SpecJsonContext.Default.IsleSpec);

        var back = SpecJsonContext.Read(Compact(spec), SpecJsonContext.Default.IsleSpec);

        Assert.Equal(JsonSerializer.Serialize(spec, Stored), JsonSerializer.Serialize(back, Stored));
    }
}
