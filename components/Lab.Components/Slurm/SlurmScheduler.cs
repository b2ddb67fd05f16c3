using System.Collections.Immutable;
using Lab.Components.Nodes;
using Lab.Model.Nodes;
using Lab.Model.Slurm;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Apps.V1;
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

    public required NfsVolume Jail { get; init; }

    /// <summary>The accounting's MariaDB (Lab.Model SlurmObjects.AccountingDatabase).</summary>
    public required SlurmObjects.AccountingDb Database { get; init; }

    public required SlurmResource Cluster { get; init; }

    /// <summary>One per Slurm worker node.</summary>
    public required IReadOnlyList<SlurmResource> NodeSets { get; init; }

    /// <summary>The exporter's PodMonitor (the Slurm alerts' series).</summary>
    public required SlurmResource ExporterMonitor { get; init; }

    /// <summary>The operator's own metrics, selected by the lab's Prometheus (SlurmObjects.OperatorServiceMonitor).</summary>
    public required SlurmResource OperatorMonitor { get; init; }

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
/// Slurm on the lab's cluster through Soperator: cert-manager, Soperator's CRDs, then Soperator with OpenKruise (Helm releases at
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
            // Each chart after the one before it: Soperator's webhook certificates need cert-manager running, and its CRDs come first.
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
                SkipCrds = chart.SkipCrds,
            }, OnCluster(releases.ToList())));
        }

        var slurmNamespace = new K8s.Core.V1.Namespace($"{name}-namespace", new NamespaceArgs
        {
            Metadata = new ObjectMetaArgs { Name = args.Cluster.Namespace },
        }, OnCluster([]));

        // The jail's data outlives the objects: the volume keeps the NAS directory when the claim goes.
        var (_, claim) = NfsClaim($"{name}-jail", args.Jail, "ReadWriteMany", OnCluster, slurmNamespace);

        // An account with a Role of its rules in the Slurm namespace, bound before the SlurmCluster names it.
        Resource Account(string part, string account, IEnumerable<(string ApiGroup, string[] Resources, string[] Verbs)> rules)
        {
            var serviceAccount = new K8s.Core.V1.ServiceAccount($"{name}-{part}-account", new ServiceAccountArgs
            {
                Metadata = new ObjectMetaArgs { Name = account, Namespace = args.Cluster.Namespace },
            }, OnCluster([slurmNamespace]));
            var role = new K8s.Rbac.V1.Role($"{name}-{part}-role", new K8s.Types.Inputs.Rbac.V1.RoleArgs
            {
                Metadata = new ObjectMetaArgs { Name = account, Namespace = args.Cluster.Namespace },
                Rules = rules.Select(rule => new K8s.Types.Inputs.Rbac.V1.PolicyRuleArgs
                {
                    ApiGroups = { rule.ApiGroup },
                    Resources = rule.Resources,
                    Verbs = rule.Verbs,
                }).ToArray(),
            }, OnCluster([slurmNamespace]));
            return new K8s.Rbac.V1.RoleBinding($"{name}-{part}-binding", new K8s.Types.Inputs.Rbac.V1.RoleBindingArgs
            {
                Metadata = new ObjectMetaArgs { Name = account, Namespace = args.Cluster.Namespace },
                RoleRef = new K8s.Types.Inputs.Rbac.V1.RoleRefArgs { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = account },
                Subjects = new K8s.Types.Inputs.Rbac.V1.SubjectArgs { Kind = "ServiceAccount", Name = account, Namespace = args.Cluster.Namespace },
            }, OnCluster([serviceAccount, role]));
        }

        // sconfigcontroller (SlurmObjects.SConfigControllerRules) and the exporter (ExporterRules: the JWT Secret).
        var bindings = new[]
        {
            Account("sconfigcontroller", SlurmObjects.SConfigControllerAccount, SlurmObjects.SConfigControllerRules),
            Account("exporter", SlurmObjects.ExporterAccount, SlurmObjects.ExporterRules),
        };

        var database = Database(name, args, OnCluster, slurmNamespace);

        var clusterArgs = new SlurmResourceArgs(args.Cluster);
        if (args.GateKey is { } gateKey)
        {
            var control = args.Control ?? throw new ArgumentException("SlurmSchedulerArgs.Control is required with GateKey.", nameof(args));
            // Made once on the control node (again after its rebuild); only the public key comes back, as the step's output.
            var keyStep = RemoteStep.Create(this, name, control, gateKey, waitForBoot: false, RemoteStep.Triggers(gateKey, args.ControlRebuild), args.After);
            clusterArgs.WithRootKey(args.Cluster, keyStep.Stdout.Apply(SlurmGateAccess.PublicKey));
        }
        var cluster = new K8s.ApiExtensions.CustomResource($"{name}-cluster", clusterArgs,
            OnCluster([.. releases, slurmNamespace, claim, .. bindings, .. database]));
        var ready = new List<Resource> { cluster };
        foreach (var nodeSet in args.NodeSets)
        {
            ready.Add(new K8s.ApiExtensions.CustomResource($"{name}-{nodeSet.Name}", new SlurmResourceArgs(nodeSet), OnCluster([cluster])));
        }
        Ready = ready;
        new K8s.ApiExtensions.CustomResource($"{name}-exporter-monitor", new SlurmResourceArgs(args.ExporterMonitor), OnCluster([slurmNamespace]));
        // In the operator's namespace, which its release creates.
        new K8s.ApiExtensions.CustomResource($"{name}-operator-monitor", new SlurmResourceArgs(args.OperatorMonitor), OnCluster([.. releases]));

        LoginService = Output.Create($"{args.Cluster.Namespace}/{SlurmObjects.LoginService}");
        RegisterOutputs(new Dictionary<string, object?> { ["loginService"] = LoginService });
    }

    /// <summary>
    /// slurmdbd's MariaDB: its passwords made by Pulumi (secret in the state, only ever in the Secret), its data on the NAS
    /// export through a Retain volume that Pulumi never deletes, one replica on the control node, and its Service.
    /// </summary>
    /// <summary>An NFS export as a Retain PersistentVolume bound to its one claim (the jail, the accounting database).</summary>
    private static (Resource Volume, Resource Claim) NfsClaim(string name, NfsVolume nfs, string accessMode,
        Func<IEnumerable<Resource>, CustomResourceOptions> options, Resource slurmNamespace)
    {
        var volume = new K8s.Core.V1.PersistentVolume($"{name}-volume", new PersistentVolumeArgs
        {
            Metadata = new ObjectMetaArgs { Name = nfs.VolumeName },
            Spec = new PersistentVolumeSpecArgs
            {
                Capacity = { ["storage"] = nfs.Capacity },
                AccessModes = { accessMode },
                PersistentVolumeReclaimPolicy = "Retain",
                StorageClassName = "",
                MountOptions = nfs.MountOptions.ToArray(),
                Nfs = new NFSVolumeSourceArgs { Server = nfs.Server, Path = nfs.Path, ReadOnly = false },
                ClaimRef = new ObjectReferenceArgs { Namespace = nfs.Namespace, Name = nfs.ClaimName },
            },
        }, options([]));
        var claim = new K8s.Core.V1.PersistentVolumeClaim($"{name}-claim", new PersistentVolumeClaimArgs
        {
            Metadata = new ObjectMetaArgs { Name = nfs.ClaimName, Namespace = nfs.Namespace },
            Spec = new PersistentVolumeClaimSpecArgs
            {
                AccessModes = { accessMode },
                StorageClassName = "",
                VolumeName = nfs.VolumeName,
                Resources = new VolumeResourceRequirementsArgs { Requests = { ["storage"] = nfs.Capacity } },
            },
        }, options([slurmNamespace, volume]));
        return (volume, claim);
    }

    private Resource[] Database(string name, SlurmSchedulerArgs args, Func<IEnumerable<Resource>, CustomResourceOptions> onCluster, Resource slurmNamespace)
    {
        var db = args.Database;
        // A password belongs to the data directory it was set on at MariaDB's first start: a new directory, a new password.
        Output<string> Password(string part) => new Pulumi.Random.RandomPassword($"{name}-accounting-{part}", new Pulumi.Random.RandomPasswordArgs
        {
            Length = 32,
            Special = false,
            Keepers = { ["data"] = $"{db.Volume.Server}:{db.Volume.Path}" },
        }, new CustomResourceOptions { Parent = this }).Result;
        var secret = new K8s.Core.V1.Secret($"{name}-accounting-db-secret", new SecretArgs
        {
            Metadata = new ObjectMetaArgs { Name = SlurmObjects.Database.Secret, Namespace = db.Volume.Namespace },
            StringData =
            {
                [SlurmObjects.Database.PasswordKey] = Output.CreateSecret(Password("password")),
                [SlurmObjects.Database.RootPasswordKey] = Output.CreateSecret(Password("root-password")),
            },
        }, onCluster([slurmNamespace]));

        // The data outlives every object: Retain on the volume, and Pulumi deletes neither volume nor claim (retainOnDelete);
        // not protect, which would stop a control-node rebuild from recreating them on the new cluster.
        var keep = (CustomResourceOptions o) => { o.RetainOnDelete = true; return o; };
        var (_, claim) = NfsClaim($"{name}-accounting-db", db.Volume, "ReadWriteOnce", after => keep(onCluster(after)), slurmNamespace);

        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = SlurmObjects.Database.Name, ["app.kubernetes.io/part-of"] = "lab-infra" };
        EnvVarArgs FromSecret(string variable, string key) => new()
        {
            Name = variable,
            ValueFrom = new EnvVarSourceArgs { SecretKeyRef = new SecretKeySelectorArgs { Name = SlurmObjects.Database.Secret, Key = key } },
        };
        // The image's entrypoint creates the database and its user with all privileges on it at the first start, on an empty
        // data directory; later starts keep what is there.
        var deployment = new K8s.Apps.V1.Deployment($"{name}-accounting-db", new DeploymentArgs
        {
            Metadata = new ObjectMetaArgs { Name = SlurmObjects.Database.Name, Namespace = db.Volume.Namespace, Labels = labels },
            Spec = new DeploymentSpecArgs
            {
                Replicas = 1,
                // Never two servers on one data directory.
                Strategy = new DeploymentStrategyArgs { Type = "Recreate" },
                Selector = new LabelSelectorArgs { MatchLabels = labels },
                Template = new PodTemplateSpecArgs
                {
                    Metadata = new ObjectMetaArgs { Labels = labels },
                    Spec = new PodSpecArgs
                    {
                        NodeSelector = db.NodeSelector.ToDictionary(kv => kv.Key, kv => kv.Value),
                        Containers = new ContainerArgs
                        {
                            Name = "mariadb",
                            Image = db.Image,
                            Env =
                            {
                                new EnvVarArgs { Name = "MARIADB_DATABASE", Value = SlurmObjects.Database.Schema },
                                new EnvVarArgs { Name = "MARIADB_USER", Value = SlurmObjects.Database.User },
                                FromSecret("MARIADB_PASSWORD", SlurmObjects.Database.PasswordKey),
                                FromSecret("MARIADB_ROOT_PASSWORD", SlurmObjects.Database.RootPasswordKey),
                            },
                            Ports = new ContainerPortArgs { Name = "mysql", ContainerPortValue = SlurmObjects.Database.Port },
                            ReadinessProbe = new ProbeArgs { TcpSocket = new TCPSocketActionArgs { Port = SlurmObjects.Database.Port }, PeriodSeconds = 10 },
                            Resources = new ResourceRequirementsArgs
                            {
                                Requests = { ["cpu"] = db.Requests.Cpu, ["memory"] = db.Requests.Memory },
                                Limits = { ["memory"] = db.Requests.Memory },
                            },
                            VolumeMounts = new VolumeMountArgs { Name = "data", MountPath = SlurmObjects.Database.DataPath },
                        },
                        Volumes = new VolumeArgs { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSourceArgs { ClaimName = db.Volume.ClaimName } },
                    },
                },
            },
        }, onCluster([secret, claim]));
        var service = new K8s.Core.V1.Service($"{name}-accounting-db-service", new ServiceArgs
        {
            Metadata = new ObjectMetaArgs { Name = SlurmObjects.Database.Name, Namespace = db.Volume.Namespace },
            Spec = new ServiceSpecArgs
            {
                Selector = labels,
                Ports = new ServicePortArgs { Name = "mysql", Port = SlurmObjects.Database.Port, TargetPort = "mysql" },
            },
        }, onCluster([slurmNamespace]));
        return [secret, deployment, service];
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
