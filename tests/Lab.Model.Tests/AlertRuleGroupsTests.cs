using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lab.Model.Monitoring;
using Lab.Model.Spec;

using static Lab.Model.Tests.ScrapedSeries;

namespace Lab.Model.Tests;

public class AlertValidationTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    private static Repo.Config Rule(string alert, Action<JsonObject> edit) =>
        Repo.ProdConfig().Edit(ConfigKeys.Alerts, a =>
        {
            var rules = a["rules"]!.AsObject();
            if (rules[alert] is not JsonObject rule)
            {
                rule = new JsonObject();
                rules[alert] = rule;
            }
            edit(rule);
        });

    [Theory]
    [InlineData("HighGPUTemperature", 200)]
    [InlineData("HighGPUTemperature", 0)]
    [InlineData("NASCapacityHigh", 100)]
    [InlineData("ClockSkew", 0)]
    public void Thresholds_out_of_range_are_reported(string alert, double threshold)
    {
        var error = Single(Rule(alert, r => r["threshold"] = threshold).Errors(), $"lab:alerts.rules.{alert}.threshold");
        Assert.Contains("is out of range", error.Problem);
    }

    [Fact]
    public void Unknown_severity_is_reported()
    {
        var error = Single(Rule("VaultSealed", r => r["severity"] = "page").Errors(), "lab:alerts.rules.VaultSealed.severity");
        Assert.Equal("use critical, warning or info.", error.Fix);
    }

    [Theory]
    [InlineData("5 minutes")]
    [InlineData("5")]
    [InlineData("-5m")]
    public void A_for_that_is_not_a_duration_is_reported(string @for)
    {
        Assert.Contains("is not a Prometheus duration", Single(Rule("NodeDown", r => r["for"] = @for).Errors(), "lab:alerts.rules.NodeDown.for").Problem);
    }

    [Fact]
    public void An_unknown_alert_suggests_the_intended_one()
    {
        Assert.Contains("did you mean 'HighGPUTemperature'", Single(Rule("HighGpuTemperature", r => r["for"] = "5m").Errors(), "lab:alerts.rules.HighGpuTemperature").Fix);
    }

    [Fact]
    public void A_threshold_on_an_alert_without_one_is_reported()
    {
        Assert.Single(Rule("VaultSealed", r => r["threshold"] = 1).Errors(), e => e.Key == "lab:alerts.rules.VaultSealed.threshold");
    }

    [Fact]
    public void Stack_thresholds_reach_the_rendered_rules()
    {
        var lab = Rule("HighGPUTemperature", r => r["threshold"] = 83).Load();
        var rule = AlertRuleGroups.Groups(lab).SelectMany(g => g.Rules).Single(r => r.Alert == "HighGPUTemperature");
        Assert.Equal("DCGM_FI_DEV_GPU_TEMP >= 83", rule.Expr);
        Assert.Contains("83°C", rule.Annotations["summary"]);
    }
}

public class AlertRenderTests
{
    [Fact]
    public void The_gate_age_reaches_the_stale_rule_as_hours()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Alerts, a => a["rules"]!.AsObject()["ValidationGateStale"] = new JsonObject { ["threshold"] = 24 }).Load();
        var rule = AlertRuleGroups.Groups(lab).SelectMany(g => g.Rules).Single(r => r.Alert == "ValidationGateStale");
        Assert.Contains(">= 24 * 3600", rule.Expr);
        Assert.Contains("for 24 h", rule.Annotations["summary"]);
    }

    [Fact]
    public void Mount_points_enter_the_rules_only_as_one_quoted_regex_of_literals()
    {
        var rule = AlertRuleGroups.Groups(Repo.Prod()).SelectMany(g => g.Rules).Single(r => r.Alert == "NFSMountFailed");
        Assert.Equal($"node_filesystem_device_error{{fstype=\"nfs4\",mountpoint=~{Lab.Model.Text.Promql.AnyOf(Repo.Prod().Nas.Exports.Select(e => e.MountPoint))}}} == 1", rule.Expr);
    }

    [Fact]
    public void Rules_cover_every_part_of_the_lab()
    {
        var alerts = AlertRuleGroups.Groups(Repo.Prod()).SelectMany(g => g.Rules).Select(r => r.Alert).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "HighGPUTemperature", "GPUXidError", "LowGPUUtilization", "VaultSealed", "NodeDown", "KubernetesNodeNotReady",
            "NFSMountFailed", "NFSMountReadOnly", "NASCapacityHigh", "NodeDiskFilling", "ClockSkew", "ValidationCheckFailing", "ValidationGateStale",
            "BackupOlderThanRPO", "BackupRestoreDrillFailed", "BackupRepositoryCheckFailed",
        }, alerts);
    }

    [Fact]
    public void Every_rule_has_severity_summary_description_and_a_runbook_in_this_repo()
    {
        foreach (var rule in AlertRuleGroups.Groups(Repo.Prod()).SelectMany(g => g.Rules))
        {
            Assert.True(AlertCatalog.Severities.Contains(rule.Labels["severity"]), rule.Alert);
            Assert.False(string.IsNullOrWhiteSpace(rule.Annotations["summary"]), rule.Alert);
            Assert.False(string.IsNullOrWhiteSpace(rule.Annotations["description"]), rule.Alert);
            var link = rule.Annotations["runbook_url"][(Repo.Prod().Alerts.RunbookBaseUrl.Length + 1)..].Split('#');
            var file = Path.Combine(Repo.Root, "docs", "runbooks", link[0]);
            Assert.True(File.Exists(file), $"{rule.Alert}: runbook {file} is missing");
            if (link.Length > 1)
            {
                var anchors = File.ReadAllLines(file).Where(l => l.StartsWith('#')).Select(Anchor).ToList();
                Assert.True(anchors.Contains(link[1]), $"{rule.Alert}: {link[0]} has no heading for #{link[1]} (has: {string.Join(", ", anchors)})");
            }
        }
    }

    [Fact]
    public void Every_alert_has_a_scrape_source_the_program_configures()
    {
        // alert → who scrapes its metric
        Assert.Equal(new Dictionary<string, ScrapeSource>
        {
            ["HighGPUTemperature"] = ScrapeSource.DcgmExporter,
            ["GPUXidError"] = ScrapeSource.DcgmExporter,
            ["LowGPUUtilization"] = ScrapeSource.DcgmExporter,
            ["VaultSealed"] = ScrapeSource.BlackboxExporter,
            ["VaultHealthUnknown"] = ScrapeSource.BlackboxExporter,
            ["NodeDown"] = ScrapeSource.NodeExporter,
            ["KubernetesNodeNotReady"] = ScrapeSource.KubeStateMetrics,
            ["NFSMountFailed"] = ScrapeSource.NodeExporter,
            ["NFSMountReadOnly"] = ScrapeSource.NodeExporter,
            ["NASCapacityHigh"] = ScrapeSource.NodeExporter,
            ["NodeDiskFilling"] = ScrapeSource.NodeExporter,
            ["ClockSkew"] = ScrapeSource.NodeExporter,
            ["ValidationCheckFailing"] = ScrapeSource.Pushgateway,
            ["ValidationGateStale"] = ScrapeSource.Pushgateway,
            ["SlurmNodeDown"] = ScrapeSource.SlurmExporter,
            ["SlurmQueueStuckWithIdleGPUs"] = ScrapeSource.SlurmExporter,
            ["LabDriftPersists"] = ScrapeSource.Pushgateway,
            ["BackupOlderThanRPO"] = ScrapeSource.Pushgateway,
            ["BackupRestoreDrillFailed"] = ScrapeSource.Pushgateway,
            ["BackupRepositoryCheckFailed"] = ScrapeSource.Pushgateway,
        }, AlertCatalog.All.ToDictionary(a => a.Alert, a => a.Source));

        // Each metric is one its source exposes.
        var prefixes = new Dictionary<ScrapeSource, string>
        {
            [ScrapeSource.DcgmExporter] = "DCGM_FI_",
            [ScrapeSource.BlackboxExporter] = "probe_",
            [ScrapeSource.Pushgateway] = "lab_",
            [ScrapeSource.NodeExporter] = "node_",
            [ScrapeSource.KubeStateMetrics] = "kube_",
            [ScrapeSource.SlurmExporter] = "slurm_",
        };
        foreach (var alert in AlertCatalog.All)
        {
            var metrics = Regex.Matches(alert.Expr, @"\b([A-Za-z_][A-Za-z0-9_]*)\{").Select(m => m.Groups[1].Value).Where(m => m != "up").ToList();
            Assert.All(metrics, m => Assert.StartsWith(prefixes[alert.Source], m));
        }

        // Where each source's scrape comes from in the program.
        var prod = Repo.Prod();
        Assert.Superset(new HashSet<string> { "nvidia", "observability" }, prod.Cluster.Addons.ToHashSet());
        // DCGM: the GPU operator's ServiceMonitor, off in its chart, turned on with the label the add-on's Prometheus selects.
        Assert.Contains("--gpu-operator-set dcgmExporter.serviceMonitor.enabled=true", Lab.Model.Cluster.Addons.Arguments["nvidia"]);
        Assert.Contains($"--gpu-operator-set dcgmExporter.serviceMonitor.additionalLabels.release={Lab.Model.Cluster.Addons.PrometheusRuleRelease}", Lab.Model.Cluster.Addons.Arguments["nvidia"]);
        // Vault: its health endpoint, probed by the lab's blackbox exporter (BlackboxExporter's Probe, job lab-vault-health).
        Assert.Equal(new BlackboxProbes("https://192.168.50.20:8200/v1/sys/health", "/usr/local/share/ca-certificates/ai-lab-ca.crt"), BlackboxProbes.For(prod));
        Assert.All(AlertCatalog.All.Where(a => a.Source == ScrapeSource.BlackboxExporter), a => Assert.Contains($"job=\"{BlackboxProbes.VaultHealthJob}\"", a.Expr));
        // Soperator's exporter: a PodMonitor the add-on's Prometheus selects, on the exporter pods' metrics port.
        var monitor = Lab.Model.Slurm.SlurmObjects.ExporterPodMonitor(prod);
        Assert.Equal(Lab.Model.Cluster.Addons.PrometheusRuleRelease, monitor.Labels!["release"]);
        Assert.Equal("metrics", ((Dictionary<string, object>)((object[])monitor.Spec["podMetricsEndpoints"])[0])["port"]);
    }

    [Fact]
    public void Slurm_alerts_exist_only_where_slurm_runs()
    {
        Assert.DoesNotContain(AlertRuleGroups.Groups(Repo.Dev()), g => g.Name == "lab-slurm");
        Assert.Equal(["SlurmNodeDown", "SlurmQueueStuckWithIdleGPUs"], AlertRuleGroups.Groups(Repo.Prod()).Single(g => g.Name == "lab-slurm").Rules.Select(r => r.Alert));
    }

    [Fact]
    public void Read_only_exports_are_not_watched_for_being_read_only()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![1]!["access"] = "ro").Load();
        var rule = AlertRuleGroups.Groups(lab).SelectMany(g => g.Rules).Single(r => r.Alert == "NFSMountReadOnly");
        Assert.DoesNotContain("/mnt/nfs/models", rule.Expr);
        Assert.Contains("/mnt/nfs/datasets", rule.Expr);
    }

    /// <summary>Heading → anchor as Gitea and GitHub make it.</summary>
    private static string Anchor(string heading) =>
        Regex.Replace(heading.TrimStart('#').Trim().ToLowerInvariant(), @"[^a-z0-9 -]", "").Replace(' ', '-');
}

/// <summary>
/// The rendered rules under the real promtool: valid, and each alert fires at its threshold after its `for`, clears,
/// and stays silent just below. Every input series has the label set the real exporter and scrape store: the
/// sources (project, version, file) are named in ScrapedSeries.
/// </summary>
public class PromtoolTests
{
    /// <summary>
    /// One scenario of an alert: series that make it fire, series on the quiet side, and the fired alert's labels.
    /// Lead: minutes of earlier samples in the firing series before the condition starts (values "BEFORE… AT"; promtool reads "_xN" as N missing samples).
    /// ClearsAt: a minute (from the condition's start) by which the alert must have cleared (the series change back, or leave its window).
    /// QuietAt: the minute the quiet series are evaluated at (default: the alert's `for` plus 10).
    /// Every series has the label set the real exporter and scrape produce (ScrapedSeries, which names the sources).
    /// </summary>
    private sealed record Probe(string[] Firing, string[] Quiet, Dictionary<string, string> Labels, int Lead = 0, int? ClearsAt = null, int? QuietAt = null);

    private static string S(string metric, (string, string)[] labels, string values) => $"{Series(metric, labels)} {values}";

    private static Dictionary<string, string> L(params (string Name, string Value)[] labels) => labels.ToDictionary(l => l.Name, l => l.Value);

    private static readonly (string, string)[] Idle = Dcgm("rocinate", gpu: 1);
    private static readonly (string, string)[] Training = Dcgm("rocinate", workload: ("ml", "train-0", "trainer"));
    private static readonly (string, string)[] Xid79 = Dcgm("zenon", xid: (79, "GPU has fallen off the bus"));
    private static readonly (string, string)[] Xid13 = Dcgm("zenon", xid: (13, "Graphics Engine Exception"));
    private static readonly (string, string)[] Short = Gate(("check", "gpuUtilization"), ("node", "zenon"), ("status", "short"));
    private static readonly (string, string)[] Pass = Gate(("check", "gpuUtilization"), ("node", "zenon"), ("status", "pass"));
    private static readonly (string, string)[] NotMeasurable = Gate(("check", "gpuUtilization"), ("node", "zenon"), ("status", "not_measurable"));
    private static readonly (string, string)[] Root = NodeExporter("192.168.50.13", ("device", "/dev/nvme0n1p2"), ("fstype", "ext4"), ("mountpoint", "/"));
    private static readonly (string, string)[] Models = NodeExporter("192.168.50.11", ("device", "192.168.50.30:/share/lab/models"), ("fstype", "nfs4"), ("mountpoint", "/mnt/nfs/models"));
    private static readonly (string, string)[] Results = NodeExporter("192.168.50.13", ("device", "192.168.50.30:/share/lab/results"), ("fstype", "nfs4"), ("mountpoint", "/mnt/nfs/results"));
    private static readonly (string, string)[] Datasets = NodeExporter("192.168.50.11", ("device", "192.168.50.30:/share/lab/datasets"), ("fstype", "nfs4"), ("mountpoint", "/mnt/nfs/datasets"));

    /// <summary>The gate's age threshold in seconds, as the prod stack sets it: the stale scenarios sit on either side of it.</summary>
    private static readonly long StaleAfter = (long)(Repo.Prod().Alerts.Settings["ValidationGateStale"].Threshold!.Value * 3600);

    private static readonly Dictionary<string, Probe[]> Probes = new()
    {
        ["HighGPUTemperature"] = [new([S("DCGM_FI_DEV_GPU_TEMP", Dcgm("derpy"), "85x8 70")], [S("DCGM_FI_DEV_GPU_TEMP", Dcgm("derpy"), "84.9")], L(Dcgm("derpy")), ClearsAt: 9)],
        // A new XID is a new series (err_code): it fires while an older XID's series of the same GPU stays quiet, and clears
        // once it is 10 minutes old. A restarted exporter (a new pod label on the same XID) is no new XID.
        ["GPUXidError"] =
        [
            new([S("DCGM_FI_DEV_XID_ERRORS", Xid13, "13"), S("DCGM_FI_DEV_XID_ERRORS", Xid79, "_x11 79")],
                [S("DCGM_FI_DEV_XID_ERRORS", Dcgm("zenon", xid: (0, "No Error")), "0"),
                 S("DCGM_FI_DEV_XID_ERRORS", Dcgm("zenon", xid: (43, "GPU stopped processing")), "43x20 _"),
                 S("DCGM_FI_DEV_XID_ERRORS", Dcgm("zenon", xid: (43, "GPU stopped processing"), exporterPod: "nvidia-dcgm-exporter-9gq4t"), "_x20 43")],
                L(Xid79), Lead: 11, ClearsAt: 10, QuietAt: 25),
        ],
        // Only a GPU a workload holds (exported_pod): the idle GPU's series carries the exporter's own pod and stays quiet.
        ["LowGPUUtilization"] = [new([S("DCGM_FI_DEV_GPU_UTIL", Training, "19x35 55")], [S("DCGM_FI_DEV_GPU_UTIL", Training, "20"), S("DCGM_FI_DEV_GPU_UTIL", Idle, "0")], L(Training), ClearsAt: 36)],
        // Sealed while running: the health check answers 503 from the next probe on; unsealed, it answers 200 again.
        ["VaultSealed"] = [new([S("probe_http_status_code", VaultHealth(), "503x3 200")], [S("probe_http_status_code", VaultHealth(), "200"), S("probe_http_status_code", VaultHealth(), "429")], L(VaultHealth()), ClearsAt: 4)],
        ["VaultHealthUnknown"] =
        [
            // Vault does not answer (or its certificate is not the lab CA's): no status code.
            new([S("probe_success", VaultHealth(), "0x7 1"), S("probe_http_status_code", VaultHealth(), "0x7 200")],
                [S("probe_success", VaultHealth(), "1"), S("probe_http_status_code", VaultHealth(), "200")], L(VaultHealth()), ClearsAt: 8),
            // Sealed is VaultSealed's, not this one's; no probe at all is this one's.
            new([S("up", [("instance", "10.1.17.9:9115"), ("job", "other")], "1")],
                [S("probe_success", VaultHealth(), "0"), S("probe_http_status_code", VaultHealth(), "503")], L(("job", "lab-vault-health"))),
        ],
        ["NodeDown"] = [new([S("up", NodeExporter("192.168.50.13"), "0x4 1")], [S("up", NodeExporter("192.168.50.13"), "1")], L(NodeExporter("192.168.50.13")), ClearsAt: 5)],
        ["KubernetesNodeNotReady"] = [new([S("kube_node_status_condition", KubeStateMetrics(("condition", "Ready"), ("node", "gemini-1"), ("status", "true")), "0x3 1")],
            [S("kube_node_status_condition", KubeStateMetrics(("condition", "Ready"), ("node", "gemini-1"), ("status", "true")), "1")],
            L(KubeStateMetrics(("condition", "Ready"), ("node", "gemini-1"), ("status", "true"))), ClearsAt: 4)],
        ["NFSMountFailed"] = [new([S("node_filesystem_device_error", Models, "1")],
            [S("node_filesystem_device_error", Models, "0"), S("node_filesystem_device_error", NodeExporter("192.168.50.11", ("device", "192.168.50.30:/share/other"), ("fstype", "nfs4"), ("mountpoint", "/mnt/other")), "1")],
            L(Models))],
        ["NFSMountReadOnly"] = [new([S("node_filesystem_readonly", Results, "1")], [S("node_filesystem_readonly", Results, "0")], L(Results))],
        ["NASCapacityHigh"] = [new([S("node_filesystem_avail_bytes", Datasets, "15"), S("node_filesystem_size_bytes", Datasets, "100")],
            [S("node_filesystem_avail_bytes", Datasets, "15.1"), S("node_filesystem_size_bytes", Datasets, "100")], L(("mountpoint", "/mnt/nfs/datasets")))],
        ["NodeDiskFilling"] = [new([S("node_filesystem_avail_bytes", Root, "10"), S("node_filesystem_size_bytes", Root, "100")],
            [S("node_filesystem_avail_bytes", Root, "10.1"), S("node_filesystem_size_bytes", Root, "100")], L(Root))],
        ["ClockSkew"] = [new([S("node_timex_offset_seconds", NodeExporter("192.168.50.12"), "-0.05")], [S("node_timex_offset_seconds", NodeExporter("192.168.50.12"), "0.049")], L(NodeExporter("192.168.50.12")))],
        // The gate PUTs its whole group each run: the next run's verdict (pass) replaces the short one and the alert clears.
        ["ValidationCheckFailing"] =
        [
            new([S("lab_gate_check_status", Short, "1x3 0"), S("lab_gate_check_status", Pass, "0x3 1"), S("lab_gate_check_status", NotMeasurable, "0")],
                [S("lab_gate_check_status", Pass, "1"), S("lab_gate_check_status", Short, "0"), S("lab_gate_check_status", NotMeasurable, "0")], L(Short), ClearsAt: 4),
            new([S("lab_gate_check_status", NotMeasurable, "1"), S("lab_gate_check_status", Pass, "0"), S("lab_gate_check_status", Short, "0")],
                [S("lab_gate_check_status", Pass, "1")], L(NotMeasurable)),
        ],
        // Test time starts at the epoch: a run at -StaleAfter is exactly that old at 0; a new run at minute 13 clears it.
        // The quiet run is young enough to stay below the age when evaluated.
        ["ValidationGateStale"] =
        [
            new([S("lab_gate_run_timestamp_seconds", Gate(), $"{-StaleAfter}x12 780")], [S("lab_gate_run_timestamp_seconds", Gate(), $"{-StaleAfter + 1260}")], [], ClearsAt: 13),
            // No verdict on the Pushgateway at all (never run, or the Pushgateway lost it): only another group's series.
            new([S("push_time_seconds", [.. Gate().Where(l => l.Item1 != "job"), ("job", "lab_backup")], "0")],
                [S("lab_gate_run_timestamp_seconds", Gate(), "0")], L(("job", "lab_validation_gate"))),
        ],
        ["SlurmNodeDown"] = [new([SlurmNode("DOWN", "state_is_drain=\"false\",state_is_not_responding=\"true\",is_unavailable=\"true\",reason=\"Not responding\",")],
            // Drained for maintenance: base state stays IDLE.
            [SlurmNode("IDLE", "state_is_drain=\"true\",reason=\"maintenance\",")],
            new() { ["node_name"] = "worker-gemini-1-0" })],
        // GPU-seconds grow 60 a minute for one idle GPU (irate 1); irate needs a second sample, hence the lead.
        ["SlurmQueueStuckWithIdleGPUs"] = [new([PendingJob, $"{IdleGpus} 0+60"], [PendingJob, $"{IdleGpus} 0+54"], [], Lead: 1)],
        // The series as Prometheus stores it: pushed by scripts/drift to /metrics/job/lab_drift, scraped through the
        // Pushgateway (ScrapedSeries.Pushed). Drift that persists across a Pushgateway restart keeps its age.
        ["LabDriftPersists"] = [new(
            [$"{Drift("derpy", "os")} 2x1500 0"],
            [$"{Drift("derpy", "os")} 0", $"{Drift("zenon", "vault-agent")} 0"],
            new() { ["machine"] = "derpy", ["step"] = "os" }, ClearsAt: 1502)],
        // Backup series as the Pushgateway exposes them (BackupSeries), with the target labels the ServiceMonitor adds.
        ["BackupOlderThanRPO"] = [new([BackupSeries.Item("lab_backup_last_success_timestamp_seconds", "results", "-100000"), BackupSeries.Item("lab_backup_rpo_seconds", "results", "86400")],
            [BackupSeries.Item("lab_backup_last_success_timestamp_seconds", "results", "0"), BackupSeries.Item("lab_backup_rpo_seconds", "results", "86400")],
            BackupSeries.ItemLabels("results"))],
        ["BackupRestoreDrillFailed"] = [new([BackupSeries.Item("lab_backup_drill_success", "datasets", "0")], [BackupSeries.Item("lab_backup_drill_success", "datasets", "1")],
            BackupSeries.ItemLabels("datasets"))],
        ["BackupRepositoryCheckFailed"] = [new([BackupSeries.Machine("lab_backup_check_success", "zenon", "0")], [BackupSeries.Machine("lab_backup_check_success", "zenon", "1")],
            BackupSeries.MachineLabels("zenon"))],
    };

    /// <summary>
    /// Soperator 4.1.7's exporter (nebius/soperator internal/exporter/collector.go) as its PodMonitor scrapes it
    /// (SlurmObjects.ExporterPodMonitor): the exporter's labels (empty ones are dropped at ingestion), then job
    /// (namespace/monitor), namespace and endpoint; pod, instance and container are dropped by the monitor's relabeling.
    /// </summary>
    /// <summary>scripts/drift's series for one machine's step (group job="lab_drift").</summary>
    private static string Drift(string machine, string step) =>
        ScrapedSeries.Series("lab_drift_differences", ScrapedSeries.Pushed("lab_drift", ("machine", machine), ("step", step)));

    private const string SlurmScrape = "job=\"slurm/lab-slurm-exporter\",namespace=\"slurm\",endpoint=\"metrics\"";

    private static string SlurmNode(string baseState, string flags) =>
        $"slurm_node_info{{node_name=\"worker-gemini-1-0\",instance_id=\"worker-gemini-1-0\",state_base=\"{baseState}\",state_is_maintenance=\"false\",state_is_reserved=\"false\",{flags}address=\"10.1.215.7\",{SlurmScrape}}} 1";

    private const string IdleGpus = "slurm_node_gpu_seconds_total{node_name=\"worker-derpy-0\",state_base=\"IDLE\",state_is_drain=\"false\",state_is_maintenance=\"false\",state_is_reserved=\"false\"," + SlurmScrape + "}";

    private const string PendingJob = "slurm_job_info{job_id=\"42\",job_state=\"PENDING\",job_state_reason=\"Resources\",slurm_partition=\"main\",job_name=\"train\",user_name=\"root\",user_id=\"0\",submit_time=\"1764400000\"," + SlurmScrape + "} 1";

    public static TheoryData<string> StackFiles() => new(Repo.StackFiles.Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(StackFiles))]
    public void Promtool_checks_the_rendered_rules(string stackFile)
    {
        var lab = Repo.Load(StackFile.Read(Repo.StackFiles.Single(f => Path.GetFileName(f) == stackFile)));
        var (code, output) = InTemp(dir =>
        {
            File.WriteAllText(Path.Combine(dir, AlertRuleGroups.FileName), AlertRuleGroups.Yaml(AlertRuleGroups.Groups(lab)));
            return Tools.Run("promtool", ["check", "rules", Path.Combine(dir, AlertRuleGroups.FileName)]);
        });
        Assert.True(code == 0, output);
        Assert.Contains($"SUCCESS: {AlertRuleGroups.Groups(lab).Sum(g => g.Rules.Count)} rules found", output);
    }

    [Fact]
    public void Every_alert_has_a_probe()
    {
        Assert.Empty(AlertRuleGroups.Groups(Repo.Prod()).SelectMany(g => g.Rules).Select(r => r.Alert).Except(Probes.Keys));
        Assert.Empty(Probes.Keys.Except(AlertCatalog.All.Select(a => a.Alert)));
    }

    [Fact]
    public void Each_alert_fires_at_its_threshold_after_its_for_and_stays_silent_just_below()
    {
        var groups = AlertRuleGroups.Groups(Repo.Prod());
        var (code, output) = InTemp(dir =>
        {
            File.WriteAllText(Path.Combine(dir, AlertRuleGroups.FileName), AlertRuleGroups.Yaml(groups));
            File.WriteAllText(Path.Combine(dir, "tests.yaml"), UnitTests(groups));
            return Tools.Run("promtool", ["test", "rules", Path.Combine(dir, "tests.yaml")]);
        });
        Assert.True(code == 0, $"promtool test rules:\n{output}");
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public void The_unit_tests_fail_when_a_threshold_moves()
    {
        // Proves the promtool tests can fail: rules rendered with 86°C do not fire at the probe's 85°C.
        var moved = Repo.ProdConfig().Edit(ConfigKeys.Alerts, a => a["rules"]!["HighGPUTemperature"]!["threshold"] = 86).Load();
        var (code, output) = InTemp(dir =>
        {
            File.WriteAllText(Path.Combine(dir, AlertRuleGroups.FileName), AlertRuleGroups.Yaml(AlertRuleGroups.Groups(moved)));
            File.WriteAllText(Path.Combine(dir, "tests.yaml"), UnitTests(AlertRuleGroups.Groups(Repo.Prod())));
            return Tools.Run("promtool", ["test", "rules", Path.Combine(dir, "tests.yaml")]);
        });
        Assert.NotEqual(0, code);
        Assert.Contains("HighGPUTemperature", output);
    }

    /// <summary>
    /// promtool unit tests: per scenario, the firing series (silent one step before `for`, firing at `for`, cleared
    /// by ClearsAt) and the quiet ones (never firing).
    /// </summary>
    private static string UnitTests(IReadOnlyList<RuleGroup> groups)
    {
        var text = new StringBuilder($"rule_files: [{AlertRuleGroups.FileName}]\nevaluation_interval: 1m\ntests:\n");
        foreach (var rule in groups.SelectMany(g => g.Rules))
        {
            foreach (var probe in Probes[rule.Alert])
            {
                AppendScenario(text, rule, probe);
            }
        }
        return text.ToString();
    }

    private static void AppendScenario(StringBuilder text, AlertRule rule, Probe probe)
    {
        var forMinutes = Minutes(rule.For);
        var lead = probe.Lead;
        text.Append("  - interval: 1m\n    input_series:\n");
        AppendSeries(text, probe.Firing, lead + forMinutes + (probe.ClearsAt ?? 0) + 10);
        text.Append("    alert_rule_test:\n");
        if (forMinutes > 0 || lead > 0)
        {
            text.Append($"      - eval_time: {lead + forMinutes - 1}m\n        alertname: {rule.Alert}\n        exp_alerts: []\n");
        }
        if (probe.ClearsAt is { } clears)
        {
            text.Append($"      - eval_time: {lead + clears}m\n        alertname: {rule.Alert}\n        exp_alerts: []\n");
        }
        var labels = probe.Labels.Concat(rule.Labels).ToDictionary();
        text.Append($"      - eval_time: {lead + forMinutes}m\n        alertname: {rule.Alert}\n        exp_alerts:\n          - exp_labels:\n");
        foreach (var (k, v) in labels)
        {
            text.Append($"              {k}: {Lab.Model.Text.Yaml.Quote(v)}\n");
        }
        text.Append("            exp_annotations:\n");
        foreach (var (k, v) in rule.Annotations)
        {
            text.Append($"              {k}: {Lab.Model.Text.Yaml.Quote(Regex.Replace(v, @"\{\{ \$labels\.(\w+) \}\}", m => labels[m.Groups[1].Value]))}\n");
        }
        var quietAt = probe.QuietAt ?? forMinutes + 10;
        text.Append("  - interval: 1m\n    input_series:\n");
        AppendSeries(text, probe.Quiet, quietAt);
        text.Append($"    alert_rule_test:\n      - eval_time: {quietAt}m\n        alertname: {rule.Alert}\n        exp_alerts: []\n");
    }

    private static void AppendSeries(StringBuilder text, IEnumerable<string> series, int minutes)
    {
        foreach (var line in series)
        {
            // Values after the labels: "V" repeats V; "A B" is A, then B repeated.
            var split = line.IndexOf("} ", StringComparison.Ordinal) + 1;
            text.Append($"      - series: {Lab.Model.Text.Yaml.Quote(line[..split])}\n        values: '{line[(split + 1)..]}x{minutes}'\n");
        }
    }

    private static int Minutes(string duration)
    {
        var match = Regex.Match(duration, @"^(\d+)([smh])$");
        Assert.True(match.Success, $"unit tests handle simple durations; got {duration}");
        var n = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "h" => n * 60, "m" => n, _ => (n + 59) / 60 };
    }


    private static (int Code, string Output) InTemp(Func<string, (int, string)> run)
    {
        var dir = Directory.CreateTempSubdirectory("lab-promtool-");
        try
        {
            return run(dir.FullName);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
