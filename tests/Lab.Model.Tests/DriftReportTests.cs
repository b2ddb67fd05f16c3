using Lab.Model.Drift;

namespace Lab.Model.Tests;

public sealed class DriftReportTests
{
    private static DriftReport Sample(IReadOnlyDictionary<string, string>? unreachable = null) => DriftReport.Judge("box",
    [
        ("box-nas", "exports", new(3, "drift: file /etc/exports.d/lab.exports expected=sha256:aa actual=sha256:bb\nexports=4\n")),
        ("box-control", "os", new(0, "hostname=box-control\n")),
        ("box-control", "vault-agent", new(3, "drift: vault-agent service expected=enabled active actual=enabled inactive\nrole_id=leaked\n")),
        ("box-control", "kubeconfig", new(0, "skipped: it only reads the cluster's admin credential\n")),
        ("box-worker-1", "os", null),
    ], unreachable ?? new Dictionary<string, string> { ["box-worker-1"] = "ssh: connect to host 10.213.0.12 port 22: No route to host" }, 2.5);

    [Fact]
    public void The_text_report_names_each_difference_with_its_machine_and_step_and_ends_with_one_summary_line()
    {
        var text = Sample().Text();
        Assert.Contains("box-nas:\n  exports                      DRIFT (1)\n      drift: file /etc/exports.d/lab.exports expected=sha256:aa actual=sha256:bb\n", text);
        Assert.Contains("  kubeconfig                   skipped: it only reads the cluster's admin credential\n", text);
        Assert.Contains("box-worker-1: UNREACHABLE (ssh: connect to host 10.213.0.12 port 22: No route to host)\n", text);
        Assert.EndsWith("drift: stack box: 3 machines, 3 steps checked, 2 with drift (2 differences), 1 skipped, 1 unreachable, 0 failed, in 2.5 s\n", text);
        // Only drift and skip lines of a check's output reach the report.
        Assert.DoesNotContain("leaked", text + Sample().Json() + Sample().Metrics(0));
    }

    [Fact]
    public void The_exit_status_is_3_for_drift_1_when_the_state_of_a_machine_is_unknown_and_0_when_clean()
    {
        Assert.Equal(1, Sample().ExitCode);
        var reached = DriftReport.Judge("box", [("box-nas", "exports", new(3, "drift: a expected=b actual=c\n"))], new Dictionary<string, string>(), 1);
        Assert.Equal(3, reached.ExitCode);
        Assert.Equal(0, DriftReport.Judge("box", [("box-nas", "exports", new(0, "exports=4\n"))], new Dictionary<string, string>(), 1).ExitCode);
        // Exit 3 without a drift line, or any other status, is a failed check, not drift.
        Assert.Equal("error", DriftReport.Judge("box", [("box-nas", "exports", new(3, ""))], new Dictionary<string, string>(), 1).Steps[0].Status);
    }

    [Fact]
    public void The_json_report_parses_and_carries_every_difference()
    {
        using var json = System.Text.Json.JsonDocument.Parse(Sample().Json());
        var machines = json.RootElement.GetProperty("machines");
        Assert.Equal(2, json.RootElement.GetProperty("differences").GetInt32());
        Assert.Equal("sha256:bb", machines[0].GetProperty("steps")[0].GetProperty("differences")[0].GetProperty("actual").GetString());
        Assert.False(machines[2].GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public void The_pushgateway_series_count_differences_per_machine_and_checked_step()
    {
        var metrics = Sample().Metrics(1_790_000_000);
        Assert.Contains("lab_drift_differences{machine=\"box-nas\",step=\"exports\"} 1\n", metrics);
        Assert.Contains("lab_drift_differences{machine=\"box-control\",step=\"os\"} 0\n", metrics);
        Assert.DoesNotContain("step=\"kubeconfig\"", metrics);
        Assert.Contains("lab_drift_machine_reachable{machine=\"box-worker-1\"} 0\n", metrics);
        Assert.EndsWith("lab_drift_run_timestamp_seconds 1790000000\n", metrics);
    }
}
