using Lab.Model.Monitoring;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Apps.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Monitoring;

public sealed class PushgatewayArgs : ResourceArgs
{
    public required K8s.Provider Provider { get; init; }

    /// <summary>REPOSITORY@sha256:DIGEST (or REPOSITORY:TAG@sha256:DIGEST) of an image with Ubuntu's prometheus-pushgateway.</summary>
    public required Input<string> Image { get; init; }

    /// <summary>The release label the observability add-on's Prometheus selects ServiceMonitors by.</summary>
    public required Input<string> Release { get; init; }

    /// <summary>What must exist first (the observability add-on brings the ServiceMonitor CRD).</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>
/// The lab's Pushgateway (Lab.Model PushedMetrics): a Deployment in its own namespace, a Service with a NodePort
/// the nodes push to, and a ServiceMonitor that keeps the pushed job and instance labels (honorLabels).
/// </summary>
public sealed class Pushgateway : ComponentResource
{
    public const string TypeToken = "lab:monitoring:Pushgateway";

    /// <summary>Ready once the Deployment is available and the Service exists: what a push waits for.</summary>
    public IReadOnlyList<Resource> Ready { get; }

    [Output] public Output<string> Url { get; private set; }

    public Pushgateway(string name, PushgatewayArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        CustomResourceOptions OnCluster(params Resource[] after) => new()
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = Dependencies.Of(args.After.Concat(after)),
        };
        var ns = new K8s.Core.V1.Namespace($"{name}-namespace", new NamespaceArgs
        {
            Metadata = new ObjectMetaArgs
            {
                Name = PushedMetrics.Namespace,
                Labels =
                {
                    ["app.kubernetes.io/part-of"] = "lab-infra",
                    ["pod-security.kubernetes.io/enforce"] = "restricted",
                    ["pod-security.kubernetes.io/warn"] = "restricted",
                    ["pod-security.kubernetes.io/audit"] = "restricted",
                },
            },
        }, OnCluster());

        var labels = new InputMap<string> { ["app.kubernetes.io/name"] = PushedMetrics.Name, ["app.kubernetes.io/part-of"] = "lab-infra" };
        static ProbeArgs Probe(string path, int period) => new() { HttpGet = new HTTPGetActionArgs { Path = path, Port = PushedMetrics.PortName }, PeriodSeconds = period };
        var deployment = new K8s.Apps.V1.Deployment($"{name}-deployment", new DeploymentArgs
        {
            Metadata = new ObjectMetaArgs { Name = PushedMetrics.Name, Namespace = PushedMetrics.Namespace, Labels = labels },
            Spec = new DeploymentSpecArgs
            {
                Replicas = 1,
                // One pod writes the persistence file: never two at once.
                Strategy = new DeploymentStrategyArgs { Type = "Recreate" },
                Selector = new LabelSelectorArgs { MatchLabels = { ["app.kubernetes.io/name"] = PushedMetrics.Name } },
                Template = new PodTemplateSpecArgs
                {
                    Metadata = new ObjectMetaArgs { Labels = labels },
                    Spec = new PodSpecArgs
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = new PodSecurityContextArgs
                        {
                            RunAsNonRoot = true,
                            RunAsUser = PushedMetrics.RunAsUser,
                            RunAsGroup = PushedMetrics.RunAsUser,
                            FsGroup = PushedMetrics.RunAsUser,
                            SeccompProfile = new SeccompProfileArgs { Type = "RuntimeDefault" },
                        },
                        Containers =
                        {
                            new ContainerArgs
                            {
                                Name = "pushgateway",
                                Image = args.Image,
                                Command = { PushedMetrics.Binary },
                                Args = PushedMetrics.Args.ToList(),
                                Ports = { new ContainerPortArgs { Name = PushedMetrics.PortName, ContainerPortValue = PushedMetrics.Port, Protocol = "TCP" } },
                                ReadinessProbe = Probe("/-/ready", 10),
                                LivenessProbe = Probe("/-/healthy", 30),
                                Resources = new ResourceRequirementsArgs
                                {
                                    Requests = { ["cpu"] = "10m", ["memory"] = "32Mi" },
                                    Limits = { ["memory"] = "128Mi" },
                                },
                                SecurityContext = new SecurityContextArgs
                                {
                                    AllowPrivilegeEscalation = false,
                                    ReadOnlyRootFilesystem = true,
                                    Capabilities = new CapabilitiesArgs { Drop = { "ALL" } },
                                },
                                VolumeMounts = { new VolumeMountArgs { Name = "data", MountPath = PushedMetrics.PersistenceDirectory } },
                            },
                        },
                        Volumes = { new VolumeArgs { Name = "data", EmptyDir = new EmptyDirVolumeSourceArgs() } },
                    },
                },
            },
        }, OnCluster(ns));
        var service = new K8s.Core.V1.Service($"{name}-service", new ServiceArgs
        {
            Metadata = new ObjectMetaArgs { Name = PushedMetrics.Name, Namespace = PushedMetrics.Namespace, Labels = labels },
            Spec = new ServiceSpecArgs
            {
                // A NodePort: node timers and the gate's publish step push from the nodes themselves.
                Type = "NodePort",
                Selector = { ["app.kubernetes.io/name"] = PushedMetrics.Name },
                Ports = { new ServicePortArgs { Name = PushedMetrics.PortName, Port = PushedMetrics.Port, TargetPort = PushedMetrics.PortName, NodePort = PushedMetrics.NodePort, Protocol = "TCP" } },
            },
        }, OnCluster(ns));
        new K8s.ApiExtensions.CustomResource($"{name}-monitor", new ServiceMonitorArgs(args.Release), OnCluster(service));

        Ready = [deployment, service];
        Url = Output.Create($"http://{PushedMetrics.Name}.{PushedMetrics.Namespace}:{PushedMetrics.Port}");
        RegisterOutputs(new Dictionary<string, object?> { ["url"] = Url });
    }

    /// <summary>The pushed series keep their own job and instance labels (honorLabels): the groups are told apart by them.</summary>
    private sealed class ServiceMonitorArgs : K8s.ApiExtensions.CustomResourceArgs
    {
        public ServiceMonitorArgs(Input<string> release)
            : base("monitoring.coreos.com/v1", "ServiceMonitor")
        {
            Metadata = new ObjectMetaArgs
            {
                Name = PushedMetrics.Name,
                Namespace = PushedMetrics.Namespace,
                Labels = new InputMap<string> { ["release"] = release, ["app.kubernetes.io/part-of"] = "lab-infra" },
            };
            Spec = new Dictionary<string, object>
            {
                ["selector"] = new Dictionary<string, object> { ["matchLabels"] = new Dictionary<string, object> { ["app.kubernetes.io/name"] = PushedMetrics.Name } },
                ["endpoints"] = new object[]
                {
                    new Dictionary<string, object> { ["port"] = PushedMetrics.PortName, ["interval"] = "30s", ["honorLabels"] = true },
                },
            };
        }

        [Input("spec")]
        public Input<Dictionary<string, object>> Spec { get; }
    }
}
