using System.Text;
using Lab.Model.Artifacts;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Monitoring;

/// <summary>
/// The lab's blackbox exporter: it probes Vault's /v1/sys/health, which answers 503 the moment Vault is sealed
/// (vault_core_unsealed does not: the metrics loop that refreshes it stops at seal). The probe verifies Vault's TLS
/// with the lab CA, read from the node's file lab:vault.caCert (contract 1) through a read-only hostPath.
/// </summary>
/// <param name="VaultHealthUrl">What the Probe object hands the exporter as its target: Vault's address + /v1/sys/health.</param>
/// <param name="CaCert">The lab CA on every node (lab:vault.caCert), mounted into the pod at <see cref="CaMountPath"/>.</param>
public sealed record BlackboxProbes(string VaultHealthUrl, string CaCert)
{
    /// <summary>Deployment, Service and ConfigMap name.</summary>
    public const string Name = "lab-blackbox";

    /// <summary>The image's key in lab:validation.images (contract 2): REPOSITORY@sha256:DIGEST.</summary>
    public const string ImageKey = "blackbox";

    /// <summary>The Ubuntu package's binary (prometheus-blackbox-exporter), which the lab's image is built from.</summary>
    public const string Binary = "/usr/bin/prometheus-blackbox-exporter";

    public const int Port = 9115;
    public const string ConfigFile = "blackbox.yml";
    public const string ConfigDirectory = "/etc/lab-blackbox";
    public const string CaMountPath = "/etc/lab-ca/ca.crt";

    /// <summary>The Probe object's name and jobName: the `job` label of probe_* that VaultSealed selects.</summary>
    public const string VaultHealthJob = "lab-vault-health";
    public const string VaultHealthModule = "vault_health";

    /// <summary>
    /// Codes of an unsealed Vault (sys/health): 200 active, 429 unsealed standby, 472 DR secondary, 473 performance standby.
    /// 503 (sealed) and 501 (not initialised) fail the probe and stay visible as probe_http_status_code.
    /// </summary>
    public static readonly int[] UnsealedCodes = [200, 429, 472, 473];

    public static BlackboxProbes For(LabSpec spec) => new($"{spec.Vault.Address}/v1/sys/health", spec.Vault.CaCert);

    /// <summary>The exporter's configuration: every string quoted (Text.Yaml). <paramref name="caFile"/> is where the CA is in the pod.</summary>
    public string Config(string caFile = CaMountPath)
    {
        var text = new StringBuilder("# The lab's blackbox exporter modules, rendered by Lab.Model.\nmodules:\n");
        text.Append($"  {Yaml.Quote(VaultHealthModule)}:\n    prober: \"http\"\n    timeout: \"5s\"\n    http:\n");
        text.Append("      method: \"GET\"\n      preferred_ip_protocol: \"ip4\"\n      no_follow_redirects: true\n");
        // lab:vault.address is https only: a plain answer is not Vault's.
        text.Append("      fail_if_not_ssl: true\n");
        text.Append($"      valid_status_codes: [{string.Join(", ", UnsealedCodes)}]\n");
        text.Append($"      tls_config:\n        ca_file: {Yaml.Quote(caFile)}\n        insecure_skip_verify: false\n");
        return text.ToString();
    }

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) => [new Artifact($"monitoring/{ConfigFile}", For(spec).Config())];
}
