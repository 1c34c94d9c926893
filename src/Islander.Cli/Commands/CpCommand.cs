using System.CommandLine;
using Islander.Cli.Api;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl cp NAME:SRC DEST</c> and <c>islanderctl cp SRC NAME:DEST</c>, as <c>docker cp</c>: a file, a symbolic
/// link (copied as the link) or a directory and all below it, as a tar stream through the daemon's archive endpoints;
/// <c>-</c> for a tar on stdout or stdin. Into an isle, files are owned by the isle's root unless <c>-a</c> keeps the
/// uid and gid they have here. Out of an isle, they are owned by whoever runs islanderctl. The isle must be running.
/// </summary>
public static class CpCommand
{
    public static Command Create(Option<string?> socket)
    {
        var source = new Argument<string>("source") { Description = "NAME:PATH in an isle, a local path, or - (a tar on stdin)" };
        var dest = new Argument<string>("dest") { Description = "NAME:PATH in an isle, a local path, or - (a tar on stdout)" };
        var archive = new Option<bool>("--archive", "-a") { Description = "keep the uid and gid of what is copied into the isle (default: the isle's root)" };
        var cp = new Command("cp", "copy files and directories between an isle and here") { source, dest, archive };
        cp.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            string src = parse.GetValue(source)!, dst = parse.GetValue(dest)!;
            var (srcIsle, srcPath) = Split(src);
            var (dstIsle, dstPath) = Split(dst);
            if ((srcIsle is null) == (dstIsle is null))
                throw new ClientException("one of source and destination must be in an isle (NAME:PATH), the other here: islanderctl cp web:/etc/hosts ./hosts", "BadRequest", 2);
            if (srcIsle is not null)
                await FromIsleAsync(client, srcIsle, srcPath, dstPath, token);
            else
                await IntoIsleAsync(client, srcPath, dstIsle!, dstPath, parse.GetValue(archive), token);
            return 0;
        }));
        return cp;
    }

    /// <summary>NAME:PATH splits at the first colon when the part before it is a name (no slash), as docker cp; else a local path.</summary>
    static (string? Isle, string Path) Split(string arg)
    {
        int colon = arg.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || arg[..colon].Contains('/', StringComparison.Ordinal) || arg.StartsWith('.'))
            return (null, arg);
        string path = arg[(colon + 1)..];
        return (arg[..colon], path.Length == 0 ? "/" : path);
    }

    static async Task FromIsleAsync(IslanderClient client, string isle, string path, string dest, CancellationToken ct)
    {
        if (dest == "-")
        {
            await using var tar = await client.GetArchiveAsync(isle, path, ct);
            await using var stdout = Console.OpenStandardOutput();
            await tar.CopyToAsync(stdout, ct);
            return;
        }
        var full = Path.GetFullPath(dest);
        string into, name;
        if (Directory.Exists(full))
            (into, name) = (full, "");
        else if (Directory.Exists(Path.GetDirectoryName(full)))
            (into, name) = (Path.GetDirectoryName(full)!, Path.GetFileName(full));
        else
            throw new ClientException($"destination directory {Path.GetDirectoryName(full)} does not exist", "NotFound");
        var stat = await client.StatPathAsync(isle, path, ct) ?? throw new ClientException($"Could not find the file {path} in isle {isle}", "NotFound");
        if (stat.Type == "Directory" && File.Exists(full))
            throw new ClientException($"cannot copy a directory ({isle}:{path}) to a file ({dest})", "BadRequest");
        await using var stream = await client.GetArchiveAsync(isle, path, ct);
        await LocalTar.ExtractAsync(stream, into, name, ct);
    }

    static async Task IntoIsleAsync(IslanderClient client, string source, string isle, string path, bool keepOwners, CancellationToken ct)
    {
        if (source == "-")
        {
            var target = await client.StatPathAsync(isle, path, ct) ?? throw new ClientException($"Could not find the file {path} in isle {isle}", "NotFound");
            if (target.Type != "Directory")
                throw new ClientException($"{isle}:{path} is not a directory; a tar from stdin is unpacked into a directory", "BadRequest");
            await using var stdin = Console.OpenStandardInput();
            await client.PutArchiveAsync(isle, path, stdin, keepOwners, ct);
            return;
        }
        var local = Path.GetFullPath(source);
        var info = new FileInfo(local);
        bool isDirectory = Directory.Exists(local) && info.LinkTarget is null;
        if (!info.Exists && !isDirectory && info.LinkTarget is null)
            throw new ClientException($"no such file or directory here: {source}", "NotFound");
        string into, name;
        var stat = await client.StatPathAsync(isle, path, ct);
        if (stat is { Type: "Directory" })
            (into, name) = (path, Path.GetFileName(local.TrimEnd('/')));
        else if (stat is not null && isDirectory)
            throw new ClientException($"cannot copy a directory ({source}) to a file ({isle}:{path})", "BadRequest");
        else
        {
            string parent = Path.GetDirectoryName(path.TrimEnd('/')) is { Length: > 0 } p ? p : "/";
            if (await client.StatPathAsync(isle, parent, ct) is not { Type: "Directory" })
                throw new ClientException($"Could not find the file {parent} in isle {isle}", "NotFound");
            (into, name) = (parent, Path.GetFileName(path.TrimEnd('/')));
        }
        var pipe = new System.IO.Pipelines.Pipe();
        var writing = Task.Run(async () =>
        {
            await using var w = pipe.Writer.AsStream();
            await LocalTar.WriteAsync(local, name, w, ct);
        }, ct);
        await using (var r = pipe.Reader.AsStream())
            await client.PutArchiveAsync(isle, into, r, keepOwners, ct);
        await writing;
    }
}
