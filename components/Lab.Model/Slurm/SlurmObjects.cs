using System.Globalization;
using System.Text.Json;
using Lab.Model.Artifacts;
using Lab.Model.Cluster;
using Lab.Model.Spec;

namespace Lab.Model.Slurm;

/// <summary>A Helm chart at a pinned version: a classic repository, or an OCI chart (Repository null, Chart oci://…).</summary>
/// <param name="SkipCrds">Helm leaves the chart's crds/ folder alone (another release owns those CRDs as templates).</param>
public sealed record SlurmChart(string Release, string Chart, string Version, string? Repository, string Namespace, Dictionary<string, object> Values, bool SkipCrds = false);

/// <summary>One custom resource as data: what the component puts on the cluster, and what the CRD facts are checked against.</summary>
/// <param name="Annotations">What an operator reads on the object (kubectl describe, the plan): where to log in.</param>
/// <param name="Labels">Labels beyond the lab's own, e.g. the release label Prometheus selects monitors by.</param>
public sealed record SlurmResource(string ApiVersion, string Kind, string Name, string Namespace, Dictionary<string, object> Spec,
    IReadOnlyDictionary<string, string>? Annotations = null, IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>The jail's NFS volume: the NAS export as a PersistentVolume, and the claim the Slurm pods mount.</summary>
public sealed record NfsVolume(string VolumeName, string ClaimName, string Namespace, string Server, string Path, string Capacity, IReadOnlyList<string> MountOptions);

/// <summary>
/// Slurm on the lab's cluster through Soperator 4.1.7 (nebius/soperator): the prerequisites and the operator as
/// pinned charts, the jail on the NAS, and the SlurmCluster and one NodeSet per GPU node as custom resources,
/// every one rendered from the spec here and put on the wire by the SlurmScheduler component.
/// </summary>
public static class SlurmObjects
{
    public const string Namespace = "slurm";
    public const string OperatorNamespace = "soperator-system";
    public const string ClusterName = "lab-slurm";
    public const string Group = "slurm.nebius.ai";
    public const string ControlFilter = "control";
    public const string JailSource = "jail";

    /// <summary>The login SSH Service Soperator creates: CLUSTER-login-svc (internal/naming/naming.go BuildServiceName).</summary>
    public const string LoginService = $"{ClusterName}-login-svc";

    /// <summary>
    /// The login sshd's port, which the login Service also listens on (internal/render/login/service.go). Soperator's CRD has no
    /// default for a container's port (only its helm-slurm-cluster chart writes 22 and 6817), so the lab sets both.
    /// </summary>
    public const int LoginSshdPort = 22;

    public const int SlurmctldPort = 6817;

    /// <summary>
    /// Prerequisites first: cert-manager (Soperator's webhooks), then Soperator's CRDs as a release of their own, then Soperator
    /// with OpenKruise (workers are Advanced StatefulSets).
    /// </summary>
    public static IReadOnlyList<SlurmChart> Charts(LabSpec spec) =>
    [
        // The version soperator-fluxcd 4.1.7 deploys (v1.19.*), pinned; the chart installs its CRDs only when asked.
        new("cert-manager", "cert-manager", "v1.19.1", "https://charts.jetstack.io", "cert-manager",
            new() { ["crds"] = new Dictionary<string, object> { ["enabled"] = true } }),
        // helm-soperator-crds holds the same CRDs as helm-soperator's crds/, but as templates: Helm upgrades them with the
        // release, where it installs crds/ once and never upgrades them (helm/README.md: install it before soperator).
        new(CrdsRelease, $"oci://cr.eu-north1.nebius.cloud/soperator/helm-soperator-crds", Require(spec).Version, null, OperatorNamespace, []),
        // helm-soperator bundles OpenKruise 1.8.0 as a dependency behind kruise.installOperator; its crds/ are skipped.
        new("soperator", $"oci://cr.eu-north1.nebius.cloud/soperator/helm-soperator", Require(spec).Version, null, OperatorNamespace, new()
        {
            ["kruise"] = new Dictionary<string, object> { ["installOperator"] = true },
            ["certManager"] = new Dictionary<string, object> { ["enabled"] = true },
            // helm/soperator's servicemonitor.yaml reads no labels (its additionalLabels value is used by no template), so
            // the add-on's Prometheus skips its monitor: OperatorServiceMonitor scrapes the same Service, selected. Enabled,
            // since the metrics Service itself (metrics-service.yaml) is rendered only with it.
            ["serviceMonitor"] = new Dictionary<string, object> { ["enabled"] = true },
            // The observability add-on brings the monitoring CRDs: the operator then creates the exporter's PodMonitor
            // and slurmctld's ServiceMonitor.
            ["controllerManager"] = new Dictionary<string, object>
            {
                ["manager"] = new Dictionary<string, object> { ["env"] = new Dictionary<string, object> { ["isPrometheusCrdInstalled"] = "true" } },
            },
        }, SkipCrds: true),
    ];

    /// <summary>The Helm release that owns Soperator's CRDs (helm-soperator-crds).</summary>
    public const string CrdsRelease = "soperator-crds";

    public static NfsVolume Jail(LabSpec spec)
    {
        var slurm = Require(spec);
        var export = spec.Nas.Export(slurm.JailExport);
        return new NfsVolume($"{ClusterName}-jail", JailSource, Namespace, spec.Nas.Host.ToString(), export.Path,
            $"{slurm.JailSizeGb.ToString(CultureInfo.InvariantCulture)}Gi", NfsMountOptions);
    }

    /// <summary>The nodes' own NFS options (NfsMounts), minus what only fstab knows: a PV is mounted with the kubelet's defaults otherwise.</summary>
    private static readonly IReadOnlyList<string> NfsMountOptions =
        [.. Storage.NfsMounts.Options.Split(',').Where(o => o != "_netdev"), "rw"];

    public static SlurmResource Cluster(LabSpec spec)
    {
        var slurm = Require(spec);
        Dictionary<string, object> Container(string image, Requests requests) => new()
        {
            ["image"] = slurm.Images[image],
            ["resources"] = Resources(requests),
        };
        var jail = new Dictionary<string, object> { ["volumeSourceName"] = JailSource };
        return new SlurmResource($"{Group}/v1", "SlurmCluster", ClusterName, Namespace, new()
        {
            ["crVersion"] = slurm.Version,
            ["k8sNodeFilters"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = ControlFilter,
                    ["nodeSelector"] = new Dictionary<string, object> { ["lab.infra/role"] = "control" },
                },
            },
            ["volumeSources"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = JailSource,
                    ["persistentVolumeClaim"] = new Dictionary<string, object> { ["claimName"] = JailSource, ["readOnly"] = false },
                },
            },
            ["populateJail"] = new Dictionary<string, object>
            {
                ["image"] = slurm.Images["populateJail"],
                ["k8sNodeFilterName"] = ControlFilter,
                // An existing jail (users' homes, installed software) is never overwritten.
                ["overwrite"] = false,
            },
            ["secrets"] = new Dictionary<string, object>(),
            // Soperator reconciles it before slurmctld (clustercontroller/reconcile.go), and it alone writes slurm.conf into
            // the jail, where slurmctld, login and slurmd read it: its filter must name one of k8sNodeFilters
            // (render/sconfigcontroller/pod.go), and its size has no default (0 replicas would write nothing).
            ["sConfigController"] = new Dictionary<string, object>
            {
                ["node"] = new Dictionary<string, object> { ["k8sNodeFilterName"] = ControlFilter, ["size"] = 1 },
                ["container"] = Container("sConfigController", SlurmSizing.SConfigController),
                ["runAsUid"] = SConfigControllerUid,
                ["runAsGid"] = SConfigControllerUid,
                ["serviceAccountName"] = SConfigControllerAccount,
            },
            // Slurm 25.11 in Soperator 4.x has no dynamic nodes (worker slurmd_entrypoint.sh): a worker is in slurm.conf only
            // as a structured NodeSet (render/common/configmap.go), and one partition holds them all.
            ["partitionConfiguration"] = new Dictionary<string, object>
            {
                ["configType"] = "structured",
                ["partitions"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["name"] = Partition,
                        ["nodeSetRefs"] = slurm.Workers.Select(w => (object)NodeSetName(w.Node)).ToArray(),
                        ["config"] = "Default=YES PriorityTier=10 MaxTime=INFINITE State=UP OverSubscribe=YES",
                    },
                },
            },
            ["slurmNodes"] = new Dictionary<string, object>
            {
                // slurmrestd (which the exporter and sconfigcontroller call) is deployed only with accounting on and a database
                // (clustercontroller/rest.go); the database is the lab's own MariaDB (AccountingDatabase), as externalDB.
                ["accounting"] = new Dictionary<string, object>
                {
                    ["enabled"] = true,
                    ["k8sNodeFilterName"] = ControlFilter,
                    ["slurmdbd"] = Container("slurmdbd", SlurmSizing.Slurmdbd),
                    ["munge"] = Container("munge", SlurmSizing.Munge),
                    ["externalDB"] = new Dictionary<string, object>
                    {
                        ["enabled"] = true,
                        ["host"] = Database.Host,
                        ["port"] = Database.Port,
                        ["user"] = Database.User,
                        ["passwordSecretKeyRef"] = new Dictionary<string, object> { ["name"] = Database.Secret, ["key"] = Database.PasswordKey },
                    },
                },
                // Its Deployment's replicas are size, which has no default (render/rest/rest.go).
                ["rest"] = new Dictionary<string, object>
                {
                    ["enabled"] = true,
                    ["size"] = 1,
                    ["k8sNodeFilterName"] = ControlFilter,
                    ["rest"] = Container("slurmrestd", SlurmSizing.Rest),
                },
                ["controller"] = new Dictionary<string, object>
                {
                    ["k8sNodeFilterName"] = ControlFilter,
                    ["slurmctld"] = WithPort(Container("slurmctld", SlurmSizing.Slurmctld), SlurmctldPort),
                    ["munge"] = Container("munge", SlurmSizing.Munge),
                    ["volumes"] = new Dictionary<string, object>
                    {
                        ["spool"] = new Dictionary<string, object>
                        {
                            ["volumeClaimTemplateSpec"] = new Dictionary<string, object>
                            {
                                ["storageClassName"] = "microk8s-hostpath",
                                ["accessModes"] = new object[] { "ReadWriteOnce" },
                                ["resources"] = new Dictionary<string, object> { ["requests"] = new Dictionary<string, object> { ["storage"] = "8Gi" } },
                            },
                        },
                        ["jail"] = jail,
                    },
                    ["openMetrics"] = new Dictionary<string, object> { ["enabled"] = true },
                },
                ["login"] = new Dictionary<string, object>
                {
                    ["size"] = 1,
                    ["k8sNodeFilterName"] = ControlFilter,
                    ["sshd"] = WithPort(Container("sshd", SlurmSizing.Sshd), LoginSshdPort),
                    ["munge"] = Container("munge", SlurmSizing.Munge),
                    ["sshRootPublicKeys"] = slurm.LoginKeys.Select(k => (object)k.Line).ToArray(),
                    ["sshdServiceType"] = "NodePort",
                    ["sshdServiceNodePort"] = slurm.LoginNodePort,
                    ["volumes"] = new Dictionary<string, object> { ["jail"] = jail },
                },
                ["exporter"] = new Dictionary<string, object>
                {
                    ["enabled"] = true,
                    ["size"] = 1,
                    ["k8sNodeFilterName"] = ControlFilter,
                    ["exporterContainer"] = Container("soperatorExporter", SlurmSizing.Exporter),
                    ["munge"] = Container("munge", SlurmSizing.Munge),
                    ["volumes"] = new Dictionary<string, object> { ["jail"] = jail },
                    ["podMonitorConfig"] = new Dictionary<string, object> { ["jobLabel"] = ExporterJob, ["interval"] = "30s", ["scrapeTimeout"] = "28s" },
                    // The exporter pod runs as this account (render/exporter/pod.go); empty would be the namespace's default,
                    // which cannot read the JWT Secret it signs its slurmrestd requests with.
                    ["serviceAccountName"] = ExporterAccount,
                },
            },
        }, new Dictionary<string, string>
        {
            [LoginAnnotation] = $"{Namespace}/{LoginService} NodePort {slurm.LoginNodePort.ToString(CultureInfo.InvariantCulture)}: ssh -p {slurm.LoginNodePort.ToString(CultureInfo.InvariantCulture)} root@{spec.ControlNode.Host}",
        });
    }

    public const string LoginAnnotation = "lab.infra/slurm-login";

    /// <summary>
    /// The accounting database's names: slurmdbd connects to Host:Port as User with the password under PasswordKey of Secret
    /// (render/accounting/secret.go), to the database slurm_acct_db, which slurmdbd.conf's StorageLoc names there.
    /// </summary>
    public static class Database
    {
        public const string Name = $"{ClusterName}-accounting-db";
        public const string Host = $"{Name}.{Namespace}.svc";
        public const int Port = 3306;
        public const string User = "slurm";
        public const string Schema = "slurm_acct_db";
        public const string Secret = Name;
        public const string PasswordKey = "password";
        public const string RootPasswordKey = "root-password";
        public const string DataPath = "/var/lib/mysql";
        public const string Capacity = "20Gi";
    }

    /// <summary>The MariaDB the accounting stores in: its image and requests, on the control node, its data on the NAS export lab:slurm.accountingExport.</summary>
    public sealed record AccountingDb(string Image, Requests Requests, IReadOnlyDictionary<string, string> NodeSelector, NfsVolume Volume);

    public static AccountingDb AccountingDatabase(LabSpec spec)
    {
        var slurm = Require(spec);
        var export = spec.Nas.Export(slurm.AccountingExport);
        return new AccountingDb(slurm.Images["mariadb"], SlurmSizing.MariaDb, new Dictionary<string, string> { ["lab.infra/role"] = "control" },
            new NfsVolume(Database.Name, Database.Name, Namespace, spec.Nas.Host.ToString(), export.Path, Database.Capacity, NfsMountOptions));
    }

    /// <summary>The partition every worker is in.</summary>
    public const string Partition = "main";

    /// <summary>The account sconfigcontroller runs as (required by the CRD; "must reference an existing ServiceAccount").</summary>
    public const string SConfigControllerAccount = $"{ClusterName}-sconfigcontroller";

    /// <summary>The uid and gid its image runs as and its init container chowns the jail's /etc/slurm to (initcontainer.go).</summary>
    public const int SConfigControllerUid = 1001;

    /// <summary>
    /// What sconfigcontroller may do in the Slurm namespace: helm/slurm-cluster's templates/sconfigcontroller-role.yaml at 4.1.7
    /// (its JailedConfigs, the JWT secret, its leader-election lease, events).
    /// </summary>
    public static readonly IReadOnlyList<(string ApiGroup, string[] Resources, string[] Verbs)> SConfigControllerRules =
    [
        ("", ["configmaps"], ["get", "list", "watch"]),
        ("", ["secrets"], ["get", "list", "watch"]),
        ("coordination.k8s.io", ["leases"], ["get", "list", "watch", "create", "update", "patch"]),
        ("", ["events"], ["create", "patch"]),
        (Group, ["jailedconfigs"], ["get", "list", "watch", "create", "update", "patch", "delete"]),
        (Group, ["jailedconfigs/status"], ["get", "update", "patch"]),
        (Group, ["jailedconfigs/finalizers"], ["update"]),
    ];

    /// <summary>The account the exporter runs as (helm/slurm-cluster names its own slurm-exporter-sa).</summary>
    public const string ExporterAccount = $"{ClusterName}-exporter";

    /// <summary>
    /// What the exporter may do in the Slurm namespace: read the JWT Secret (cmd/exporter/main.go builds its token from it);
    /// helm/slurm-cluster's templates/exporter-role.yaml at 4.1.7.
    /// </summary>
    public static readonly IReadOnlyList<(string ApiGroup, string[] Resources, string[] Verbs)> ExporterRules =
    [
        ("", ["secrets"], ["get", "list", "watch"]),
    ];

    /// <summary>
    /// The annotation that binds a NodeSet to its SlurmCluster (consts.AnnotationParentalClusterRefName): NodeSets without it
    /// are not in slurm.conf (ListNodeSetsByClusterRef). Soperator's webhook adds it only when exactly one SlurmCluster exists.
    /// </summary>
    public const string ParentalClusterAnnotation = "slurm.nebius.ai/parental-cluster-ref";

    /// <summary>The login's root keys with <paramref name="key"/> added after the operators' (the gate's own key; see SlurmGateAccess).</summary>
    public static object[] RootKeys(IReadOnlyDictionary<string, object> spec, string key) =>
        [.. (IEnumerable<object>)Login(spec)["sshRootPublicKeys"], key];

    /// <summary>A SlurmCluster spec with one field of its login node set to <paramref name="value"/>; the rest, the input itself included, unchanged.</summary>
    public static Dictionary<string, object> WithLogin(IReadOnlyDictionary<string, object> spec, string field, object value)
    {
        var nodes = new Dictionary<string, object>((IDictionary<string, object>)spec["slurmNodes"]);
        nodes["login"] = new Dictionary<string, object>(Login(spec)) { [field] = value };
        return new Dictionary<string, object>(spec) { ["slurmNodes"] = nodes };
    }

    private static IDictionary<string, object> Login(IReadOnlyDictionary<string, object> spec) =>
        (IDictionary<string, object>)((IDictionary<string, object>)spec["slurmNodes"])["login"];

    public const string OperatorMonitor = "soperator-manager";

    /// <summary>
    /// The operator's metrics as the observability add-on's Prometheus selects them (its release label): the scrape of
    /// helm/soperator's servicemonitor.yaml, verbatim, on the Service its metrics-service.yaml renders (labelled
    /// `{chart name}-metrics`, port https-metrics, behind the manager's token check).
    /// </summary>
    public static SlurmResource OperatorServiceMonitor(LabSpec spec)
    {
        Require(spec);
        return new SlurmResource("monitoring.coreos.com/v1", "ServiceMonitor", OperatorMonitor, OperatorNamespace, new()
        {
            ["selector"] = new Dictionary<string, object> { ["matchLabels"] = new Dictionary<string, object> { ["app.kubernetes.io/name"] = "helm-soperator-metrics" } },
            ["namespaceSelector"] = new Dictionary<string, object> { ["matchNames"] = new object[] { OperatorNamespace } },
            ["jobLabel"] = "soperator",
            ["endpoints"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["port"] = "https-metrics",
                    ["path"] = "/metrics",
                    ["scheme"] = "https",
                    ["interval"] = "30s",
                    ["scrapeTimeout"] = "28s",
                    ["tlsConfig"] = new Dictionary<string, object> { ["insecureSkipVerify"] = true },
                    ["bearerTokenFile"] = "/var/run/secrets/kubernetes.io/serviceaccount/token",
                },
            },
        }, Labels: new Dictionary<string, string> { ["release"] = Addons.PrometheusRuleRelease });
    }

    /// <summary>The jobLabel of the PodMonitor Soperator renders itself (the chart's default).</summary>
    public const string ExporterJob = "slurm-exporter";

    public const string ExporterMonitor = $"{ClusterName}-exporter";

    /// <summary>
    /// The exporter's scrape as the observability add-on's Prometheus selects it (its release label). Soperator's own
    /// PodMonitor (internal/render/exporter/pod_monitor.go) carries no such label; this one scrapes the same pods
    /// (app.kubernetes.io/component: exporter), port "metrics", path /metrics, and drops pod, instance and container
    /// as it does. Its series carry the exporter's labels, job="slurm/lab-slurm-exporter", namespace and endpoint.
    /// </summary>
    public static SlurmResource ExporterPodMonitor(LabSpec spec)
    {
        Require(spec);
        return new SlurmResource("monitoring.coreos.com/v1", "PodMonitor", ExporterMonitor, Namespace, new()
        {
            ["selector"] = new Dictionary<string, object> { ["matchLabels"] = new Dictionary<string, object> { ["app.kubernetes.io/component"] = "exporter" } },
            ["podMetricsEndpoints"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["port"] = "metrics",
                    ["path"] = "/metrics",
                    ["interval"] = "30s",
                    ["scrapeTimeout"] = "28s",
                    ["metricRelabelings"] = new object[] { new Dictionary<string, object> { ["action"] = "labeldrop", ["regex"] = "pod|instance|container" } },
                },
            },
        }, Labels: new Dictionary<string, string> { ["release"] = Addons.PrometheusRuleRelease });
    }

    /// <summary>
    /// The node's root, read-only, at /run/nvidia/driver in the worker container. Soperator's scripts take that path for
    /// the driver's root: reboot.sh (slurm.conf's RebootProgram) refuses unless it is a mountpoint and then runs
    /// `chroot /run/nvidia/driver nsenter -t 1 ... reboot`; the alloc_gpus_busy drain scripts chroot there for nvidia-smi.
    /// With the host driver the nvidia add-on uses, the driver's root is the host's own (the GPU operator leaves
    /// /run/nvidia/driver an empty directory), so the worker gets the host root there, as a custom mount of the
    /// container only (worker/container.go), nothing mounted on the host.
    /// </summary>
    public const string HostDriverRootPath = "/run/nvidia/driver";

    private static Dictionary<string, object> HostDriverRoot() => new()
    {
        ["name"] = "host-driver-root",
        ["mountPath"] = HostDriverRootPath,
        ["readOnly"] = true,
        ["volumeSource"] = new Dictionary<string, object> { ["hostPath"] = new Dictionary<string, object> { ["path"] = "/", ["type"] = "Directory" } },
    };

    /// <summary>One NodeSet per Slurm worker, pinned to its node, with every GPU of its spec whole (see DevicePluginConfig).</summary>
    public static IReadOnlyList<SlurmResource> NodeSets(LabSpec spec)
    {
        var slurm = Require(spec);
        return slurm.Workers.Select(w =>
        {
            var node = spec.Nodes.Single(n => n.Name == w.Node);
            var slurmd = SlurmSizing.Slurmd(w);
            return new SlurmResource($"{Group}/v1alpha1", "NodeSet", NodeSetName(w.Node), Namespace, new()
            {
                ["replicas"] = 1,
                ["nodeSelector"] = new Dictionary<string, object> { ["kubernetes.io/hostname"] = w.Node },
                ["gpu"] = new Dictionary<string, object> { ["enabled"] = true, ["nvidia"] = new Dictionary<string, object> { ["gdrCopyEnabled"] = false } },
                // Soperator derives no CPUs or GPUs for a node's line (AddNodesToSlurmConfig): static says them, as the pod
                // holds them. gres.conf gets AutoDetect=nvidia by itself for a GPU NodeSet; the untyped count matches
                // whatever type NVML reports.
                ["nodeConfig"] = new Dictionary<string, object>
                {
                    ["features"] = new object[] { "gpu", node.Gpu.Model.Replace(' ', '-') },
                    ["static"] = string.Create(CultureInfo.InvariantCulture, $"CPUs={w.Cpus} Gres=gpu:{w.Gpus}"),
                },
                ["slurmd"] = new Dictionary<string, object>
                {
                    ["image"] = Image(slurm.Images["slurmd"]),
                    ["port"] = 6818,
                    ["resources"] = new Dictionary<string, object>
                    {
                        ["cpu"] = slurmd.Cpu,
                        ["memory"] = slurmd.Memory,
                        ["nvidia.com/gpu"] = w.Gpus.ToString(CultureInfo.InvariantCulture),
                    },
                    ["volumes"] = new Dictionary<string, object>
                    {
                        // slurmd's spool is per node and rebuilt with it.
                        ["spool"] = new Dictionary<string, object> { ["emptyDir"] = new Dictionary<string, object>() },
                        ["jail"] = new Dictionary<string, object> { ["persistentVolumeClaim"] = new Dictionary<string, object> { ["claimName"] = JailSource } },
                        ["customVolumeMounts"] = new object[] { HostDriverRoot() },
                    },
                },
                ["munge"] = new Dictionary<string, object>
                {
                    ["image"] = Image(slurm.Images["munge"]),
                    ["resources"] = Resources(SlurmSizing.Munge),
                },
            }, new Dictionary<string, string> { [ParentalClusterAnnotation] = ClusterName });
        }).ToList();
    }

    public static string NodeSetName(string node) => $"worker-{node}";

    /// <summary>
    /// A Slurm node's GPUs are whole: its label selects the GPU operator's "whole" device-plugin config, so the node
    /// advertises its physical GPUs, which its slurmd pod takes all of. Slurm finds them through NVML; with time-sliced
    /// replicas Kubernetes pods could land on a GPU Slurm believes it owns.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NodeLabels(LabSpec spec, NodeSpec node) =>
        spec.Slurm?.Serves(node.Name) == true
            ? new Dictionary<string, string> { [DevicePluginConfigLabel] = MicroK8sSteps.WholeGpuDevicePluginConfig }
            : new Dictionary<string, string>();

    /// <summary>The GPU operator's per-node device-plugin config selector (fact: nvidia.com/device-plugin.config).</summary>
    public const string DevicePluginConfigLabel = "nvidia.com/device-plugin.config";

    /// <summary>Each custom resource as the API server receives it (JSON, which is YAML), for scripts/render and review.</summary>
    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        spec.Slurm is null
            ? []
            : NodeSets(spec).Prepend(Cluster(spec)).Select(r => new Artifact($"slurm/{r.Kind.ToLowerInvariant()}-{r.Name}.yaml", Manifest(r)));

    /// <summary>The gate's key and trust steps (SlurmGateAccess), where the gate runs its Slurm job check.</summary>
    public static IEnumerable<Artifact> GateArtifacts(LabSpec spec) =>
        spec.Slurm is null || spec.Validation.Mode == GateMode.Off
            ? []
            : [SlurmGateAccess.KeyStep(spec).ToArtifact(), SlurmGateAccess.TrustStep(spec).ToArtifact()];

    private static string Manifest(SlurmResource r) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["apiVersion"] = r.ApiVersion,
        ["kind"] = r.Kind,
        ["metadata"] = new Dictionary<string, object> { ["name"] = r.Name, ["namespace"] = r.Namespace, ["annotations"] = r.Annotations ?? new Dictionary<string, string>() },
        ["spec"] = r.Spec,
    }, Indented) + "\n";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static Dictionary<string, object> Image(string image)
    {
        var (repository, tag) = SlurmImages.Split(image);
        return new() { ["repository"] = repository, ["tag"] = tag };
    }

    private static Dictionary<string, object> WithPort(Dictionary<string, object> container, int port)
    {
        container["port"] = port;
        return container;
    }

    private static Dictionary<string, object> Resources(Requests r) => new() { ["cpu"] = r.Cpu, ["memory"] = r.Memory };

    private static SlurmSpec Require(LabSpec spec) =>
        spec.Slurm ?? throw new InvalidOperationException("lab:slurm is off in this stack.");
}
