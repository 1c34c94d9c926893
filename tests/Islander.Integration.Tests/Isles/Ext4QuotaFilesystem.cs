namespace Islander.Integration.Tests.Isles;

/// <summary>ext4 with the quota and project features, mounted with prjquota (quota files in the v2 format, hence the option).</summary>
public sealed class Ext4QuotaFilesystem() : ProjectQuotaFilesystem("ext4", "mkfs.ext4", ["-q", "-O", "quota,project"], "CONFIG_QFMT_V2");
