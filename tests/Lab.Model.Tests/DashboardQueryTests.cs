using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Lab.Model.Monitoring;
using static Lab.Model.Tests.ScrapedSeries;

namespace Lab.Model.Tests;

/// <summary>
/// Every query of the shipped dashboard runs on Debian's real prometheus: it scrapes (honor_labels, as the
/// Pushgateway's and kube-state-metrics' ServiceMonitors do) series of the label sets the lab's exporters and
/// scrapes store (ScrapedSeries), served by this test on 127.0.0.1, evaluates the lab's rule file, and must answer
/// each panel's query with data over its HTTP API.
/// </summary>
public sealed class DashboardQueryTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("lab-dashboard-");
    private readonly HttpListener exporter = new();
    private readonly Stopwatch sinceStart = Stopwatch.StartNew();
    private readonly long runAt = DateTimeOffset.UtcNow.AddHours(-6).ToUnixTimeSeconds();
    private RealPrometheus? prometheus;

    /// <summary>What the lab's exporters expose, as Prometheus stores it; counters grow with time.</summary>
    private string Exposition()
    {
        var nfsCalls = 1000 + (long)(sinceStart.Elapsed.TotalSeconds * 250);
        var lines = new List<string>();
        void Add(string metric, (string, string)[] labels, double value) =>
            lines.Add($"{Series(metric, labels.Any(l => l.Item1 == "instance") ? labels : [.. labels, ("instance", "")])} {value.ToString(CultureInfo.InvariantCulture)}");
        foreach (var node in new[] { "zenon", "derpy" })
        {
            foreach (var (check, _, _) in LabDashboard.Checks)
            {
                Add("lab_gate_check_measured", Gate(("check", check), ("node", node), ("unit", "u")), 42);
                Add("lab_gate_check_target", Gate(("check", check), ("node", node), ("unit", "u")), 40);
                var status = check == "bandwidth" && node == "derpy" ? "short" : "pass";
                foreach (var s in new[] { "pass", "short", "not_measurable" })
                {
                    Add("lab_gate_check_status", Gate(("check", check), ("node", node), ("status", s)), s == status ? 1 : 0);
                }
            }
            Add("DCGM_FI_DEV_GPU_UTIL", Dcgm(node, workload: ("ml", "train-0", "trainer")), 97);
            Add("DCGM_FI_DEV_GPU_TEMP", Dcgm(node), 64);
            Add("node_nfs_requests_total", NodeExporter(node == "zenon" ? "192.168.50.11" : "192.168.50.13", ("method", "Read"), ("proto", "4")), nfsCalls);
            Add("node_nfs_requests_total", NodeExporter(node == "zenon" ? "192.168.50.11" : "192.168.50.13", ("method", "Write"), ("proto", "4")), nfsCalls / 2);
        }
        Add("DCGM_FI_DEV_XID_ERRORS", Dcgm("zenon", xid: (79, "GPU has fallen off the bus")), 79);
        Add("DCGM_FI_DEV_XID_ERRORS", Dcgm("derpy", xid: (0, "No Error")), 0);
        Add("lab_gate_run_info", Gate(("epoch", "3"), ("fingerprint", "5d1c9e0a"), ("mode", "enforce")), 1);
        Add("lab_gate_run_timestamp_seconds", Gate(), runAt);
        Add("probe_http_status_code", VaultHealth(), 200);
        Add("probe_success", VaultHealth(), 1);
        return string.Join("\n", lines) + "\n";
    }

    [Fact]
    public async Task Every_panel_query_returns_data_from_a_real_prometheus()
    {
        var queries = Queries(LabDashboard.Json());
        Assert.Equal(LabDashboard.Panels().Sum(p => p.Queries.Count), queries.Count);
        var prometheus = await Start();
        var empty = new List<string>();
        foreach (var (title, expr) in queries)
        {
            if (!await prometheus.HasData(expr, TimeSpan.FromSeconds(30)))
            {
                empty.Add($"{title}: {expr}");
            }
        }
        Assert.True(empty.Count == 0, $"queries without data:\n{string.Join("\n", empty)}\nprometheus:\n{prometheus.Log()}");
    }

    [Fact]
    public async Task A_query_on_labels_the_lab_does_not_store_returns_nothing()
    {
        // Proves the check above can fail: the idle-GPU query of old (`pod` names the exporter, not the workload).
        var prometheus = await Start();
        Assert.True(await prometheus.HasData("DCGM_FI_DEV_GPU_UTIL{exported_pod!=\"\"}", TimeSpan.FromSeconds(30)), prometheus.Log());
        Assert.False(await prometheus.HasData("DCGM_FI_DEV_GPU_UTIL{pod=\"train-0\"}", TimeSpan.FromSeconds(5)));
    }

    /// <summary>(panel title, expr) of every target in the rendered dashboard JSON: the file Grafana reads.</summary>
    private static List<(string Title, string Expr)> Queries(string json) =>
        [.. JsonNode.Parse(json)!["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => ((string)p["title"]!, (string)t!["expr"]!)))];

    /// <summary>Serves the exposition and starts prometheus scraping it every second with the lab's rules.</summary>
    private async Task<RealPrometheus> Start()
    {
        var exporterPort = RealPrometheus.FreePort();
        exporter.Prefixes.Add($"http://127.0.0.1:{exporterPort}/");
        exporter.Start();
        _ = Task.Run(async () =>
        {
            while (exporter.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await exporter.GetContextAsync();
                }
                catch (Exception) when (!exporter.IsListening)
                {
                    return;
                }
                var body = Encoding.UTF8.GetBytes(Exposition());
                context.Response.ContentType = "text/plain; version=0.0.4";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        File.WriteAllText(Path.Combine(dir.FullName, AlertRuleGroups.FileName), AlertRuleGroups.Yaml(AlertRuleGroups.Groups(Repo.Prod())));
        File.WriteAllText(Path.Combine(dir.FullName, "prometheus.yml"), $"""
            global: {"{"}scrape_interval: 1s, evaluation_interval: 1s{"}"}
            rule_files: [{AlertRuleGroups.FileName}]
            scrape_configs:
              - job_name: lab-exporters
                honor_labels: true
                static_configs: [{"{"}targets: ['127.0.0.1:{exporterPort}']{"}"}]
            """);
        prometheus = new RealPrometheus(dir.FullName);
        Assert.True(await prometheus.HasData("up{job=\"lab-exporters\"} == 1", TimeSpan.FromSeconds(60)), $"prometheus never scraped the series:\n{prometheus.Log()}");
        return prometheus;
    }

    public void Dispose()
    {
        prometheus?.Dispose();
        exporter.Close();
        dir.Delete(recursive: true);
    }
}
