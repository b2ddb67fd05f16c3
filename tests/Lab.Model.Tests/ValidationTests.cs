using System.Text.Json.Nodes;
using Lab.Model.Spec;
using Lab.Model.Validation;

namespace Lab.Model.Tests;

public class ValidationConfigTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    private static Repo.Config Validation(Action<JsonNode> edit) => Repo.ProdConfig().Edit(ConfigKeys.Validation, edit);

    [Fact]
    public void Shipped_targets_are_seed_004s()
    {
        var t = Repo.Prod().Validation.Targets;
        Assert.Equal((95, 200, 5, 2.3, 30), (t.GpuUtilizationPercent, t.InferenceP95Ms, t.RapidsSpeedup, t.BandwidthGbits, t.FailureDetectionSeconds));
        Assert.Equal(GateMode.Enforce, Repo.Prod().Validation.Mode);
    }

    [Fact]
    public void Unknown_mode_is_reported()
    {
        Assert.Contains("enforce", Single(Validation(v => v["mode"] = "strict").Errors(), "lab:validation.mode").Fix);
    }

    [Theory]
    [InlineData("lab/probe-tools:latest")]
    [InlineData("lab/probe-tools")]
    public void Unpinned_images_are_reported(string image)
    {
        Assert.Single(Validation(v => v["images"]!["tools"] = image).Errors(), e => e.Key == "lab:validation.images.tools");
    }

    [Fact]
    public void A_registry_outside_the_lab_is_reported()
    {
        Assert.Contains("outside the lab subnet", Single(Validation(v => v["registry"] = "10.1.2.3:5000").Errors(), "lab:validation.registry").Problem);
    }

    [Theory]
    [InlineData("gpuUtilization", 120)]
    [InlineData("inferenceP95", 0)]
    [InlineData("bandwidth", -1)]
    public void Targets_out_of_range_are_reported(string target, double value)
    {
        Assert.Single(Validation(v => v["targets"]![target] = value).Errors(), e => e.Key == $"lab:validation.targets.{target}");
    }

    [Fact]
    public void The_nfs_probe_needs_a_writable_export()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![2]!["access"] = "ro").Errors();
        Assert.Contains("read-only", Single(errors, "lab:validation.nfsExport").Problem);
    }
}

public class ProbeTests
{
    [Fact]
    public void Prod_probes_measure_every_target_on_the_right_nodes()
    {
        var probes = Probes.For(Repo.Prod());
        Assert.Equal(
            ["gpu-util-zenon", "gpu-util-gemini-1", "gpu-util-derpy", "gpu-util-rocinate", "inference-p95", "iperf3-server",
             "bandwidth-gemini-1", "bandwidth-derpy", "bandwidth-rocinate", "nfs-throughput", "rapids-speedup"],
            probes.Select(p => p.Name));
        Assert.All(probes.Where(p => p.Name.StartsWith("gpu-util-")), p => Assert.True(p.Gpu && p.Node == p.Name["gpu-util-".Length..]));
        Assert.All(probes.Where(p => p.Name.StartsWith("bandwidth-") || p.Name == "iperf3-server"), p => Assert.True(p.HostNetwork));
        Assert.Equal("/share/lab/results", probes.Single(p => p.Name == "nfs-throughput").NfsPath);
        Assert.All(probes, p => Assert.StartsWith("192.168.50.20:5000/lab/", p.Image));
        Assert.All(probes, p => Assert.InRange(p.DeadlineSeconds, 60, 3600));
        Assert.DoesNotContain(probes, p => p.Privileged);
    }

    [Fact]
    public void The_drill_is_opt_in()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["drill"] = true).Load();
        var drill = Probes.For(lab).Where(p => p.Name.StartsWith("drill-")).ToList();
        Assert.Equal(["drill-stop-rocinate", "drill-watch-rocinate"], drill.Select(p => p.Name));
        Assert.True(drill[0].Privileged);
        Assert.True(drill[1].NeedsNodeReader);
        Assert.Equal("failure_detection:rocinate", Assert.Single(drill[1].Checks).Id);
    }

    [Fact]
    public void Mode_off_runs_nothing()
    {
        Assert.Empty(Probes.For(Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["mode"] = "off").Load()));
    }

    private static IEnumerable<string> Rerun(Action<Repo.Config> change)
    {
        var before = Probes.For(Repo.Prod());
        var config = Repo.ProdConfig();
        change(config);
        var after = Probes.For(config.Load());
        return before.Zip(after).Where(p => p.First.JobName != p.Second.JobName).Select(p => p.First.Name);
    }

    [Fact]
    public void A_driver_change_reruns_only_the_gpu_probes()
    {
        Assert.Equal(["gpu-util-zenon", "gpu-util-gemini-1", "gpu-util-derpy", "gpu-util-rocinate", "rapids-speedup"],
            Rerun(c => c.Edit(ConfigKeys.Versions, v => v["nvidiaDriver"] = "580.105.08-0ubuntu0.24.04.1")));
    }

    [Fact]
    public void A_rebuilt_node_reruns_what_measures_it()
    {
        Assert.Equal(["gpu-util-derpy", "iperf3-server", "bandwidth-gemini-1", "bandwidth-derpy", "bandwidth-rocinate"],
            Rerun(c => c.Edit(ConfigKeys.Nodes, n => n[2]!["rebuild"] = 1)));
    }

    [Fact]
    public void A_storage_change_reruns_the_nfs_probe()
    {
        Assert.Equal(["nfs-throughput"], Rerun(c => c.Edit(ConfigKeys.Nas, n => n["exports"]![0]!["sync"] = false)));
    }

    [Fact]
    public void Bumping_the_epoch_reruns_everything_and_new_targets_rerun_nothing()
    {
        Assert.Equal(11, Rerun(c => c.Edit(ConfigKeys.Validation, v => v["epoch"] = 1)).Count());
        Assert.Empty(Rerun(c => c.Edit(ConfigKeys.Validation, v => v["targets"]!["bandwidth"] = 2.0)));
    }

    [Fact]
    public void Probe_scripts_print_machine_readable_results_and_the_collector_waits_for_every_job()
    {
        var lab = Repo.Prod();
        var probes = Probes.For(lab);
        Assert.All(probes.Where(p => p.Checks.Count > 0), p => Assert.Contains("LAB_RESULT check=", p.Script));
        var collector = Collector.Step(lab, probes).Text;
        Assert.All(probes, p => Assert.Contains(p.JobName, collector));
        Assert.Contains("echo \"LAB_JOB job=$job\"", collector);
    }
}

public class GateVerdictTests
{
    private static readonly IReadOnlyList<Probe> Prod = Probes.For(Repo.Prod());

    private static string Job(string probe) => Prod.Single(p => p.Name == probe).JobName;

    /// <summary>Output of a healthy prod run.</summary>
    private static string Healthy() => string.Join("\n",
    [
        .. new[] { "zenon", "gemini-1", "derpy", "rocinate" }.SelectMany(n => new[] { $"LAB_JOB job={Job($"gpu-util-{n}")}", $"LAB_RESULT check=gpu_utilization:{n} value=98.2 unit=%" }),
        $"LAB_JOB job={Job("inference-p95")}", "LAB_RESULT check=inference_p95 value=142.5 unit=ms",
        $"LAB_JOB job={Job("iperf3-server")}",
        .. new[] { "gemini-1", "derpy", "rocinate" }.SelectMany(n => new[] { $"LAB_JOB job={Job($"bandwidth-{n}")}", $"LAB_RESULT check=bandwidth:{n} value=2.36 unit=Gbit/s" }),
        $"LAB_JOB job={Job("nfs-throughput")}", "LAB_RESULT check=nfs_write value=231.0 unit=MB/s", "LAB_RESULT check=nfs_read value=268.4 unit=MB/s",
        $"LAB_JOB job={Job("rapids-speedup")}", "LAB_RESULT check=rapids_speedup value=11.70 unit=x",
    ]) + "\n";

    private static CheckVerdict Verdict(string output, string check) => GateVerdict.Judge(Prod, output).Checks.Single(c => c.Check.Id == check);

    [Fact]
    public void A_healthy_lab_passes_every_check()
    {
        var verdict = GateVerdict.Judge(Prod, Healthy());
        Assert.True(verdict.Passed, verdict.Table());
        Assert.Equal(11, verdict.Checks.Count);
    }

    [Fact]
    public void A_value_short_of_its_target_fails()
    {
        var v = Verdict(Healthy().Replace("bandwidth:derpy value=2.36", "bandwidth:derpy value=1.94"), "bandwidth:derpy");
        Assert.Equal((Outcome.Fail, 1.94), (v.Outcome, v.Measured!.Value));
        Assert.Equal(Outcome.Fail, Verdict(Healthy().Replace("value=142.5", "value=230"), "inference_p95").Outcome);
    }

    [Fact]
    public void Exactly_on_target_passes()
    {
        Assert.Equal(Outcome.Pass, Verdict(Healthy().Replace("gpu_utilization:zenon value=98.2", "gpu_utilization:zenon value=95"), "gpu_utilization:zenon").Outcome);
    }

    [Fact]
    public void A_missing_result_is_a_failure()
    {
        var output = Healthy().Replace("LAB_RESULT check=rapids_speedup value=11.70 unit=x\n", "");
        var verdict = GateVerdict.Judge(Prod, output);
        Assert.False(verdict.Passed);
        Assert.Equal(Outcome.Missing, verdict.Checks.Single(c => c.Check.Id == "rapids_speedup").Outcome);
    }

    [Theory]
    [InlineData("value=NaN")]
    [InlineData("value=Infinity")]
    [InlineData("value=fast")]
    [InlineData("value=")]
    [InlineData("value=1e999")]
    public void A_malformed_value_is_a_failure(string value)
    {
        Assert.Equal(Outcome.Malformed, Verdict(Healthy().Replace("value=11.70", value), "rapids_speedup").Outcome);
    }

    [Fact]
    public void A_result_in_the_wrong_unit_is_a_failure()
    {
        var v = Verdict(Healthy().Replace("value=2.36 unit=Gbit/s\nLAB_JOB job=" + Job("bandwidth-rocinate"), "value=2360 unit=Mbit/s\nLAB_JOB job=" + Job("bandwidth-rocinate")), "bandwidth:derpy");
        Assert.Equal(Outcome.Malformed, v.Outcome);
        Assert.Contains("'Mbit/s'", v.Note);
    }

    [Theory]
    [InlineData("gpu_utilization:zenon value=98.2", "gpu_utilization:zenon value=140")]
    [InlineData("gpu_utilization:zenon value=98.2", "gpu_utilization:zenon value=-3")]
    public void A_physically_impossible_value_is_a_failure(string from, string to)
    {
        Assert.Equal(Outcome.Malformed, Verdict(Healthy().Replace(from, to), "gpu_utilization:zenon").Outcome);
    }

    [Fact]
    public void Two_results_for_one_check_are_a_failure()
    {
        var output = Healthy().Replace("LAB_RESULT check=nfs_read value=268.4 unit=MB/s", "LAB_RESULT check=nfs_read value=268.4 unit=MB/s\nLAB_RESULT check=nfs_read value=999 unit=MB/s");
        Assert.Equal(Outcome.Malformed, Verdict(output, "nfs_read").Outcome);
    }

    [Fact]
    public void A_probe_cannot_vouch_for_another_probes_check()
    {
        // The inference Job prints a passing RAPIDS result; the real RAPIDS Job printed nothing.
        var output = Healthy().Replace("LAB_RESULT check=rapids_speedup value=11.70 unit=x\n", "")
            .Replace("LAB_RESULT check=inference_p95 value=142.5 unit=ms", "LAB_RESULT check=inference_p95 value=142.5 unit=ms\nLAB_RESULT check=rapids_speedup value=99 unit=x");
        Assert.Equal(Outcome.Missing, Verdict(output, "rapids_speedup").Outcome);
    }

    [Theory]
    [InlineData("LAB_RESULT check=rapids_speedup value=11.70 unit=x extra=1")]
    [InlineData("LAB_RESULT  check=rapids_speedup value=11.70 unit=x")]
    [InlineData("LAB_RESULT check=rapids_speedup value=11.70 unit=x\u001b[0m")]
    public void Hostile_lines_are_not_passes(string line)
    {
        var output = Healthy().Replace("LAB_RESULT check=rapids_speedup value=11.70 unit=x", line);
        Assert.NotEqual(Outcome.Pass, Verdict(output, "rapids_speedup").Outcome);
    }

    [Fact]
    public void Saved_output_of_an_earlier_run_is_judged_by_probe_not_fingerprint()
    {
        var earlier = Healthy().Replace(Job("rapids-speedup"), "rapids-speedup-0badc0de");
        Assert.Equal(Outcome.Pass, Verdict(earlier, "rapids_speedup").Outcome);
    }

    [Fact]
    public void The_table_shows_measured_target_and_verdict_per_check()
    {
        var table = GateVerdict.Judge(Prod, Healthy().Replace("value=142.5", "value=230")).Table();
        Assert.Matches(@"inference_p95\s+230\s+<= 200 ms\s+FAIL\s+short of target", table);
        Assert.Matches(@"bandwidth:derpy\s+2\.36\s+>= 2\.3 Gbit/s\s+PASS", table);
        Assert.EndsWith("1 of 11 checks fall short\n", table);
    }
}
