using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lab.Model.Monitoring;
using Lab.Model.Spec;

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
    public void Rules_cover_every_part_of_the_lab()
    {
        var alerts = AlertRuleGroups.Groups(Repo.Prod()).SelectMany(g => g.Rules).Select(r => r.Alert).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "HighGPUTemperature", "GPUXidError", "LowGPUUtilization", "VaultSealed", "NodeDown", "KubernetesNodeNotReady",
            "NFSMountFailed", "NFSMountReadOnly", "NASCapacityHigh", "NodeDiskFilling", "ClockSkew", "ValidationGateFailed",
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
            ["VaultSealed"] = ScrapeSource.Vault,
            ["NodeDown"] = ScrapeSource.NodeExporter,
            ["KubernetesNodeNotReady"] = ScrapeSource.KubeStateMetrics,
            ["NFSMountFailed"] = ScrapeSource.NodeExporter,
            ["NFSMountReadOnly"] = ScrapeSource.NodeExporter,
            ["NASCapacityHigh"] = ScrapeSource.NodeExporter,
            ["NodeDiskFilling"] = ScrapeSource.NodeExporter,
            ["ClockSkew"] = ScrapeSource.NodeExporter,
            ["ValidationGateFailed"] = ScrapeSource.KubeStateMetrics,
            ["BackupOlderThanRPO"] = ScrapeSource.Pushgateway,
            ["BackupRestoreDrillFailed"] = ScrapeSource.Pushgateway,
            ["BackupRepositoryCheckFailed"] = ScrapeSource.Pushgateway,
        }, AlertCatalog.All.ToDictionary(a => a.Alert, a => a.Source));

        // Each metric is one its source exposes.
        var prefixes = new Dictionary<ScrapeSource, string>
        {
            [ScrapeSource.DcgmExporter] = "DCGM_FI_",
            [ScrapeSource.Vault] = "vault_",
            [ScrapeSource.NodeExporter] = "node_",
            [ScrapeSource.KubeStateMetrics] = "kube_",
            [ScrapeSource.Pushgateway] = "lab_backup_",
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
        // Vault: outside the cluster, scraped at its address (Service, Endpoints and ServiceMonitor of AlertRules).
        Assert.Equal(new VaultMetrics("192.168.50.20", 8200), VaultMetrics.For(prod));
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

/// <summary>The rendered rules under the real promtool: valid, and each alert fires at its threshold after its `for` and not just below.</summary>
public class PromtoolTests
{
    /// <summary>
    /// How to make each alert fire: series at the threshold, series just on the quiet side, and the alert's labels.
    /// Lead: minutes of earlier samples in the firing series before the condition starts (values "BEFORE… AT").
    /// ClearsAt: a minute (from the condition's start) by which the alert must have cleared with the series unchanged.
    /// </summary>
    private sealed record Probe(string[] Firing, string[] Quiet, Dictionary<string, string> Labels, int Lead = 0, int? ClearsAt = null);

    private static readonly Dictionary<string, Probe> Probes = new()
    {
        ["HighGPUTemperature"] = new(["DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",Hostname=\"derpy\"} 85"], ["DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",Hostname=\"derpy\"} 84.9"],
            new() { ["gpu"] = "0", ["Hostname"] = "derpy" }),
        // The XID gauge keeps the last code: a new code fires, and the alert clears once it leaves the 10 min window.
        ["GPUXidError"] = new(["DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",Hostname=\"zenon\"} 0 79"], ["DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",Hostname=\"zenon\"} 79"],
            new() { ["gpu"] = "0", ["Hostname"] = "zenon" }, Lead: 1, ClearsAt: 11),
        ["LowGPUUtilization"] = new(["DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",Hostname=\"rocinate\",namespace=\"ml\",pod=\"train-0\"} 19"],
            ["DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",Hostname=\"rocinate\",namespace=\"ml\",pod=\"train-0\"} 20", "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",Hostname=\"rocinate\",namespace=\"\",pod=\"\"} 0"],
            new() { ["gpu"] = "0", ["Hostname"] = "rocinate", ["namespace"] = "ml", ["pod"] = "train-0" }),
        ["VaultSealed"] = new(["vault_core_unsealed{instance=\"192.168.50.20:8200\"} 0"], ["vault_core_unsealed{instance=\"192.168.50.20:8200\"} 1"],
            new() { ["instance"] = "192.168.50.20:8200" }),
        ["NodeDown"] = new(["up{job=\"node-exporter\",instance=\"derpy\"} 0"], ["up{job=\"node-exporter\",instance=\"derpy\"} 1"],
            new() { ["job"] = "node-exporter", ["instance"] = "derpy" }),
        ["KubernetesNodeNotReady"] = new(["kube_node_status_condition{condition=\"Ready\",status=\"true\",node=\"gemini-1\"} 0"],
            ["kube_node_status_condition{condition=\"Ready\",status=\"true\",node=\"gemini-1\"} 1"],
            new() { ["condition"] = "Ready", ["status"] = "true", ["node"] = "gemini-1" }),
        ["NFSMountFailed"] = new(["node_filesystem_device_error{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/models\",instance=\"zenon\"} 1"],
            ["node_filesystem_device_error{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/models\",instance=\"zenon\"} 0", "node_filesystem_device_error{fstype=\"nfs4\",mountpoint=\"/mnt/other\",instance=\"zenon\"} 1"],
            new() { ["fstype"] = "nfs4", ["mountpoint"] = "/mnt/nfs/models", ["instance"] = "zenon" }),
        ["NFSMountReadOnly"] = new(["node_filesystem_readonly{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/results\",instance=\"derpy\"} 1"],
            ["node_filesystem_readonly{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/results\",instance=\"derpy\"} 0"],
            new() { ["fstype"] = "nfs4", ["mountpoint"] = "/mnt/nfs/results", ["instance"] = "derpy" }),
        ["NASCapacityHigh"] = new(
            ["node_filesystem_avail_bytes{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/datasets\",instance=\"zenon\"} 15", "node_filesystem_size_bytes{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/datasets\",instance=\"zenon\"} 100"],
            ["node_filesystem_avail_bytes{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/datasets\",instance=\"zenon\"} 15.1", "node_filesystem_size_bytes{fstype=\"nfs4\",mountpoint=\"/mnt/nfs/datasets\",instance=\"zenon\"} 100"],
            new() { ["mountpoint"] = "/mnt/nfs/datasets" }),
        ["NodeDiskFilling"] = new(
            ["node_filesystem_avail_bytes{mountpoint=\"/\",fstype=\"ext4\",instance=\"derpy\"} 10", "node_filesystem_size_bytes{mountpoint=\"/\",fstype=\"ext4\",instance=\"derpy\"} 100"],
            ["node_filesystem_avail_bytes{mountpoint=\"/\",fstype=\"ext4\",instance=\"derpy\"} 10.1", "node_filesystem_size_bytes{mountpoint=\"/\",fstype=\"ext4\",instance=\"derpy\"} 100"],
            new() { ["mountpoint"] = "/", ["fstype"] = "ext4", ["instance"] = "derpy" }),
        ["ClockSkew"] = new(["node_timex_offset_seconds{instance=\"gemini-1\"} -0.05"], ["node_timex_offset_seconds{instance=\"gemini-1\"} 0.049"],
            new() { ["instance"] = "gemini-1" }),
        ["ValidationGateFailed"] = new(["kube_job_status_failed{namespace=\"lab-validation\",job_name=\"gpu-util-zenon\"} 1"],
            ["kube_job_status_failed{namespace=\"lab-validation\",job_name=\"gpu-util-zenon\"} 0", "kube_job_status_failed{namespace=\"default\",job_name=\"other\"} 1"],
            new() { ["namespace"] = "lab-validation", ["job_name"] = "gpu-util-zenon" }),
        // Backup series as the Pushgateway exposes them (BackupSeries), with the target labels the ServiceMonitor adds.
        ["BackupOlderThanRPO"] = new([BackupSeries.Item("lab_backup_last_success_timestamp_seconds", "results", "-100000"), BackupSeries.Item("lab_backup_rpo_seconds", "results", "86400")],
            [BackupSeries.Item("lab_backup_last_success_timestamp_seconds", "results", "0"), BackupSeries.Item("lab_backup_rpo_seconds", "results", "86400")],
            BackupSeries.ItemLabels("results")),
        ["BackupRestoreDrillFailed"] = new([BackupSeries.Item("lab_backup_drill_success", "datasets", "0")], [BackupSeries.Item("lab_backup_drill_success", "datasets", "1")],
            BackupSeries.ItemLabels("datasets")),
        ["BackupRepositoryCheckFailed"] = new([BackupSeries.Machine("lab_backup_check_success", "zenon", "0")], [BackupSeries.Machine("lab_backup_check_success", "zenon", "1")],
            BackupSeries.MachineLabels("zenon")),
    };

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

    /// <summary>promtool unit tests: per alert, the firing series (silent one step before `for`, firing at `for`) and the quiet ones (never firing).</summary>
    private static string UnitTests(IReadOnlyList<RuleGroup> groups)
    {
        var text = new StringBuilder($"rule_files: [{AlertRuleGroups.FileName}]\nevaluation_interval: 1m\ntests:\n");
        foreach (var rule in groups.SelectMany(g => g.Rules))
        {
            var probe = Probes[rule.Alert];
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
            text.Append("  - interval: 1m\n    input_series:\n");
            AppendSeries(text, probe.Quiet, forMinutes + 10);
            text.Append($"    alert_rule_test:\n      - eval_time: {forMinutes + 10}m\n        alertname: {rule.Alert}\n        exp_alerts: []\n");
        }
        return text.ToString();
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
