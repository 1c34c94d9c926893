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
