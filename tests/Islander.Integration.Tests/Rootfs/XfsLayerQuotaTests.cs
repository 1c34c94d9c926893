using Islander.Integration.Tests.Isles;

namespace Islander.Integration.Tests.Rootfs;

/// <summary><see cref="LayerQuotaTests"/> on XFS mounted with prjquota.</summary>
[Collection(IsleCollection.Name)]
public sealed class XfsLayerQuotaTests(XfsQuotaFilesystem fs) : LayerQuotaTests(fs), IClassFixture<XfsQuotaFilesystem>;
