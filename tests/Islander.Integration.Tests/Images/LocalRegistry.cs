using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Islander.Integration.Tests.Images;

/// <summary>
/// Debian's docker-registry (CNCF distribution) on 127.0.0.1 and a free port, with storage in a
/// temporary directory and, optionally, htpasswd Basic auth. Stopped and removed on dispose.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    readonly Process process;
    readonly string dir;

    LocalRegistry(Process process, string dir, int port)
    {
        this.process = process;
        this.dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What the registry printed, its access log included ("GET /v2/… HTTP/1.1" 206 …).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; private init; } = new();
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Writes a config (and htpasswd when <paramref name="account"/> is given), starts the registry and waits for /v2/.</summary>
    public static async Task<LocalRegistry> StartAsync((string User, string Password)? account = null)
    {
        string dir = Directory.CreateTempSubdirectory("islander-registry-").FullName;
        int port = FreePort();
        string auth = "";
        if (account is { } a)
        {
            string htpasswd = Tools.Run("htpasswd", "-Bbn", a.User, a.Password).Trim();
            File.WriteAllText(Path.Combine(dir, "htpasswd"), htpasswd + "\n");
            auth = $"auth:\n  htpasswd:\n    realm: islander-test\n    path: {dir}/htpasswd\n";
        }
        File.WriteAllText(Path.Combine(dir, "config.yml"), $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {dir}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            {auth}
            """);
        var process = Process.Start(new ProcessStartInfo("docker-registry", ["serve", Path.Combine(dir, "config.yml")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, dir, port) { Output = output };
        using var http = new HttpClient();
        for (int i = 0; i < 100; i++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"docker-registry exited with {process.ExitCode}");
            try
            {
                using var r = await http.GetAsync($"http://127.0.0.1:{port}/v2/");
                if (r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                    return registry;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await registry.DisposeAsync();
        throw new TimeoutException("docker-registry did not answer on /v2/");
    }

    /// <summary>skopeo copy of an OCI layout image into this registry (as <paramref name="destinationTag"/>, else <paramref name="tag"/>).</summary>
    public void Push(string layout, string tag, string repository, (string User, string Password)? account = null, string? destinationTag = null)
    {
        var args = new List<string> { "copy", "--quiet", "--dest-tls-verify=false" };
        if (account is { } a)
            args.Add($"--dest-creds={a.User}:{a.Password}");
        args.Add($"oci:{layout}:{tag}");
        args.Add($"docker://{Host}/{repository}:{destinationTag ?? tag}");
        Tools.Run("skopeo", [.. args]);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
