using System.Globalization;
using System.Text.RegularExpressions;
using Lab.Model.Cluster;
using Lab.Model.Monitoring;
using Lab.Model.Validation;
using P = Lab.Model.Spec.ConfigPatterns;

namespace Lab.Model.Spec;

/// <summary>
/// One setting of a stack file. PATH is the key an operator types, with [] for any list item and
/// &lt;name&gt; for a name the operator chooses (lab:nodes[].gpu.count, lab:vaultSecrets.&lt;secret&gt;.&lt;field&gt;).
/// </summary>
/// <param name="Type">What the value is, in words (text, whole number, duration, mapping, list of mappings, ...).</param>
/// <param name="Description">One line: what it does in the lab.</param>
public sealed record ConfigSetting(string Path, string Type, string Description)
{
    /// <summary>The value used when the key is left out, as a stack file would write it; null: none.</summary>
    public string? Default { get; init; }

    /// <summary>The key must be set (when its parent is).</summary>
    public bool Required { get; init; }

    /// <summary>Inclusive bounds: numbers as themselves, durations in seconds.</summary>
    public double? Min { get; init; }
    public double? Max { get; init; }

    /// <summary>A pattern of <see cref="ConfigPatterns"/> the whole value must match.</summary>
    public string? Pattern { get; init; }

    /// <summary>Any other limit, in words (the values of a choice, a rule between keys).</summary>
    public string? Allowed { get; init; }

    /// <summary>The value must be a Pulumi secret (pulumi config set --secret).</summary>
    public bool Secret { get; init; }

    /// <summary>A value to show in a fix; the default when null.</summary>
    public string? Example { get; init; }

    /// <summary>The last segment of the path: the field name the loader reads.</summary>
    public string Field => Path[(Path.LastIndexOfAny(['.', ':']) + 1)..];

    /// <summary>The path of the mapping this setting sits in (lab:nodes[] for lab:nodes[].host); null at the top.</summary>
    public string? Parent => Path.LastIndexOf('.') is > 0 and var dot ? Path[..dot] : null;

    /// <summary>The HTML anchor of the setting's row in docs/configuration.md.</summary>
    public string Anchor => ConfigCatalog.AnchorOf(Path);

    /// <summary>The default as a whole number or seconds (null when there is none); a method, so printing the record never parses.</summary>
    public int? DefaultInt() => Default is null ? null : Type == ConfigCatalog.Duration
        ? Text.Duration.TryParseSeconds(Default, out var s) ? s : throw new InvalidOperationException($"{Path}: default '{Default}' is not a duration")
        : int.Parse(Default, CultureInfo.InvariantCulture);

    /// <summary>The limits an operator reads in docs/configuration.md: range, pattern and rules in words.</summary>
    public string Limits
    {
        get
        {
            var parts = new List<string>();
            if (Min is { } min && Max is { } max)
            {
                parts.Add(Type == ConfigCatalog.Duration ? $"{Text.Duration.Format((int)min)} to {Text.Duration.Format((int)max)}"
                    : $"{min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            }
            if (Pattern is not null)
            {
                parts.Add($"`{ConfigCatalog.Printable(Pattern)}`");
            }
            if (Allowed is not null)
            {
                parts.Add(Allowed);
            }
            return string.Join("; ", parts);
        }
    }
}

/// <summary>
/// Every lab: key of a stack file, in the order the stack files write them. The loader takes the fields
/// it accepts, their defaults, ranges and patterns from here, and docs/configuration.md is rendered from
/// it (scripts/render-docs): a new key is added here once, and the reference follows.
/// </summary>
public static partial class ConfigCatalog
{
    public const string DocPath = "docs/configuration.md";

    public const string Text = "text";
    public const string Number = "number";
    public const string Whole = "whole number";
    public const string Duration = "duration";
    public const string Bool = "true or false";
    public const string Mapping = "mapping";
    public const string MappingList = "list of mappings";
    public const string Names = "list of names";
    public const string Address = "IPv4 address";
    public const string Network = "IPv4 network (CIDR)";
    public const string Url = "URL";
    public const string AptPin = "apt version";

    private const string HostKeyLimits = "`TYPE BASE64` as ssh-keyscan prints it without the host name; required unless lab:ssh.hostKeys is collect; unique per machine";

    public static readonly IReadOnlyList<ConfigSetting> Settings =
    [
        new(ConfigKeys.Subnet, Network, "The lab's private network; every address in the stack must lie inside it.")
            { Required = true, Allowed = "inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16; prefix /16 or longer; host bits clear", Example = "192.168.50.0/24" },

        new(ConfigKeys.Ssh, Mapping, "How the program logs in to every machine over SSH.") { Required = true },
        new("lab:ssh.user", Text, "Login name on every node and the NAS.") { Required = true, Pattern = P.UserName, Allowed = "not root (pam_nologin lets root into the old boot before a driver reboot)", Example = "labops" },
        new("lab:ssh.port", Whole, "SSH port of every machine.") { Default = "22", Min = 1, Max = 65535 },
        new("lab:ssh.auth", Text, "Who signs the SSH login.") { Default = "agent", Allowed = "agent (the operator's ssh-agent) or key (the secret lab:sshPrivateKey)" },
        new("lab:ssh.hostKeys", Text, "Whether each machine's pinned host key is checked.")
            { Default = "pinned", Allowed = "pinned (every hostKey set and checked) or collect (unpinned, until scripts/host-keys has recorded them)" },
        new("lab:ssh.bootTimeout", Duration, "How long ready and driver-loaded wait for a booting (or rebooting) machine to answer, whatever the dial backoff.")
            { Default = "15m", Min = 60, Max = 7200 },
        new(ConfigKeys.SshPrivateKey, Text, "The deploy key (OpenSSH private key) the program logs in with when lab:ssh.auth is key.")
            { Secret = true, Allowed = "required when lab:ssh.auth is key" },

        new(ConfigKeys.Versions, Mapping, "Exact versions every node installs, and the archive they come from.") { Required = true },
        new("lab:versions.ubuntu", Text, "The Ubuntu release of every node.") { Required = true, Pattern = P.UbuntuRelease, Example = "'24.04'" },
        new("lab:versions.aptSnapshot", Text, "Ubuntu's snapshot service at this instant (UTC) is the nodes' archive, so every pin stays installable.")
            { Allowed = "YYYYMMDDTHHMMSSZ, from 20230301T000000Z to now; exactly one of aptSnapshot and aptMirror", Example = "20251201T000000Z" },
        new("lab:versions.aptMirror", Url, "The lab's own mirror of the Ubuntu archive, instead of aptSnapshot.")
            { Pattern = P.AptMirrorUrl, Allowed = "inside lab:subnet", Example = "http://192.168.50.20:8080/ubuntu/" },
        new("lab:versions.nvidiaDriver", AptPin, "The NVIDIA driver package version (nvidia-driver-BRANCH-open).")
            { Required = true, Pattern = P.DriverVersion, Example = "580.95.05-0ubuntu0.24.04.2" },
        new("lab:versions.containerToolkit", AptPin, "The NVIDIA Container Toolkit version.") { Required = true, Pattern = P.AptVersion, Example = "1.17.8-1" },
        new("lab:versions.osPackages", Mapping, "Ubuntu packages every node installs, name to exact version.")
            { Required = true, Allowed = "must pin nfs-common when a node mounts an export" },
        new("lab:versions.osPackages.<package>", AptPin, "The exact version of one package (apt-cache policy shows it).")
            { Pattern = P.AptVersion, Allowed = $"package names match `{Printable(P.PackageName)}`", Example = "4.5-1ubuntu4" },
        new("lab:versions.nvidiaRepositoryKey", Text, "Fingerprint of the signing key of NVIDIA's apt repository, pinned like a version.")
            { Default = Nodes.NodeSteps.ToolkitKeyFingerprint, Pattern = P.KeyFingerprint },

        new("lab:versions.hashicorpRepositoryKey", Text, "Fingerprint of the signing key of HashiCorp's apt repository (vault-agent's package), pinned like a version.")
            { Default = Vault.VaultAgent.RepositoryKeyFingerprint, Pattern = P.KeyFingerprint },
        new(ConfigKeys.Nodes, MappingList, "The GPU workstations.") { Required = true, Allowed = "at least one; exactly one with role control; names and hosts unique" },
        new("lab:nodes[].name", Text, "The node's name in the lab (Kubernetes node, labels, alerts).") { Required = true, Pattern = P.NodeName, Example = "derpy" },
        new("lab:nodes[].host", Address, "The node's address.") { Required = true, Allowed = "inside lab:subnet", Example = "192.168.50.13" },
        new("lab:nodes[].role", Text, "What the node does in the cluster.")
            { Required = true, Allowed = "control (runs the control plane and add-ons), gemini or exploratory (workers)", Example = "gemini" },
        new("lab:nodes[].cpu", Text, "The CPU model the preflight expects the node to report.") { Required = true, Pattern = P.HardwareName, Example = "'Xeon W5-2445'" },
        new("lab:nodes[].memoryGb", Whole, "Installed memory in GB the preflight expects.") { Required = true, Min = 1, Max = 65536, Example = "128" },
        new("lab:nodes[].gpu", Mapping, "The node's GPUs.") { Required = true },
        new("lab:nodes[].gpu.model", Text, "The GPU model the preflight expects.") { Required = true, Pattern = P.HardwareName, Example = "'RTX A5500'" },
        new("lab:nodes[].gpu.count", Whole, "How many GPUs the preflight expects.") { Required = true, Min = 0, Max = 16, Example = "1" },
        new("lab:nodes[].minFreeDiskGb", Whole, "Free disk in GB the preflight requires before anything is installed.") { Default = "50", Min = 1, Max = 1_000_000 },
        new("lab:nodes[].rebuild", Whole, "Rebuild generation: bumping it re-runs every step of this node (docs/runbooks/rebuild-node.md).")
            { Default = "0", Min = 0, Max = ConfigReader.MaxGeneration, Example = "1" },
        new("lab:nodes[].mounts", Names, "The NAS exports this node mounts.") { Default = "every export of lab:nas", Allowed = "names of lab:nas.exports, each once" },
        new("lab:nodes[].hostKey", Text, "The node's pinned SSH host key (scripts/host-keys collects it).") { Allowed = HostKeyLimits },
        new("lab:nodes[].cpus", Whole, "CPU threads the node has, for sizing Slurm's worker on it.") { Min = 1, Max = 4096, Allowed = "required on a node that runs a Slurm worker", Example = "20" },

        new(ConfigKeys.Nas, Mapping, "The NAS: its NFS exports are the lab's shared storage.") { Required = true },
        new("lab:nas.name", Text, "The NAS's name in the lab.") { Required = true, Pattern = P.NodeName, Allowed = "not a node's name", Example = "qnap" },
        new("lab:nas.host", Address, "The NAS's address.") { Required = true, Allowed = "inside lab:subnet; not a node's address", Example = "192.168.50.20" },
        new("lab:nas.model", Text, "The NAS model (inventory).") { Required = true, Pattern = P.HardwareName, Example = "'QNAP 8-bay'" },
        new("lab:nas.exports", MappingList, "The NFS exports the program creates on the NAS; removing one unexports it and keeps its data.")
            { Required = true, Allowed = "names unique; mount points not inside one another" },
        new("lab:nas.exports[].name", Text, "The export's name (nodes' mounts, lab:validation.nfsExport).") { Required = true, Pattern = P.NodeName, Example = "datasets" },
        new("lab:nas.exports[].path", Text, "The exported directory on the NAS.") { Required = true, Pattern = P.AbsolutePath, Example = "/share/lab/datasets" },
        new("lab:nas.exports[].clients", Network, "Who may mount it.") { Default = "lab:subnet", Allowed = "inside lab:subnet", Example = "192.168.50.0/24" },
        new("lab:nas.exports[].access", Text, "Read-write or read-only.") { Default = "rw", Allowed = "rw or ro" },
        new("lab:nas.exports[].rootSquash", Bool, "Maps clients' root to an unprivileged user.") { Default = "true", Allowed = "false needs confirmNoRootSquash: true" },
        new("lab:nas.exports[].confirmNoRootSquash", Bool, "Confirms rootSquash: false (every client's root gets root on the export).") { Default = "false" },
        new("lab:nas.exports[].sync", Bool, "The NAS commits writes before answering.") { Default = "true" },
        new("lab:nas.exports[].mountPoint", Text, "Where nodes mount it.") { Default = "/mnt/nfs/<name>", Pattern = P.MountPoint, Example = "/mnt/nfs/datasets" },
        new("lab:nas.hostKey", Text, "The NAS's pinned SSH host key (scripts/host-keys collects it).") { Allowed = HostKeyLimits },

        new(ConfigKeys.Cluster, Mapping, "MicroK8s: the control node runs the control plane and the add-ons; the others join as workers.") { Required = true },
        new("lab:cluster.channel", Text, "The MicroK8s snap channel every node runs.") { Required = true, Pattern = P.SnapChannel, Example = "1.32/stable" },
        new("lab:cluster.addons", Names, "MicroK8s add-ons the control node enables, prerequisites first.")
            { Required = true, Allowed = $"each once, with its prerequisites: {string.Join(", ", Addons.Prerequisites.Keys)}", Example = "[dns, rbac, hostpath-storage, metrics-server, nvidia, observability]" },
        new("lab:cluster.gpuReplicas", Whole, "GPU time-slicing: schedulable shares per physical GPU.") { Default = "4", Min = 1, Max = 64 },
        new("lab:cluster.joinTokenTtl", Duration, "How long a worker's join token stays valid.") { Default = "10m", Min = 300, Max = 86400 },
        new("lab:cluster.failureDetection", Duration, "A failed node is NotReady within this.")
            { Default = "30s", Min = LabSpecLoader.MinFailureDetection, Max = 300 },

        new(ConfigKeys.Alerts, Mapping, "Prometheus alert rules; every alert links its runbook.") { Required = true },
        new("lab:alerts.runbookBaseUrl", Url, "Where the runbooks (docs/runbooks) are browsed: each alert's runbook_url is this base, '/' and its runbook file.")
            { Required = true, Allowed = "http(s), no credentials, query or fragment", Example = "https://git.lab/lab-infra/src/branch/main/docs/runbooks" },
        new("lab:alerts.rules", Mapping, "Per-alert settings; unlisted alerts keep their defaults (table below).") { Default = "every alert's default" },
        new("lab:alerts.rules.<alert>", Mapping, "One alert's settings.") { Allowed = "an alert of the table below" },
        new("lab:alerts.rules.<alert>.threshold", Number, "The value the alert fires at.") { Default = "the alert's", Allowed = "the alert's range (table below); alerts without one take none" },
        new("lab:alerts.rules.<alert>.for", Text, "How long the condition must hold (Prometheus duration).") { Default = "the alert's", Pattern = P.PromDuration, Example = "5m" },
        new("lab:alerts.rules.<alert>.severity", Text, "The alert's severity label.") { Default = "the alert's", Allowed = string.Join(", ", AlertCatalog.Severities) },

        new(ConfigKeys.Validation, Mapping, "The validation gate: Jobs measure the lab against its targets after every change they measure.") { Required = true },
        new("lab:validation.mode", Text, "What a shortfall does.") { Default = "enforce", Allowed = "enforce (the update fails), warn (reported only) or off (no Jobs)" },
        new("lab:validation.epoch", Whole, "Bumping it re-runs every probe.") { Default = "0", Min = 0, Max = ConfigReader.MaxGeneration, Example = "1" },
        new("lab:validation.registry", Text, "The lab's registry: the program pushes its images there and every node pulls from it (HOST[:PORT]).")
            { Required = true, Pattern = P.RegistryHost, Allowed = "an IPv4 host must lie inside lab:subnet", Example = "192.168.50.20:5000" },
        new("lab:validation.registryTls", Bool, "The registry speaks HTTPS with a certificate of the lab CA (lab:vault.caCert); false: plain HTTP.") { Default = "true" },
        new("lab:validation.images", Mapping, "Your own images, pinned by digest, instead of the program's builds.") { Default = "every image built by the program" },
        new("lab:validation.images.<kind>", Text, "One image as REPOSITORY:TAG@sha256:DIGEST; the program then checks it resolves and does not build it.")
            { Pattern = P.PinnedImage, Allowed = $"kinds: {string.Join(", ", Images.LabImages.Names)}", Example = "lab/gpu-burn:cuda12.6.3@sha256:<64 hex digits>" },
        new("lab:validation.build", Mapping, "What the program's image builds are pinned to (docs/images.md).") { Default = "the pins below" },
        new("lab:validation.build.buildah", AptPin, "The buildah package the control node builds with.") { Default = Images.LabImages.DefaultPins.Buildah, Pattern = P.AptVersion },
        new("lab:validation.build.debootstrap", AptPin, "The debootstrap package that makes the images' Ubuntu base from the nodes' archive.") { Default = Images.LabImages.DefaultPins.Debootstrap, Pattern = P.AptVersion },
        new("lab:validation.build.gpuBurnCommit", Text, "The gpu-burn source commit the cuda image builds.") { Default = Images.LabImages.DefaultPins.GpuBurnCommit, Pattern = P.GitCommit },
        new("lab:validation.build.cudaCompute", Whole, "The CUDA compute capability gpu-burn is built for (86: RTX A4000/A5500).")
            { Default = Images.LabImages.DefaultPins.CudaCompute.ToString(CultureInfo.InvariantCulture), Min = 50, Max = 120 },
        new("lab:validation.build.rapids", Text, "The cudf-cu12 release the rapids image installs.") { Default = Images.LabImages.DefaultPins.Rapids, Pattern = P.PythonRelease },
        new("lab:validation.inference", Mapping, "The inference server the gate times.") { Required = true },
        new("lab:validation.inference.endpoint", Url, "Its OpenAI-compatible base URL; the probe appends /chat/completions.")
            { Required = true, Allowed = "http(s), no credentials, query or fragment, not ending in /models or /chat/completions", Example = "http://192.168.50.11:8000/v1" },
        new("lab:validation.inference.model", Text, "The model the server lists and the probe asks.") { Required = true, Pattern = P.ModelName, Example = "meta/llama-3.1-8b-instruct" },
        new("lab:validation.nfsExport", Text, "The NAS export the NFS probe writes and reads one file on.") { Required = true, Allowed = "a read-write export of lab:nas.exports", Example = "results" },
        new("lab:validation.drill", Bool, "Opt-in: stops a worker's kubelet for 90 s to time failure detection.") { Default = "false" },
        new("lab:validation.targets", Mapping, "The lab's performance targets (seed 004, Phase 7).") { Required = true },
        new("lab:validation.targets.gpuUtilization", Number, "GPU utilisation under load, percent.") { Required = true, Min = 1, Max = 100, Example = "95" },
        new("lab:validation.targets.inferenceP95", Number, "95th-percentile inference latency, ms (at most).") { Required = true, Min = 1, Max = 60000, Example = "200" },
        new("lab:validation.targets.rapidsSpeedup", Number, "RAPIDS (cudf) speed-up over pandas, times.") { Required = true, Min = 1, Max = 1000, Example = "5" },
        new("lab:validation.targets.bandwidth", Number, "Node-to-node bandwidth (iperf3, each worker to the control node), Gbit/s.") { Required = true, Min = 0.01, Max = 400, Example = "2.3" },
        new("lab:validation.targets.nfsRead", Number, "NFS read throughput, MB/s.") { Required = true, Min = 1, Max = 100000, Example = "200" },
        new("lab:validation.targets.nfsWrite", Number, "NFS write throughput, MB/s.") { Required = true, Min = 1, Max = 100000, Example = "150" },
        new("lab:validation.targets.failureDetection", Number, "Time to see a failed node NotReady, s (at most).") { Required = true, Min = 1, Max = 600, Example = "30" },
        new("lab:validation.targets.slurmJob", Number, "A one-GPU sbatch job through the Slurm login service, from submission to COMPLETED, s (at most); checked only with lab:slurm on.") { Default = "120", Min = 10, Max = 3600, Example = "120" },

        new(ConfigKeys.Slurm, Mapping, "Slurm inside MicroK8s through Soperator: the lab's batch scheduler (docs/runbooks/slurm.md).") { Default = "off" },
        new("lab:slurm.enabled", Bool, "Deploys Soperator, the SlurmCluster and a NodeSet per GPU node.") { Default = "false", Allowed = "true needs the nvidia, observability and hostpath-storage add-ons" },
        new("lab:slurm.jailExport", Text, "The NAS export that holds Slurm's shared root (the jail), through a PersistentVolume the program creates.")
            { Default = "jobs", Allowed = "a read-write export of lab:nas.exports with rootSquash: false (Soperator writes the jail as root)" },
        new("lab:slurm.accountingExport", Text, "The NAS export that holds the accounting database (MariaDB for slurmdbd: sacct, and slurmrestd, which the exporter and Slurm's alerts read).")
            { Required = true, Allowed = "a read-write export of lab:nas.exports with rootSquash: false, not the jail's", Example = "slurm-db" },
        new("lab:slurm.jailSizeGb", Whole, "The jail volume's size in GB.") { Default = "1024", Min = 1, Max = 1_000_000 },
        new("lab:slurm.loginKeys", Names, "Operators' SSH public keys for the login service (root in the jail).")
            { Allowed = "SSH public-key lines (ed25519 or ECDSA), never a private key", Example = "['ssh-ed25519 AAAA… operator@lab']" },
        new("lab:slurm.loginNodePort", Whole, "The NodePort of the login SSH service.") { Default = "30022", Min = 30000, Max = 32767 },
        new("lab:slurm.workers", MappingList, "The GPU nodes Slurm owns, with their workers' sizing; the others keep time-sliced GPUs for Kubernetes and the gate's GPU probes.") { Default = "every GPU node, sized from its spec", Allowed = "each node once, GPU nodes only" },
        new("lab:slurm.workers[].node", Text, "The node of lab:nodes the worker runs on.") { Required = true, Allowed = "a GPU node of lab:nodes", Example = "gemini-1" },
        new("lab:slurm.workers[].cpus", Whole, "CPU the worker requests.") { Default = "what the node has left", Min = 1, Max = 4096, Allowed = "within the node's cpus after the cluster's own requests", Example = "14" },
        new("lab:slurm.workers[].memoryGb", Whole, "Memory in GB the worker requests.") { Default = "what the node has left", Min = 1, Max = 65536, Allowed = "within the node's memoryGb after the cluster's own requests", Example = "96" },
        new("lab:slurm.workers[].gpus", Whole, "Whole GPUs the worker holds.") { Default = "the node's gpu.count", Min = 1, Max = 64, Allowed = "the node's gpu.count (Soperator's worker mounts every GPU of its node)" },
        new("lab:slurm.version", Text, "Soperator's release: the helm-soperator-crds and helm-soperator charts, the SlurmCluster's crVersion and upstream's image tags.")
            { Default = Slurm.SlurmImages.DefaultRelease, Allowed = $"a release the lab was checked against: {string.Join(", ", Slurm.SlurmImages.Releases)}", Example = $"'{Slurm.SlurmImages.DefaultRelease}'" },
        new("lab:slurm.images", Mapping, "Soperator's images pinned by digest, instead of upstream's tags.") { Default = "upstream's tags at the pinned chart version" },
        new("lab:slurm.images.<kind>", Text, "One Slurm image as REPOSITORY:TAG@sha256:DIGEST.")
            { Pattern = P.PinnedImage, Allowed = $"kinds: {string.Join(", ", Slurm.SlurmImages.Kinds)}", Example = "cr.eu-north1.nebius.cloud/soperator/worker_slurmd:4.1.7-slurm25.11.3@sha256:<64 hex digits>" },

        new(ConfigKeys.Backups, Mapping, "Backups with restic: what, where, how often and how long (docs/runbooks/backups.md; seed 002's RPOs).") { Default = "nothing is backed up" },
        new("lab:backups.repository", Text, "The restic repository (sftp:USER@HOST:/PATH or rest:http(s)://HOST:PORT/PATH).")
            { Required = true, Allowed = "sftp or rest; no password or other credential in it", Example = "'sftp:restic@192.168.50.30:/srv/restic/lab'" },
        new("lab:backups.passwordFile", Text, "Where vault-agent writes the repository password on the control node (never argv, a unit or the stack).")
            { Default = "/var/run/secrets/restic-password", Pattern = P.AbsolutePath, Allowed = "a path of lab:vault.agentFiles" },
        new("lab:backups.vaultStorage", Text, "Which storage the lab's Vault uses.") { Default = "raft", Allowed = "raft (snapshots through the API) or file (offline backup only)" },
        new("lab:backups.check", Mapping, "restic check --read-data-subset on its own timer.") { Required = true },
        new("lab:backups.check.schedule", Text, "When it runs (systemd calendar expression, checked with systemd-analyze calendar).") { Required = true, Example = "'Sun *-*-* 04:00:00'" },
        new("lab:backups.check.readDataSubset", Text, "How much of the data each check reads.") { Default = "5%", Allowed = "a share (5%), a part (1/7) or a size (500M)" },
        new("lab:backups.drill", Mapping, "The restore drill: a sample of every item restored into scratch and compared by checksum.") { Required = true },
        new("lab:backups.drill.schedule", Text, "When it runs (systemd calendar expression).") { Required = true, Example = "'Sat *-*-* 05:00:00'" },
        new("lab:backups.items", MappingList, "What is backed up.") { Required = true, Allowed = "names unique" },
        new("lab:backups.items[].name", Text, "The item's name (restic tag, series label, scripts/restore's WHAT).") { Required = true, Pattern = P.NodeName, Example = "results" },
        new("lab:backups.items[].source", Text, "What the item backs up.") { Default = "export", Allowed = "export (a NAS export), datastore (the cluster's, with certs/ and args/) or vault (a raft snapshot under its own AppRole role, on the control node; refused with vaultStorage: file)" },
        new("lab:backups.items[].export", Text, "The NAS export an export item backs up.") { Allowed = "an export of lab:nas.exports; only with source: export", Example = "results" },
        new("lab:backups.items[].schedule", Text, "When it runs (systemd calendar expression).") { Required = true, Example = "'*-*-* 02,14:00:00'" },
        new("lab:backups.items[].rpo", Duration, "Recovery point objective: BackupOlderThanRPO fires past it.") { Default = "24h", Min = 3600, Max = 2160 * 3600 },
        new("lab:backups.items[].keep", Mapping, "Retention (restic forget --prune).") { Required = true, Allowed = "keeps at least one snapshot" },
        new("lab:backups.items[].keep.last", Whole, "The newest snapshots kept.") { Default = "0", Min = 0, Max = 10_000 },
        new("lab:backups.items[].keep.daily", Whole, "Daily snapshots kept.") { Default = "0", Min = 0, Max = 10_000 },
        new("lab:backups.items[].keep.weekly", Whole, "Weekly snapshots kept.") { Default = "0", Min = 0, Max = 10_000 },
        new("lab:backups.items[].keep.monthly", Whole, "Monthly snapshots kept.") { Default = "0", Min = 0, Max = 10_000 },

        new(ConfigKeys.Vault, Mapping, "Vault: AppRole auth, one KV v2 mount, a policy per role, vault-agent on every node.") { Required = true },
        new("lab:vault.address", Url, "The lab's Vault server.")
            { Required = true, Allowed = "https, the IPv4 address (no name, no path) inside lab:subnet", Example = "https://192.168.50.20:8200" },
        new("lab:vault.ca", Text, "The lab CA certificate (PEM, as a YAML block) the os step installs into every node's trust store, or collect: the os step fetches it from Vault's address once (trust on first use; scripts/lab-ca pins it).")
            { Allowed = "required with an https Vault; one PEM CA certificate (CA:TRUE), valid now; or collect", Example = "collect" },
        new("lab:vault.caCert", Text, "The lab CA file on every node: vault-agent, containerd's registry trust and the blackbox exporter read it.")
            { Required = true, Pattern = P.AbsolutePath, Allowed = "a .crt file under /usr/local/share/ca-certificates/ (update-ca-certificates reads only there)", Example = "/usr/local/share/ca-certificates/ai-lab-ca.crt" },
        new("lab:vault.kvMount", Text, "The KV v2 mount the lab's secrets live in.") { Default = "secret", Pattern = P.SecretName, Allowed = "no '/'" },
        new("lab:vault.appRoleMount", Text, "The AppRole auth mount.") { Default = "approle", Pattern = P.SecretName, Allowed = "no '/'" },
        new("lab:vault.agentVersion", AptPin, "The vault package version nodes install for vault-agent.") { Required = true, Pattern = P.AptVersion, Example = "1.18.2-1" },
        new("lab:vault.rotation", Whole, "Rotation epoch: bumping it re-issues every node's secret-id.") { Default = "0", Min = 0, Max = ConfigReader.MaxGeneration, Example = "1" },
        new("lab:vault.nodeRole", Text, "The role vault-agent on the nodes logs in with.") { Required = true, Allowed = "a name of lab:vault.roles", Example = "compute-node" },
        new("lab:vault.secrets", MappingList, "The KV secrets the lab uses.") { Required = true, Allowed = "names unique" },
        new("lab:vault.secrets[].name", Text, "The secret's path below the mount.") { Required = true, Pattern = P.SecretName, Allowed = "no '..' segment", Example = "ngc" },
        new("lab:vault.secrets[].fields", Names, "The secret's fields.") { Required = true, Pattern = P.FieldName, Allowed = "at least one", Example = "[api_key]" },
        new("lab:vault.secrets[].seed", Bool, "The program writes the secret from lab:vaultSecrets (else it must be in Vault already).") { Default = "false" },
        new("lab:vault.agentFiles", MappingList, "Secret fields vault-agent renders into 0600 files on every node.") { Default = "[]", Allowed = "paths unique" },
        new("lab:vault.agentFiles[].secret", Text, "The secret to render.") { Required = true, Allowed = "a declared secret the node role may read", Example = "ngc" },
        new("lab:vault.agentFiles[].field", Text, "Its field.") { Required = true, Allowed = "a field of that secret", Example = "api_key" },
        new("lab:vault.agentFiles[].path", Text, "The file on the node.")
            { Required = true, Pattern = P.AbsolutePath, Allowed = "under /run/secrets or /var/run/secrets (tmpfs)", Example = "/var/run/secrets/ngc-api-key" },
        new("lab:vault.roles", MappingList, "AppRole roles, each with its own policy.") { Required = true, Allowed = "names unique" },
        new("lab:vault.roles[].name", Text, "The role's name.") { Required = true, Pattern = P.NodeName, Example = "compute-node" },
        new("lab:vault.roles[].read", Names, "Secrets the role may read.") { Default = "[]", Allowed = "declared secrets" },
        new("lab:vault.roles[].write", Names, "Secrets the role may write.") { Default = "[]", Allowed = "declared secrets" },
        new("lab:vault.roles[].rules", MappingList, "Extra policy rules.") { Default = "[]" },
        new("lab:vault.roles[].rules[].path", Text, "A policy path inside the KV mount.")
            { Required = true, Pattern = P.PolicyPath, Allowed = "KVMOUNT/data/... or KVMOUNT/metadata/...; '*' only at the end", Example = "secret/data/team/*" },
        new("lab:vault.roles[].rules[].capabilities", Names, "What the rule grants.")
            { Required = true, Allowed = $"{string.Join(", ", LabSpecLoader.AllowedCapabilities.Order(StringComparer.Ordinal))} (never sudo; no delete on metadata)", Example = "[read]" },
        new("lab:vault.roles[].tokenTtl", Duration, "Lifetime of the role's tokens.") { Required = true, Example = "1h" },
        new("lab:vault.roles[].tokenMaxTtl", Duration, "Longest life of a renewed token.") { Required = true, Allowed = "at least tokenTtl", Example = "24h" },
        new("lab:vault.roles[].secretIdTtl", Duration, "Lifetime of a secret-id (0s: never expires).") { Default = "0s", Allowed = "not 0s for the node role" },
        new("lab:vault.roles[].secretIdNumUses", Whole, "Logins a secret-id allows (0: unlimited).")
            { Default = "0", Min = 0, Max = 1_000_000, Allowed = "for the node role: enough for its logins (every start, and each time its token reaches tokenMaxTtl)" },

        new(ConfigKeys.VaultSecrets, Mapping, "Values of seeded secrets (lab:vault.secrets[].seed), secret name to fields.") { Secret = true },
        new("lab:vaultSecrets.<secret>", Mapping, "One seeded secret's fields.") { Secret = true, Allowed = "a secret of lab:vault.secrets" },
        new("lab:vaultSecrets.<secret>.<field>", Text, "One field's value; set each with pulumi config set --secret --path.")
            { Secret = true, Allowed = "required for every field of a seeded secret" },
    ];

    private static readonly Dictionary<string, ConfigSetting> ByPath = Settings.ToDictionary(s => s.Path);

    /// <summary>The top-level keys (lab:ssh, lab:nodes, ...).</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. Settings.Where(s => s.Parent is null && !s.Path.Contains('[')).Select(s => s.Path)];

    /// <summary>The fields a mapping accepts (the children of lab:nodes[], lab:ssh, ...), named as in the stack file.</summary>
    public static IReadOnlyList<string> Fields(string parent)
    {
        var fields = Settings.Where(s => s.Parent == parent && !s.Field.StartsWith('<')).Select(s => s.Field).ToList();
        return fields.Count > 0 ? fields : throw new InvalidOperationException($"{parent} has no fields in the catalogue");
    }

    /// <summary>The setting at a path written as the catalogue writes it; throws when it is missing (a loader bug).</summary>
    public static ConfigSetting At(string path) =>
        ByPath.TryGetValue(path, out var setting) ? setting : throw new InvalidOperationException($"{path} is not in the configuration catalogue");

    /// <summary>The setting of a key as an error names it (lab:nodes[2].gpu.count, lab:validation.images.cuda); null when none matches.</summary>
    public static ConfigSetting? Find(string key)
    {
        var generic = ListIndex().Replace(key, "[]");
        // An item of a list is described by the list's row (lab:nodes[0] by lab:nodes, lab:cluster.addons[2] by lab:cluster.addons).
        var item = generic.EndsWith("[]", StringComparison.Ordinal) ? generic[..^2] : generic;
        return ByPath.GetValueOrDefault(generic) ?? ByPath.GetValueOrDefault(item) ?? Settings.FirstOrDefault(s => s.Path.Contains('<') && Matches(s.Path, generic));
    }

    /// <summary>The setting a key belongs to: its own, or that of the nearest key above it.</summary>
    public static ConfigSetting? Nearest(string key)
    {
        for (var at = ListIndex().Replace(key, "[]"); at.Length > 0; at = Up(at))
        {
            if (Find(at) is { } setting)
            {
                return setting;
            }
        }
        return null;
    }

    /// <summary>Where docs/configuration.md describes a key (the page itself when no setting matches).</summary>
    public static string DocLink(string key) => Nearest(key) is { } setting ? $"{DocPath}#{setting.Anchor}" : DocPath;

    public static string AnchorOf(string path) => Regex.Replace(path.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

    private static string Up(string key)
    {
        if (key.EndsWith("[]", StringComparison.Ordinal))
        {
            return key[..^2];
        }
        var cut = key.LastIndexOfAny(['.', '[']);
        return cut > 0 ? key[..cut] : "";
    }

    private static bool Matches(string pattern, string key)
    {
        var a = pattern.Split('.');
        var b = key.Split('.');
        return a.Length == b.Length && a.Zip(b).All(p => p.First.StartsWith('<') ? !p.Second.Contains('[') : p.First == p.Second);
    }

    internal static string Printable(string pattern) => pattern.Replace(@"\A", "^", StringComparison.Ordinal).Replace(@"\z", "$", StringComparison.Ordinal);

    [GeneratedRegex(@"\[\d+\]")] private static partial Regex ListIndex();
}
