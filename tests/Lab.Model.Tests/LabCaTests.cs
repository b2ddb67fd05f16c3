using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>
/// The lab CA (contract 1): from the stack, validated as a CA certificate, or 'collect' (the os step takes the CA Vault
/// presents, on first use); a stack with neither is refused. The os step's CA code runs for real (bash, openssl) against
/// an openssl s_server on loopback presenting a lab-like chain.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LabCaTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lab-ca-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static Repo.Config Vault(Action<System.Text.Json.Nodes.JsonObject> edit) => Repo.ProdConfig().Edit(ConfigKeys.Vault, v => edit(v.AsObject()));

    private static ConfigError Single(Repo.Config config, string key) => Assert.Single(config.Errors(), e => e.Key == key);

    private sealed record Issued(X509Certificate2 Certificate, ECDsa Key) : IDisposable
    {
        public string Pem => Certificate.ExportCertificatePem() + "\n";

        public void Dispose()
        {
            Certificate.Dispose();
            Key.Dispose();
        }
    }

    private static Issued Ca(DateTimeOffset notBefore, DateTimeOffset notAfter, bool isCa = true)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=AI Lab CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        return new(request.CreateSelfSigned(notBefore, notAfter), key);
    }

    private static Issued Server(Issued ca)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=vault.lab", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var signed = request.Create(ca.Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4]);
        return new(signed.CopyWithPrivateKey(key), key);
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public void Shipped_stacks_collect_the_ca_or_pin_one_that_loads()
    {
        Assert.Null(Repo.Prod().Vault.Ca);
        Assert.Null(Repo.Dev().Vault.Ca);
        var box = Repo.Load(StackFile.Read(Repo.BoxFile)).Vault.Ca;
        Assert.NotNull(box);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", box.Pem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stack_with_neither_a_ca_nor_collect_is_refused_with_both_ways_out()
    {
        var error = Single(Vault(v => v.Remove("ca")), "lab:vault.ca");
        Assert.Contains("https", error.Problem);
        Assert.Contains("scripts/lab-ca stacks/Pulumi.prod.yaml", error.Fix);
        Assert.Contains("pulumi config set --path 'lab:vault.ca' collect", error.Fix);
    }

    [Fact]
    public void A_valid_ca_loads_with_the_fingerprint_openssl_shows()
    {
        using var ca = Ca(Now.AddDays(-1), Now.AddYears(5));
        var lab = Vault(v => v["ca"] = ca.Pem).Load();
        Assert.Equal(ca.Pem, lab.Vault.Ca!.Pem);
        var file = Path.Combine(_dir.FullName, "ca.crt");
        File.WriteAllText(file, ca.Pem);
        var (code, output) = Tools.Run("openssl", ["x509", "-in", file, "-noout", "-fingerprint", "-sha256"]);
        Assert.Equal(0, code);
        Assert.Equal(output.Trim().Split('=')[1], lab.Vault.Ca.Sha256);
        // The os step installs exactly that certificate as the file lab:vault.caCert names.
        var os = NodeSteps.Os(lab, lab.Nodes[0]).Text;
        Assert.Contains($"readonly ca_pem={Shell.Quote(ca.Pem)}", os);
        Assert.Contains("readonly ca_cert='/usr/local/share/ca-certificates/ai-lab-ca.crt'", os);
    }

    [Fact]
    public void Text_that_is_not_a_pem_certificate_is_refused_without_quoting_it()
    {
        Assert.Contains("not one PEM certificate", Single(Vault(v => v["ca"] = "$(touch /tmp/lab-pwned)"), "lab:vault.ca").Problem);
        Assert.Contains("not one PEM certificate", Single(Vault(v => v["ca"] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n"), "lab:vault.ca").Problem);
        Assert.Contains("not an X.509 certificate", Single(Vault(v => v["ca"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "lab:vault.ca").Problem);
        using var ca = Ca(Now.AddDays(-1), Now.AddYears(5));
        var two = Single(Vault(v => v["ca"] = ca.Pem + ca.Pem), "lab:vault.ca");
        Assert.Contains("not one PEM certificate", two.Problem);
        Assert.DoesNotContain("MII", two.ToString());
    }

    [Fact]
    public void An_expired_ca_and_a_servers_own_certificate_are_refused()
    {
        using var expired = Ca(Now.AddYears(-2), Now.AddDays(-1));
        Assert.Contains("expired on", Single(Vault(v => v["ca"] = expired.Pem), "lab:vault.ca").Problem);
        using var leaf = Ca(Now.AddDays(-1), Now.AddYears(1), isCa: false);
        Assert.Contains("not a CA", Single(Vault(v => v["ca"] = leaf.Pem), "lab:vault.ca").Problem);
    }

    [Fact]
    public void The_ca_file_must_be_where_update_ca_certificates_reads()
    {
        Assert.Contains("update-ca-certificates", Single(Vault(v => v["caCert"] = "/etc/ssl/lab-ca.pem"), "lab:vault.caCert").Problem);
    }

    // --- the os step's CA code, run for real ---

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>openssl s_server on loopback presenting SERVER's certificate followed by CHAIN, until disposed.</summary>
    private sealed class TlsServer : IDisposable
    {
        private readonly Process _process;

        public int Port { get; }

        public TlsServer(string dir, Issued server, Issued? chain)
        {
            Port = FreePort();
            File.WriteAllText(Path.Combine(dir, "server.crt"), server.Pem);
            File.WriteAllText(Path.Combine(dir, "server.key"), server.Key.ExportPkcs8PrivateKeyPem());
            var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "s_server", "-accept", $"127.0.0.1:{Port}", "-cert", Path.Combine(dir, "server.crt"), "-key", Path.Combine(dir, "server.key"), "-naccept", "100", "-quiet" })
            {
                start.ArgumentList.Add(arg);
            }
            if (chain is not null)
            {
                File.WriteAllText(Path.Combine(dir, "chain.crt"), chain.Pem);
                start.ArgumentList.Add("-cert_chain");
                start.ArgumentList.Add(Path.Combine(dir, "chain.crt"));
            }
            _process = Process.Start(start)!;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(IPAddress.Loopback, Port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
                {
                    Thread.Sleep(100);
                }
            }
        }

        public void Dispose()
        {
            _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    private (int Code, string Output) LabCaFunction(string file, string pem, string endpoint)
    {
        var script = Path.Combine(_dir.FullName, "lab-ca.sh");
        File.WriteAllText(script, $"set -Eeuo pipefail\nlab_step=os\n{ShellHelper.Check.Text}\n{ShellHelper.WriteFile.Text}\n{ShellHelper.LabCa.Text}\n" +
            $"lab_ca {Shell.Quote(file)} {Shell.Quote(pem)} {Shell.Quote(endpoint)}\n");
        return Tools.Run("bash", [script]);
    }

    [Fact]
    public void Collect_takes_the_ca_at_the_top_of_the_chain_vault_presents_once_and_reports_its_fingerprint()
    {
        using var ca = Ca(Now.AddDays(-1), Now.AddYears(5));
        using var server = Server(ca);
        using var vault = new TlsServer(_dir.FullName, server, ca);
        var file = Path.Combine(_dir.FullName, "trust", "ai-lab-ca.crt");

        var first = LabCaFunction(file, "", $"127.0.0.1:{vault.Port}");
        Assert.True(first.Code == 0, first.Output);
        Assert.Equal(ca.Pem, File.ReadAllText(file));
        Assert.Contains($"lab_ca_sha256={LabCa.Fingerprint(ca.Certificate.RawData)}", first.Output);
        Assert.Contains("changed: " + file, first.Output);

        // Trust on first use: a node that has the CA keeps it, even when the address later presents another chain.
        var again = LabCaFunction(file, "", "127.0.0.1:1");
        Assert.True(again.Code == 0, again.Output);
        Assert.DoesNotContain("changed:", again.Output);
        Assert.Equal(ca.Pem, File.ReadAllText(file));
    }

    [Fact]
    public void Collect_refuses_a_vault_that_presents_only_its_own_certificate_or_none()
    {
        using var selfSigned = Ca(Now.AddDays(-1), Now.AddYears(1), isCa: false);
        using var vault = new TlsServer(_dir.FullName, selfSigned, null);
        var file = Path.Combine(_dir.FullName, "ai-lab-ca.crt");

        var leafOnly = LabCaFunction(file, "", $"127.0.0.1:{vault.Port}");
        Assert.NotEqual(0, leafOnly.Code);
        Assert.Contains("presents no CA certificate", leafOnly.Output);
        Assert.False(File.Exists(file));

        var nobody = LabCaFunction(file, "", $"127.0.0.1:{FreePort()}");
        Assert.NotEqual(0, nobody.Code);
        Assert.Contains("no TLS answer from Vault", nobody.Output);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void A_pinned_ca_replaces_whatever_the_node_had()
    {
        using var old = Ca(Now.AddDays(-1), Now.AddYears(5));
        using var pinned = Ca(Now.AddDays(-1), Now.AddYears(5));
        var file = Path.Combine(_dir.FullName, "ai-lab-ca.crt");
        File.WriteAllText(file, old.Pem);
        var run = LabCaFunction(file, pinned.Pem, "127.0.0.1:1");
        Assert.True(run.Code == 0, run.Output);
        Assert.Equal(pinned.Pem, File.ReadAllText(file));
        Assert.Contains($"lab_ca_sha256={LabCa.Fingerprint(pinned.Certificate.RawData)}", run.Output);
    }

    // --- collecting the CA into the stack file ---

    private static string Indented(string pem) => string.Concat(pem.TrimEnd('\n').Split('\n').Select(l => $"      {l}\n"));

    [Fact]
    public void Writing_the_ca_keeps_every_comment_and_line_and_replaces_a_pinned_one_in_place()
    {
        using var first = Ca(Now.AddDays(-1), Now.AddYears(5));
        using var second = Ca(Now.AddDays(-1), Now.AddYears(5));
        var yaml = File.ReadAllText(Repo.DevFile);
        var written = LabCaFile.Write(StackFile.Parse("dev", "Pulumi.dev.yaml", yaml), yaml, LabCa.TryParse(first.Pem, DateTime.UtcNow, out var a, out _) ? a! : null!);
        // Exactly the one value changes: 'collect' becomes the certificate as a literal block; every other byte stays.
        Assert.Equal(yaml.Replace("    ca: collect\n", "    ca: |\n" + Indented(first.Pem), StringComparison.Ordinal), written);
        Assert.Equal(first.Pem, Repo.Load(StackFile.Parse("dev", "Pulumi.dev.yaml", written)).Vault.Ca!.Pem);

        var replaced = LabCaFile.Write(StackFile.Parse("dev", "Pulumi.dev.yaml", written), written, LabCa.TryParse(second.Pem, DateTime.UtcNow, out var b, out _) ? b! : null!);
        Assert.Equal(written.Split('\n').Length, replaced.Split('\n').Length);
        Assert.Equal(second.Pem, Repo.Load(StackFile.Parse("dev", "Pulumi.dev.yaml", replaced)).Vault.Ca!.Pem);
        Assert.Equal(written.Replace(Indented(first.Pem), Indented(second.Pem), StringComparison.Ordinal), replaced);
    }

    [Fact]
    public void Scripts_lab_ca_fetches_the_chain_shows_the_fingerprint_asks_and_writes_the_stack_file()
    {
        using var ca = Ca(Now.AddDays(-1), Now.AddYears(5));
        using var server = Server(ca);
        using var vault = new TlsServer(_dir.FullName, server, ca);
        // The dev stack with Vault on the test's loopback server.
        var stack = Path.Combine(_dir.FullName, "Pulumi.dev.yaml");
        var dev = File.ReadAllText(Repo.DevFile);
        File.WriteAllText(stack, dev.Replace("address: https://192.168.50.20:8200", $"address: https://127.0.0.1:{vault.Port}", StringComparison.Ordinal));
        var original = File.ReadAllText(stack);
        var fingerprint = LabCa.Fingerprint(ca.Certificate.RawData);

        var (code, output) = Script("n\n", stack);
        Assert.Equal(1, code);
        Assert.Contains($"SHA-256:  {fingerprint}", output);
        Assert.Contains("nothing was changed", output);
        Assert.Equal(original, File.ReadAllText(stack));

        (code, output) = Script("y\n", stack);
        Assert.True(code == 0, output);
        var restored = File.ReadAllText(stack).Replace($"address: https://127.0.0.1:{vault.Port}", "address: https://192.168.50.20:8200", StringComparison.Ordinal);
        Assert.Equal(ca.Pem, Repo.Load(StackFile.Parse("dev", "Pulumi.dev.yaml", restored)).Vault.Ca!.Pem);

        (code, output) = Script("", stack);
        Assert.True(code == 0, output);
        Assert.Contains("nothing to write", output);
    }

    private static (int Code, string Output) Script(string input, string stack)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "scripts", "lab-ca"), stack])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "scripts/lab-ca did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
