namespace Islander.Drivers.Security;

/// <summary>A profile's <c>archMap</c> entry: a native architecture and the compat ones Docker adds with it.</summary>
public sealed record SeccompArchMapEntry(string Architecture, IReadOnlyList<string> SubArchitectures);
