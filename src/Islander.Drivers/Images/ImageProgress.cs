namespace Islander.Drivers.Images;

/// <summary>One step of a pull or import, per item (a layer's short digest, or the image reference); byte counts where they apply.</summary>
public sealed record ImageProgress(string Item, ImageProgressPhase Phase, long Current = 0, long Total = 0);
