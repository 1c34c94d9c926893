using System.Net;
using System.Net.Sockets;

namespace Islander.Model;

/// <summary>Reads and validates the <c>spec</c> of a <c>kind: Network</c> manifest.</summary>
internal static class NetworkSpecReader
{
    public static readonly string[] Fields = ["driver", "subnet", "gateway", "masquerade", "internal"];

    public static NetworkSpec Read(Fields? spec, DriverCatalog drivers)
    {
        if (spec is null) return new NetworkSpec();
        var driver = spec.String("driver") ?? NetworkDriverKind.Bridge.Name;
        if (!drivers.HasNetwork(driver))
        {
            var names = drivers.Networks.Select(n => n.Name).ToList();
            spec.Error("driver", $"\"{driver}\" is not a network driver; use {VolumeSpecReader.Or(names)}{Suggest.DidYouMean(driver, names)}");
        }
        var subnet = ReadSubnet(spec);
        var gateway = ReadGateway(spec, subnet);
        var isInternal = spec.Bool("internal") ?? false;
        var masquerade = spec.Bool("masquerade");
        if (isInternal && masquerade == true)
        {
            spec.Error("masquerade", "an internal network has no route out, so it cannot masquerade; remove one of them");
        }
        return new NetworkSpec { Driver = new NetworkDriverKind(driver), Subnet = subnet, Gateway = gateway, Internal = isInternal, Masquerade = masquerade ?? !isInternal };
    }

    private static IPNetwork? ReadSubnet(Fields spec)
    {
        var text = spec.String("subnet");
        if (text is null) return null;
        var slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var address) || !int.TryParse(text[(slash + 1)..], out var prefix)
            || prefix < 0 || prefix > (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            spec.Error("subnet", $"\"{text}\" is not a subnet; write it in CIDR form such as 10.88.0.0/24");
            return null;
        }
        var canonical = new IPNetwork(Mask(address, prefix), prefix);
        if (!canonical.BaseAddress.Equals(address))
        {
            spec.Error("subnet", $"\"{text}\" has host bits set; did you mean {canonical}?");
            return null;
        }
        var hostBits = (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) - prefix;
        if (hostBits < 2)
        {
            spec.Error("subnet", $"\"{text}\" has no room for a gateway and an isle; use a prefix of /{prefix - (2 - hostBits)} or shorter");
            return null;
        }
        return canonical;
    }

    private static IPAddress? ReadGateway(Fields spec, IPNetwork? subnet)
    {
        var text = spec.String("gateway");
        if (text is null) return null;
        if (!IPAddress.TryParse(text, out var gateway))
        {
            spec.Error("gateway", $"\"{text}\" is not an IP address; write one such as 10.88.0.1");
            return null;
        }
        if (!spec.Has("subnet"))
        {
            spec.Error("gateway", "a gateway needs the subnet it belongs to; set subnet as well");
            return null;
        }
        if (subnet is { } s)
        {
            if (!s.Contains(gateway))
            {
                spec.Error("gateway", $"{gateway} is outside the subnet {s}; pick an address inside it");
                return null;
            }
            if (gateway.Equals(s.BaseAddress) || (gateway.AddressFamily == AddressFamily.InterNetwork && gateway.Equals(Broadcast(s))))
            {
                spec.Error("gateway", $"{gateway} is the subnet's {(gateway.Equals(s.BaseAddress) ? "network" : "broadcast")} address; pick a host address such as {FirstHost(s)}");
                return null;
            }
        }
        return gateway;
    }

    internal static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    internal static IPAddress Broadcast(IPNetwork subnet)
    {
        var bytes = subnet.BaseAddress.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(subnet.PrefixLength - i * 8, 0, 8);
            bytes[i] |= (byte)~(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    internal static IPAddress FirstHost(IPNetwork subnet)
    {
        var bytes = subnet.BaseAddress.GetAddressBytes();
        bytes[^1] |= 1;
        return new IPAddress(bytes);
    }
}
