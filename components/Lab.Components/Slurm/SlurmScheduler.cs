using System.Collections.Immutable;
using Lab.Components.Nodes;
using Lab.Model.Nodes;
using Lab.Model.Slurm;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Helm.V3;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Slurm;

public sealed class SlurmSchedulerArgs : ResourceArgs
{
    /// <summary>The cluster's provider: a control-node rebuild replaces it, and with it every Slurm object.</summary>
    public required K8s.Provider Provider { get; init; }

    /// <summary>Prerequisites, then Soperator (Lab.Model SlurmObjects.Charts).</summary>
    public required IReadOnlyList<SlurmChart> Charts { get; init; }

    public required JailVolume Jail { get; init; }

    public required SlurmResource Cluster { get; init; }

    /// <summary>One per Slurm worker node.</summary>
    public required IReadOnlyList<SlurmResource> NodeSets { get; init; }

    /// <summary>The exporter's PodMonitor (the Slurm alerts' series).</summary>
    public required SlurmResource ExporterMonitor { get; init; }

    /// <summary>
    /// With the validation gate on: the step that makes the gate's own key pair on the control node (Lab.Model
    /// SlurmGateAccess.KeyStep), whose public key the SlurmCluster lists beside the operators'; null: no gate key.
    /// </summary>
    public StepScript? GateKey { get; init; }

    /// <summary>The control node the gate key step runs on; required with <see cref="GateKey"/>.</summary>
    public SshTarget? Control { get; init; }
    public Input<int> ControlRebuild { get; init; } = 0;

    /// <summary>What must exist first: the cluster ready (add-ons enabled, workers joined, nodes labelled).</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>
/// Slurm on the lab's cluster through Soperator: cert-manager, then Soperator with OpenKruise (Helm releases at
/// pinned versions), the jail as an NFS PersistentVolume on the NAS and its claim, the SlurmCluster, and one
/// NodeSet per GPU node, each created after what it needs, and the exporter's PodMonitor.
/// </summary>
public sealed class SlurmScheduler : ComponentResource
{
    public const string TypeToken = "lab:slurm:SlurmScheduler";

    /// <summary>The SlurmCluster and the NodeSets: what the gate's Slurm check waits for.</summary>
    public IReadOnlyList<Resource> Ready { get; }

    [Output] public Output<string> LoginService { get; private set; }

    public SlurmScheduler(string name, SlurmSchedulerArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        CustomResourceOptions OnCluster(IEnumerable<Resource> after) => new()
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = Dependencies.Of(args.After.Concat(after)),
        };

        var releases = new List<Resource>();
        foreach (var chart in args.Charts)
        {
            // Each chart after the one before it: Soperator's webhook certificates need cert-manager running.
            releases.Add(new K8s.Helm.V3.Release($"{name}-{chart.Release}", new ReleaseArgs
            {
                Name = chart.Release,
                Chart = chart.Chart,
                Version = chart.Version,
                // An OCI chart names its registry in Chart itself.
                RepositoryOpts = chart.Repository is null ? null! : new RepositoryOptsArgs { Repo = chart.Repository },
                Namespace = chart.Namespace,
                CreateNamespace = true,
                Values = chart.Values.ToDictionary(kv => kv.Key, kv => kv.Value),
                Atomic = true,
            }, OnCluster(releases.ToList())));
        }

        var slurmNamespace = new K8s.Core.V1.Namespace($"{name}-namespace", new NamespaceArgs
        {
            Metadata = new ObjectMetaArgs { Name = args.Cluster.Namespace },
        }, OnCluster([]));

        // The jail's data outlives the objects: the volume keeps the NAS directory when the claim goes.
        var volume = new K8s.Core.V1.PersistentVolume($"{name}-jail-volume", new PersistentVolumeArgs
        {
            Metadata = new ObjectMetaArgs { Name = args.Jail.VolumeName },
            Spec = new PersistentVolumeSpecArgs
            {
                Capacity = { ["storage"] = args.Jail.Capacity },
                AccessModes = { "ReadWriteMany" },
                PersistentVolumeReclaimPolicy = "Retain",
                StorageClassName = "",
                MountOptions = args.Jail.MountOptions.ToArray(),
                Nfs = new NFSVolumeSourceArgs { Server = args.Jail.Server, Path = args.Jail.Path, ReadOnly = false },
                ClaimRef = new ObjectReferenceArgs { Namespace = args.Jail.Namespace, Name = args.Jail.ClaimName },
            },
        }, OnCluster([]));
        var claim = new K8s.Core.V1.PersistentVolumeClaim($"{name}-jail-claim", new PersistentVolumeClaimArgs
        {
            Metadata = new ObjectMetaArgs { Name = args.Jail.ClaimName, Namespace = args.Jail.Namespace },
            Spec = new PersistentVolumeClaimSpecArgs
            {
                AccessModes = { "ReadWriteMany" },
                StorageClassName = "",
                VolumeName = args.Jail.VolumeName,
                Resources = new VolumeResourceRequirementsArgs { Requests = { ["storage"] = args.Jail.Capacity } },
            },
        }, OnCluster([slurmNamespace, volume]));

        // sconfigcontroller's account and what it may do (SlurmObjects.SConfigControllerRules), before the SlurmCluster names it.
        var account = new K8s.Core.V1.ServiceAccount($"{name}-sconfigcontroller-account", new ServiceAccountArgs
        {
            Metadata = new ObjectMetaArgs { Name = SlurmObjects.SConfigControllerAccount, Namespace = args.Cluster.Namespace },
        }, OnCluster([slurmNamespace]));
        var role = new K8s.Rbac.V1.Role($"{name}-sconfigcontroller-role", new K8s.Types.Inputs.Rbac.V1.RoleArgs
        {
            Metadata = new ObjectMetaArgs { Name = SlurmObjects.SConfigControllerAccount, Namespace = args.Cluster.Namespace },
            Rules = SlurmObjects.SConfigControllerRules.Select(rule => new K8s.Types.Inputs.Rbac.V1.PolicyRuleArgs
            {
                ApiGroups = { rule.ApiGroup },
                Resources = rule.Resources,
                Verbs = rule.Verbs,
            }).ToArray(),
        }, OnCluster([slurmNamespace]));
        var binding = new K8s.Rbac.V1.RoleBinding($"{name}-sconfigcontroller-binding", new K8s.Types.Inputs.Rbac.V1.RoleBindingArgs
        {
            Metadata = new ObjectMetaArgs { Name = SlurmObjects.SConfigControllerAccount, Namespace = args.Cluster.Namespace },
            RoleRef = new K8s.Types.Inputs.Rbac.V1.RoleRefArgs { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = SlurmObjects.SConfigControllerAccount },
            Subjects = new K8s.Types.Inputs.Rbac.V1.SubjectArgs { Kind = "ServiceAccount", Name = SlurmObjects.SConfigControllerAccount, Namespace = args.Cluster.Namespace },
        }, OnCluster([account, role]));

        var clusterArgs = new SlurmResourceArgs(args.Cluster);
        if (args.GateKey is { } gateKey)
        {
            var control = args.Control ?? throw new ArgumentException("SlurmSchedulerArgs.Control is required with GateKey.", nameof(args));
            // Made once on the control node (again after its rebuild); only the public key comes back, as the step's output.
            var keyStep = RemoteStep.Create(this, name, control, gateKey, waitForBoot: false, RemoteStep.Triggers(gateKey, args.ControlRebuild), args.After);
            clusterArgs.WithRootKey(args.Cluster, keyStep.Stdout.Apply(SlurmGateAccess.PublicKey));
        }
        var cluster = new K8s.ApiExtensions.CustomResource($"{name}-cluster", clusterArgs,
            OnCluster([.. releases, slurmNamespace, claim, binding]));
        var ready = new List<Resource> { cluster };
        foreach (var nodeSet in args.NodeSets)
        {
            ready.Add(new K8s.ApiExtensions.CustomResource($"{name}-{nodeSet.Name}", new SlurmResourceArgs(nodeSet), OnCluster([cluster])));
        }
        Ready = ready;
        new K8s.ApiExtensions.CustomResource($"{name}-exporter-monitor", new SlurmResourceArgs(args.ExporterMonitor), OnCluster([slurmNamespace]));

        LoginService = Output.Create($"{args.Cluster.Namespace}/{SlurmObjects.LoginService}");
        RegisterOutputs(new Dictionary<string, object?> { ["loginService"] = LoginService });
    }

    /// <summary>A Soperator custom resource with its spec as Lab.Model rendered it.</summary>
    private sealed class SlurmResourceArgs : K8s.ApiExtensions.CustomResourceArgs
    {
        public SlurmResourceArgs(SlurmResource resource)
            : base(resource.ApiVersion, resource.Kind)
        {
            Metadata = new ObjectMetaArgs
            {
                Name = resource.Name,
                Namespace = resource.Namespace,
                Labels = (resource.Labels ?? new Dictionary<string, string>()).Append(new("app.kubernetes.io/part-of", "lab-infra")).ToImmutableDictionary(),
                Annotations = (resource.Annotations ?? new Dictionary<string, string>()).ToImmutableDictionary(),
            };
            Spec = resource.Spec.ToImmutableDictionary();
        }

        [Input("spec")]
        public Input<ImmutableDictionary<string, object>> Spec { get; private set; }

        /// <summary>
        /// The SlurmCluster's spec with one more root key, known once the key step ran: only the key list waits for it, so a
        /// preview shows the rest of the spec as rendered.
        /// </summary>
        public void WithRootKey(SlurmResource cluster, Output<string> key) =>
            Spec = SlurmObjects.WithLogin(cluster.Spec, "sshRootPublicKeys", key.Apply(k => SlurmObjects.RootKeys(cluster.Spec, k).ToImmutableArray())).ToImmutableDictionary();
    }
}
