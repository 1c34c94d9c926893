namespace Islander.Integration.Tests.Isles;

/// <summary>XFS mounted with prjquota (xfsprogs' mkfs.xfs; scripts/setup.sh installs it).</summary>
public sealed class XfsQuotaFilesystem() : ProjectQuotaFilesystem("xfs", "mkfs.xfs", ["-q"], "CONFIG_XFS_QUOTA");
