using System.Collections.Immutable;
using Lab.Model.Monitoring;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Monitoring;

public sealed class AlertRulesArgs : ResourceArgs
{
    /// <summary>The rule groups as data (Lab.Model AlertRuleGroups.Spec), the same promtool checks as a file.</summary>
    public required Input<Dictionary<string, object>> Spec { get; init; }

    /// <summary>The cluster's provider: the rules live on the lab's cluster.</summary>
    public required K8s.Provider Provider { get; init; }

    /// <summary>Where the observability add-on's Prometheus runs, and the release label its rule selector matches.</summary>
    public required Input<string> Namespace { get; init; }
    public required Input<string> Release { get; init; }

    /// <summary>The lab's Vault, outside the cluster: scraped for VaultSealed (Lab.Model VaultMetrics).</summary>
    public required VaultMetrics Vault { get; init; }

    /// <summary>What must exist first (the observability add-on brings the PrometheusRule CRD).</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>
/// The lab's alert rules as a PrometheusRule object that the observability add-on's Prometheus loads, and
/// the scrape of the one source outside the cluster the rules need: Vault (Service, Endpoints, ServiceMonitor).
/// </summary>
public sealed class AlertRules : ComponentResource
{
    public const string TypeToken = "lab:monitoring:AlertRules";

    [Output] public Output<string> RuleObject { get; private set; }

    public AlertRules(string name, AlertRulesArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        var rules = new K8s.ApiExtensions.CustomResource(name, new PrometheusRuleArgs(args), new CustomResourceOptions
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = new InputList<Resource> { args.After.ToArray() },
        });
        CustomResourceOptions OnCluster(params Resource[] after) => new()
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = new InputList<Resource> { args.After.Concat(after).ToArray() },
        };
        var labels = new InputMap<string> { ["app.kubernetes.io/part-of"] = "lab-infra", ["app.kubernetes.io/name"] = VaultMetrics.Name };
        var port = new K8s.Types.Inputs.Core.V1.ServicePortArgs { Name = VaultMetrics.PortName, Port = args.Vault.Port, TargetPort = args.Vault.Port, Protocol = "TCP" };
        // No selector: the Endpoints below name Vault's address, outside the cluster.
        var service = new K8s.Core.V1.Service($"{name}-vault-service", new K8s.Types.Inputs.Core.V1.ServiceArgs
        {
            Metadata = new ObjectMetaArgs { Name = VaultMetrics.Name, Namespace = args.Namespace, Labels = labels },
            Spec = new K8s.Types.Inputs.Core.V1.ServiceSpecArgs { ClusterIP = "None", Ports = { port } },
        }, OnCluster());
        var endpoints = new K8s.Core.V1.Endpoints($"{name}-vault-endpoints", new K8s.Types.Inputs.Core.V1.EndpointsArgs
        {
            Metadata = new ObjectMetaArgs { Name = VaultMetrics.Name, Namespace = args.Namespace, Labels = labels },
            Subsets =
            {
                new K8s.Types.Inputs.Core.V1.EndpointSubsetArgs
                {
                    Addresses = { new K8s.Types.Inputs.Core.V1.EndpointAddressArgs { Ip = args.Vault.Ip } },
                    Ports = { new K8s.Types.Inputs.Core.V1.EndpointPortArgs { Name = VaultMetrics.PortName, Port = args.Vault.Port, Protocol = "TCP" } },
                },
            },
        }, OnCluster());
        new K8s.ApiExtensions.CustomResource($"{name}-vault-monitor", new VaultServiceMonitorArgs(args), OnCluster(service, endpoints));

        RuleObject = Output.Format($"{args.Namespace}/{name}");
        RegisterOutputs(new Dictionary<string, object?> { ["ruleObject"] = RuleObject, ["uid"] = rules.Metadata.Apply(m => m.Uid) });
    }

    private sealed class PrometheusRuleArgs : K8s.ApiExtensions.CustomResourceArgs
    {
        public PrometheusRuleArgs(AlertRulesArgs args)
            : base("monitoring.coreos.com/v1", "PrometheusRule")
        {
            Metadata = new ObjectMetaArgs
            {
                Name = "lab-alerts",
                Namespace = args.Namespace,
                Labels = new InputMap<string>
                {
                    ["release"] = args.Release,
                    ["app.kubernetes.io/part-of"] = "lab-infra",
                },
            };
            Spec = args.Spec;
        }

        [Input("spec")]
        public Input<Dictionary<string, object>> Spec { get; }
    }

    /// <summary>Vault's Prometheus metrics, without a token (see VaultMetrics), selected by the observability add-on's release label.</summary>
    private sealed class VaultServiceMonitorArgs : K8s.ApiExtensions.CustomResourceArgs
    {
        public VaultServiceMonitorArgs(AlertRulesArgs args)
            : base("monitoring.coreos.com/v1", "ServiceMonitor")
        {
            Metadata = new ObjectMetaArgs
            {
                Name = VaultMetrics.Name,
                Namespace = args.Namespace,
                Labels = new InputMap<string> { ["release"] = args.Release, ["app.kubernetes.io/part-of"] = "lab-infra" },
            };
            Spec = new Dictionary<string, object>
            {
                ["selector"] = new Dictionary<string, object> { ["matchLabels"] = new Dictionary<string, object> { ["app.kubernetes.io/name"] = VaultMetrics.Name } },
                ["endpoints"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["port"] = VaultMetrics.PortName,
                        ["scheme"] = "https",
                        ["path"] = VaultMetrics.Path,
                        ["params"] = new Dictionary<string, object> { ["format"] = new[] { "prometheus" } },
                        ["interval"] = "30s",
                        // The lab CA is on the nodes, not in the cluster. No credential is sent (the metrics are
                        // unauthenticated), so skipping verification risks only forged metrics.
                        ["tlsConfig"] = new Dictionary<string, object> { ["insecureSkipVerify"] = true },
                    },
                },
            };
        }

        [Input("spec")]
        public Input<Dictionary<string, object>> Spec { get; }
    }
}
