using Lab.Model.Monitoring;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Monitoring;

public sealed class GrafanaDashboardArgs : ResourceArgs
{
    /// <summary>The dashboard's JSON (Lab.Model LabDashboard.Json), every query of it run by the tests against a real Prometheus.</summary>
    public required Input<string> Json { get; init; }

    public required K8s.Provider Provider { get; init; }

    /// <summary>The observability add-on's namespace (its Grafana sidecar searches every namespace; the lab keeps it beside Grafana).</summary>
    public required Input<string> Namespace { get; init; }

    /// <summary>What must exist first (the observability add-on's Grafana).</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>The lab's dashboard as a ConfigMap that the observability add-on's Grafana sidecar loads by its label.</summary>
public sealed class GrafanaDashboard : ComponentResource
{
    public const string TypeToken = "lab:monitoring:GrafanaDashboard";

    [Output] public Output<string> DashboardUid { get; private set; }

    public GrafanaDashboard(string name, GrafanaDashboardArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        new K8s.Core.V1.ConfigMap(name, new ConfigMapArgs
        {
            Metadata = new ObjectMetaArgs
            {
                Name = LabDashboard.ConfigMapName,
                Namespace = args.Namespace,
                Labels = new InputMap<string>
                {
                    [LabDashboard.SidecarLabel] = LabDashboard.SidecarLabelValue,
                    ["app.kubernetes.io/part-of"] = "lab-infra",
                },
            },
            Data = { [LabDashboard.FileName] = args.Json },
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = Dependencies.Of(args.After) });

        DashboardUid = Output.Create(LabDashboard.Uid);
        RegisterOutputs(new Dictionary<string, object?> { ["dashboardUid"] = DashboardUid });
    }
}
