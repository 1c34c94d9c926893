using Islander.Controller.Desired;
using Islander.Model;

namespace Islander.Controller.Tests.Desired;

/// <summary>A manifests tree loads as one snapshot: one revision, every file or none, parses reused across swaps.</summary>
public sealed class ManifestTreeTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-tree-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Root => Path.Combine(_dir, "manifests");

    string Revision(string name, params (string File, string Text)[] files)
    {
        var dir = Path.Combine(_dir, name);
        foreach (var (file, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, file))!);
            File.WriteAllText(Path.Combine(dir, file), text);
        }
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>git-sync's swap: a new link beside the root, renamed over it (rename(2) is atomic).</summary>
    void Swap(string target)
    {
        var tmp = Path.Combine(_dir, "manifests.tmp");
        File.CreateSymbolicLink(tmp, target);
        using var mv = System.Diagnostics.Process.Start("mv", ["-T", tmp, Root]);
        mv.WaitForExit();
        Assert.Equal(0, mv.ExitCode);
    }

    static string Yaml(string name, string command = "sleep") => ControllerHarness.IsleYaml(name, command);

    [Fact]
    public void Load_SymlinkedRoot_ReadsTheTargetOnce_NamesFilesUnderTheRoot()
    {
        Swap(Revision("rev1", ("web.yaml", Yaml("web")), ("sub/db.yml", Yaml("db")), (".git/x.yaml", Yaml("x")), ("notes.txt", "")));

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(Root);

        Assert.True(snapshot.IsAvailable);
        Assert.True(snapshot.IsValid, string.Join("\n", snapshot.Problems));
        Assert.Equal(Path.Combine(_dir, "rev1"), snapshot.ResolvedRoot);
        Assert.Equal(["sub/db.yml", "web.yaml"], snapshot.Files.Select(f => f.RelativePath));
        Assert.Equal([Path.Combine(Root, "sub/db.yml"), Path.Combine(Root, "web.yaml")], snapshot.Files.Select(f => f.Path));
        Assert.Equal(Path.Combine(Root, "web.yaml") + ":1", snapshot.Objects.Single(o => o.Name == "web").Source);
    }

    [Fact]
    public void Load_DisplayRoot_NamesFilesAndProblems()
    {
        var rev = Revision("rev1", ("hosts/web.yaml", Yaml("web").Replace("restartPolicy: Always", "restartPolicy: Sometimes")));

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(rev, "source/apps");

        Assert.False(snapshot.IsValid);
        Assert.StartsWith("source/apps/hosts/web.yaml:", Assert.Single(snapshot.Problems));
        Assert.Contains("spec.restartPolicy", snapshot.Problems[0]);
    }

    [Fact]
    public void Load_SwapToATreeWhereOneFileChanged_ParsesOnlyThatOne_KeepsTheOtherObjects()
    {
        var files = Enumerable.Range(0, 20).Select(i => ($"isle{i}.yaml", Yaml($"isle{i}"))).ToArray();
        Swap(Revision("rev1", files));
        var tree = new ManifestTree(new ModelManifestParser());
        var before = tree.Load(Root).Objects.ToDictionary(o => o.Name);

        files[3].Item2 = Yaml("isle3", "true");
        Swap(Revision("rev2", files));
        var after = tree.Load(Root);

        Assert.Equal(Path.Combine(_dir, "rev2"), after.ResolvedRoot);
        Assert.Equal(files[3].Item2.Length, tree.ParsedChars);
        foreach (var obj in after.Objects)
            if (obj.Name == "isle3") Assert.NotEqual(before["isle3"].ContentHash, obj.ContentHash);
            else Assert.Same(before[obj.Name], obj);
    }

    [Fact]
    public void Load_SameTimeAndSizeInAnotherRevision_ReadsTheNewContent()
    {
        // rsync -a keeps mtimes: a file of the same size and time in the new revision is still another file.
        var old = Revision("rev1", ("web.yaml", Yaml("web", "sh")));
        Swap(old);
        var tree = new ManifestTree(new ModelManifestParser());
        Assert.Equal(["/bin/sh"], tree.Load(Root).Objects.Single().Isle!.Command);

        var rev2 = Revision("rev2", ("web.yaml", Yaml("web", "ls")));
        File.SetLastWriteTimeUtc(Path.Combine(rev2, "web.yaml"), File.GetLastWriteTimeUtc(Path.Combine(old, "web.yaml")));
        Swap(rev2);

        Assert.Equal(["/bin/ls"], tree.Load(Root).Objects.Single().Isle!.Command);
    }

    [Fact]
    public void Load_RevisionSwappedAndDeletedMidLoad_StartsAgainFromTheNewOne_NeverMixesThem()
    {
        Swap(Revision("rev1", ("a.yaml", Yaml("a")), ("b.yaml", Yaml("b"))));
        Revision("rev2", ("a.yaml", Yaml("a", "true")), ("c.yaml", Yaml("c")));
        var swapped = false;
        var parser = new HookedParser(() =>
        {
            if (swapped) return;
            swapped = true;
            Swap(Path.Combine(_dir, "rev2"));
            Directory.Delete(Path.Combine(_dir, "rev1"), true); // git-sync removes the old worktree
        });

        var snapshot = new ManifestTree(parser).Load(Root);

        Assert.True(swapped);
        Assert.True(snapshot.IsAvailable, snapshot.Unavailable);
        Assert.Equal(Path.Combine(_dir, "rev2"), snapshot.ResolvedRoot);
        Assert.Equal(["a", "c"], snapshot.Objects.Select(o => o.Name));
        Assert.Equal(["/bin/true"], snapshot.Objects.First().Isle!.Command);
    }

    [Fact]
    public void Load_MissingRoot_IsUnavailable_WithNoFiles()
    {
        Swap(Path.Combine(_dir, "nowhere"));

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(Root);

        Assert.False(snapshot.IsAvailable);
        Assert.Empty(snapshot.Files);
        Assert.Equal($"{ManifestFiles.UnavailablePrefix}{Root} is a symbolic link to {_dir}/nowhere, which is missing; nothing it defined is pruned until it is back", snapshot.Unavailable);
        Assert.Equal([snapshot.Unavailable!], snapshot.Problems);
    }

    [Fact]
    public void Load_RootALinkLoop_IsUnavailable()
    {
        File.CreateSymbolicLink(Root, Root);

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(Root);

        Assert.StartsWith($"{ManifestFiles.UnavailablePrefix}{Root} cannot be resolved", snapshot.Unavailable);
    }

    [Fact]
    public void Load_LinkedSubdirectory_IsDescended_UnlessALoop()
    {
        var elsewhere = Revision("elsewhere", ("db.yaml", Yaml("db")));
        var rev = Revision("rev1", ("web.yaml", Yaml("web")));
        Directory.CreateSymbolicLink(Path.Combine(rev, "more"), elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(rev, "self"), rev);
        Directory.CreateSymbolicLink(Path.Combine(elsewhere, "up"), "..");

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(rev);

        Assert.Equal(["more/db.yaml", "web.yaml"], snapshot.Files.Select(f => f.RelativePath));
        Assert.True(snapshot.IsValid, string.Join("\n", snapshot.Problems));
    }

    [Fact]
    public void Load_AFileThatCannotBeRead_MakesTheWholeTreeUnavailable_NotATreeWithoutIt()
    {
        var rev = Revision("rev1", ("web.yaml", Yaml("web")));
        File.CreateSymbolicLink(Path.Combine(rev, "db.yaml"), Path.Combine(_dir, "gone.yaml"));

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(rev);

        Assert.False(snapshot.IsAvailable);
        Assert.Empty(snapshot.Files);
        Assert.StartsWith($"{ManifestFiles.UnavailablePrefix}{rev}: db.yaml cannot be read (", snapshot.Unavailable);

        File.Delete(Path.Combine(rev, "db.yaml"));
        File.CreateSymbolicLink(Path.Combine(rev, "db.yaml"), "db.yaml"); // ELOOP
        snapshot = new ManifestTree(new ModelManifestParser()).Load(rev);
        Assert.StartsWith($"{ManifestFiles.UnavailablePrefix}{rev}: db.yaml cannot be read (", snapshot.Unavailable);
    }

    [Fact]
    public async Task Load_APipeNamedLikeAManifest_IsNotOpened_TheTreeIsUnavailable()
    {
        var rev = Revision("rev1", ("web.yaml", Yaml("web")));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(rev, "db.yaml")])!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a pipe for reading waits for a writer: a load that opened it would never end.
        var snapshot = await Task.Run(() => new ManifestTree(new ModelManifestParser()).Load(rev), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.False(snapshot.IsAvailable);
        Assert.StartsWith($"{ManifestFiles.UnavailablePrefix}{rev}: db.yaml cannot be read (not a regular file", snapshot.Unavailable);
    }

    [Fact]
    public void Load_ObjectDefinedTwice_IsAProblemOfTheTree()
    {
        var rev = Revision("rev1", ("a.yaml", Yaml("web")), ("b.yaml", Yaml("web")));

        var snapshot = new ManifestTree(new ModelManifestParser()).Load(rev);

        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal($"{rev}/b.yaml:1: Isle/web is defined more than once ({rev}/a.yaml:1, {rev}/b.yaml:1); none of them is applied until only one is left", problem);
    }

    [Fact]
    public void Load_Confined_LinkOutOfTheTreeIsRefusedUnread_LinkWithinIsRead()
    {
        var secret = Path.Combine(_dir, "secret.yaml");
        File.WriteAllText(secret, "password: hunter2\n");
        var rev = Revision("rev1", ("real/web.txt", Yaml("web")));
        File.CreateSymbolicLink(Path.Combine(rev, "out.yaml"), secret);
        File.CreateSymbolicLink(Path.Combine(rev, "web.yaml"), "real/web.txt");

        var confined = new ManifestTree(new ModelManifestParser(), confined: true).Load(rev);
        var open = new ManifestTree(new ModelManifestParser()).Load(rev);

        var problem = Assert.Single(confined.Problems);
        Assert.Equal($"{rev}/out.yaml:1:1: a symbolic link to {secret}, outside the tree, is not read; copy the manifest into the tree", problem);
        Assert.DoesNotContain("hunter2", problem);
        Assert.Equal(["web"], confined.Objects.Select(o => o.Name));
        Assert.Contains(open.Problems, p => p.StartsWith($"{rev}/out.yaml:", StringComparison.Ordinal) && !p.Contains("outside the tree"));
    }

    [Fact]
    public void RealPath_ResolvesEveryLink_RelativeAndAbsolute_AndDotDot()
    {
        var real = Revision("a/b");
        File.CreateSymbolicLink(Path.Combine(_dir, "rel"), "a/b");
        File.CreateSymbolicLink(Path.Combine(_dir, "abs"), Path.Combine(_dir, "rel"));

        Assert.Equal(real, ManifestFiles.RealPath(Path.Combine(_dir, "abs")));
        Assert.Equal(Path.Combine(_dir, "a"), ManifestFiles.RealPath(Path.Combine(_dir, "abs", "..")));
        File.CreateSymbolicLink(Path.Combine(_dir, "loop"), Path.Combine(_dir, "loop"));
        Assert.Throws<IOException>(() => ManifestFiles.RealPath(Path.Combine(_dir, "loop")));
    }

    sealed class HookedParser(Action beforeEach) : IManifestParser
    {
        readonly ModelManifestParser _inner = new();

        public ManifestLoadResult<DesiredObject> Parse(string file, string text)
        {
            beforeEach();
            return _inner.Parse(file, text);
        }
    }
}
