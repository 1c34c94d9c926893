namespace Islander.Drivers.Images;

public enum CompressionKind { None, Gzip, Zstd }
