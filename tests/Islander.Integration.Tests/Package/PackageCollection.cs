using Islander.Testing;

namespace Islander.Integration.Tests.Package;

/// <summary>
/// The package's tests boot a Debian userland under systemd-nspawn: one machine at a time. Before the first, the package
/// and the Debian tree are made side by side (<see cref="PackageInputs"/>), not one after the other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackageCollection : ICollectionFixture<PackageCollection.Inputs>
{
    public const string Name = "package (root, systemd-nspawn)";

    public sealed class Inputs
    {
        public Inputs() => PackageInputs.MakeAhead();
    }
}

/// <summary>
/// An assembly fixture: with ISLANDER_TEST_PACKAGE_AHEAD=1 (scripts/test.sh sets it, as it runs every test), the package
/// and the Debian tree are made from the start of the run, at nice 19 beside the other collections, rather than when the
/// package collection comes (a build of a few minutes and a debootstrap, about a fifth of a whole run when made then). Unset,
/// nothing starts early: a run of a few tests builds no package it does not test.
/// </summary>
public sealed class PackageHeadStart
{
    public PackageHeadStart()
    {
        if (Environment.GetEnvironmentVariable("ISLANDER_TEST_PACKAGE_AHEAD") == "1") PackageInputs.MakeAhead();
    }
}

/// <summary>The two slow inputs of the package's tests, made on threads of their own; each test waits for what it needs.</summary>
public static class PackageInputs
{
    static int _started;

    /// <summary>
    /// Starts <see cref="DebPackages.Get"/> and <see cref="DebianTree.Path"/> (both at nice 19) once; a failure stays in
    /// their <see cref="Lazy{T}"/> and fails the test that asks for that input, with its output.
    /// </summary>
    public static void MakeAhead()
    {
        if (!HostCaps.IsRoot || Interlocked.Exchange(ref _started, 1) == 1) return;
        Ahead(() => DebPackages.Get());
        Ahead(() => _ = DebianTree.Path);
    }

    static void Ahead(Action make) => new Thread(() =>
    {
        try { make(); }
        catch (Exception) { } // the test that asks for it gets the same exception
    }) { IsBackground = true, Name = "package input" }.Start();
}
