using Lab.Model.Backups;
using Lab.Model.Monitoring;
using Lab.Model.Spec;
using Lab.Model.Text;
using Lab.Model.Validation;

namespace Lab.Model.Tests;

/// <summary>
/// The gate's backup-ages probe (prod's, rendered), run in bash against a real Pushgateway (Debian's prometheus-pushgateway)
/// that holds what the rendered lab-backup pushed after a real restic backup, and series POSTed to the same groups in the
/// shape lab-backup's own printf gives them (its success and failure branches); the output is judged with prod's RPOs.
/// </summary>
public sealed class BackupAgeProbeTests : IDisposable
{
    private static readonly LabSpec Prod = Repo.GatedProd();
    private static readonly Probe AgeProbe = Probes.For(Prod).Single(p => p.Name == "backup-ages");
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lab-backup-age-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string At(string name) => Path.Combine(_dir.FullName, name);

    /// <summary>The probe's script reading URL instead of the in-cluster Service.</summary>
    private static string Script(string url) =>
        AgeProbe.Script.Replace($"readonly url={Shell.Quote(Probes.PushgatewayMetricsUrl)}", $"readonly url={Shell.Quote(url)}", StringComparison.Ordinal);

    private static GateVerdict Judge(string stdout) => GateVerdict.Judge([AgeProbe], $"LAB_JOB job={AgeProbe.JobName} status=complete\n{stdout}");

    /// <summary>POSTs series to the item's group, as lab-backup's push does (curl --data-binary to /metrics/job/lab_backup/item/ITEM[/...]).</summary>
    private static void Post(RealPushgateway gateway, string group, string series)
    {
        using var http = new HttpClient();
        var answer = http.PostAsync($"http://127.0.0.1:{gateway.Port}{PushedMetrics.GroupPath(PushedMetrics.BackupJob)}/{group}", new StringContent(series)).Result;
        Assert.True(answer.IsSuccessStatusCode, $"{answer.StatusCode}");
    }

    [Fact]
    public void Each_items_age_comes_from_what_lab_backup_pushed_and_an_item_never_backed_up_falls_short()
    {
        using var gateway = new RealPushgateway();
        File.WriteAllText(At("password"), "the repository password\n");
        Directory.CreateDirectory(At("share/results"));
        File.WriteAllText(At("share/results/loss.csv"), "epoch,loss\n1,0.12\n");
        Assert.Equal(0, Tools.Run("restic", ["-r", At("repo"), "--password-file", At("password"), "init"]).Code);
        // The real run: prod's NAS lab-backup, real restic, pushing to the real Pushgateway.
        var (code, output) = Tools.Run("bash", [BackupRunTests.NasScript(Prod, _dir.FullName, "password", $"http://127.0.0.1:{gateway.Port}"), "backup", "results"]);
        Assert.True(code == 0, output);
        Assert.DoesNotContain("could not publish", output);
        // datasets: its last good backup 200 h ago (prod's RPO: 168 h), and a stray group with a newer one that must not count.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var old = now - (200 * 3600);
        Post(gateway, "item/datasets", $"lab_backup_last_success_timestamp_seconds {old}\nlab_backup_size_bytes 4096\nlab_backup_rpo_seconds 604800\nlab_backup_last_run_success 1\nlab_backup_last_run_timestamp_seconds {old}\n");
        Post(gateway, "item/datasets/instance/stray", $"lab_backup_last_success_timestamp_seconds {now}\n");
        // datastore: only failed runs (lab-backup's failure branch pushes no last success).
        Post(gateway, "item/datastore", $"lab_backup_rpo_seconds 86400\nlab_backup_last_run_success 0\nlab_backup_last_run_timestamp_seconds {now}\n");
        // The exact series the probe reads, as the Pushgateway exposes them.
        Assert.Contains($"{BackupJobs.LastSuccessMetric}{{instance=\"\",item=\"results\",job=\"lab_backup\"}} ", gateway.Metrics());

        var run = ProbeScriptTests.Bash(Script($"http://127.0.0.1:{gateway.Port}/metrics"));
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Equal(["LAB_RESULT check=backup_age_results value=0.00 unit=h", "LAB_RESULT check=backup_age_datasets value=200.00 unit=h"],
            run.Results.Select(r => r.Replace("value=0.01 ", "value=0.00 ", StringComparison.Ordinal)));
        Assert.Contains("LAB_SHORT check=backup_age_datastore reason=never_backed_up", run.Stdout.Split('\n'));
        Assert.Contains("datastore has no good backup on record", run.Stderr);

        var verdict = Judge(run.Stdout);
        var byItem = verdict.Checks.ToDictionary(c => c.Check.Item!);
        Assert.Equal((Outcome.Pass, CheckStatus.Pass), (byItem["results"].Outcome, byItem["results"].Status));
        Assert.Equal((Outcome.Short, 200.0, 168.0), (byItem["datasets"].Outcome, byItem["datasets"].Measured!.Value, byItem["datasets"].Check.Target));
        Assert.Equal((Outcome.Short, CheckStatus.Short, (double?)null), (byItem["datastore"].Outcome, byItem["datastore"].Status, byItem["datastore"].Measured));
        Assert.StartsWith("never backed up", byItem["datastore"].Note, StringComparison.Ordinal);
        Assert.All(verdict.Checks, c => Assert.Equal(Check.LabWide, c.Check.Node));
        Assert.False(verdict.Passed);
    }

    [Fact]
    public void An_empty_pushgateway_passes_no_item_and_a_dead_one_fails_the_probe()
    {
        using (var gateway = new RealPushgateway())
        {
            var run = ProbeScriptTests.Bash(Script($"http://127.0.0.1:{gateway.Port}/metrics"));
            Assert.True(run.Code == 0, run.Stderr);
            Assert.Empty(run.Results);
            Assert.All(Judge(run.Stdout).Checks, c => Assert.Equal(Outcome.Short, c.Outcome));
            Assert.Equal(Prod.Backups!.Items.Length, Judge(run.Stdout).Checks.Count);
        }
        var dead = ProbeScriptTests.Bash(Script($"http://127.0.0.1:{RealPushgateway.FreePort()}/metrics"));
        Assert.NotEqual(0, dead.Code);
        Assert.DoesNotContain("LAB_", dead.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_last_good_backup_in_the_future_is_skew_within_five_minutes_and_no_measurement_beyond()
    {
        using var gateway = new RealPushgateway();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Post(gateway, "item/results", $"lab_backup_last_success_timestamp_seconds {now + 120}\n");
        Post(gateway, "item/datasets", $"lab_backup_last_success_timestamp_seconds {now + 7200}\n");
        var run = ProbeScriptTests.Bash(Script($"http://127.0.0.1:{gateway.Port}/metrics"));
        Assert.True(run.Code == 0, run.Stderr);
        var verdict = Judge(run.Stdout).Checks.ToDictionary(c => c.Check.Item!);
        Assert.Equal((Outcome.Pass, 0.0), (verdict["results"].Outcome, verdict["results"].Measured!.Value));
        Assert.Equal(Outcome.Malformed, verdict["datasets"].Outcome);
        Assert.Equal(CheckStatus.NotMeasurable, verdict["datasets"].Status);
    }

    [Fact]
    public void Prod_checks_every_item_against_its_rpo_in_hours_on_the_lab_wide_node()
    {
        Assert.Equal(Prod.ControlNode.Name, AgeProbe.Node);
        Assert.Equal(Prod.Backups!.Items.Select(i => (i.Name, i.RpoSeconds / 3600.0)), AgeProbe.Checks.Select(c => (c.Item!, c.Target)));
        Assert.All(AgeProbe.Checks, c => Assert.Equal(("backupRpo", "h", false, "lab"), (c.Key, c.Unit, c.AtLeast, c.Node)));
        Assert.Equal(["backup_age_results", "backup_age_datasets", "backup_age_datastore", "backup_age_vault"], AgeProbe.Checks.Select(c => c.Id));
        Assert.Equal("backup_age_shared_scratch", Probes.BackupAgeCheck(new BackupItemSpec("shared-scratch", BackupSource.Export, "x", "daily", 3600, new KeepRules(1, 0, 0, 0))).Id);
        // Without backups, no probe reads them.
        Assert.DoesNotContain(Probes.For(Prod with { Backups = null }), p => p.Name == "backup-ages");
    }
}
