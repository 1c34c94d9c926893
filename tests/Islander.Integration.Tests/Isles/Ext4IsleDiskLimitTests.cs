namespace Islander.Integration.Tests.Isles;

/// <summary>ext4 with the project feature and prjquota. ext4 answers a project over its limit with EDQUOT.</summary>
public sealed class Ext4IsleDiskLimitTests(Ext4QuotaFilesystem fs) : ProjectQuotaIsleDiskLimitTests(fs), IClassFixture<Ext4QuotaFilesystem>
{
    protected override string Refusal => "Disk quota exceeded";
}
