using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Lab.Model.Spec;

/// <summary>
/// A machine's SSH host public key as an OpenSSH public-key line ("TYPE BASE64 [COMMENT]"), the
/// form pulumi-command's connection.hostKey parses (golang.org/x/crypto ssh.ParseAuthorizedKey)
/// and pins with ssh.FixedHostKey.
/// </summary>
public sealed record HostKey(string Type, string Base64)
{
    /// <summary>
    /// Key types the lab pins. pulumi-command offers the server only the pinned key's type as host-key
    /// algorithm, and OpenSSH 8.8+ refuses "ssh-rsa" (SHA-1) signatures, so RSA keys are not accepted.
    /// </summary>
    public static readonly IReadOnlyList<string> Types = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

    /// <summary>What goes on the connection: type and key, no comment.</summary>
    public string Line => $"{Type} {Base64}";

    /// <summary>The fingerprint `ssh-keygen -lf` and ssh show: SHA256 of the key blob, base64 without padding.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(Base64))).TrimEnd('=');

    /// <summary>Parses an OpenSSH public-key line; on failure <paramref name="problem"/> says what is wrong with it.</summary>
    public static bool TryParse(string text, out HostKey? key, out string problem)
    {
        key = null;
        var parts = text.Trim().Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            problem = "is not an OpenSSH public-key line (TYPE BASE64, e.g. ssh-ed25519 AAAAC3Nza…).";
            return false;
        }
        if (!Types.Contains(parts[0]))
        {
            problem = Types.Contains(parts[1]) ? "starts with a host name (a known_hosts line); the value is only the key: TYPE BASE64."
                : parts[0] == "ssh-rsa" ? "is an RSA key; pulumi-command would offer only the SHA-1 'ssh-rsa' algorithm, which OpenSSH 8.8+ refuses."
                : $"has key type '{ConfigText.Shorten(parts[0])}'; the lab pins {string.Join(", ", Types)}.";
            return false;
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            problem = "has a key part that is not base64.";
            return false;
        }
        if (!BlobMatches(parts[0], blob))
        {
            problem = $"has a key blob that is not a well-formed {parts[0]} key.";
            return false;
        }
        key = new HostKey(parts[0], parts[1]);
        problem = "";
        return true;
    }

    /// <summary>The SSH wire form (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4): the type again, then the key fields, nothing after.</summary>
    private static bool BlobMatches(string type, byte[] blob)
    {
        var rest = blob.AsSpan();
        if (!Field(ref rest, out var name) || Encoding.ASCII.GetString(name) != type)
        {
            return false;
        }
        if (type == "ssh-ed25519")
        {
            return Field(ref rest, out var point) && point.Length == 32 && rest.IsEmpty;
        }
        var curve = type["ecdsa-sha2-".Length..];
        var size = curve switch { "nistp256" => 65, "nistp384" => 97, _ => 133 };
        return Field(ref rest, out var id) && Encoding.ASCII.GetString(id) == curve
            && Field(ref rest, out var q) && q.Length == size && q[0] == 4 && rest.IsEmpty;
    }

    private static bool Field(ref Span<byte> rest, out Span<byte> value)
    {
        value = default;
        if (rest.Length < 4)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(rest);
        if (length > rest.Length - 4)
        {
            return false;
        }
        value = rest.Slice(4, (int)length);
        rest = rest[(4 + (int)length)..];
        return true;
    }
}
