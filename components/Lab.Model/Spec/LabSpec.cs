using System.Collections.Immutable;
using System.Net;

namespace Lab.Model.Spec;

/// <summary>What a node is for in the lab (seed 000's roles).</summary>
public enum NodeRole
{
    /// <summary>Baseline and benchmark reference; runs the cluster's control plane. Exactly one per stack.</summary>
    Control,
    /// <summary>A Gemini twin: mirrored production and regression work.</summary>
    Gemini,
    /// <summary>High-throughput research workhorse.</summary>
    Exploratory,
}

/// <summary>How the program authenticates to the nodes over SSH.</summary>
public enum SshAuth
{
    /// <summary>The operator's ssh-agent (SSH_AUTH_SOCK); no key material in the stack.</summary>
    Agent,
    /// <summary>A deploy key held as the Pulumi secret lab:sshPrivateKey (automation, CI).</summary>
    Key,
}

/// <summary>Whether every SSH connection checks a pinned host key.</summary>
public enum HostKeyMode
{
    /// <summary>Every machine's key is in the stack and every connection checks it.</summary>
    Pinned,
    /// <summary>Keys not yet collected (scripts/host-keys): machines without one are reached unpinned.</summary>
    Collect,
}

public sealed record GpuSpec(string Model, int Count);

/// <summary>One bare-metal workstation of the lab.</summary>
/// <param name="Rebuild">Rebuild generation: bumping it re-runs every step of this node (DR).</param>
/// <param name="Mounts">Names of the NAS exports this node mounts.</param>
/// <param name="HostKey">The node's SSH host key; null only while lab:ssh.hostKeys is collect.</param>
/// <param name="Cpus">Logical CPUs as the kernel counts them (nproc); required only where Slurm sizes its pods.</param>
public sealed record NodeSpec(
    string Name,
    IPAddress Host,
    NodeRole Role,
    string Cpu,
    int MemoryGb,
    GpuSpec Gpu,
    int MinFreeDiskGb,
    int Rebuild,
    ImmutableArray<string> Mounts,
    HostKey? HostKey = null,
    int? Cpus = null);

/// <param name="BootTimeoutSeconds">How long a step that waits for a boot (ready, driver-loaded) keeps dialling: a deadline, whatever the dial backoff.</param>
public sealed record SshSpec(string User, int Port, SshAuth Auth, HostKeyMode HostKeys = HostKeyMode.Pinned, int BootTimeoutSeconds = SshSpec.DefaultBootTimeoutSeconds)
{
    /// <summary>15 minutes: a workstation's POST, a driver's DKMS build at boot and a slow disk check fit inside.</summary>
    public const int DefaultBootTimeoutSeconds = 900;
}

/// <summary>The one software set every node runs (seed 000: "bit-level reproducibility").</summary>
/// <param name="NvidiaDriver">apt version of nvidia-driver-BRANCH-open, e.g. 580.95.05-0ubuntu0.24.04.2.</param>
/// <param name="ContainerToolkit">apt version of nvidia-container-toolkit, e.g. 1.17.8-1.</param>
/// <param name="OsPackages">apt package name → pinned version.</param>
/// <param name="AptSnapshot">Ubuntu snapshot service ID (YYYYMMDDTHHMMSSZ) the Ubuntu archive is read at; null where a mirror is used.</param>
/// <param name="AptMirror">The lab's own mirror of the Ubuntu archive (URL); null where the snapshot is used.</param>
/// <param name="NvidiaRepositoryKey">Fingerprint of the key NVIDIA's container toolkit repository must be signed with.</param>
/// <param name="HashicorpRepositoryKey">Fingerprint of the key HashiCorp's apt repository (the vault package) must be signed with.</param>
public sealed record PinnedVersions(
    string Ubuntu,
    string NvidiaDriver,
    string ContainerToolkit,
    ImmutableSortedDictionary<string, string> OsPackages,
    string? AptSnapshot = null,
    string? AptMirror = null,
    string NvidiaRepositoryKey = Nodes.NodeSteps.ToolkitKeyFingerprint,
    string HashicorpRepositoryKey = Vault.VaultAgent.RepositoryKeyFingerprint)
{
    /// <summary>Driver branch, e.g. "580" (selects the nvidia-driver-580-open package).</summary>
    public string DriverBranch => NvidiaDriver.Split('.')[0];

    /// <summary>The version nvidia-smi reports once the pinned driver is loaded, e.g. 580.95.05.</summary>
    public string DriverRelease => NvidiaDriver.Split('-')[0];
}

public enum ExportAccess
{
    ReadWrite,
    ReadOnly,
}

/// <summary>One NFS export of the NAS and where nodes mount it.</summary>
/// <param name="Path">Directory on the NAS.</param>
/// <param name="Clients">Who may mount it: a network inside the lab subnet.</param>
/// <param name="RootSquash">Map root on clients to nobody (NFS default); off only when explicitly confirmed.</param>
/// <param name="MountPoint">Where nodes mount it (seed 004: under /mnt/nfs).</param>
public sealed record ExportSpec(
    string Name,
    string Path,
    Ipv4Network Clients,
    ExportAccess Access,
    bool RootSquash,
    bool Sync,
    string MountPoint);

/// <summary>The lab's NAS (seed 000: QNAP 8-bay), reached over SSH like the nodes and serving NFS.</summary>
/// <param name="HostKey">The NAS's SSH host key; null only while lab:ssh.hostKeys is collect.</param>
public sealed record NasSpec(string Name, IPAddress Host, string Model, ImmutableArray<ExportSpec> Exports, HostKey? HostKey = null)
{
    public ExportSpec Export(string name) => Exports.Single(e => e.Name == name);
}

/// <summary>A KV v2 secret the lab uses, by name under the KV mount, with its fields.</summary>
/// <param name="Seed">The program writes it from the stack secret lab:vaultSecrets.NAME; otherwise it is expected in Vault already.</param>
public sealed record KvSecretSpec(string Name, ImmutableArray<string> Fields, bool Seed);

/// <summary>A file vault-agent keeps on every node: one field of one KV secret (seed 004: /var/run/secrets/…).</summary>
public sealed record AgentFileSpec(string Secret, string Field, string Path);

/// <summary>An extra policy rule of a role: a path under the KV mount and its capabilities.</summary>
public sealed record PolicyRuleSpec(string Path, ImmutableArray<string> Capabilities);

/// <summary>An AppRole role and the policy Lab.Model renders for it.</summary>
/// <param name="Read">KV secrets the role may read.</param>
/// <param name="Write">KV secrets the role may create and update (never delete or destroy).</param>
public sealed record VaultRoleSpec(
    string Name,
    ImmutableArray<string> Read,
    ImmutableArray<string> Write,
    ImmutableArray<PolicyRuleSpec> Rules,
    int TokenTtlSeconds,
    int TokenMaxTtlSeconds,
    int SecretIdTtlSeconds,
    int SecretIdNumUses)
{
    public string PolicyName => $"{Name}-policy";
}

/// <summary>The lab's Vault: AppRole auth, one KV v2 mount, roles, and what vault-agent writes on the nodes.</summary>
/// <param name="Rotation">Rotation epoch: bumping it re-issues every node's secret-id.</param>
/// <param name="CaCert">Where the lab CA lives on every node (under /usr/local/share/ca-certificates, in the system trust store).</param>
/// <param name="Ca">The lab CA from the stack; null while lab:vault.ca is collect (each node takes the CA Vault presents, on first use).</param>
public sealed record VaultSpec(
    string Address,
    string CaCert,
    string KvMount,
    string AppRoleMount,
    string AgentVersion,
    int Rotation,
    string NodeRole,
    ImmutableArray<KvSecretSpec> Secrets,
    ImmutableArray<AgentFileSpec> AgentFiles,
    ImmutableArray<VaultRoleSpec> Roles,
    LabCa? Ca = null)
{
    public VaultRoleSpec Role(string name) => Roles.Single(r => r.Name == name);
}

/// <summary>The MicroK8s cluster over the nodes: control plane on the control node, the others join as workers.</summary>
/// <param name="Channel">Pinned snap channel, e.g. 1.32/stable (same on every node).</param>
/// <param name="Addons">Add-ons in the order they are enabled (prerequisites first).</param>
/// <param name="GpuReplicas">GPU time-slicing: schedulable shares per physical GPU (seed 004: 4).</param>
/// <param name="FailureDetectionSeconds">A failed node must be marked NotReady within this (seed 004: 30 s).</param>
public sealed record ClusterSpec(
    string Channel,
    ImmutableArray<string> Addons,
    int GpuReplicas,
    int JoinTokenTtlSeconds,
    int FailureDetectionSeconds);

/// <summary>One alert's tunables: its threshold (where it has one), how long it must hold, and its severity.</summary>
public sealed record AlertSetting(double? Threshold, string For, string Severity);

/// <summary>The lab's alert rules: per-alert settings (defaults where the stack says nothing) and where runbooks live.</summary>
public sealed record AlertsSpec(string RunbookBaseUrl, ImmutableSortedDictionary<string, AlertSetting> Settings);

public enum GateMode
{
    /// <summary>The update fails with a table of what fell short.</summary>
    Enforce,
    /// <summary>The table is reported as a warning; the update goes on.</summary>
    Warn,
    /// <summary>No validation Jobs at all.</summary>
    Off,
}

/// <summary>The lab's performance targets (seed 004, Phase 7 and the final checklist).</summary>
public sealed record ValidationTargets(
    double GpuUtilizationPercent,
    double InferenceP95Ms,
    double RapidsSpeedup,
    double BandwidthGbits,
    double NfsReadMBs,
    double NfsWriteMBs,
    double FailureDetectionSeconds,
    double SlurmJobSeconds);

/// <summary>The inference server the gate measures: an OpenAI-compatible API (as NIM serves) and the model it serves.</summary>
/// <param name="Endpoint">The API's base URL, e.g. http://192.168.50.11:8000/v1; the probe POSTs to Endpoint/chat/completions.</param>
public sealed record InferenceSpec(string Endpoint, string Model)
{
    public string ChatCompletionsUrl => $"{Endpoint}/chat/completions";
}

/// <summary>
/// What the lab's images are built from beyond the nodes' pinned Ubuntu archive (lab:validation.build): the
/// build tools on the control node and the pinned sources (Lab.Model/Images).
/// </summary>
/// <param name="Buildah">apt version of buildah on the control node.</param>
/// <param name="Debootstrap">apt version of debootstrap, which makes the images' Ubuntu base from the pinned archive.</param>
/// <param name="GpuBurnCommit">The wilicc/gpu-burn commit the GPU image builds (40 hex digits).</param>
/// <param name="CudaCompute">The compute capability gpu_burn's kernel is compiled for (86: the lab's Ampere GPUs).</param>
/// <param name="Rapids">The cudf-cu12 release the RAPIDS image installs.</param>
public sealed record ImageBuildPins(string Buildah, string Debootstrap, string GpuBurnCommit, int CudaCompute, string Rapids);

/// <summary>The validation gate: images from the lab's registry, the inference server, and the targets.</summary>
/// <param name="Epoch">Bumping it re-runs every probe.</param>
/// <param name="Images">Images the operator pinned by digest (lab:validation.images): the program builds every other one.</param>
/// <param name="RegistryTls">The registry serves HTTPS with a certificate of the lab CA (lab:vault.caCert); false: plain HTTP.</param>
/// <param name="Drill">Opt in to the node-failure drill (it stops a worker's kubelet for a minute).</param>
public sealed record ValidationSpec(
    GateMode Mode,
    int Epoch,
    string Registry,
    ImmutableSortedDictionary<string, string> Images,
    InferenceSpec Inference,
    string NfsExport,
    bool Drill,
    ValidationTargets Targets,
    bool RegistryTls,
    ImageBuildPins Build);

/// <summary>One Slurm worker (a NodeSet) on one GPU node: what its slurmd pod requests.</summary>
public sealed record SlurmWorkerSpec(string Node, int Cpus, int MemoryGb, int Gpus);

/// <summary>Slurm inside the cluster through Soperator (seed 004): the jail on the NAS, the login service, one worker per GPU node.</summary>
/// <param name="JailExport">The NAS export (read-write) that holds the jail, Slurm's shared root filesystem.</param>
/// <param name="AccountingExport">The NAS export (read-write, its own) that holds the accounting database's data.</param>
/// <param name="LoginKeys">The operators' SSH public keys, authorised for root on the login service.</param>
/// <param name="Version">Soperator's release (SlurmImages.Releases): its charts, the SlurmCluster's crVersion, upstream's image tags.</param>
/// <param name="Images">Image per Soperator container kind (SlurmImages.Kinds): digest-pinned where the stack pins one.</param>
public sealed record SlurmSpec(
    string Version,
    string JailExport,
    string AccountingExport,
    int JailSizeGb,
    ImmutableArray<HostKey> LoginKeys,
    int LoginNodePort,
    ImmutableArray<SlurmWorkerSpec> Workers,
    ImmutableSortedDictionary<string, string> Images)
{
    public bool Serves(string node) => Workers.Any(w => w.Node == node);
}

/// <summary>Where a backed-up item's data comes from, and so which machine backs it up.</summary>
public enum BackupSource
{
    /// <summary>A NAS export's directory, backed up on the NAS.</summary>
    Export,
    /// <summary>The cluster's datastore (microk8s dbctl backup) with the certs/ and args/ a restore needs, on the control node.</summary>
    Datastore,
    /// <summary>Vault's data: a raft snapshot through the API under its own AppRole role (VaultSnapshot), on the control node; refused on file storage.</summary>
    Vault,
}

/// <summary>How Vault stores its data: only integrated storage (raft) has an online snapshot API.</summary>
public enum VaultStorage
{
    Raft,
    File,
}

/// <summary>restic forget's keep rules: how many of the last, daily, weekly and monthly snapshots stay (0: that rule is unused).</summary>
public sealed record KeepRules(int Last, int Daily, int Weekly, int Monthly);

/// <summary>One thing the lab backs up, how often, the loss it may suffer (RPO) and what is kept.</summary>
/// <param name="Schedule">A systemd calendar expression (OnCalendar=).</param>
/// <param name="Export">The NAS export's name, for an export item.</param>
public sealed record BackupItemSpec(string Name, BackupSource Source, string? Export, string Schedule, int RpoSeconds, KeepRules Keep);

/// <summary>The lab's backups (issue 22, seed 002's recovery objectives): one restic repository, the items, and the check and drill schedules.</summary>
/// <param name="Repository">A restic repository (sftp:, rest:, s3:), never with credentials in it.</param>
/// <param name="PasswordFile">The repository password's file: a lab:vault.agentFiles path, written by vault-agent.</param>
/// <param name="CheckSubset">restic check --read-data-subset (n/t, x% or a size).</param>
public sealed record BackupsSpec(
    string Repository,
    string PasswordFile,
    VaultStorage VaultStorage,
    string CheckSchedule,
    string CheckSubset,
    string DrillSchedule,
    ImmutableArray<BackupItemSpec> Items);

/// <summary>The whole lab of one stack, validated.</summary>
public sealed record LabSpec(
    string Stack,
    Ipv4Network Subnet,
    SshSpec Ssh,
    PinnedVersions Versions,
    ImmutableArray<NodeSpec> Nodes,
    NasSpec Nas,
    VaultSpec Vault,
    ClusterSpec Cluster,
    AlertsSpec Alerts,
    ValidationSpec Validation,
    SlurmSpec? Slurm = null,
    BackupsSpec? Backups = null)
{
    public IEnumerable<NodeSpec> Workers => Nodes.Where(n => n.Role != NodeRole.Control);

    public NodeSpec ControlNode => Nodes.Single(n => n.Role == NodeRole.Control);
}
