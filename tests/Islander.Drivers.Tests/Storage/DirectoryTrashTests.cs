using Islander.Drivers.Storage;

namespace Islander.Drivers.Tests.Storage;

/// <summary>
/// A discarded directory's name is free at once; its content goes in the background, and what a daemon that died left
/// in the trash goes at the next start.
/// </summary>
public sealed class DirectoryTrashTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-trash-").FullName;
    readonly string _root;

    public DirectoryTrashTests() => _root = Path.Combine(_dir, ".trash");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Tree(string name)
    {
        string dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.Combine(dir, "fs", "upper", "etc"));
        File.WriteAllText(Path.Combine(dir, "fs", "upper", "etc", "hosts"), "written by the isle\n");
        File.WriteAllText(Path.Combine(dir, "log.json"), "{}\n");
        return dir;
    }

    [Fact]
    public async Task Discard_TheNameIsFreeAtOnce_TheContentGoesInTheBackground()
    {
        var trash = new DirectoryTrash(_root);
        string web = Tree("web");

        trash.Discard(web);

        Assert.False(Directory.Exists(web));
        Directory.CreateDirectory(web); // the next isle of that name
        await trash.DeletedAsync();
        Assert.Empty(Directory.GetFileSystemEntries(_root));
        Assert.Empty(Directory.GetFileSystemEntries(web)); // the new one is not touched
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_root));
    }

    /// <summary>
    /// The deletes run on a thread of their own at nice 19, not on the caller's (a pool worker with a watch to answer):
    /// the thread lingers a moment for more once the trash is empty, and /proc shows its nice value.
    /// </summary>
    [Fact]
    public async Task Discard_DeletedByAThreadOfItsOwn_AtNice19()
    {
        var trash = new DirectoryTrash(_root);
        trash.Discard(Tree("web"));
        await trash.DeletedAsync();

        var nices = Directory.GetDirectories("/proc/self/task")
            .Where(t => File.ReadAllText(Path.Combine(t, "comm")).Trim() == "islander trash")
            .Select(t => File.ReadAllText(Path.Combine(t, "stat")))
            .Select(stat => stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16]) // field 19, nice, counted after comm
            .ToList();
        Assert.NotEmpty(nices);
        Assert.All(nices, n => Assert.Equal("19", n));
    }

    [Fact]
    public async Task Discard_SameNameTwice_BothGo()
    {
        var trash = new DirectoryTrash(_root);
        trash.Discard(Tree("web"));
        trash.Discard(Tree("web"));
        trash.Discard(Path.Combine(_dir, "missing")); // nothing to do

        await trash.DeletedAsync();

        Assert.Empty(Directory.GetFileSystemEntries(_root));
        Assert.Equal([_root], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Discard_TrashCannotBeMade_DeletedHereAndNow()
    {
        File.WriteAllText(_root, "a file where the trash would be");
        var trash = new DirectoryTrash(_root);
        string web = Tree("web");

        trash.Discard(web);

        Assert.False(Directory.Exists(web));
        Assert.True(trash.DeletedAsync().IsCompleted);
    }

    [Fact]
    public async Task EmptyLeftovers_WhatAnEarlierDaemonLeft_Goes()
    {
        Directory.CreateDirectory(_root);
        Directory.Move(Tree("web"), Path.Combine(_root, "web.4242.1")); // renamed, then the daemon died
        var trash = new DirectoryTrash(_root);

        trash.EmptyLeftovers();
        await trash.DeletedAsync();

        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }
}
