using System.Diagnostics;
using System.Text;

namespace Islander.Controller.Sources;

/// <summary>
/// Runs the <c>git</c> program: arguments as a list (no shell), a fixed environment (no prompt, no host or user
/// configuration, only the transports a Source may name), a deadline after which git and its children (ssh,
/// git-remote-https) are killed.
/// </summary>
public static class GitCommand
{
    /// <summary>
    /// The transports git may use, whatever a URL, a redirect or a submodule says: never <c>ext::</c> or another remote
    /// helper, which run programs (CVE-2015-7545).
    /// </summary>
    public const string AllowedProtocols = "https:http:ssh:git:file";

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        /// <summary>
        /// git's own words for a failure: its last lines of stderr ("fatal: ..."), or the exit code. Hints and the
        /// advice git prints after any failure of a remote ("Please make sure you have the correct access rights / and
        /// the repository exists.") are left out: they would push out what ssh said (the key refused, the host key
        /// unknown or changed), which is the reason.
        /// </summary>
        public string Why => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("hint:", StringComparison.Ordinal) && !Advice.Contains(l)).TakeLast(3) is var lines && lines.Any()
            ? string.Join("; ", lines) : $"git exited with {ExitCode}";

        static readonly string[] Advice = ["Please make sure you have the correct access rights", "and the repository exists."];
    }

    /// <summary>The git program, or what to install: the package recommends git, so it can be missing (sources are optional).</summary>
    static Process Start(ProcessStartInfo info)
    {
        try
        {
            return Process.Start(info) ?? throw new IOException("cannot start git");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SourceException(SourceReasons.FetchFailed, $"cannot run the git program ({e.Message}); install git (apt-get install git) for sources");
        }
    }

    /// <summary>Runs git; throws <see cref="TimeoutException"/> when it runs longer than <paramref name="timeout"/> (it is killed).</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, Func<Stream, Task>? readOutput = null)
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            StandardOutputEncoding = readOutput is null ? Encoding.UTF8 : null,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_ASKPASS"] = "/bin/false";
        info.Environment["SSH_ASKPASS"] = "/bin/false";
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["GIT_ALLOW_PROTOCOL"] = AllowedProtocols;
        info.Environment["LC_ALL"] = "C";
        info.Environment.Remove("GIT_DIR");
        info.Environment.Remove("GIT_WORK_TREE");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;

        using var process = Start(info);
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            string text = "";
            if (readOutput is null) text = await process.StandardOutput.ReadToEndAsync(deadline.Token).ConfigureAwait(false);
            else await readOutput(process.StandardOutput.BaseStream).WaitAsync(deadline.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return new Result(process.ExitCode, text, await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"git {string.Join(' ', info.ArgumentList.Where(a => !a.Contains('=', StringComparison.Ordinal) && a != "-c").Take(1))} took longer than {timeout.TotalSeconds:0}s and was stopped");
        }
        finally
        {
            // A deadline, a cancelled daemon or a reader that gave up (a tree refused half way): git and its children go.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
