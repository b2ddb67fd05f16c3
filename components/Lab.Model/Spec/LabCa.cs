using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Lab.Model.Spec;

/// <summary>
/// The lab's certificate authority: the one PEM certificate every node trusts for lab TLS (Vault, the registry).
/// It is the file named by lab:vault.caCert on every node, where vault-agent's ca_cert reads it.
/// </summary>
/// <param name="Pem">The certificate as one PEM block, ending in a newline.</param>
/// <param name="Sha256">Its fingerprint as openssl prints it (scripts/lab-ca shows it; the os step reports it as lab_ca_sha256).</param>
public sealed partial record LabCa(string Pem, string Sha256)
{
    /// <summary>What the stack says while the CA has not been collected: the os step fetches it from Vault's address (trust on first use).</summary>
    public const string Collect = "collect";

    /// <summary>
    /// Parses one PEM certificate that can sign lab certificates: valid now (not expired, not before its start) and a
    /// CA (basicConstraints CA:TRUE). On failure <paramref name="problem"/> says what is wrong, never quoting the value.
    /// </summary>
    public static bool TryParse(string text, DateTime now, out LabCa? ca, out string problem)
    {
        ca = null;
        var pem = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n', ' ') + "\n";
        var block = PemCertificate().Match(pem);
        if (!block.Success)
        {
            problem = "is not one PEM certificate (a '-----BEGIN CERTIFICATE-----' block of base64 lines, nothing else).";
            return false;
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(block.Groups["body"].Value.Replace("\n", "", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            problem = "is a PEM block, but not an X.509 certificate.";
            return false;
        }
        using (certificate)
        {
            var notAfter = certificate.NotAfter.ToUniversalTime();
            if (notAfter <= now)
            {
                problem = $"expired on {notAfter:yyyy-MM-dd} (UTC): every TLS connection checked against it fails.";
                return false;
            }
            if (certificate.NotBefore.ToUniversalTime() > now)
            {
                problem = $"is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} (UTC).";
                return false;
            }
            if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                problem = $"is the certificate of '{ConfigText.Shorten(certificate.Subject)}', which is not a CA (no basicConstraints CA:TRUE): it is a server's own certificate, not the lab CA that signed it.";
                return false;
            }
            ca = new LabCa(pem, Fingerprint(certificate.RawData));
            problem = "";
            return true;
        }
    }

    /// <summary>The SHA-256 fingerprint as `openssl x509 -noout -fingerprint -sha256` prints it (upper-case hex pairs, colons).</summary>
    public static string Fingerprint(byte[] der) => string.Join(':', SHA256.HashData(der).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"\A-----BEGIN CERTIFICATE-----\n(?<body>([A-Za-z0-9+/=]{1,76}\n){1,200})-----END CERTIFICATE-----\n\z")]
    private static partial Regex PemCertificate();
}
