namespace Islander.Model.Tests.Reconcile;

public class SpecHashTests
{
    private static readonly IsleSpec Spec = new() { Image = "busybox:1.36", Command = ["/bin/sh"] };

    [Fact]
    public void Of_EqualSpecsFromDifferentInstances_SameHash() =>
        Assert.Equal(SpecHash.Of(Spec), SpecHash.Of(Spec with { Command = new List<string> { "/bin/sh" } }));

    [Fact]
    public void Of_AnyFieldChanged_DifferentHash()
    {
        IsleSpec[] variants =
        [
            Spec with { Image = "busybox:1.37" },
            Spec with { Args = ["-c"] },
            Spec with { Env = [new EnvVar("A", "b")] },
            Spec with { RestartPolicy = RestartPolicy.Never },
            Spec with { Resources = new IsleResources { Memory = 1 } },
            Spec with { Resources = new IsleResources { Disk = 1L << 30 } },
            Spec with { Resources = new IsleResources { Pids = 0 } },
            Spec with { Resources = new IsleResources { Pids = 64 } },
            Spec with { Security = new IsleSecurity { Seccomp = "unconfined" } },
            Spec with { HostNetwork = true },
            Spec with { Ports = [new PortMapping(80, 8080, PortProtocol.Udp)] },
            Spec with { StopSignal = 2 },
            Spec with { StopTimeout = TimeSpan.FromSeconds(11) },
            Spec with { Stdin = true },
            Spec with { Tty = true },
            Spec with { Stdin = true, Tty = true },
        ];

        var hashes = variants.Select(SpecHash.Of).Append(SpecHash.Of(Spec)).ToList();

        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void Of_PidsAtTheDefault_SameHashAsUnset() =>
        // Isles made before the default existed keep their hash: an upgrade does not recreate them.
        Assert.Equal(SpecHash.Of(Spec), SpecHash.Of(Spec with { Resources = new IsleResources { Pids = IsleResources.DefaultPids } }));

    [Fact]
    public void Of_Spec_IsSixteenHexDigits() => Assert.Matches("^[0-9a-f]{16}$", SpecHash.Of(Spec));

    [Fact]
    public void CanonicalJson_DefaultsLeftOut_SoNewMembersKeepOldHashes() =>
        Assert.Equal("{\"Image\":\"busybox:1.36\",\"Command\":[\"/bin/sh\"]}", SpecHash.CanonicalJson(Spec));

    [Fact]
    public void Of_KnownSpec_StableAcrossVersions() =>
        // If this changes, every running isle would be recreated on upgrade: change it only on purpose.
        Assert.Equal("d2e879e97ef9190d", SpecHash.Of(new IsleSpec { Command = ["/bin/sh"], Image = "busybox:1.36" }));

    [Theory]
    [InlineData("""{"rootfs":"/r","command":["/bin/sleep"],"resources":{"pids":2048},"security":{"seccomp":"default"}}""")]
    [InlineData("""{"rootfs":"/r","command":["/bin/sleep"],"resources":{"pids":2048,"io":[]},"security":{"capAdd":[],"capDrop":[]}}""")]
    public void Of_SpecReadBackFromItsJson_SameHashAsTheSpecItWasWrittenFrom(string json)
    {
        // The stored form, read back (a daemon restart): its nested records hold lists made by the reader, not the
        // template's; the hash must not see them as set, or every isle would be recreated.
        var spec = new IsleSpec { Rootfs = "/r", Command = ["/bin/sleep"] };
        var back = Islander.Model.Api.SpecJsonContext.Read(System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject(), Islander.Model.Api.SpecJsonContext.Default.IsleSpec);
        Assert.Equal(SpecHash.CanonicalJson(spec), SpecHash.CanonicalJson(back));
        Assert.Equal(SpecHash.Of(spec), SpecHash.Of(back));
    }

    [Fact]
    public void Templates_CoverEveryRecordOfTheSpecsWithAParameterlessConstructor()
    {
        // A record missing here would have its members' starting values hashed as if they were set, and read back as
        // null or 0 from JSON that leaves them out (SpecJsonContext.Read).
        var seen = new HashSet<Type>();
        void Visit(Type type)
        {
            if (type.Namespace != typeof(IsleSpec).Namespace || !seen.Add(type)) return;
            foreach (var property in type.GetProperties())
            {
                var t = property.PropertyType;
                Visit(Nullable.GetUnderlyingType(t) ?? t);
                foreach (var argument in t.IsGenericType ? t.GetGenericArguments() : []) Visit(argument);
            }
        }
        Visit(typeof(IsleSpec));
        Visit(typeof(NetworkSpec));
        Visit(typeof(VolumeSpec));
        Visit(typeof(SourceSpec));

        var withParameterlessConstructor = seen.Where(t => t.IsClass && t.GetConstructor(Type.EmptyTypes) is not null).ToHashSet();
        Assert.Equal(withParameterlessConstructor.OrderBy(t => t.Name), SpecDefaults.Templates.Keys.OrderBy(t => t.Name));
    }
}
