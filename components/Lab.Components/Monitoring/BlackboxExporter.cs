using Lab.Model.Monitoring;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Apps.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Monitoring;

public sealed class BlackboxExporterArgs : ResourceArgs
{
    /// <summary>What it probes and with which CA (Lab.Model BlackboxProbes.For).</summary>
    public required BlackboxProbes Probes { get; init; }

    /// <summary>The exporter's image, REPOSITORY@sha256:DIGEST (the program's build, or the operator's pin in lab:validation.images.blackbox).</summary>
    public required Input<string> Image { get; init; }

    public required K8s.Provider Provider { get; init; }

    /// <summary>The observability add-on's namespace, and the `release` label its Prometheus selects Probe objects by.</summary>
    public required Input<string> Namespace { get; init; }
    public required Input<string> Release { get; init; }

    /// <summary>What must exist first (the observability add-on brings the Probe CRD).</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>
/// The lab's blackbox exporter (ConfigMap, Deployment, Service) and the Probe object that has the observability
/// add-on's Prometheus probe Vault's /v1/sys/health through it: the source of VaultSealed.
/// </summary>
public sealed class BlackboxExporter : ComponentResource
{
    public const string TypeToken = "lab:monitoring:BlackboxExporter";

    /// <summary>The Prometheus job of the Vault health probe (probe_* series carry it).</summary>
    [Output] public Output<string> VaultHealthJob { get; private set; }

    public BlackboxExporter(string name, BlackboxExporterArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        CustomResourceOptions OnCluster(params Resource[] after) => new()
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = Dependencies.Of(args.After.Concat(after)),
        };
        var config = args.Probes.Config();
        var labels = new InputMap<string> { ["app.kubernetes.io/part-of"] = "lab-infra", ["app.kubernetes.io/name"] = BlackboxProbes.Name };
        var configMap = new K8s.Core.V1.ConfigMap($"{name}-config", new ConfigMapArgs
        {
            Metadata = new ObjectMetaArgs { Name = BlackboxProbes.Name, Namespace = args.Namespace, Labels = labels },
            Data = { [BlackboxProbes.ConfigFile] = config },
        }, OnCluster());
        var deployment = new K8s.Apps.V1.Deployment($"{name}-deployment", new DeploymentArgs
        {
            Metadata = new ObjectMetaArgs { Name = BlackboxProbes.Name, Namespace = args.Namespace, Labels = labels },
            Spec = new DeploymentSpecArgs
            {
                Replicas = 1,
                Selector = new LabelSelectorArgs { MatchLabels = labels },
                Template = new PodTemplateSpecArgs
                {
                    Metadata = new ObjectMetaArgs
                    {
                        Labels = labels,
                        // A new configuration rolls the pod: the exporter reads its file only at start.
                        Annotations = { ["lab.infra/config-sha256"] = Lab.Model.Text.Shell.Sha256(config) },
                    },
                    Spec = new PodSpecArgs
                    {
                        AutomountServiceAccountToken = false,
                        Containers =
                        {
                            new ContainerArgs
                            {
                                Name = "blackbox-exporter",
                                Image = args.Image,
                                Command = { BlackboxProbes.Binary },
                                Args =
                                {
                                    $"--config.file={BlackboxProbes.ConfigDirectory}/{BlackboxProbes.ConfigFile}",
                                    $"--web.listen-address=:{BlackboxProbes.Port}",
                                },
                                Ports = { new ContainerPortArgs { Name = "http", ContainerPortValue = BlackboxProbes.Port, Protocol = "TCP" } },
                                ReadinessProbe = new ProbeArgs { HttpGet = new HTTPGetActionArgs { Path = "/-/healthy", Port = "http" } },
                                VolumeMounts =
                                {
                                    new VolumeMountArgs { Name = "config", MountPath = BlackboxProbes.ConfigDirectory, ReadOnly = true },
                                    new VolumeMountArgs { Name = "lab-ca", MountPath = BlackboxProbes.CaMountPath, ReadOnly = true },
                                },
                                SecurityContext = new SecurityContextArgs
                                {
                                    AllowPrivilegeEscalation = false,
                                    Capabilities = new CapabilitiesArgs { Drop = { "ALL" } },
                                    ReadOnlyRootFilesystem = true,
                                    RunAsNonRoot = true,
                                    RunAsUser = 65534,
                                    RunAsGroup = 65534,
                                    SeccompProfile = new SeccompProfileArgs { Type = "RuntimeDefault" },
                                },
                            },
                        },
                        Volumes =
                        {
                            new VolumeArgs { Name = "config", ConfigMap = new ConfigMapVolumeSourceArgs { Name = BlackboxProbes.Name } },
                            // Contract 1: every node holds the lab CA at lab:vault.caCert; a missing file fails the pod, not the probe.
                            new VolumeArgs { Name = "lab-ca", HostPath = new HostPathVolumeSourceArgs { Path = args.Probes.CaCert, Type = "File" } },
                        },
                    },
                },
            },
        }, OnCluster(configMap));
        var service = new K8s.Core.V1.Service($"{name}-service", new ServiceArgs
        {
            Metadata = new ObjectMetaArgs { Name = BlackboxProbes.Name, Namespace = args.Namespace, Labels = labels },
            Spec = new ServiceSpecArgs
            {
                Selector = labels,
                Ports = { new ServicePortArgs { Name = "http", Port = BlackboxProbes.Port, TargetPort = "http", Protocol = "TCP" } },
            },
        }, OnCluster());
        new K8s.ApiExtensions.CustomResource($"{name}-vault-health", new VaultHealthProbeArgs(args), OnCluster(deployment, service));

        VaultHealthJob = Output.Create(BlackboxProbes.VaultHealthJob);
        RegisterOutputs(new Dictionary<string, object?> { ["vaultHealthJob"] = VaultHealthJob });
    }

    /// <summary>prometheus-operator's Probe: job lab-vault-health, the health URL as its one static target.</summary>
    private sealed class VaultHealthProbeArgs : K8s.ApiExtensions.CustomResourceArgs
    {
        public VaultHealthProbeArgs(BlackboxExporterArgs args)
            : base("monitoring.coreos.com/v1", "Probe")
        {
            Metadata = new ObjectMetaArgs
            {
                Name = BlackboxProbes.VaultHealthJob,
                Namespace = args.Namespace,
                Labels = new InputMap<string> { ["release"] = args.Release, ["app.kubernetes.io/part-of"] = "lab-infra" },
            };
            Spec = args.Namespace.Apply(ns => new Dictionary<string, object>
            {
                ["jobName"] = BlackboxProbes.VaultHealthJob,
                ["module"] = BlackboxProbes.VaultHealthModule,
                ["interval"] = "15s",
                ["prober"] = new Dictionary<string, object> { ["url"] = $"{BlackboxProbes.Name}.{ns}.svc:{BlackboxProbes.Port}", ["scheme"] = "http", ["path"] = "/probe" },
                ["targets"] = new Dictionary<string, object>
                {
                    ["staticConfig"] = new Dictionary<string, object> { ["static"] = new[] { args.Probes.VaultHealthUrl } },
                },
            });
        }

        [Input("spec")]
        public Input<Dictionary<string, object>> Spec { get; }
    }
}
