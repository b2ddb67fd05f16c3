using System.Text.RegularExpressions;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Validation;

namespace Lab.Model.Slurm;

/// <summary>
/// The validation gate's own way into the Slurm login service, never an operator's key: an ed25519 key pair made
/// once on the control node (root-only, under <see cref="KeyDirectory"/>), whose public key the SlurmCluster lists
/// beside the operators' (sshRootPublicKeys); and, for the probe, a Secret in the gate's namespace with the private key
/// and a known_hosts line pinning the login's host key, read from the Secret Soperator keeps its sshd host keys in.
/// </summary>
public static partial class SlurmGateAccess
{
    public const string KeyDirectory = "/var/lib/lab/slurm-gate";
    public const string KeyComment = "lab-validation-gate";

    /// <summary>The probe's Secret in lab-validation: id_ed25519 and known_hosts.</summary>
    public const string ProbeSecret = "lab-slurm-gate-ssh";
    public const string PrivateKeyFile = "id_ed25519";
    public const string KnownHostsFile = "known_hosts";

    /// <summary>
    /// Where Soperator 4.1.7 keeps the login's sshd host keys: spec.secrets.sshdKeysName, by default CLUSTER-sshd-keys
    /// (internal/naming BuildSecretSSHDKeysName, internal/values/validate.go), generated once and then kept
    /// (clustercontroller/login.go reads an existing one), with ssh_host_ed25519_key.pub among its keys (consts/secret.go).
    /// </summary>
    public const string HostKeysSecret = $"{SlurmObjects.ClusterName}-sshd-keys";
    public const string HostKeyEntry = "ssh_host_ed25519_key.pub";

    /// <summary>The name known_hosts pins the key under (ssh -o HostKeyAlias): the same whichever address reaches the Service.</summary>
    public const string HostKeyAlias = "lab-slurm-login";

    /// <summary>How long the trust step waits for Soperator to create its host-key Secret after the SlurmCluster appears.</summary>
    public const int HostKeyWaitSeconds = 600;

    public sealed record GateKeyData(string KeyDirectory, string Comment);

    /// <summary>On the control node, before the SlurmCluster: makes the key pair once and prints `LAB_GATE_KEY PUBLIC-KEY-LINE`.</summary>
    public static StepScript KeyStep(LabSpec spec) =>
        StepScript.Render(MicroK8sSteps.Component, spec.ControlNode.Name, "slurm-gate-key",
            "the validation gate's own SSH key pair for the Slurm login service, made once; only its public key is printed",
            new GateKeyData(KeyDirectory, KeyComment), "Slurm/gate-key.sh");

    /// <summary>The public key line the key step printed; anything else is refused, never put in the SlurmCluster.</summary>
    public static string PublicKey(string stdout)
    {
        var keys = stdout.Split('\n').Select(l => GateKeyLine().Match(l.TrimEnd('\r'))).Where(m => m.Success).Select(m => m.Groups["key"].Value).Distinct().ToList();
        return keys.Count == 1
            ? keys[0]
            : throw new InvalidOperationException($"the slurm-gate-key step printed {keys.Count} ed25519 public keys (LAB_GATE_KEY lines), expected one.");
    }

    public sealed record TrustData(string KeyDirectory, string SlurmNamespace, string HostKeysSecret, string HostKeyEntry, string HostKeyAlias,
        int WaitSeconds, string Namespace, string Secret, string PrivateKeyFile, string KnownHostsFile);

    /// <summary>
    /// On the control node, before the collector: the probe's Secret (server-side apply, so no copy of the key lands in a
    /// last-applied annotation) from the key pair and the login's host key as Soperator generated it.
    /// </summary>
    public static StepScript TrustStep(LabSpec spec) =>
        StepScript.Render(MicroK8sSteps.Component, spec.ControlNode.Name, "slurm-gate-trust",
            "the Slurm job probe's Secret: the gate's private key and the login service's pinned host key",
            new TrustData(KeyDirectory, SlurmObjects.Namespace, HostKeysSecret, HostKeyEntry, HostKeyAlias, HostKeyWaitSeconds,
                Probes.Namespace, ProbeSecret, PrivateKeyFile, KnownHostsFile), "Slurm/gate-trust.sh");

    [GeneratedRegex(@"\ALAB_GATE_KEY (?<key>ssh-ed25519 [A-Za-z0-9+/]{68} lab-validation-gate)\z")] private static partial Regex GateKeyLine();
}
