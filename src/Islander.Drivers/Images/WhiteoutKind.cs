namespace Islander.Drivers.Images;

/// <summary>What a tar entry's base name says about whiteouts (OCI image spec, "Whiteouts").</summary>
public enum WhiteoutKind
{
    /// <summary>An ordinary entry.</summary>
    None,
    /// <summary><c>DIR/.wh.NAME</c>: NAME is deleted from the layers below.</summary>
    File,
    /// <summary><c>DIR/.wh..wh..opq</c>: DIR hides everything below it.</summary>
    Opaque,
    /// <summary>Another <c>.wh..wh.</c> name (AUFS metadata such as <c>.wh..wh.plnk</c>): ignored.</summary>
    Meta,
}
