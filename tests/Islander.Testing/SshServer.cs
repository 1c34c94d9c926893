using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Islander.Testing;

/// <summary>
/// A real OpenSSH server for tests of ssh:// sources: the <c>sshd</c> binary run in the foreground
/// (<c>-D -f CONFIG -e</c>) on a free port of 127.0.0.1, with a host key and one authorized client key that the test
/// generates with ssh-keygen, logging in as the user running the test (root) by key only. git's
/// <c>git-upload-pack</c> runs in the session, so <c>ssh://USER@127.0.0.1:PORT/PATH</c> serves any repository path.
/// Nothing of the system's sshd (service, config, keys) is used or changed; the process is killed in Dispose.
/// </summary>
public sealed class SshServer : IDisposable
{
    readonly Process _sshd;
    readonly StringBuilder _log = new();

    public string Dir { get; }
    public int Port { get; private set; }
    public string User { get; } = Environment.UserName;

    /// <summary>The client's private key, authorized by the server.</summary>
    public string ClientKey => Path.Combine(Dir, "client_key");

    /// <summary>A private key the server does not know.</summary>
    public string OtherKey => Path.Combine(Dir, "other_key");

    /// <summary>A known_hosts file listing the server's host key for [127.0.0.1]:PORT.</summary>
    public string KnownHosts => Path.Combine(Dir, "known_hosts");

    /// <summary>A known_hosts file listing a different key for [127.0.0.1]:PORT (an impostor, or a rotated host key).</summary>
    public string WrongKnownHosts => Path.Combine(Dir, "known_hosts.wrong");

    /// <summary>What sshd logged (-e), for failure messages.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static bool Available => File.Exists(SshdPath) && File.Exists("/usr/bin/ssh-keygen") && File.Exists("/usr/bin/ssh");

    const string SshdPath = "/usr/sbin/sshd";

    /// <summary>Starts sshd; when it cannot (a tool missing, no port bound), nothing of it is left behind.</summary>
    public SshServer()
    {
        if (!Available) throw new InvalidOperationException("sshd, ssh or ssh-keygen is missing: apt-get install openssh-server openssh-client (scripts/setup.sh)");
        Dir = Directory.CreateTempSubdirectory("islander-sshd-").FullName;
        try
        {
            _sshd = Start();
        }
        catch (Exception)
        {
            Directory.Delete(Dir, recursive: true);
            throw;
        }
    }

    Process Start()
    {
        // Privilege separation: sshd running as root refuses to start without this empty directory (Debian's package
        // creates it at boot through tmpfiles, which a container may not have run).
        if (!Directory.Exists("/run/sshd"))
            Directory.CreateDirectory("/run/sshd", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var hostKey = Path.Combine(Dir, "host_key");
        var otherHost = Path.Combine(Dir, "other_host_key");
        foreach (var key in new[] { hostKey, otherHost, ClientKey, OtherKey })
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", Path.GetFileName(key), "-f", key);
        File.Copy(ClientKey + ".pub", Path.Combine(Dir, "authorized_keys"));

        Exception? last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            Port = FreePort();
            File.WriteAllText(KnownHosts, $"[127.0.0.1]:{Port} {PublicKey(hostKey)}\n");
            File.WriteAllText(WrongKnownHosts, $"[127.0.0.1]:{Port} {PublicKey(otherHost)}\n");
            var config = Path.Combine(Dir, "sshd_config");
            // StrictModes off: the test's files sit under /tmp, which sshd's ownership walk up to / would refuse.
            File.WriteAllText(config, $"""
                ListenAddress 127.0.0.1
                Port {Port}
                HostKey {hostKey}
                AuthorizedKeysFile {Path.Combine(Dir, "authorized_keys")}
                AllowUsers {User}
                PermitRootLogin prohibit-password
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                PidFile none
                LogLevel VERBOSE
                MaxStartups 50
                """);
            var info = new ProcessStartInfo(SshdPath) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
            foreach (var a in new[] { "-D", "-e", "-f", config }) info.ArgumentList.Add(a);
            var sshd = Process.Start(info) ?? throw new InvalidOperationException("cannot start sshd");
            sshd.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
            sshd.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
            sshd.BeginErrorReadLine();
            sshd.BeginOutputReadLine();
            if (WaitListening(sshd, TimeSpan.FromSeconds(30))) return sshd;
            // Another process took the port between the probe and sshd's bind: try another one.
            last = new InvalidOperationException($"sshd did not listen on 127.0.0.1:{Port}: {Log}");
            Stop(sshd);
        }
        throw last!;
    }

    /// <summary>The URL of a repository at <paramref name="path"/> (absolute) on this server.</summary>
    public string Url(string path) => $"ssh://{User}@127.0.0.1:{Port}{path}";

    static string PublicKey(string privateKey)
    {
        var parts = File.ReadAllText(privateKey + ".pub").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{parts[0]} {parts[1]}";
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    bool WaitListening(Process sshd, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (sshd.HasExited) return false;
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                using var stream = client.GetStream();
                stream.ReadTimeout = 10_000;
                // Our sshd's banner, not some other listener's.
                var banner = new byte[8];
                if (stream.Read(banner, 0, banner.Length) >= 4 && Encoding.ASCII.GetString(banner).StartsWith("SSH-", StringComparison.Ordinal))
                    return !sshd.HasExited;
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }
            Thread.Sleep(100);
        }
        return false;
    }

    static void Stop(Process p)
    {
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        p.Dispose();
    }

    static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {stderr}{stdout.Result}");
    }

    public void Dispose()
    {
        Stop(_sshd);
        Directory.Delete(Dir, recursive: true);
    }
}
