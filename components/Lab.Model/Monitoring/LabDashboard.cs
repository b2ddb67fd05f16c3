using System.Text.Json.Nodes;
using Lab.Model.Artifacts;
using Lab.Model.Text;

namespace Lab.Model.Monitoring;

/// <summary>One query of a panel, and how Grafana names its series.</summary>
public sealed record PanelQuery(string Expr, string Legend);

/// <summary>One panel of the lab's dashboard: a time series or a stat.</summary>
public sealed record DashboardPanel(string Title, string Kind, string Unit, IReadOnlyList<PanelQuery> Queries, string Description);

/// <summary>
/// The lab's Grafana dashboard "Lab signals": the gate's verdicts over time (contract 3's series on the Pushgateway),
/// the GPUs (DCGM), NFS traffic (node-exporter), Vault's seal state (the blackbox probe) and the alerts firing.
/// The observability add-on's Grafana sidecar (kube-prometheus-stack 76.4.1: grafana.sidecar.dashboards, label
/// grafana_dashboard "1", searchNamespace ALL) loads it from a ConfigMap. Every query is a program constant: no
/// value of the stack reaches it, and label values in it are quoted (Text.Promql); the JSON is written by Text.Json.
/// </summary>
public static class LabDashboard
{
    public const string Uid = "lab-signals";
    public const string Title = "Lab signals";
    public const string ConfigMapName = "lab-dashboard";
    public const string FileName = "lab-signals.json";
    public const string SidecarLabel = "grafana_dashboard";
    public const string SidecarLabelValue = "1";

    /// <summary>The add-on's Prometheus data source (kube-prometheus-stack values: grafana.sidecar.datasources.uid).</summary>
    public const string DatasourceUid = "prometheus";

    /// <summary>The gate's group on the Pushgateway (contract 3).</summary>
    public const string GateJob = "lab_validation_gate";

    /// <summary>Each target of lab:validation.targets: its title and Grafana unit.</summary>
    public static readonly IReadOnlyList<(string Check, string Title, string Unit)> Checks =
    [
        ("gpuUtilization", "GPU utilisation under load", "percent"),
        ("inferenceP95", "Inference P95 latency", "ms"),
        ("rapidsSpeedup", "RAPIDS speed-up over pandas", "none"),
        ("bandwidth", "Bandwidth between nodes", "Gbits"),
        ("nfsRead", "NFS read", "MBs"),
        ("nfsWrite", "NFS write", "MBs"),
        ("failureDetection", "Failed node detected within", "s"),
    ];

    private static string Gate(string metric, string check) => $"{metric}{{job={Promql.Quote(GateJob)},check={Promql.Quote(check)}}}";

    public static IReadOnlyList<DashboardPanel> Panels() =>
    [
        .. Checks.Select(c => new DashboardPanel($"Gate: {c.Title}", "timeseries", c.Unit,
            [new(Gate("lab_gate_check_measured", c.Check), "{{node}} measured"), new(Gate("lab_gate_check_target", c.Check), "{{node}} target")],
            $"Check {c.Check} of each gate run, per node, against its target (lab:validation.targets.{c.Check}).")),
        new("Gate: checks by verdict", "timeseries", "none",
            [new($"sum by (status) (lab_gate_check_status{{job={Promql.Quote(GateJob)}}})", "{{status}}")],
            "How many checks of the latest gate run passed, fell short, or could not be measured."),
        new("Gate: time since the last run", "stat", "s",
            [new($"time() - max(lab_gate_run_timestamp_seconds{{job={Promql.Quote(GateJob)}}})", "age")],
            "ValidationGateStale fires past lab:alerts.rules.ValidationGateStale.threshold hours."),
        new("GPU utilisation", "timeseries", "percent", [new("DCGM_FI_DEV_GPU_UTIL", "{{Hostname}} GPU {{gpu}}")],
            "DCGM_FI_DEV_GPU_UTIL: time with any kernel running (a throttled GPU under load still reads about 100 %)."),
        new("GPU temperature", "timeseries", "celsius", [new("DCGM_FI_DEV_GPU_TEMP", "{{Hostname}} GPU {{gpu}}")],
            "HighGPUTemperature fires at its threshold."),
        new("GPU XIDs", "timeseries", "none",
            [new("count by (Hostname, gpu, err_code, err_msg) (DCGM_FI_DEV_XID_ERRORS{err_code!=\"0\"})", "{{Hostname}} GPU {{gpu}}: XID {{err_code}} {{err_msg}}")],
            "The last XID of each GPU since its driver loaded (a new one raises GPUXidError)."),
        new("NFS operations", "timeseries", "ops",
            [new("sum by (instance, method) (rate(node_nfs_requests_total{method=~\"Read|Write\"}[5m]))", "{{instance}} {{method}}")],
            "NFS client READ and WRITE calls per second (node-exporter's nfs collector); the gate's nfsRead and nfsWrite panels show throughput."),
        new("Vault seal state", "stat", "none",
            [new($"probe_http_status_code{{job={Promql.Quote(BlackboxProbes.VaultHealthJob)}}}", "{{instance}}")],
            "Vault's /v1/sys/health: 200 active, 429 standby, 503 sealed, 0 no answer."),
        new("Alerts firing", "timeseries", "none",
            [new("sum by (alertname, severity) (ALERTS{alertstate=\"firing\"})", "{{alertname}} ({{severity}})")],
            "Every alert firing, the lab's and the add-on's own."),
    ];

    /// <summary>The dashboard as Grafana reads it from the sidecar's file.</summary>
    public static string Json()
    {
        var datasource = new JsonObject { ["type"] = "prometheus", ["uid"] = DatasourceUid };
        var panels = new JsonArray();
        foreach (var (panel, index) in Panels().Select((p, i) => (p, i)))
        {
            var targets = new JsonArray();
            foreach (var (query, q) in panel.Queries.Select((q, i) => (q, i)))
            {
                targets.Add(new JsonObject
                {
                    ["refId"] = ((char)('A' + q)).ToString(),
                    ["datasource"] = datasource.DeepClone(),
                    ["expr"] = query.Expr,
                    ["legendFormat"] = query.Legend,
                });
            }
            var defaults = new JsonObject { ["unit"] = panel.Unit };
            if (panel.Title == "Vault seal state")
            {
                defaults["mappings"] = new JsonArray(new JsonObject
                {
                    ["type"] = "value",
                    ["options"] = new JsonObject
                    {
                        ["0"] = new JsonObject { ["text"] = "no answer", ["color"] = "red" },
                        ["200"] = new JsonObject { ["text"] = "unsealed (active)", ["color"] = "green" },
                        ["429"] = new JsonObject { ["text"] = "unsealed (standby)", ["color"] = "green" },
                        ["503"] = new JsonObject { ["text"] = "sealed", ["color"] = "red" },
                    },
                });
            }
            panels.Add(new JsonObject
            {
                ["id"] = index + 1,
                ["type"] = panel.Kind,
                ["title"] = panel.Title,
                ["description"] = panel.Description,
                ["datasource"] = datasource.DeepClone(),
                ["gridPos"] = new JsonObject { ["h"] = 8, ["w"] = 12, ["x"] = index % 2 * 12, ["y"] = index / 2 * 8 },
                ["fieldConfig"] = new JsonObject { ["defaults"] = defaults, ["overrides"] = new JsonArray() },
                ["targets"] = targets,
            });
        }
        return Text.Json.Render(new JsonObject
        {
            ["uid"] = Uid,
            ["title"] = Title,
            ["tags"] = new JsonArray("lab-infra"),
            ["timezone"] = "utc",
            ["schemaVersion"] = 39,
            ["editable"] = false,
            ["refresh"] = "1m",
            ["time"] = new JsonObject { ["from"] = "now-30d", ["to"] = "now" },
            ["panels"] = panels,
        });
    }

    public static IEnumerable<Artifact> Artifacts() => [new Artifact($"monitoring/{FileName}", Json())];
}
