using System.Diagnostics;

namespace Islander.Testing;

/// <summary>
/// A real git repository for tests of sources: a bare "remote" (what a source fetches, at <see cref="Url"/>) and a
/// working clone the test commits in and pushes from, with the git program. Deleted with its directory.
/// </summary>
public sealed class GitRemote : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("islander-git-").FullName;
    public string Bare => Path.Combine(Dir, "remote.git");
    public string Work => Path.Combine(Dir, "work");
    public string Url => "file://" + Bare;

    public GitRemote(string branch = "main")
    {
        Git(Dir, "init", "--bare", "--quiet", "-b", branch, Bare);
        Git(Dir, "init", "--quiet", "-b", branch, Work);
        Git(Work, "remote", "add", "origin", Bare);
    }

    /// <summary>Writes (or, for null, deletes) files of the working tree, commits them and pushes; returns the commit.</summary>
    public string Commit(string message, params (string Path, string? Text)[] files)
    {
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(Work, path);
            if (text is null) File.Delete(full);
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }
        }
        Git(Work, "add", "--all");
        Git(Work, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "--quiet", "--allow-empty", "-m", message);
        Push();
        return Head();
    }

    public string Head() => Git(Work, "rev-parse", "HEAD").Trim();

    public void Push(string refspec = "HEAD") => Git(Work, "push", "--quiet", "--force", "origin", refspec.Contains(':') ? refspec : $"{refspec}:refs/heads/{CurrentBranch()}");

    string CurrentBranch() => Git(Work, "rev-parse", "--abbrev-ref", "HEAD").Trim();

    /// <summary>Runs git in <paramref name="dir"/> with the user's and system's configuration ignored; throws with its stderr when it fails.</summary>
    public static string Git(string dir, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} in {dir}: {stderr}");
        return stdout.Result;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
