using System.Collections.Immutable;
using System.Text.Json;
using Lab.Components.Backups;
using Lab.Components.Cluster;
using Lab.Components.Images;
using Lab.Components.Monitoring;
using Lab.Components.Nodes;
using Lab.Components.Slurm;
using Lab.Components.Storage;
using Lab.Components.Validation;
using Lab.Components.Vault;
using Lab.Model.Backups;
using Lab.Model.Cluster;
using Lab.Model.Images;
using Lab.Model.Monitoring;
using Lab.Model.Nodes;
using Lab.Model.Slurm;
using Lab.Model.Spec;
using Lab.Model.Storage;
using Lab.Model.Validation;
using Lab.Model.Vault;
using Pulumi;

namespace Lab.Infra;

/// <summary>
/// The composition root: validates the stack's lab spec before any resource exists, then hands
/// each component its slice of the spec and the outputs it depends on.
/// </summary>
public sealed class LabStack : Stack
{
    /// <summary>Per node: GPU model, driver release and kernel as the node reported them.</summary>
    [Output("nodes")] public Output<ImmutableDictionary<string, ImmutableDictionary<string, string>>> Nodes { get; private set; }

    /// <summary>The validation gate's verdict table of the last run.</summary>
    [Output("validation")] public Output<string> Validation { get; private set; }

    public LabStack() : this(null)
    {
    }

    public LabStack(StackOptions? options) : base(options)
    {
        var lab = LoadSpec(Deployment.Instance.StackName, StackConfig.FromEnvironment());
        Input<string>? privateKey = null;
        if (lab.Ssh.Auth == SshAuth.Key)
        {
            privateKey = new Config(ConfigKeys.Namespace).RequireSecret("sshPrivateKey");
        }

        static VaultNode VaultNodeOf(NodeSpec n) => new() { Name = n.Name, Host = n.Host.ToString(), Rebuild = n.Rebuild };
        SshTarget Ssh(System.Net.IPAddress host, HostKey? hostKey) =>
            new()
            {
                Host = host.ToString(),
                Port = lab.Ssh.Port,
                User = lab.Ssh.User,
                PrivateKey = privateKey,
                HostKey = hostKey is null ? null : (Input<string>)hostKey.Line,
                BootTimeout = TimeSpan.FromSeconds(lab.Ssh.BootTimeoutSeconds),
            };

        var nas = new NasStorage(lab.Nas.Name, new NasStorageArgs { Ssh = Ssh(lab.Nas.Host, lab.Nas.HostKey), Steps = NasExports.Steps(lab) });

        var vault = new VaultAccess("vault", new VaultAccessArgs
        {
            Address = lab.Vault.Address,
            AppRoleMount = lab.Vault.AppRoleMount,
            KvMount = lab.Vault.KvMount,
            LabSubnet = lab.Subnet.ToString(),
            Rotation = lab.Vault.Rotation,
            Roles = [.. lab.Vault.Roles.Select(r => (r, VaultPolicies.Render(lab.Vault, r))),
                .. VaultSnapshot.Scheduled(lab) ? [(VaultSnapshot.Role(lab.Vault), VaultSnapshot.Policy())] : Array.Empty<(VaultRoleSpec, string)>()],
            NodeRole = lab.Vault.NodeRole,
            Nodes = [.. lab.Nodes.Select(VaultNodeOf)],
            Snapshot = VaultSnapshot.Scheduled(lab) ? (VaultSnapshot.RoleName, VaultNodeOf(lab.ControlNode)) : null,
            Seeded = SeededSecrets(lab.Vault),
        });

        var nodes = lab.Nodes.Select(node => (node.Name, Resource: new BareMetalNode(node.Name, new BareMetalNodeArgs
        {
            Ssh = Ssh(node.Host, node.HostKey),
            Steps = NodeSteps.Render(lab, node),
            Rebuild = node.Rebuild,
            StepsAfter = new Dictionary<string, Resource> { ["storage"] = nas.Exports },
            StepSecrets = new Dictionary<string, Output<string>>
            {
                ["vault-agent"] = Output.Tuple(vault.NodeRoleId, vault.SecretIds[node.Name]).Apply(t => $"{t.Item1}\n{t.Item2}\n"),
            }.Concat(node.Role == NodeRole.Control && vault.SnapshotCredentials is { } snapshot
                // The control node's snapshot agent, where the stack backs Vault up.
                ? [KeyValuePair.Create(VaultSnapshot.StepName, snapshot)]
                : Array.Empty<KeyValuePair<string, Output<string>>>()).ToDictionary(),
        }))).ToList();

        var chains = nodes.ToDictionary(n => n.Name, n => n.Resource);
        var cluster = new MicroK8sCluster("cluster", new MicroK8sClusterArgs
        {
            // The control node first: its control plane is up before any worker joins.
            Members = lab.Nodes.OrderBy(n => n.Role != NodeRole.Control).Select(n => new ClusterMember
            {
                Name = n.Name,
                Ssh = Ssh(n.Host, n.HostKey),
                Rebuild = n.Rebuild,
                After = chains[n.Name].LastStep,
                Install = MicroK8sSteps.Install(lab, n),
                Joining = n.Role == NodeRole.Control ? null : (MicroK8sSteps.IssueJoinToken(lab, n), MicroK8sSteps.Join(lab, n)),
                Labels = MicroK8sSteps.NodeLabels(n).Concat(SlurmObjects.NodeLabels(lab, n)).ToDictionary(),
            }).ToList(),
            Addons = MicroK8sSteps.EnableAddons(lab),
            Kubeconfig = MicroK8sSteps.Kubeconfig(lab),
            ClusterCa = MicroK8sSteps.ClusterCa(lab),
            DevicePluginConfigs = lab.Cluster.Addons.Contains("nvidia") ? MicroK8sSteps.DevicePluginConfigs(lab) : null,
            GpuOperatorNamespace = Addons.GpuOperatorNamespace,
        });

        var control = lab.ControlNode;
        var backupMachines = BackupJobs.Machines(lab).Select(m => m.PasswordFromControl
            ? new BackupMachine { Ssh = Ssh(lab.Nas.Host, lab.Nas.HostKey), Setup = BackupJobs.Setup(lab, m), After = [nas.Exports] }
            : new BackupMachine { Ssh = Ssh(control.Host, control.HostKey), Setup = BackupJobs.Setup(lab, m), Rebuild = control.Rebuild, After = [chains[control.Name].LastStep] })
            .ToList();
        Resource[] backups = backupMachines.Count == 0 ? [] : [new BackupSchedule("backups", new BackupScheduleArgs { Machines = backupMachines })];

        var alerts = new AlertRules("lab-alerts", new AlertRulesArgs
        {
            Spec = AlertRuleGroups.Spec(AlertRuleGroups.Groups(lab)),
            Provider = cluster.Provider,
            Namespace = Addons.ObservabilityNamespace,
            Release = Addons.PrometheusRuleRelease,
            After = cluster.Ready,
        });

        // Every image the program runs, built on the control node unless the operator pinned it by digest.
        var images = new BuiltImages("images", new BuiltImagesArgs
        {
            Sources = LabImages.Sources(lab),
            Control = Ssh(lab.ControlNode.Host, lab.ControlNode.HostKey),
            After = cluster.Ready,
            Clients = lab.Nodes.Select(n => new RegistryClient { Name = n.Name, Ssh = Ssh(n.Host, n.HostKey), Trust = LabImages.RegistryTrust(lab, n), Rebuild = n.Rebuild, After = cluster.Joined[n.Name] }).ToList(),
        });

        // The dashboard and the Vault probe live beside the observability add-on's Grafana and Prometheus (its
        // namespace, its Probe CRD).
        var monitoring = new List<Resource> { alerts };
        if (lab.Cluster.Addons.Contains("observability"))
        {
            monitoring.Add(new GrafanaDashboard("lab-dashboard", new GrafanaDashboardArgs
            {
                Json = LabDashboard.Json(),
                Provider = cluster.Provider,
                Namespace = Addons.ObservabilityNamespace,
                After = cluster.Ready,
            }));
            monitoring.Add(new BlackboxExporter("lab-blackbox", new BlackboxExporterArgs
            {
                Probes = BlackboxProbes.For(lab),
                Image = images.References[BlackboxProbes.ImageKey],
                Provider = cluster.Provider,
                Namespace = Addons.ObservabilityNamespace,
                Release = Addons.PrometheusRuleRelease,
                After = [.. cluster.Ready, .. images.Trusted],
            }));
        }

        // Where every signal that outlives a Job is published (contract 3): the gate's verdicts first.
        var pushgateway = new Pushgateway("lab-pushgateway", new PushgatewayArgs
        {
            Provider = cluster.Provider,
            Image = images.References[PushedMetrics.ImageKey],
            Release = Addons.PrometheusRuleRelease,
            After = [.. cluster.Ready, .. images.Trusted],
        });

        var slurm = lab.Slurm is null ? null : new SlurmScheduler("slurm", new SlurmSchedulerArgs
        {
            Provider = cluster.Provider,
            Charts = SlurmObjects.Charts(lab),
            Jail = SlurmObjects.Jail(lab),
            Database = SlurmObjects.AccountingDatabase(lab),
            Cluster = SlurmObjects.Cluster(lab),
            NodeSets = SlurmObjects.NodeSets(lab),
            ExporterMonitor = SlurmObjects.ExporterPodMonitor(lab),
            OperatorMonitor = SlurmObjects.OperatorServiceMonitor(lab),
            // The gate's own login key, only where the gate runs its Slurm job check.
            GateKey = lab.Validation.Mode == GateMode.Off ? null : SlurmGateAccess.KeyStep(lab),
            Control = Ssh(lab.ControlNode.Host, lab.ControlNode.HostKey),
            ControlRebuild = lab.ControlNode.Rebuild,
            After = [.. cluster.Ready, nas.Exports],
        });

        var probes = Probes.For(lab);
        Validation = lab.Validation.Mode == GateMode.Off
            ? Output.Create("validation gate: off (lab:validation.mode)")
            : new ValidationGate("validation", new ValidationGateArgs
            {
                Provider = cluster.Provider,
                Mode = lab.Validation.Mode,
                Probes = probes,
                Images = images.References,
                Control = Ssh(lab.ControlNode.Host, lab.ControlNode.HostKey),
                ControlRebuild = lab.ControlNode.Rebuild,
                Collector = Collector.Step(lab, probes),
                Publish = VerdictMetrics.PublishStep(lab),
                Epoch = lab.Validation.Epoch,
                SlurmTrust = lab.Slurm is null ? null : SlurmGateAccess.TrustStep(lab),
                PushgatewayReady = pushgateway.Ready,
                // After every other component: the gate measures the whole lab (the backup-ages probe reads the Pushgateway).
                After = [nas, vault, .. nodes.Select(n => (Resource)n.Resource), cluster, .. monitoring, .. pushgateway.Ready, .. slurm?.Ready ?? [], .. images.Trusted, .. backups],
            }).Report;

        Nodes = Output.All(nodes.Select(n => Output.Tuple(n.Resource.GpuModel, n.Resource.DriverVersion, n.Resource.Kernel)
                .Apply(t => (n.Name, Facts: ImmutableDictionary<string, string>.Empty
                    .Add("gpuModel", t.Item1).Add("driverVersion", t.Item2).Add("kernel", t.Item3)))))
            .Apply(all => all.ToImmutableDictionary(n => n.Name, n => n.Facts));
    }

    /// <summary>The KV secrets the stack seeds, their fields read from the secret lab:vaultSecrets (validated present).</summary>
    private static List<SeededSecret> SeededSecrets(VaultSpec vault)
    {
        var seeded = vault.Secrets.Where(s => s.Seed).ToList();
        if (seeded.Count == 0)
        {
            return [];
        }
        var values = new Config(ConfigKeys.Namespace).RequireSecretObject<JsonElement>("vaultSecrets");
        return seeded.Select(s => new SeededSecret
        {
            Name = s.Name,
            Fields = values.Apply(v => s.Fields.ToImmutableDictionary(f => f, f => v.GetProperty(s.Name).GetProperty(f).ToString())),
        }).ToList();
    }

    /// <summary>Config errors stop the run with the list of what to fix, not a stack trace.</summary>
    private static LabSpec LoadSpec(string stack, StackConfig config)
    {
        try
        {
            return LabSpecLoader.Load(stack, config.Values, config.SecretKeys);
        }
        catch (LabConfigException e)
        {
            throw new RunException(e.Message);
        }
    }
}
