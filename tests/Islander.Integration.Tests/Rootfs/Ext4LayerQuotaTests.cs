using Islander.Integration.Tests.Isles;

namespace Islander.Integration.Tests.Rootfs;

/// <summary><see cref="LayerQuotaTests"/> on ext4 with the project feature, mounted with prjquota.</summary>
[Collection(IsleCollection.Name)]
public sealed class Ext4LayerQuotaTests(Ext4QuotaFilesystem fs) : LayerQuotaTests(fs), IClassFixture<Ext4QuotaFilesystem>;
