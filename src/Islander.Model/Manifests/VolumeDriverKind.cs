namespace Islander.Model;

/// <summary>How a volume stores its data.</summary>
public enum VolumeDriverKind
{
    /// <summary>A directory under the state directory. Cannot enforce a size.</summary>
    Dir,

    /// <summary>A btrfs subvolume; <c>size</c> becomes a qgroup limit; snapshots are cheap.</summary>
    Btrfs,

    /// <summary>Memory-backed; its data stays while isles come and go, until the volume is deleted or the machine reboots.</summary>
    Tmpfs,
}
