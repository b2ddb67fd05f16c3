namespace Lab.Model.Tests;

/// <summary>
/// Series as the observability add-on's Prometheus stores them: each exporter's own labels plus the target labels
/// prometheus-operator's scrape configuration adds or renames. The alert tests (promtool) and the dashboard test
/// (a real prometheus) both write their data with these, so neither tests a label set the lab never produces.
/// Sources, read at the versions the lab runs:
/// - prometheus-operator v0.84.1 (kube-prometheus-stack 76.4.1, the chart MicroK8s 1.32's observability add-on
///   installs: canonical/microk8s-core-addons addons/observability/enable), pkg/prometheus/promcfg.go: a
///   ServiceMonitor target gets namespace, service, pod, container, endpoint (the port's name), job (the
///   Service's name, or its jobLabel's value) and instance (address:port); with honorLabels: false an exporter
///   label of the same name is renamed exported_NAME. A Probe with a static target gets job (spec.jobName),
///   instance (the probed URL) and namespace (the Probe's).
/// </summary>
public static class ScrapedSeries
{
    /// <summary>A series selector for promtool's input_series and OpenMetrics lines: labels in the order given.</summary>
    public static string Series(string metric, params (string Name, string Value)[] labels) =>
        $"{metric}{{{string.Join(",", labels.Select(l => $"{l.Name}={Lab.Model.Text.Promql.Quote(l.Value)}"))}}}";

    /// <summary>
    /// DCGM exporter 3.3.7-3.5.0 (the GPU operator v24.6.2's), pkg/dcgmexporter/pipeline.go metricsFormat: gpu, UUID,
    /// pci_bus_id, device, modelName, Hostname (NODE_NAME, the node: gpu-operator assets/state-dcgm-exporter/0900_daemonset.yaml),
    /// the label field DCGM_FI_DRIVER_VERSION (etc/dcp-metrics-included.csv), err_code and err_msg on the XID gauge
    /// (gpu_collector.go toMetric), and pod/namespace/container of the workload holding the GPU (kubernetes.go) —
    /// renamed exported_* by the scrape. Target labels from the operator's Service and ServiceMonitor
    /// (0600_service.yaml port gpu-metrics, 0700_service_monitor.yaml jobLabel: app) in the nvidia add-on's namespace.
    /// </summary>
    public static (string, string)[] Dcgm(string node, int gpu = 0, (string Namespace, string Pod, string Container)? workload = null,
        string exporterPod = "nvidia-dcgm-exporter-x7k2p", (int Code, string Message)? xid = null)
    {
        var labels = new List<(string, string)>
        {
            ("gpu", $"{gpu}"), ("UUID", $"GPU-5d3a4c1e-8b2f-4f6a-9c0d-{node.Sum(c => c):x6}00000{gpu}"), ("pci_bus_id", "00000000:01:00.0"),
            ("device", $"nvidia{gpu}"), ("modelName", "NVIDIA RTX A5500"), ("Hostname", node), ("DCGM_FI_DRIVER_VERSION", "580.95.05"),
        };
        if (xid is { } x)
        {
            labels.Add(("err_code", $"{x.Code}"));
            labels.Add(("err_msg", x.Message));
        }
        if (workload is { } w)
        {
            labels.Add(("exported_container", w.Container));
            labels.Add(("exported_namespace", w.Namespace));
            labels.Add(("exported_pod", w.Pod));
        }
        labels.AddRange([("container", "nvidia-dcgm-exporter"), ("endpoint", "gpu-metrics"), ("instance", "10.1.17.5:9400"),
            ("job", "nvidia-dcgm-exporter"), ("namespace", "gpu-operator-resources"), ("pod", exporterPod), ("service", "nvidia-dcgm-exporter")]);
        return [.. labels];
    }

    /// <summary>
    /// node-exporter as kube-prometheus-stack 76.4.1 scrapes it (values.yaml prometheus-node-exporter: service port
    /// http-metrics, jobLabel node-exporter, no relabelings; prometheus-node-exporter 4.47.3 container node-exporter,
    /// host network so instance is the node's address): the collector's own labels first.
    /// </summary>
    public static (string, string)[] NodeExporter(string nodeAddress, params (string, string)[] own) =>
        [.. own, ("container", "node-exporter"), ("endpoint", "http-metrics"), ("instance", $"{nodeAddress}:9100"), ("job", "node-exporter"),
            ("namespace", "observability"), ("pod", "kube-prom-stack-prometheus-node-exporter-4xq9z"), ("service", "kube-prom-stack-prometheus-node-exporter")];

    /// <summary>
    /// kube-state-metrics as kube-prometheus-stack 76.4.1 scrapes it (its ServiceMonitor has honorLabels: true, port http,
    /// job kube-state-metrics): the object's labels (node, condition, status) stay as they are.
    /// </summary>
    public static (string, string)[] KubeStateMetrics(params (string, string)[] own) =>
        [.. own, ("container", "kube-state-metrics"), ("endpoint", "http"), ("instance", "10.1.17.9:8080"), ("job", "kube-state-metrics"),
            ("namespace", "observability"), ("pod", "kube-prom-stack-kube-state-metrics-6b8f9d7c4-m2lqz"), ("service", "kube-prom-stack-kube-state-metrics")];

    /// <summary>
    /// The lab's blackbox exporter through its Probe object (BlackboxProbes): probe_* carry no labels of their own;
    /// the Probe adds job (jobName), instance (the target URL) and namespace.
    /// </summary>
    public static (string, string)[] VaultHealth(string url = "https://192.168.50.20:8200/v1/sys/health") =>
        [("instance", url), ("job", "lab-vault-health"), ("namespace", "observability")];

    /// <summary>
    /// A series pushed to the lab's Pushgateway as Prometheus stores it: the group's labels (job and its own grouping
    /// labels) stay, and an absent instance is exposed as instance="" — which Prometheus stores as no label
    /// (prometheus/pushgateway README "About the job and instance labels", storage/diskmetricstore.go; the ServiceMonitor
    /// has honorLabels: true, so the target's job and instance are not attached). namespace, service, pod, container and
    /// endpoint are the Pushgateway target's: the Pushgateway component's Deployment (a pod named after its ReplicaSet),
    /// its container "pushgateway" and its port PushedMetrics.PortName, in PushedMetrics.Namespace.
    /// </summary>
    public static (string, string)[] Pushed(string job, params (string, string)[] own) =>
        [.. own, ("container", "pushgateway"), ("endpoint", Lab.Model.Monitoring.PushedMetrics.PortName), ("job", job),
            ("namespace", Lab.Model.Monitoring.PushedMetrics.Namespace), ("pod", "lab-pushgateway-5c7d8b9f6-q4w2e"),
            ("service", Lab.Model.Monitoring.PushedMetrics.Name)];

    /// <summary>The gate's verdict series (contract 3: group job="lab_validation_gate").</summary>
    public static (string, string)[] Gate(params (string, string)[] own) => Pushed("lab_validation_gate", own);
}
