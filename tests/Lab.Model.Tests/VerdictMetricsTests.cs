using System.Globalization;
using Lab.Model.Monitoring;
using Lab.Model.Spec;
using Lab.Model.Text;
using Lab.Model.Validation;

namespace Lab.Model.Tests;

/// <summary>
/// The gate's verdict as Prometheus series (contract 3): checked by the real promtool, published by the rendered
/// step to a real Pushgateway (Debian's prometheus-pushgateway) on loopback, and read back from its /metrics.
/// </summary>
public class VerdictMetricsTests
{
    private static readonly LabSpec Lab = Repo.GatedProd();
    private static readonly IReadOnlyList<Probe> Prod = Probes.For(Lab);

    private static string Job(string probe) => Prod.Single(p => p.Name == probe).JobName;

    /// <summary>A run with a pass, a short check, a GPU that was busy and a failed Job.</summary>
    internal static string Output(long started) => string.Join("\n",
    [
        $"LAB_RUN started={started}",
        .. new[] { "zenon", "gemini-1", "rocinate" }.SelectMany(n => new[] { $"LAB_JOB job={Job($"gpu-util-{n}")} status=complete", $"LAB_RESULT check=gpu_utilization:{n} value=98.2 unit=%" }),
        $"LAB_JOB job={Job("gpu-util-derpy")} status=not_measurable reason=GpuBusy pod=ml/notebook-7f9c",
        $"LAB_JOB job={Job("inference-p95")} status=complete", "LAB_RESULT check=inference_p95 value=230 unit=ms",
        $"LAB_JOB job={Job("iperf3-server")} status=complete",
        .. new[] { "gemini-1", "derpy", "rocinate" }.SelectMany(n => new[] { $"LAB_JOB job={Job($"bandwidth-{n}")} status=complete", $"LAB_RESULT check=bandwidth:{n} value=2.36 unit=Gbit/s" }),
        $"LAB_JOB job={Job("nfs-throughput")} status=failed reason=DeadlineExceeded",
        $"LAB_JOB job={Job("rapids-speedup")} status=complete", "LAB_RESULT check=rapids_speedup value=11.7 unit=x",
        $"LAB_JOB job={Job("backup-ages")} status=complete", "LAB_RESULT check=backup_age_results value=3.5 unit=h",
        "LAB_RESULT check=backup_age_datasets value=200 unit=h", "LAB_SHORT check=backup_age_datastore reason=never_backed_up",
    ]) + "\n";

    private static readonly GateVerdict Verdict = GateVerdict.Judge(Prod, Output(1_795_000_000));
    private static readonly string Fingerprint = Probes.RunFingerprint(Prod);

    private static string Render(GateVerdict verdict) => VerdictMetrics.Render(verdict, Lab.Validation.Mode, Lab.Validation.Epoch, Fingerprint);

    /// <summary>The sample lines of the text, without comments.</summary>
    private static string[] Samples(string text) => text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    [Fact]
    public void Every_check_has_its_target_and_one_status_and_a_measured_value_only_when_measured()
    {
        var samples = Samples(Render(Verdict));
        Assert.Contains("lab_gate_check_measured{check=\"gpuUtilization\",node=\"zenon\",unit=\"%\"} 98.2", samples);
        Assert.Contains("lab_gate_check_measured{check=\"inferenceP95\",node=\"lab\",unit=\"ms\"} 230", samples);
        Assert.Contains("lab_gate_check_target{check=\"inferenceP95\",node=\"lab\",unit=\"ms\"} 200", samples);
        Assert.Contains("lab_gate_check_target{check=\"nfsRead\",node=\"lab\",unit=\"MB/s\"} 200", samples);
        // Not measured: no value, but a target and a status.
        Assert.DoesNotContain(samples, s => s.StartsWith("lab_gate_check_measured{check=\"gpuUtilization\",node=\"derpy\"", StringComparison.Ordinal));
        Assert.DoesNotContain(samples, s => s.StartsWith("lab_gate_check_measured{check=\"nfsWrite\"", StringComparison.Ordinal));
        Assert.Contains("lab_gate_check_status{check=\"gpuUtilization\",node=\"derpy\",status=\"not_measurable\"} 1", samples);
        Assert.Contains("lab_gate_check_status{check=\"nfsWrite\",node=\"lab\",status=\"not_measurable\"} 1", samples);
        Assert.Contains("lab_gate_check_status{check=\"inferenceP95\",node=\"lab\",status=\"short\"} 1", samples);
        Assert.Contains("lab_gate_check_status{check=\"inferenceP95\",node=\"lab\",status=\"pass\"} 0", samples);
        Assert.Contains("lab_gate_check_status{check=\"bandwidth\",node=\"derpy\",status=\"pass\"} 1", samples);
        // One-hot: per check, three statuses, exactly one of them 1.
        var statuses = samples.Where(s => s.StartsWith("lab_gate_check_status{", StringComparison.Ordinal))
            .GroupBy(s => s[..s.IndexOf(",status=", StringComparison.Ordinal)]).ToList();
        Assert.Equal(Verdict.Checks.Count, statuses.Count);
        Assert.All(statuses, g => Assert.Equal((3, 1), (g.Count(), g.Count(s => s.EndsWith("} 1", StringComparison.Ordinal)))));
        // The check label is the target's key in lab:validation.targets, or backupRpo (the item's rpo) with the item's label.
        Assert.All(Verdict.Checks, c => Assert.Contains(c.Check.Key, new[] { "gpuUtilization", "inferenceP95", "rapidsSpeedup", "bandwidth", "nfsRead", "nfsWrite", "failureDetection", "backupRpo" }));
        Assert.Contains("lab_gate_check_measured{check=\"backupRpo\",item=\"results\",node=\"lab\",unit=\"h\"} 3.5", samples);
        Assert.Contains("lab_gate_check_target{check=\"backupRpo\",item=\"datasets\",node=\"lab\",unit=\"h\"} 168", samples);
        Assert.Contains("lab_gate_check_status{check=\"backupRpo\",item=\"datasets\",node=\"lab\",status=\"short\"} 1", samples);
        // Never backed up: short, with no measured value.
        Assert.Contains("lab_gate_check_status{check=\"backupRpo\",item=\"datastore\",node=\"lab\",status=\"short\"} 1", samples);
        Assert.DoesNotContain(samples, s => s.StartsWith("lab_gate_check_measured{check=\"backupRpo\",item=\"datastore\"", StringComparison.Ordinal));
        Assert.Contains($"lab_gate_run_info{{epoch=\"0\",fingerprint=\"{Fingerprint}\",mode=\"enforce\"}} 1", samples);
        Assert.Contains("lab_gate_run_timestamp_seconds 1795000000", samples);
    }

    [Fact]
    public void Promtool_reads_the_series_as_valid_exposition_text()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Render(Verdict));
            var (code, output) = Tools.Run("bash", ["-c", "promtool check metrics < \"$1\"", "promtool", path]);
            Assert.True(code == 0, $"promtool check metrics:\n{output}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_rendered_step_publishes_each_run_to_a_real_pushgateway_replacing_the_previous_run()
    {
        using var gateway = new RealPushgateway();
        var step = VerdictMetrics.PublishStep(Lab, gateway.Port);
        Assert.Contains($"readonly url='http://127.0.0.1:{gateway.Port}/metrics/job/lab_validation_gate'", step.Text);

        var first = Publish(step, Render(Verdict));
        Assert.True(first.Code == 0, first.Stderr);
        var metrics = gateway.Metrics();
        Assert.Contains("lab_gate_check_status{check=\"gpuUtilization\",instance=\"\",job=\"lab_validation_gate\",node=\"derpy\",status=\"not_measurable\"} 1", metrics);
        Assert.Contains("lab_gate_check_measured{check=\"inferenceP95\",instance=\"\",job=\"lab_validation_gate\",node=\"lab\",unit=\"ms\"} 230", metrics);
        Assert.Contains("lab_gate_run_timestamp_seconds{instance=\"\",job=\"lab_validation_gate\"} 1.795e+09", metrics);

        // The next run measured derpy's GPU and nothing else was short: derpy's not-measurable status and the old run's
        // time are gone, not left beside the new ones (PUT replaces the group).
        var healthy = Output(1_795_003_600).Replace($"LAB_JOB job={Job("gpu-util-derpy")} status=not_measurable reason=GpuBusy pod=ml/notebook-7f9c",
            $"LAB_JOB job={Job("gpu-util-derpy")} status=complete\nLAB_RESULT check=gpu_utilization:derpy value=97 unit=%");
        var second = Publish(step, Render(GateVerdict.Judge(Prod, healthy)));
        Assert.True(second.Code == 0, second.Stderr);
        metrics = gateway.Metrics();
        Assert.Contains("lab_gate_check_status{check=\"gpuUtilization\",instance=\"\",job=\"lab_validation_gate\",node=\"derpy\",status=\"pass\"} 1", metrics);
        Assert.Contains("lab_gate_check_status{check=\"gpuUtilization\",instance=\"\",job=\"lab_validation_gate\",node=\"derpy\",status=\"not_measurable\"} 0", metrics);
        Assert.Contains("lab_gate_run_timestamp_seconds{instance=\"\",job=\"lab_validation_gate\"} 1.7950036e+09", metrics);
        Assert.DoesNotContain("1.795e+09", metrics);
    }

    [Fact]
    public void A_pushgateway_that_refuses_the_text_fails_the_step_with_its_answer()
    {
        using var gateway = new RealPushgateway();
        // A sample without a value: not exposition text.
        var run = Publish(VerdictMetrics.PublishStep(Lab, gateway.Port), "lab_gate_run_timestamp_seconds\n");
        Assert.NotEqual(0, run.Code);
        Assert.Contains("400", run.Stderr);
        Assert.DoesNotContain("published", run.Stdout);
    }

    [Fact]
    public void No_pushgateway_fails_the_step()
    {
        var run = Publish(VerdictMetrics.PublishStep(Lab, RealPushgateway.FreePort()), Render(Verdict));
        Assert.NotEqual(0, run.Code);
    }

    /// <summary>Hostile label values, quoted by Exposition.Quote, reach the Pushgateway and come back as the same values.</summary>
    [Fact]
    public void Quoted_label_values_survive_a_real_parser_and_the_pushgateway()
    {
        var values = ScriptDataTests.Hostile.Cast<object[]>().Select(row => (string)row[0]).Append("line\nfeed \"and\" \\back\\").ToList();
        var text = "# HELP lab_quoting_test Label values quoted by Exposition.Quote.\n# TYPE lab_quoting_test gauge\n" + string.Concat(values.Select((v, i) => $"lab_quoting_test{{i=\"{i}\",v={Exposition.Quote(v)}}} 1\n"));
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, text);
            var (code, output) = Tools.Run("bash", ["-c", "promtool check metrics < \"$1\"", "promtool", path]);
            Assert.True(code == 0, $"promtool check metrics:\n{output}");
        }
        finally
        {
            File.Delete(path);
        }
        using var gateway = new RealPushgateway();
        Assert.Equal(System.Net.HttpStatusCode.OK, gateway.Put("lab_quoting_test", text));
        var metrics = gateway.Metrics();
        // The Pushgateway writes label values back with the same three escapes, so each value reads back unchanged.
        Assert.All(values.Select((v, i) => $"lab_quoting_test{{i=\"{i}\",instance=\"\",job=\"lab_quoting_test\",v={Exposition.Quote(v)}}} 1"), line => Assert.Contains(line, metrics));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\nb", "\"a\\\\nb\"")]
    [InlineData("a\nb", "\"a\\nb\"")]
    [InlineData("tab\there °C", "\"tab\there °C\"")]
    public void Label_values_escape_backslash_quote_and_line_feed_only(string value, string quoted) => Assert.Equal(quoted, Exposition.Quote(value));

    private static ProbeScriptTests.Run Publish(Lab.Model.Nodes.StepScript step, string exposition) =>
        // As the runner does: bash reads the script on stdin, and the series follow it.
        ProbeScriptTests.Bash("exec bash -s", stdin: step.Text + exposition);
}
