using System.Diagnostics;
using System.Globalization;
using Islander.Integration.Tests.Daemon;
using Islander.Integration.Tests.Images;
using Islander.Testing;

namespace Islander.Integration.Tests.Package;

/// <summary>
/// The .deb that scripts/package.sh builds, installed with apt-get on Debian 12 booted under systemd as PID 1
/// (<see cref="NspawnMachine"/>), used as an administrator would: enable at boot, drop a manifest, restart, stop,
/// upgrade, remove, purge. What is asserted is what the administrator sees: systemctl, islanderctl, apt's output,
/// /proc and the files left.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class DebUnderSystemdTests
{
    const string Isle = "probe";

    /// <summary>An isle on a busybox tree copied into the machine; it says its hostname and lives until stopped.</summary>
    const string Manifest = """
        apiVersion: islander.io/v1
        kind: Isle
        metadata: {name: probe}
        spec:
          rootfs: /srv/busybox
          hostname: probe-host
          command: ["sh", "-c", "trap 'exit 0' TERM; echo hello from $(hostname); while :; do sleep 5 & wait $!; done"]
          restartPolicy: Always
        """;

    static readonly TimeSpan IsleTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Install_EnabledAtBoot_IsleOutlivesRestartStopAndUpgrade()
    {
        HostCaps.RequireRoot();
        var debs = DebPackages.Get();
        await using var m = NspawnMachine.Create();
        Prepare(m, debs);
        await m.BootAsync();

        var install = m.Ok($"cd /var/tmp && apt-get install -y ./{Path.GetFileName(debs.First)} 2>&1");
        Assert.Contains("Setting up islander (0.9.0+test1)", install, StringComparison.Ordinal);
        Assert.Equal("enabled", m.Ok("systemctl is-enabled islanderd").Trim());
        Assert.Equal("active", m.Ok("systemctl is-active islanderd").Trim());
        // The unit as installed, with its files in place: nothing to say. (--man=no: minbase has no man to look up
        // Documentation=man:islanderd(8) with; the page is checked to be there instead.)
        Assert.Equal("", m.Ok("systemd-analyze verify --man=no islanderd.service 2>&1").Trim());
        m.Ok("test -s /usr/share/man/man8/islanderd.8.gz");

        // Enabled means started at boot: after a reboot nobody starts it by hand.
        await m.RebootAsync();
        Assert.Equal("active", m.Ok("systemctl is-active islanderd").Trim());
        int booted = MainPid(m);
        Assert.True(booted > 0);

        // A manifest dropped into /etc/islander/manifests runs.
        await File.WriteAllTextAsync(Path.Combine(m.Root, "etc/islander/manifests/probe.yaml"), Manifest, TestContext.Current.CancellationToken);
        int pid = await RunningPidAsync(m);
        Assert.Contains("hello from probe-host", m.Ok($"islanderctl logs {Isle}"), StringComparison.Ordinal);
        AssertAlive(m, pid);
        // Outside islanderd.service in every hierarchy, the ones systemd tracks units by included: the unit holds islanderd
        // and the shims only.
        Assert.DoesNotContain("islanderd.service", m.Ok($"cat /proc/{pid}/cgroup"), StringComparison.Ordinal);

        // systemctl restart: a new islanderd, the same isle.
        m.Ok("systemctl restart islanderd");
        Assert.Equal("active", m.Ok("systemctl is-active islanderd").Trim());
        Assert.NotEqual(booted, MainPid(m));
        AssertAlive(m, pid);
        Assert.Equal(pid, await RunningPidAsync(m));

        // systemctl stop: no islanderd, the isle still runs; started again, it adopts the isle.
        m.Ok("systemctl stop islanderd");
        Assert.Equal("inactive", m.Run("systemctl is-active islanderd").Out.Trim());
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        AssertAlive(m, pid);
        Assert.Equal(pid, await StartTimedAsync(m));

        // An upgrade to a higher version restarts islanderd once and no isle.
        int before = MainPid(m);
        var upgrade = m.Ok($"cd /var/tmp && apt-get install -y ./{Path.GetFileName(debs.Upgrade)} 2>&1");
        Assert.Contains("Unpacking islander (0.9.0+test2) over (0.9.0+test1)", upgrade, StringComparison.Ordinal);
        Assert.Equal("0.9.0+test2", m.Ok("dpkg-query -W -f '${Version}' islander").Trim());
        Assert.Equal("active", m.Ok("systemctl is-active islanderd").Trim());
        Assert.NotEqual(before, MainPid(m));
        AssertAlive(m, pid);
        Assert.Equal(pid, await RunningPidAsync(m));
        Assert.Equal("0", Row(m)?[3]); // RESTARTS: the isle was never restarted
    }

    [Fact]
    public async Task RemoveKeepsIsleAndData_PurgeSaysWhatItRemovesBeforeRemovingIt()
    {
        HostCaps.RequireRoot();
        var debs = DebPackages.Get();
        await using var m = NspawnMachine.Create();
        Prepare(m, debs);
        await m.BootAsync();
        m.Ok($"cd /var/tmp && apt-get install -y ./{Path.GetFileName(debs.First)} 2>&1");
        await File.WriteAllTextAsync(Path.Combine(m.Root, "etc/islander/manifests/probe.yaml"), Manifest, TestContext.Current.CancellationToken);
        int pid = await RunningPidAsync(m);
        int daemon = MainPid(m);

        // remove: the daemon stops, the isle runs on, the state and the administrator's files stay.
        m.Ok("apt-get remove -y islander 2>&1");
        Assert.Equal("inactive", m.Run("systemctl is-active islanderd").Out.Trim());
        Assert.Equal(1, m.Run($"test -d /proc/{daemon}").Code);
        AssertAlive(m, pid);
        m.Ok("test -d /var/lib/islander/isles && test -f /etc/islander/manifests/probe.yaml && test -f /etc/islander/config.yaml");

        // purge while the isle runs: the state it runs from is kept, and the output says so and what to do.
        var kept = m.Ok("apt-get purge -y islander 2>&1");
        Assert.Contains("isles are still running; keeping /var/lib/islander", kept, StringComparison.Ordinal);
        m.Ok("test -d /var/lib/islander/isles");
        AssertAlive(m, pid);

        // With the isle gone (its init and its shim killed, its manifest removed, then pruned by a reinstalled islanderd:
        // that purge was complete for dpkg), a purge says what it removes, with its size, and removes it.
        m.Ok($"shim=$(awk '{{print $4}}' /proc/{pid}/stat); kill -KILL {pid} $shim; while [ -d /proc/{pid} ] || [ -d /proc/$shim ]; do sleep 0.1; done");
        m.Ok("rm /etc/islander/manifests/probe.yaml");
        m.Ok($"cd /var/tmp && apt-get install -y ./{Path.GetFileName(debs.First)} 2>&1");
        await GoneAsync(m);
        m.Ok("systemctl stop islanderd");
        var purged = m.Ok("apt-get purge -y islander 2>&1");
        Assert.Matches(@"islander: removing /var/lib/islander \([0-9.]+[KMG]?\): isles' layers, images, volumes, state", purged);
        Assert.Equal(1, m.Run("test -e /var/lib/islander").Code);
        Assert.Equal(1, m.Run("test -e /etc/islander/config.yaml").Code);
        Assert.Equal("", m.Ok("dpkg-query -W -f '${db:Status-Abbrev}' islander 2>/dev/null || true").Trim());
    }

    /// <summary>Who ran <c>sudo</c> in the README's block: a user this test makes in the machine (it goes with the machine).</summary>
    const string SudoUser = "alice";

    /// <summary>The checkout in the machine, as the block expects it: artifacts/deb/ with the .deb, examples/.</summary>
    const string Checkout = "/home/alice/islander";

    /// <summary>The registry mirror in the machine: Debian's docker-registry on the machine's own loopback.</summary>
    const int MirrorPort = 5000;

    /// <summary>
    /// README.md's "Installing the package" block, after its <c>scripts/package.sh</c> (<see cref="DebPackages"/> ran it),
    /// line by line as written, as root in a checkout with <c>SUDO_USER</c> set, in a fresh Debian 12 under systemd; its
    /// last line as that user, in a login shell. Each comment's promise is checked: installed as a service, enabled and
    /// started; <c>systemctl status</c> active with Status "reconciling"; the example runs from busybox:latest pulled for
    /// it (and goes with its file); the user may use islanderctl after adduser and a new login, and may not before.
    /// </summary>
    /// <remarks>
    /// One step is not the README's: the machine has no internet, so busybox:latest cannot come from Docker Hub. Before the
    /// <c>cp</c> line the test does what an offline site does: a Docker Hub mirror in /etc/islander/config.yaml
    /// (<c>registries.mirrors</c>, then <c>systemctl restart islanderd</c>), served by Debian's docker-registry in the
    /// machine holding the test's busybox image as library/busybox:latest. The pull goes through the same code as one from
    /// Docker Hub, and the mirror's access log shows it happened.
    /// </remarks>
    [Fact]
    public async Task ReadmePackageBlock_RunsAsWrittenInAFreshDebian()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        var block = ReadmePackageBlock.Read();
        var debs = DebPackages.Get();
        await using var m = NspawnMachine.Create();
        // The host's docker-registry (Debian 12's, as the machine) and its config; started as a unit once booted.
        File.Copy("/usr/bin/docker-registry", Path.Combine(m.Root, "usr/local/bin/docker-registry"));
        Directory.CreateDirectory(Path.Combine(m.Root, "srv/registry"));
        await File.WriteAllTextAsync(Path.Combine(m.Root, "srv/registry/config.yml"), $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: /srv/registry/data
            http:
              addr: 127.0.0.1:{MirrorPort}
            """, TestContext.Current.CancellationToken);
        await m.BootAsync();

        m.Ok($"useradd --create-home --shell /bin/bash {SudoUser}");
        string deb = Path.Combine(m.Root, Checkout.TrimStart('/'), "artifacts/deb", Path.GetFileName(debs.First));
        Directory.CreateDirectory(Path.GetDirectoryName(deb)!);
        File.Copy(debs.First, deb);
        Command.Ok("cp", ["-a", Path.Combine(TestRootfs.RepoRoot, "examples"), Path.Combine(m.Root, Checkout.TrimStart('/'))], TimeSpan.FromMinutes(1));
        m.Ok($"chown -R {SudoUser}: {Checkout}");
        StartMirror(m);

        CommandResult AsRoot(ReadmeCommand c) => m.Run($"cd {Checkout} && SUDO_USER={SudoUser} bash -c {Quote(c.Text)} 2>&1");
        CommandResult AsUser(string text) => m.Run($"su - {SudoUser} -c {Quote(text)} 2>&1");
        void Succeeds(ReadmeCommand c, CommandResult r) =>
            Assert.True(r.Code == 0, $"{c}: {r}\njournal:\n{m.Run("journalctl -u islanderd --no-pager -n 40").Out}");

        // apt-get install ./artifacts/deb/islander_*.deb: installs islanderd as a service, enabled at boot and started.
        var install = AsRoot(block[1]);
        Succeeds(block[1], install);
        Assert.Contains("Setting up islander (0.9.0+test1)", install.Out, StringComparison.Ordinal);
        Assert.Equal("enabled", m.Ok("systemctl is-enabled islanderd").Trim());
        Assert.Equal("active", m.Ok("systemctl is-active islanderd").Trim());
        // The completions the README's next paragraph says the package installs, where each shell looks for them.
        m.Ok("test -s /usr/share/bash-completion/completions/islanderctl && test -s /usr/share/zsh/vendor-completions/_islanderctl"
             + " && test -s /usr/share/fish/vendor_completions.d/islanderctl.fish");

        // systemctl status islanderd: active (running), Status: "reconciling" (sent after the first reconcile pass).
        await Until(() => AsRoot(block[2]), r => r.Code == 0 && r.Out.Contains("Active: active (running)", StringComparison.Ordinal)
            && r.Out.Contains("Status: \"reconciling\"", StringComparison.Ordinal), block[2], TimeSpan.FromSeconds(30));

        // Not yet in the group: the user's islanderctl is refused, and says why.
        var refused = AsUser(block[5].Text);
        Assert.True(refused.Code != 0 && refused.Out.Contains("permission denied connecting to islanderd", StringComparison.Ordinal),
            $"{SudoUser} used islanderctl before adduser: {refused}");

        // The test's step (see remarks): Docker Hub through the machine's mirror.
        m.Ok($"sed -i 's|^  mirrors: \\[\\]$|  mirrors: [http://127.0.0.1:{MirrorPort}]|' /etc/islander/config.yaml");
        m.Ok($"grep -qx '  mirrors: \\[http://127.0.0.1:{MirrorPort}\\]' /etc/islander/config.yaml");
        m.Ok("systemctl restart islanderd");

        // cp examples/image.yaml /etc/islander/manifests/: from-image runs (busybox:latest pulled); adduser; the user's
        // islanderctl, from a new login, shows from-image Running.
        Succeeds(block[3], AsRoot(block[3]));
        Succeeds(block[4], AsRoot(block[4]));
        Assert.Contains("islander", m.Ok($"id -nG {SudoUser}").Split(' ', StringSplitOptions.TrimEntries));
        await Until(() => AsUser(block[5].Text), r => r.Code == 0 && IsleRow(r.Out, "from-image") is [_, "Running", ..], block[5], IsleTimeout);
        Assert.Contains("hello from an image", AsUser("islanderctl logs from-image").Out, StringComparison.Ordinal);
        Assert.Contains("GET /v2/library/busybox/manifests/latest", m.Ok("journalctl -u readme-registry --no-pager"), StringComparison.Ordinal);

        // "delete the file to delete it".
        m.Ok("rm /etc/islander/manifests/image.yaml");
        await Until(() => AsUser(block[5].Text), r => r.Code == 0 && IsleRow(r.Out, "from-image") is null, block[5], IsleTimeout);
    }

    /// <summary>
    /// Debian's docker-registry as a transient unit in the machine (it goes with the machine), and the test's busybox
    /// image pushed into it as library/busybox:latest by the host's skopeo in the machine's network namespace.
    /// </summary>
    static void StartMirror(NspawnMachine m)
    {
        m.Ok("systemd-run --unit=readme-registry /usr/local/bin/docker-registry serve /srv/registry/config.yml");
        string layout = ImageFixtures.Busybox;
        var clock = Stopwatch.StartNew();
        CommandResult push;
        // Until the registry listens: a refused connection at first.
        while ((push = Command.Run("nsenter", ["--target", m.Leader.ToString(CultureInfo.InvariantCulture), "--net", "--",
                   "skopeo", "copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:1.0", $"docker://127.0.0.1:{MirrorPort}/library/busybox:latest"],
                   TimeSpan.FromMinutes(1))).Code != 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"push to the machine's registry: {push}\n{m.Run("journalctl -u readme-registry --no-pager").Out}");
            Thread.Sleep(200);
        }
    }

    /// <summary>Runs <paramref name="run"/> until <paramref name="holds"/> (what a user waits for), or fails with its last output.</summary>
    static async Task Until(Func<CommandResult> run, Func<CommandResult, bool> holds, ReadmeCommand command, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        CommandResult r;
        while (!holds(r = run()))
        {
            Assert.True(clock.Elapsed < timeout, $"{command}: not as its comment says after {timeout}: {r}");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The row of <paramref name="name"/> in <c>islanderctl get isles</c>' output (NAME PHASE ...), or null.</summary>
    static string[]? IsleRow(string output, string name) =>
        output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(f => f.Length >= 2 && f[0] == name);

    /// <summary><paramref name="text"/> as one single-quoted shell word.</summary>
    static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The packages and the isle's root filesystem, put in the machine's tree before it boots.</summary>
    static void Prepare(NspawnMachine m, DebPackages debs)
    {
        foreach (var deb in (string[])[debs.First, debs.Upgrade])
            File.Copy(deb, Path.Combine(m.Root, "var/tmp", Path.GetFileName(deb)));
        Command.Ok("cp", ["-a", TestRootfs.Busybox + "/.", Directory.CreateDirectory(Path.Combine(m.Root, "srv/busybox")).FullName], TimeSpan.FromMinutes(1));
    }

    static int MainPid(NspawnMachine m) =>
        int.Parse(m.Ok("systemctl show -P MainPID islanderd").Trim(), CultureInfo.InvariantCulture);

    /// <summary>The isle's row of <c>islanderctl get isles</c> (NAME PHASE PID RESTARTS ...), or null.</summary>
    static string[]? Row(NspawnMachine m) =>
        m.Run("islanderctl get isles").Out.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(f => f.Length >= 4 && f[0] == Isle);

    /// <summary>Waits until islanderctl shows the isle Running; its pid (in the machine's PID namespace).</summary>
    static async Task<int> RunningPidAsync(NspawnMachine m)
    {
        var clock = Stopwatch.StartNew();
        string[]? row;
        while ((row = Row(m)) is not [_, "Running", var p, ..] || !int.TryParse(p, CultureInfo.InvariantCulture, out _))
        {
            if (clock.Elapsed > IsleTimeout)
                Assert.Fail($"isle {Isle} not Running after {IsleTimeout}: {string.Join(' ', row ?? [])}\n" +
                            $"{m.Run("islanderctl get isles; islanderctl events").Out}\n{m.Run("journalctl -u islanderd --no-pager -n 40").Out}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        return int.Parse(row[2], CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until islanderctl no longer lists the isle.</summary>
    static async Task GoneAsync(NspawnMachine m)
    {
        var clock = Stopwatch.StartNew();
        string list;
        while ((list = m.Ok("islanderctl get isles")).Split('\n').Any(l => l.StartsWith(Isle + " ", StringComparison.Ordinal)))
        {
            Assert.True(clock.Elapsed < IsleTimeout, $"isle {Isle} still listed after its manifest went:\n{list}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The isle's process is there, not a zombie, and still the isle's command.</summary>
    static void AssertAlive(NspawnMachine m, int pid)
    {
        var r = m.Run($"grep -q '^State:.*[RS]' /proc/{pid}/status && tr '\\0' ' ' < /proc/{pid}/cmdline");
        Assert.True(r.Code == 0 && r.Out.Contains("hello from", StringComparison.Ordinal), $"isle process {pid} is gone: {r}");
    }

    /// <summary>
    /// <c>systemctl start islanderd</c> five times (stopped between), each timed to its return, which is READY=1
    /// (Type=notify); writes the median to the test's output and returns the isle's pid once it is started again.
    /// </summary>
    static async Task<int> StartTimedAsync(NspawnMachine m)
    {
        var times = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            // reset-failed clears the start counter: five starts in 10 s would hit the unit's start limit (StartLimitBurst=5).
            if (i > 0) m.Ok("systemctl stop islanderd && systemctl reset-failed islanderd");
            var ns = m.Ok("s=$(date +%s%N); systemctl start islanderd; e=$(date +%s%N); echo $((e - s))").Trim();
            times.Add(long.Parse(ns, CultureInfo.InvariantCulture) / 1e6);
            Assert.Equal("active", m.Ok("systemctl is-active islanderd").Trim());
        }
        times.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"systemctl start islanderd to READY=1: median {times[2]:F0} ms of [{string.Join(", ", times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}]");
        return await RunningPidAsync(m);
    }
}
