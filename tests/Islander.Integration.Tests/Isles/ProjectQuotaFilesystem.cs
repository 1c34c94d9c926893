using System.IO.Compression;
using Islander.Integration.Tests.Images;
using Islander.Integration.Tests.Volumes;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// A throwaway filesystem with project quotas enforced (XFS or ext4 mounted with prjquota): a sparse file, mkfs, a
/// loop device and a mount (<see cref="LoopFilesystem"/>), all named <c>islander-test-quota-…</c> and all removed on
/// dispose, as <see cref="BtrfsLoopFilesystem"/> does for btrfs. Off root it skips; as root a missing mkfs is a failure,
/// and so is a mount that fails on a kernel whose config does not say it lacks the quota support.
/// </summary>
public abstract class ProjectQuotaFilesystem : IAsyncLifetime
{
    readonly LoopFilesystem _fs = new("quota");
    readonly string _type;
    readonly string _mkfs;
    readonly string[] _mkfsArguments;
    readonly string _kernelOption;

    /// <param name="type">The mount type (xfs, ext4).</param>
    /// <param name="mkfs">The mkfs program; <paramref name="mkfsArguments"/> come before the image's path.</param>
    /// <param name="kernelOption">The kernel config option project quotas need on this filesystem.</param>
    protected ProjectQuotaFilesystem(string type, string mkfs, string[] mkfsArguments, string kernelOption)
        => (_type, _mkfs, _mkfsArguments, _kernelOption) = (type, mkfs, mkfsArguments, kernelOption);

    /// <summary>Where the filesystem is mounted.</summary>
    public string MountPoint => _fs.MountPoint;

    /// <summary>Why the tests cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    public void Require() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    /// <summary>A fresh directory on the filesystem for one test's state root.</summary>
    public string NewRoot() => _fs.NewRoot();

    public ValueTask InitializeAsync()
    {
        SkipReason = !HostCaps.IsRoot ? "needs root (loop device, mount)"
            : KernelLacks(_kernelOption) ? $"this kernel is built without {_kernelOption}: it cannot enforce project quotas on {_type}"
            : null;
        if (SkipReason is not null)
            return ValueTask.CompletedTask;
        Tools.RequireRootAndTools(_mkfs);
        _fs.Create(_mkfs, _mkfsArguments, _type, "prjquota");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        _fs.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Whether the running kernel's config (/proc/config.gz) says <paramref name="option"/> is not set.</summary>
    static bool KernelLacks(string option)
    {
        const string config = "/proc/config.gz";
        if (!File.Exists(config))
            return false; // unknown: try, and fail if the mount fails
        using var gzip = new GZipStream(File.OpenRead(config), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd().Contains($"# {option} is not set\n", StringComparison.Ordinal);
    }
}
