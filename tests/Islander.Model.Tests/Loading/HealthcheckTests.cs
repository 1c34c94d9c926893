namespace Islander.Model.Tests.Loading;

/// <summary><c>healthcheck:</c> and <c>dependsOn</c> conditions: reading, problems with file, line and field, and the hash.</summary>
public sealed class HealthcheckTests
{
    static ManifestLoadResult<Manifest> Load(string healthcheck) => ManifestLoader.Load(
        $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n  image: busybox\n  healthcheck: {healthcheck}\n", "t.yaml",
        Islander.Drivers.DriverCatalogs.Known);

    static IsleHealthCheck? Read(string healthcheck)
    {
        var result = Load(healthcheck);
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec.Healthcheck;
    }

    [Fact]
    public void Load_Exec_DefaultsAreKubernetesLivenessWithFiveSecondTimeout()
    {
        var check = Read("{exec: [test, -e, /ready]}");

        Assert.Equal(new IsleHealthCheck
        {
            Exec = ["test", "-e", "/ready"], Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(5), Retries = 3,
            StartPeriod = TimeSpan.Zero,
        }, check, new HealthCheckComparer());
    }

    [Fact]
    public void Load_HttpWithEveryField_Read()
    {
        var check = Read("{http: {port: 8080, path: /healthz?full=1}, interval: 1s, timeout: 500ms, retries: 5, startPeriod: 1m}")!;

        Assert.Equal(new HttpHealthCheck(8080, "/healthz?full=1"), check.Http);
        Assert.Empty(check.Exec);
        Assert.Null(check.Tcp);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 5, TimeSpan.FromMinutes(1)),
            (check.Interval, check.Timeout, check.Retries, check.StartPeriod));
    }

    [Fact]
    public void Load_HttpWithoutPath_Root() => Assert.Equal(new HttpHealthCheck(80), Read("{http: {port: 80}}")!.Http);

    [Fact]
    public void Load_Tcp_Read() => Assert.Equal(new TcpHealthCheck(5432), Read("{tcp: {port: 5432}, timeout: 40s}")!.Tcp);

    [Theory]
    [InlineData("{interval: 10s}", 6, 16, "spec.healthcheck.exec", "is required; set one of exec")]
    [InlineData("{exec: [true], tcp: {port: 1}}", 6, 36, "spec.healthcheck.tcp", "set only one of exec, http and tcp; this healthcheck already has exec")]
    [InlineData("{exec: []}", 6, 23, "spec.healthcheck.exec", "is empty")]
    [InlineData("{exec: [true], interval: 0s}", 6, 41, "spec.healthcheck.interval", "0s is too short; interval must be at least 1s")]
    [InlineData("{exec: [true], interval: 0}", 6, 41, "spec.healthcheck.interval", "interval must be at least 1s")]
    [InlineData("{exec: [true], interval: 500ms}", 6, 41, "spec.healthcheck.interval", "500ms is too short")]
    [InlineData("{exec: [true], interval: -1s}", 6, 41, "spec.healthcheck.interval", "is not a duration")]
    [InlineData("{exec: [true], timeout: 0s}", 6, 40, "spec.healthcheck.timeout", "must be longer than 0s")]
    [InlineData("{exec: [true], retries: 0}", 6, 40, "spec.healthcheck.retries", "out of range")]
    [InlineData("{exec: [true], startPeriod: soon}", 6, 44, "spec.healthcheck.startPeriod", "\"soon\" is not a duration")]
    [InlineData("{tcp: {port: 70000}}", 6, 29, "spec.healthcheck.tcp.port", "out of range")]
    [InlineData("{tcp: {port: 0}}", 6, 29, "spec.healthcheck.tcp.port", "out of range")]
    [InlineData("{tcp: {}}", 6, 22, "spec.healthcheck.tcp.port", "is required")]
    [InlineData("{http: {port: 80, path: healthz}}", 6, 40, "spec.healthcheck.http.path", "start it with /")]
    [InlineData("{http: {port: 80, path: /a b}}", 6, 40, "spec.healthcheck.http.path", "write spaces as %20")]
    [InlineData("{exec: [true], intervall: 5s}", 6, 31, "spec.healthcheck.intervall", "did you mean interval?")]
    public void Load_BadHealthcheck_FileLineField(string healthcheck, int line, int column, string field, string message)
    {
        var result = Load(healthcheck);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("t.yaml", line, column, field), (d.File, d.Line, d.Column, d.Field));
        Assert.Contains(message, d.Message);
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void Load_DependsOnBothForms_NamesInOrderAndHealthyOnes()
    {
        var result = ManifestLoader.Load("""
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: web}
            spec:
              image: busybox
              dependsOn: [cache, {name: db, condition: Healthy}, {name: queue}, {name: log, condition: Running}]
            """, "web.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(result.Diagnostics);
        var spec = Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec;
        Assert.Equal(["cache", "db", "queue", "log"], spec.DependsOn);
        Assert.Equal(["db"], spec.HealthyDependencies);
    }

    [Theory]
    [InlineData("[{name: db, condition: healthy}]", 6, 37, "spec.dependsOn[0].condition", "\"healthy\" is not one of Running, Healthy; did you mean Healthy?")]
    [InlineData("[{condition: Healthy}]", 6, 15, "spec.dependsOn[0].name", "is required")]
    [InlineData("[db, {name: db, condition: Healthy}]", 6, 26, "spec.dependsOn[1].name", "db is listed twice")]
    [InlineData("[{name: t, condition: Healthy}]", 6, 22, "spec.dependsOn[0].name", "an isle cannot depend on itself")]
    [InlineData("[{name: db, when: Healthy}]", 6, 26, "spec.dependsOn[0].when", "unknown field")]
    public void Load_BadDependsOn_FileLineField(string dependsOn, int line, int column, string field, string message)
    {
        var result = ManifestLoader.Load(
            $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n  image: busybox\n  dependsOn: {dependsOn}\n", "t.yaml",
            Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("t.yaml", line, column, field), (d.File, d.Line, d.Column, d.Field));
        Assert.Contains(message, d.Message);
    }

    [Fact]
    public void Load_HealthyDependencyWithoutHealthcheckInTheSameFile_ErrorAtTheCondition()
    {
        var result = ManifestLoader.Load("""
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: db}
            spec: {image: busybox}
            ---
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: web}
            spec:
              image: busybox
              dependsOn:
                - name: db
                  condition: Healthy
            """, "app.yaml", Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("app.yaml", 13, 18, "spec.dependsOn[0].condition"), (d.File, d.Line, d.Column, d.Field));
        Assert.StartsWith("depends on isle db with condition Healthy, but db has no healthcheck", d.Message);
        Assert.Equal([ObjectKey.Isle("db")], result.Objects.Select(o => o.Key));
        Assert.Equal([ObjectKey.Isle("web")], result.Rejected);
    }

    [Fact]
    public void DependenciesWithoutHealthcheck_OtherIsleWithout_OneMessage()
    {
        var web = new IsleSpec { Image = "busybox", DependsOn = ["db", "cache", "gone"], HealthyDependencies = ["db", "cache", "gone"] };
        var specs = new Dictionary<string, IsleSpec>
        {
            ["db"] = new() { Image = "busybox" },
            ["cache"] = new() { Image = "busybox", Healthcheck = new IsleHealthCheck { Exec = ["true"] } },
        };

        var problems = DesiredStateCheck.DependenciesWithoutHealthcheck(web, specs.GetValueOrDefault);

        Assert.Equal([DesiredStateCheck.WithoutHealthcheck("db")], problems);
    }

    [Fact]
    public void SpecHash_HealthcheckAndConditions_EditedLiveAndAbsentFromOldHashes()
    {
        // Isles that use neither keep the hash they had before health checks existed; an edit of either is seen, and
        // applied to the running isle without a restart (IsleSpecRules).
        var spec = new IsleSpec { Image = "busybox", DependsOn = ["db"] };
        Assert.DoesNotContain("health", SpecHash.CanonicalJson(spec), StringComparison.OrdinalIgnoreCase);

        foreach (var edited in (IsleSpec[])[spec with { Healthcheck = new IsleHealthCheck { Tcp = new TcpHealthCheck(80) } }, spec with { HealthyDependencies = ["db"] }])
        {
            Assert.NotEqual(SpecHash.Of(spec), SpecHash.Of(edited));
            Assert.Equal(SpecChangeKind.Live, IsleSpecRules.Needs(IsleSpecRules.Changes(spec, edited)));
        }
    }

    [Fact]
    public void WriteJson_HealthcheckAndConditions_LoadBackEqual()
    {
        var yaml = """
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: web}
            spec:
              image: busybox
              dependsOn: [cache, {name: db, condition: Healthy}]
              healthcheck: {http: {port: 8080, path: /healthz}, interval: 2s, timeout: 1500ms, retries: 4, startPeriod: 30s}
            """;
        var manifest = Assert.Single(ManifestLoader.Load(yaml, "web.yaml", Islander.Drivers.DriverCatalogs.Known).Objects);

        var json = ManifestWriter.WriteJson(manifest);
        var back = Assert.Single(ManifestLoader.Load(json, "back.json", Islander.Drivers.DriverCatalogs.Known).Objects);

        var (a, b) = (((IsleManifest)manifest).Spec, ((IsleManifest)back).Spec);
        Assert.Equal(a.DependsOn, b.DependsOn);
        Assert.Equal(a.HealthyDependencies, b.HealthyDependencies);
        Assert.Equal(a.Healthcheck, b.Healthcheck, new HealthCheckComparer());
        Assert.Contains("\"condition\":\"Healthy\"", json);
        Assert.Contains("\"timeout\":\"1500ms\"", json);
    }

    /// <summary>Records compare lists by reference; this compares a check by value.</summary>
    sealed class HealthCheckComparer : IEqualityComparer<IsleHealthCheck?>
    {
        public bool Equals(IsleHealthCheck? x, IsleHealthCheck? y) =>
            x is null || y is null ? x == y : x.Exec.SequenceEqual(y.Exec) && x with { Exec = [] } == y with { Exec = [] };

        public int GetHashCode(IsleHealthCheck? obj) => 0;
    }
}
