using System.Security.Cryptography;
using System.Text;

namespace Islander.Drivers.Network;

/// <summary>
/// Deterministic interface names, so a rerun after a crash finds its own leftovers and cleanup can
/// recognise islander's links by prefix. Linux allows 15 characters (IFNAMSIZ - 1).
/// <list type="bullet">
/// <item>bridge: <c>islbr-{network}</c> when the name fits (9 characters or less), else <c>islb-{hash10}</c>;</item>
/// <item>host side of an isle's veth: <c>isl-{hash10}</c> of network and isle; its peer is made in the isle's
/// namespace under its final name (ethN).</item>
/// </list>
/// </summary>
public static class NetworkNames
{
    /// <summary>Every link islander creates in the host namespace starts with this.</summary>
    public const string Prefix = "isl";

    public static string Bridge(string network) =>
        network.Length <= 9 ? $"islbr-{network}" : $"islb-{Hash(network)}";

    public static string HostVeth(string network, string isle) => $"isl-{Hash($"{network}/{isle}")}";

    /// <summary>The first 10 hex digits of SHA-256: 40 bits, so collisions need ~10^6 attachments.</summary>
    static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..10];
}
