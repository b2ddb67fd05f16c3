using System.Text.Json.Nodes;
using Lab.Model.Images;
using Lab.Model.Spec;
using Lab.Model.Text;
using Lab.Model.Validation;

namespace Lab.Model.Tests;

public class ValidationConfigTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    private static Repo.Config Validation(Action<JsonNode> edit) => Repo.GatedProdConfig().Edit(ConfigKeys.Validation, edit);

    [Fact]
    public void Shipped_targets_are_seed_004s_and_the_gate_is_on_with_the_programs_own_images()
    {
        var t = Repo.Prod().Validation.Targets;
        Assert.Equal((95, 200, 5, 2.3, 30), (t.GpuUtilizationPercent, t.InferenceP95Ms, t.RapidsSpeedup, t.BandwidthGbits, t.FailureDetectionSeconds));
        // dev and prod enforce with no digest in the stack: every image is built by the program. The box has no cluster.
        Assert.All(new[] { Repo.Dev(), Repo.Prod() }, lab =>
        {
            Assert.Equal(GateMode.Enforce, lab.Validation.Mode);
            Assert.Empty(lab.Validation.Images);
            Assert.All(LabImages.Sources(lab), s => Assert.True(s.Built));
        });
        Assert.Equal(GateMode.Off, Repo.Load(StackFile.Read(Repo.BoxFile)).Validation.Mode);
    }

    [Fact]
    public void An_image_the_operator_pinned_is_not_built()
    {
        var lab = Repo.GatedProd();
        Assert.All(LabImages.Sources(lab).Where(s => s.Name is "cuda" or "tools" or "rapids"), s =>
        {
            Assert.False(s.Built);
            Assert.Matches(@"^192\.168\.50\.20:5000/lab/[a-z-]+:[^@]+@sha256:[0-9a-f]{64}$", s.Pinned);
            // Its step only checks that the digest resolves, and hands on REGISTRY/REPOSITORY@sha256:DIGEST.
            var data = ScriptData.Read(s.Step.Text).ToDictionary(v => v.Name, v => v.Display);
            Assert.DoesNotContain("context_files", data.Keys);
            Assert.Equal(s.Pinned, $"{data["registry"]}/{data["repository"]}:{s.Pinned!.Split(':')[2].Split('@')[0]}@{data["digest"]}");
        });
        Assert.All(LabImages.Sources(lab).Where(s => s.Name is "pushgateway" or "blackbox"), s => Assert.True(s.Built));
    }

    [Fact]
    public void Unknown_mode_is_reported()
    {
        Assert.Contains("enforce", Single(Validation(v => v["mode"] = "strict").Errors(), "lab:validation.mode").Fix);
    }

    [Theory]
    [InlineData("lab/probe-tools:latest")]
    [InlineData("lab/probe-tools")]
    [InlineData("lab/probe-tools:2026.10")]
    [InlineData("lab/probe-tools@sha256:0b8a4f5c3a7e1d2f4b6c8e0a1b3d5f7e9a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b")]
    [InlineData("lab/probe-tools:2026.10@sha256:0B8A4F5C")]
    public void Images_without_tag_and_digest_are_refused_naming_the_key_and_the_fix(string image)
    {
        var error = Single(Validation(v => v["images"]!["tools"] = image).Errors(), "lab:validation.images.tools");
        Assert.Contains("not pinned by digest (REPOSITORY:TAG@sha256:DIGEST)", error.Problem);
        Assert.Contains("skopeo inspect --format '{{.Digest}}' docker://192.168.50.20:5000/REPOSITORY:TAG", error.Fix);
        Assert.Contains("pulumi config set --path 'lab:validation.images.tools'", error.Fix);
    }

    [Fact]
    public void Even_a_gate_that_is_off_refuses_an_image_without_digest()
    {
        var error = Single(Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["images"] = new JsonObject
        {
            ["cuda"] = "lab/gpu-burn:cuda12.6.3",
            ["tools"] = "lab/probe-tools:2026.10",
            ["rapids"] = "lab/rapids:25.02",
        }).Errors().Where(e => e.Key == "lab:validation.images.cuda").ToList(), "lab:validation.images.cuda");
        Assert.Contains("privileged", error.Problem);
    }

    [Fact]
    public void A_probe_runs_again_when_its_image_is_rebuilt_or_re_pinned()
    {
        static string Job(LabSpec lab, string name) => Probes.For(lab).Single(p => p.Name == name).JobName;
        var prod = Repo.Prod();
        var newCommit = Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["build"]!["gpuBurnCommit"] = new string('b', 40)).Load();
        Assert.NotEqual(Job(prod, "gpu-util-zenon"), Job(newCommit, "gpu-util-zenon"));
        Assert.Equal(Job(prod, "nfs-throughput"), Job(newCommit, "nfs-throughput"));
        Assert.NotEqual(Job(prod, "nfs-throughput"), Job(Repo.GatedProd(), "nfs-throughput"));
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
    public void The_old_inference_endpoint_key_is_refused_with_how_to_migrate()
    {
        var errors = Validation(v =>
        {
            v.AsObject().Remove("inference");
            v["inferenceEndpoint"] = "http://192.168.50.11:8000/v1/models";
        }).Errors();
        var old = Assert.Single(errors, e => e.Key == "lab:validation.inferenceEndpoint");
        Assert.Contains("replaced by lab:validation.inference", old.Problem);
        Assert.Contains("inference: {endpoint: http://HOST:8000/v1, model: MODEL}", old.Fix);
    }

    [Theory]
    [InlineData("endpoint", "http://192.168.50.11:8000/v1/models")]
    [InlineData("endpoint", "ftp://192.168.50.11/v1")]
    [InlineData("model", "llama 3; rm -rf /")]
    public void A_bad_inference_setting_is_reported(string field, string value)
    {
        var errors = Validation(v => v["inference"]![field] = value).Errors();
        Assert.Contains(errors, e => e.Key == $"lab:validation.inference.{field}");
    }

    [Fact]
    public void The_nfs_probe_needs_a_writable_export()
    {
        var errors = Repo.GatedProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![2]!["access"] = "ro").Errors();
        Assert.Contains("read-only", Single(errors, "lab:validation.nfsExport").Problem);
    }
}

public class ProbeTests
{
    [Fact]
    public void Prod_probes_measure_every_target_on_the_right_nodes()
    {
        var probes = Probes.For(Repo.GatedProd());
        Assert.Equal(
            ["gpu-util-zenon", "gpu-util-gemini-1", "gpu-util-derpy", "gpu-util-rocinate", "rapids-speedup", "inference-p95", "iperf3-server",
             "bandwidth-gemini-1", "bandwidth-derpy", "bandwidth-rocinate", "nfs-throughput", "backup-ages"],
            probes.Select(p => p.Name));
        Assert.All(probes.Where(p => p.Name.StartsWith("gpu-util-")), p => Assert.True(p.Gpu && p.Node == p.Name["gpu-util-".Length..]));
        Assert.All(probes.Where(p => p.Name.StartsWith("bandwidth-") || p.Name == "iperf3-server"), p => Assert.Equal(HostAccess.Network, p.Host));
        // The control node's own automount of the export, with the lab's mount options, not a volume of the kubelet's.
        Assert.Equal("/mnt/nfs/results", probes.Single(p => p.Name == "nfs-throughput").NfsMountPoint);
        Assert.All(probes, p => Assert.Contains(p.ImageName, LabImages.Names));
        Assert.All(probes, p => Assert.InRange(p.DeadlineSeconds, 60, 3600));
        Assert.DoesNotContain(probes, p => p.Host == HostAccess.PrivilegedPid);
    }

    [Fact]
    public void The_drill_is_opt_in()
    {
        var lab = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["drill"] = true).Load();
        var drill = Probes.For(lab).Where(p => p.Name.StartsWith("drill-")).ToList();
        Assert.Equal(["drill-stop-rocinate", "drill-watch-rocinate"], drill.Select(p => p.Name));
        Assert.Equal(HostAccess.PrivilegedPid, drill[0].Host);
        Assert.True(drill[1].NeedsNodeReader);
        Assert.Equal("failure_detection:rocinate", Assert.Single(drill[1].Checks).Id);
    }

    [Fact]
    public void Mode_off_runs_nothing()
    {
        Assert.Empty(Probes.For(Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["mode"] = "off").Load()));
    }

    private static IEnumerable<string> Rerun(Action<Repo.Config> change, LabSpec? from = null)
    {
        var before = Probes.For(from ?? Repo.GatedProd());
        var config = Repo.GatedProdConfig();
        change(config);
        var after = Probes.For(config.Load());
        return before.Zip(after).Where(p => p.First.JobName != p.Second.JobName).Select(p => p.First.Name);
    }

    [Fact]
    public void A_driver_change_reruns_only_the_probes_of_what_runs_on_gpus()
    {
        // The inference server is zenon's (prod's endpoint is zenon's address) and runs on its GPU.
        Assert.Equal(["gpu-util-zenon", "gpu-util-gemini-1", "gpu-util-derpy", "gpu-util-rocinate", "rapids-speedup", "inference-p95"],
            Rerun(c => c.Edit(ConfigKeys.Versions, v => v["nvidiaDriver"] = "580.105.08-0ubuntu0.24.04.1")));
    }

    [Fact]
    public void A_rebuilt_node_reruns_what_measures_it()
    {
        Assert.Equal(["gpu-util-derpy", "iperf3-server", "bandwidth-gemini-1", "bandwidth-derpy", "bandwidth-rocinate"],
            Rerun(c => c.Edit(ConfigKeys.Nodes, n => n[2]!["rebuild"] = 1)));
    }

    [Theory]
    [InlineData("http://192.168.50.13:8000/v1", "derpy")]
    [InlineData("http://192.168.50.11:8000/v1", "zenon")]
    [InlineData("http://192.168.50.99:8000/v1", "zenon")]
    [InlineData("http://nim.lab.internal:8000/v1", "zenon")]
    public void The_inference_probe_runs_on_the_node_that_serves_the_endpoint_or_else_the_control_node(string endpoint, string node)
    {
        var config = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["inference"]!["endpoint"] = endpoint);
        Assert.Equal(node, Probes.For(config.Load()).Single(p => p.Name == "inference-p95").Node);
        // Rebuilding the serving node gives it a new Job, so a Job whose pod went with the old node is not read again.
        Assert.Contains("inference-p95", Rerun(c =>
        {
            c.Edit(ConfigKeys.Validation, v => v["inference"]!["endpoint"] = endpoint);
            var index = c.Load().Nodes.Select((n, i) => (n, i)).Single(x => x.n.Name == node).i;
            c.Edit(ConfigKeys.Nodes, n => n[index]!["rebuild"] = 1);
        }, config.Load()));
    }

    [Fact]
    public void The_gate_needs_the_control_node_to_mount_the_export_the_nfs_probe_measures()
    {
        var errors = Repo.GatedProdConfig().Edit(ConfigKeys.Nodes, n => n[0]!["mounts"] = new System.Text.Json.Nodes.JsonArray("datasets")).Errors();
        var error = Assert.Single(errors, e => e.Key == "lab:nodes[0].mounts");
        Assert.Contains("lab:validation.nfsExport", error.Problem);
    }

    [Fact]
    public void A_storage_change_reruns_the_nfs_probe()
    {
        Assert.Equal(["nfs-throughput"], Rerun(c => c.Edit(ConfigKeys.Nas, n => n["exports"]![0]!["sync"] = false)));
    }

    [Fact]
    public void Bumping_the_epoch_reruns_everything_and_new_targets_rerun_nothing()
    {
        Assert.Equal(12, Rerun(c => c.Edit(ConfigKeys.Validation, v => v["epoch"] = 1)).Count());
        Assert.Empty(Rerun(c => c.Edit(ConfigKeys.Validation, v => v["targets"]!["bandwidth"] = 2.0)));
    }

    [Fact]
    public void Probe_scripts_print_machine_readable_results_and_the_collector_waits_for_every_job()
    {
        var lab = Repo.GatedProd();
        var probes = Probes.For(lab);
        Assert.All(probes.Where(p => p.Checks.Count > 0), p => Assert.Contains("LAB_RESULT check=", p.Script));
        var collector = Collector.Step(lab, probes).Text;
        Assert.All(probes, p => Assert.Contains(p.JobName, collector));
        Assert.Contains("echo \"LAB_JOB job=$job status=$status${reason:+ reason=$reason}\"", collector);
    }

    [Fact]
    public void Probes_run_in_stages_that_share_no_gpu_and_no_link()
    {
        var lab = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["drill"] = true).Load();
        var stages = Probes.For(lab).GroupBy(p => p.Stage).ToList();
        foreach (var stage in stages)
        {
            // Two GPU Jobs in one stage only on different nodes.
            var gpu = stage.Where(p => p.Gpu).ToList();
            Assert.Equal(gpu.Count, gpu.Select(p => p.Node).Distinct().Count());
            // Network-heavy probes never beside each other, except the bandwidth stage (one iperf3 server, one test at a time).
            var network = stage.Where(p => p.Name is "inference-p95" or "nfs-throughput" || p.Name.StartsWith("bandwidth-", StringComparison.Ordinal)).Select(p => p.Name.Split('-')[0]).Distinct().ToList();
            Assert.True(network.Count <= 1, $"stage {stage.Key} mixes {string.Join(", ", network)}");
            Assert.False(gpu.Count > 0 && network.Count > 0, $"stage {stage.Key} mixes GPU and network probes");
        }
        // The drill last of the measurements; the backups' ages, which disturb nothing, after it.
        Assert.Equal(["drill-stop-rocinate", "drill-watch-rocinate"], stages[^2].Select(p => p.Name));
        Assert.Equal(["backup-ages"], stages[^1].Select(p => p.Name));
    }

    [Fact]
    public void The_collectors_time_bound_is_the_sum_of_each_stages_longest_deadline()
    {
        var probes = Probes.For(Repo.GatedProd());
        var expected = probes.GroupBy(p => p.Stage).Sum(s => s.Max(p => p.DeadlineSeconds) + Collector.GraceSeconds);
        Assert.Equal(expected, Collector.BoundSeconds(probes));
        // Hours at most, not one full timeout per failed Job after another.
        Assert.InRange(Collector.BoundSeconds(probes), 3600, 6 * 3600);
    }

    [Fact]
    public void The_inference_probe_posts_a_fixed_chat_completion_for_the_stacks_model()
    {
        var probe = Probes.For(Repo.GatedProd()).Single(p => p.Name == "inference-p95");
        Assert.Contains("readonly url='http://192.168.50.11:8000/v1/chat/completions'", probe.Script);
        Assert.Contains("readonly request_body='{\"model\":\"meta/llama3-8b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Reply with the single word: ready\"}],\"max_tokens\":8,\"temperature\":0,\"stream\":false}'", probe.Script);
        Assert.Contains("--fail", probe.Script);
    }

    [Fact]
    public void The_nas_step_creates_the_probe_directory_for_the_probe_account_and_never_removes_it()
    {
        var lab = Repo.GatedProd();
        var steps = Lab.Model.Storage.NasExports.Steps(lab);
        var results = steps.Single(s => s.Step == "export-results").Text;
        Assert.Contains("readonly probe_directory='/share/lab/results/.lab-validation'", results);
        Assert.Contains($"readonly probe_owner='{Probes.ProbeUid}:{Probes.ProbeGid}'", results);
        Assert.All(steps.Where(s => s.Step.StartsWith("export-", StringComparison.Ordinal) && s.Step != "export-results"), s => Assert.Contains("readonly probe_directory=''", s.Text));
        Assert.All(steps.Where(s => s.Step.StartsWith("export-", StringComparison.Ordinal)), s => Assert.DoesNotMatch(@"\brm\b|rmdir", s.Text));
    }
}

public class GateVerdictTests
{
    private static readonly IReadOnlyList<Probe> Prod = Probes.For(Repo.GatedProd());

    private static string Job(string probe) => Prod.Single(p => p.Name == probe).JobName;

    /// <summary>Output of a healthy prod run.</summary>
    private static string Healthy() => string.Join("\n",
    [
        .. new[] { "zenon", "gemini-1", "derpy", "rocinate" }.SelectMany(n => new[] { $"LAB_JOB job={Job($"gpu-util-{n}")} status=complete", $"LAB_RESULT check=gpu_utilization:{n} value=98.2 unit=%" }),
        $"LAB_JOB job={Job("inference-p95")} status=complete", "LAB_RESULT check=inference_p95 value=142.5 unit=ms",
        $"LAB_JOB job={Job("iperf3-server")} status=complete",
        .. new[] { "gemini-1", "derpy", "rocinate" }.SelectMany(n => new[] { $"LAB_JOB job={Job($"bandwidth-{n}")} status=complete", $"LAB_RESULT check=bandwidth:{n} value=2.36 unit=Gbit/s" }),
        $"LAB_JOB job={Job("nfs-throughput")} status=complete", "LAB_RESULT check=nfs_write value=231.0 unit=MB/s", "LAB_RESULT check=nfs_read value=268.4 unit=MB/s",
        $"LAB_JOB job={Job("rapids-speedup")} status=complete", "LAB_RESULT check=rapids_speedup value=11.70 unit=x",
        $"LAB_JOB job={Job("backup-ages")} status=complete", "LAB_RESULT check=backup_age_results value=3.50 unit=h",
        "LAB_RESULT check=backup_age_datasets value=70.25 unit=h", "LAB_RESULT check=backup_age_datastore value=11.02 unit=h",
        "LAB_RESULT check=backup_age_vault value=5.40 unit=h",
    ]) + "\n";

    private static CheckVerdict Verdict(string output, string check) => GateVerdict.Judge(Prod, output).Checks.Single(c => c.Check.Id == check);

    [Fact]
    public void A_healthy_lab_passes_every_check()
    {
        var verdict = GateVerdict.Judge(Prod, Healthy());
        Assert.True(verdict.Passed, verdict.Table());
        Assert.Equal(15, verdict.Checks.Count);
    }

    [Fact]
    public void A_backup_older_than_its_rpo_falls_short_and_one_never_backed_up_is_short_with_its_reason()
    {
        var old = Verdict(Healthy().Replace("backup_age_datastore value=11.02", "backup_age_datastore value=24.01"), "backup_age_datastore");
        Assert.Equal((Outcome.Short, 24.01, "lab", "datastore"), (old.Outcome, old.Measured!.Value, old.Check.Node, old.Check.Item));
        var never = Verdict(Healthy().Replace("LAB_RESULT check=backup_age_datastore value=11.02 unit=h", "LAB_SHORT check=backup_age_datastore reason=never_backed_up"), "backup_age_datastore");
        Assert.Equal((Outcome.Short, CheckStatus.Short, (double?)null), (never.Outcome, never.Status, never.Measured));
        Assert.StartsWith("never backed up", never.Note, StringComparison.Ordinal);
    }

    [Theory]
    // A reason the gate does not know, a garbled line, a shortfall beside a result, and one printed by another probe's Job.
    [InlineData("LAB_SHORT check=backup_age_datastore reason=fine", Outcome.Malformed)]
    [InlineData("LAB_SHORT check=backup_age_datastore reason=never backed up", Outcome.Malformed)]
    [InlineData("LAB_SHORT check=backup_age_datastore reason=never_backed_up\nLAB_RESULT check=backup_age_datastore value=1 unit=h", Outcome.Malformed)]
    [InlineData("LAB_JOB job=nfs-throughput-00000000 status=complete\nLAB_SHORT check=backup_age_datastore reason=never_backed_up", Outcome.Missing)]
    public void A_shortfall_line_never_passes_and_counts_only_when_well_formed_and_alone(string lines, Outcome expected)
    {
        var output = Healthy().Replace("LAB_RESULT check=backup_age_datastore value=11.02 unit=h", lines);
        var v = Verdict(output, "backup_age_datastore");
        Assert.Equal(expected, v.Outcome);
        Assert.False(v.Passed);
    }

    [Fact]
    public void A_value_short_of_its_target_fails()
    {
        var v = Verdict(Healthy().Replace("bandwidth:derpy value=2.36", "bandwidth:derpy value=1.94"), "bandwidth:derpy");
        Assert.Equal((Outcome.Short, 1.94), (v.Outcome, v.Measured!.Value));
        Assert.Equal(Outcome.Short, Verdict(Healthy().Replace("value=142.5", "value=230"), "inference_p95").Outcome);
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
    public void A_gpu_detail_counts_only_once_and_only_from_its_own_job()
    {
        const string detail = "LAB_DETAIL check=gpu_utilization:zenon gflops=9120 throttle=hw_thermal_slowdown";
        var own = Healthy().Replace("LAB_RESULT check=gpu_utilization:zenon value=98.2 unit=%", $"LAB_RESULT check=gpu_utilization:zenon value=98.2 unit=%\n{detail}");
        Assert.Equal("9120 Gflop/s, throttled: hw_thermal_slowdown", Verdict(own, "gpu_utilization:zenon").Detail);
        // Printed by another probe's Job, twice, or with a hostile tail: no detail.
        var other = Healthy().Replace("LAB_RESULT check=inference_p95 value=142.5 unit=ms", $"LAB_RESULT check=inference_p95 value=142.5 unit=ms\n{detail}");
        Assert.Equal("", Verdict(other, "gpu_utilization:zenon").Detail);
        Assert.Equal("", Verdict(own.Replace(detail, $"{detail}\n{detail}"), "gpu_utilization:zenon").Detail);
        Assert.Equal("", Verdict(own.Replace(detail, $"{detail};reboot"), "gpu_utilization:zenon").Detail);
    }

    [Fact]
    public void A_gpu_another_pod_holds_is_not_measurable_with_that_pod_named()
    {
        var busy = Healthy().Replace($"LAB_JOB job={Job("gpu-util-derpy")} status=complete\nLAB_RESULT check=gpu_utilization:derpy value=98.2 unit=%",
            $"LAB_JOB job={Job("gpu-util-derpy")} status=not_measurable reason=GpuBusy pod=ml/notebook-7f9c");
        var verdict = GateVerdict.Judge(Prod, busy);
        var derpy = verdict.Checks.Single(c => c.Check.Id == "gpu_utilization:derpy");
        Assert.Equal((Outcome.NotMeasurable, CheckStatus.NotMeasurable, "not measurable: GPU busy (ml/notebook-7f9c)"), (derpy.Outcome, derpy.Status, derpy.Note));
        Assert.False(verdict.Passed);
        Assert.Equal("1 of 15 checks could not be measured", verdict.Summary);
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
        Assert.Matches(@"inference_p95\s+230\s+<= 200 ms\s+SHORT\s+short of target", table);
        Assert.Matches(@"bandwidth:derpy\s+2\.36\s+>= 2\.3 Gbit/s\s+PASS", table);
        Assert.EndsWith("1 of 15 checks fall short\n", table);
    }
}
