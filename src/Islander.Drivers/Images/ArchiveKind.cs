namespace Islander.Drivers.Images;

/// <summary>What a tarball handed to import holds.</summary>
public enum ArchiveKind
{
    /// <summary>A root filesystem (<c>docker export</c>, debootstrap + tar).</summary>
    Rootfs,
    /// <summary><c>docker save</c>: manifest.json naming config and layer files.</summary>
    DockerSave,
    /// <summary>An OCI image layout (oci-layout, index.json, blobs/).</summary>
    OciLayout,
}
