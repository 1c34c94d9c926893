namespace Islander.Drivers.Rootfs;

/// <summary>symlink(2) in the isle's root, after the mounts: <c>ln -s Target Link</c>.</summary>
public sealed record SymlinkOp(string Target, string Link);
