namespace Lab.Model.Cluster;

/// <summary>The MicroK8s add-ons the lab may enable, what each needs enabled first, and the arguments the lab gives it.</summary>
public static class Addons
{
    public static readonly IReadOnlyDictionary<string, string[]> Prerequisites = new Dictionary<string, string[]>
    {
        ["dns"] = [],
        ["rbac"] = [],
        ["hostpath-storage"] = [],
        ["metrics-server"] = [],
        ["helm3"] = [],
        ["metallb"] = [],
        ["registry"] = ["hostpath-storage"],
        ["ingress"] = ["dns"],
        ["cert-manager"] = ["dns"],
        ["nvidia"] = ["dns"],
        ["observability"] = ["dns", "hostpath-storage"],
    };

    /// <summary>
    /// Arguments per add-on. The GPU operator uses the host driver the nvidia step pinned, never its own, and
    /// turns on the DCGM exporter's ServiceMonitor (off in the chart) with the label the observability
    /// add-on's Prometheus selects, so the GPU alerts have data (Helm values through --gpu-operator-set).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Arguments = new Dictionary<string, string>
    {
        ["nvidia"] = "--gpu-operator-driver host --gpu-operator-set dcgmExporter.serviceMonitor.enabled=true "
            + $"--gpu-operator-set dcgmExporter.serviceMonitor.additionalLabels.release={PrometheusRuleRelease}",
    };

    /// <summary>Where the nvidia add-on installs the GPU operator (and so its ClusterPolicy's config map).</summary>
    public const string GpuOperatorNamespace = "gpu-operator-resources";

    /// <summary>Where the observability add-on runs Prometheus, and the `release` label its rule and ServiceMonitor selectors want (kube-prometheus-stack's release name).</summary>
    public const string ObservabilityNamespace = "observability";
    public const string PrometheusRuleRelease = "kube-prom-stack";
}
