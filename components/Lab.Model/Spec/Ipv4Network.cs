using System.Net;
using System.Net.Sockets;

namespace Lab.Model.Spec;

/// <summary>An IPv4 network in CIDR form, e.g. 192.168.50.0/24.</summary>
public sealed record Ipv4Network(IPAddress Network, int PrefixLength)
{
    public static bool TryParse(string text, out Ipv4Network network)
    {
        network = null!;
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryParseAddress(parts[0], out var address)
            || !int.TryParse(parts[1], out var prefix) || prefix is < 0 or > 32)
        {
            return false;
        }
        if ((ToUInt(address) & Mask(prefix)) != ToUInt(address))
        {
            return false; // host bits set: "192.168.50.7/24" is a typo for a network or a host
        }
        network = new Ipv4Network(address, prefix);
        return true;
    }

    /// <summary>Strict dotted-quad IPv4 parsing (IPAddress.TryParse also accepts "1" or "1.2").</summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var octets = text.Split('.');
        if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || !o.All(char.IsAsciiDigit) || int.Parse(o) > 255))
        {
            return false;
        }
        address = IPAddress.Parse(text);
        return address.AddressFamily == AddressFamily.InterNetwork;
    }

    public bool Contains(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
        && (ToUInt(address) & Mask(PrefixLength)) == ToUInt(Network);

    public bool Contains(Ipv4Network other) => other.PrefixLength >= PrefixLength && Contains(other.Network);

    /// <summary>
    /// "network" or "broadcast" when ADDRESS is that address of this network, which no machine can have; null
    /// otherwise (a /31 or /32 has neither, RFC 3021).
    /// </summary>
    public string? Reserved(IPAddress address) =>
        PrefixLength > 30 || !Contains(address) ? null
        : ToUInt(address) == ToUInt(Network) ? "network"
        : ToUInt(address) == (ToUInt(Network) | ~Mask(PrefixLength)) ? "broadcast"
        : null;

    /// <summary>The first and last addresses a machine can have here.</summary>
    public (IPAddress First, IPAddress Last) Hosts =>
        PrefixLength > 30 ? (Network, FromUInt(ToUInt(Network) | ~Mask(PrefixLength)))
        : (FromUInt(ToUInt(Network) + 1), FromUInt((ToUInt(Network) | ~Mask(PrefixLength)) - 1));

    /// <summary>The private address ranges of RFC 1918, where a lab network lives.</summary>
    public static readonly IReadOnlyList<Ipv4Network> Rfc1918 =
        [new(IPAddress.Parse("10.0.0.0"), 8), new(IPAddress.Parse("172.16.0.0"), 12), new(IPAddress.Parse("192.168.0.0"), 16)];

    public override string ToString() => $"{Network}/{PrefixLength}";

    private static uint Mask(int prefix) => prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);

    private static IPAddress FromUInt(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }
}
