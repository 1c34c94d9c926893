namespace Islander.Integration.Tests.Isles;

/// <summary>XFS with prjquota: Docker's overlay2 <c>--storage-opt size=</c> setup. XFS answers a project over its limit with ENOSPC.</summary>
public sealed class XfsIsleDiskLimitTests(XfsQuotaFilesystem fs) : ProjectQuotaIsleDiskLimitTests(fs), IClassFixture<XfsQuotaFilesystem>
{
    protected override string Refusal => "No space left on device";
}
