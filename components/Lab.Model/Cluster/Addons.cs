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

    /// <summary>Arguments per add-on. The GPU operator uses the host driver the nvidia step pinned, never its own.</summary>
    public static readonly IReadOnlyDictionary<string, string> Arguments = new Dictionary<string, string>
    {
        ["nvidia"] = "--gpu-operator-driver host",
    };

    /// <summary>Where the nvidia add-on installs the GPU operator (and so its ClusterPolicy's config map).</summary>
    public const string GpuOperatorNamespace = "gpu-operator-resources";

    /// <summary>Where the observability add-on runs Prometheus, and the label its rule selector wants.</summary>
    public const string ObservabilityNamespace = "observability";
    public const string PrometheusRuleRelease = "kube-prom-stack";
}
