using System.Text.Json;
using System.Text.Json.Nodes;
using Lab.Components.Images;
using Lab.Components.Validation;
using Lab.Model.Spec;
using Pulumi;

namespace Lab.Components.Tests;

public class ValidationGateTests
{
    private const string Job = "kubernetes:batch/v1:Job";

    private static JsonNode Spec(Plan.PlannedResource job) => JsonNode.Parse(JsonSerializer.Serialize(job.Inputs["spec"]))!;

    [Fact]
    public async Task Jobs_have_deadlines_no_retries_gpu_requests_and_node_selectors()
    {
        // The images' references come from their steps' output, as after a real run.
        var plan = await Lab.Plan(Lab.Prod.Gated(), new HealthyLabMocks(Lab.Prod.Gated()));
        var gpu = Spec(plan.Single(Job, "validation-gpu-util-derpy"));
        Assert.Equal(0, (int)gpu["backoffLimit"]!);
        Assert.Equal(600, (int)gpu["activeDeadlineSeconds"]!);
        var pod = gpu["template"]!["spec"]!;
        Assert.Equal("derpy", (string)pod["nodeSelector"]!["kubernetes.io/hostname"]!);
        Assert.Equal("Never", (string)pod["restartPolicy"]!);
        Assert.Equal("1", (string)pod["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]!);
        // The operator's pinned image, checked in the registry and run by digest.
        Assert.Matches(@"^192\.168\.50\.20:5000/lab/gpu-burn@sha256:[0-9a-f]{64}$", (string)pod["containers"]![0]!["image"]!);

        // The NFS probe reads and writes through the control node's own automount, not a volume the kubelet mounts.
        var nfs = Spec(plan.Single(Job, "validation-nfs-throughput"))["template"]!["spec"]!;
        Assert.Equal(("/mnt/nfs/results", "Directory"), ((string)nfs["volumes"]![0]!["hostPath"]!["path"]!, (string)nfs["volumes"]![0]!["hostPath"]!["type"]!));
        Assert.Null(nfs["volumes"]![0]!["nfs"]);
        Assert.Equal("HostToContainer", (string)nfs["containers"]![0]!["volumeMounts"]![0]!["mountPropagation"]!);
        Assert.Equal("zenon", (string)nfs["nodeSelector"]!["kubernetes.io/hostname"]!);
        // The inference probe runs where the endpoint is served (prod: zenon's address).
        Assert.Equal("zenon", (string)Pod(plan.Single(Job, "validation-inference-p95"))["nodeSelector"]!["kubernetes.io/hostname"]!);
        Assert.All(plan.OfType(Job), j => Assert.Contains("\"namespace\":\"lab-validation\"", JsonSerializer.Serialize(j.Inputs["metadata"])));
    }

    [Fact]
    public async Task The_gate_runs_after_every_other_component_and_on_the_cluster()
    {
        var plan = await Lab.Plan(Lab.Prod.Gated());
        var ns = plan.Single("kubernetes:core/v1:Namespace", "validation-namespace");
        Assert.Superset(new HashSet<string> { "qnap", "vault", "zenon", "gemini-1", "derpy", "rocinate", "cluster", "lab-alerts" }, ns.DependsOn.ToHashSet());
        Assert.All(plan.Where(r => r.ParentName == "validation" && r.Type.StartsWith("kubernetes:")), r => Assert.Equal("cluster-k8s", r.Provider));
        var collector = plan.Single("command:remote:Command", "validation-validation-results");
        Assert.Equal("192.168.50.11", JsonNode.Parse(JsonSerializer.Serialize(collector.Inputs["connection"]))!["host"]!.ToString());
        Assert.Equal(plan.OfType(Job).Select(j => j.Name).Order(), collector.DependsOn.Order());
    }

    [Fact]
    public async Task The_slurm_job_probe_reads_the_gate_key_and_pinned_host_key_written_before_the_collector_runs()
    {
        var plan = await Lab.Plan(Lab.Prod.GatedWithSlurm(), new HealthyLabMocks(Lab.Prod.GatedWithSlurm()));
        var pod = Pod(plan.Single(Job, "validation-slurm-job"));
        Assert.Equal("zenon", (string)pod["nodeSelector"]!["kubernetes.io/hostname"]!);
        Assert.Equal(("lab-slurm-gate-ssh", 288), ((string)pod["volumes"]![0]!["secret"]!["secretName"]!, (int)pod["volumes"]![0]!["secret"]!["defaultMode"]!));
        Assert.Equal(("/etc/lab-secret", true), ((string)pod["containers"]![0]!["volumeMounts"]![0]!["mountPath"]!, (bool)pod["containers"]![0]!["volumeMounts"]![0]!["readOnly"]!));
        // The key is the probe account's to read through its group, the pod otherwise as unprivileged as the others.
        Assert.Equal(64200, (int)pod["securityContext"]!["fsGroup"]!);
        Assert.Equal(64200, (int)pod["containers"]![0]!["securityContext"]!["runAsUser"]!);
        Assert.Null(pod["containers"]![0]!["resources"]);
        var trust = plan.Single("command:remote:Command", "validation-slurm-gate-trust");
        Assert.Contains("validation-namespace", trust.DependsOn);
        Assert.Contains("validation-slurm-gate-trust", plan.Single("command:remote:Command", "validation-validation-results").DependsOn);
        // The other probes mount no Secret, and without Slurm there is no trust step.
        Assert.All(plan.OfType(Job).Where(j => !j.Name.StartsWith("validation-slurm-job", StringComparison.Ordinal)), j => Assert.Null(Pod(j)["securityContext"]));
        Assert.DoesNotContain(await Lab.Plan(Lab.Prod.Gated()), r => r.Name == "validation-slurm-gate-trust");
    }

    [Fact]
    public async Task Enforce_fails_the_update_with_the_table_of_what_fell_short()
    {
        var shortfall = HealthyLabMocks.OnTarget(Lab.Dev.Gated()).Replace("check=inference_p95 value=200", "check=inference_p95 value=350");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Lab.Plan(Lab.Dev.Gated(), new HealthyLabMocks(Lab.Dev.Gated(), shortfall)));
        Assert.Contains("validation gate: 1 of 8 checks fall short (mode enforce).", e.ToString());
        Assert.Matches(@"inference_p95\s+350\s+<= 200 ms\s+SHORT", e.ToString());
    }

    [Fact]
    public async Task Warn_reports_the_table_and_lets_the_update_finish()
    {
        var warn = Lab.Dev.Gated().Edit(ConfigKeys.Validation, v => v["mode"] = "warn");
        var shortfall = HealthyLabMocks.OnTarget(warn).Replace("check=nfs_read value=200", "check=nfs_read value=120");
        var mocks = new HealthyLabMocks(warn, shortfall);
        await Lab.Plan(warn, mocks);
        var gate = (ValidationGate)mocks.Declared(ValidationGate.TypeToken, "validation");
        Assert.Matches(@"nfs_read\s+120\s+>= 200 MB/s\s+SHORT", await gate.Report.GetValueAsync());
    }

    [Fact]
    public async Task A_lab_on_target_passes_and_reports_it()
    {
        var mocks = new HealthyLabMocks(Lab.Dev.Gated());
        await Lab.Plan(Lab.Dev.Gated(), mocks);
        var gate = (ValidationGate)mocks.Declared(ValidationGate.TypeToken, "validation");
        Assert.EndsWith("all 8 checks meet their targets\n", await gate.Report.GetValueAsync());
    }

    [Fact]
    public async Task An_item_never_backed_up_fails_enforce_and_is_published_short_by_item()
    {
        var lab = LabSpecLoader.Load("dev", Lab.Dev.Gated().Config, Lab.Dev.Gated().SecretKeys);
        var ages = global::Lab.Model.Validation.Probes.For(lab).Single(p => p.Name == "backup-ages");
        var never = HealthyLabMocks.OnTarget(Lab.Dev.Gated()).Replace("LAB_RESULT check=backup_age_datastore value=24 unit=h\n",
            "LAB_SHORT check=backup_age_datastore reason=never_backed_up\n");
        Assert.Contains($"LAB_JOB job={ages.JobName} status=complete\n", never);
        var mocks = new HealthyLabMocks(Lab.Dev.Gated(), never);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Lab.Plan(Lab.Dev.Gated(), mocks));
        Assert.Contains("validation gate: 1 of 8 checks fall short (mode enforce).", e.ToString());
        Assert.Matches(@"backup_age_datastore\s+-\s+<= 24 h\s+SHORT\s+never backed up", e.ToString());
        var stdin = (string)mocks.Resources().Single(r => r.Name == Publish).Inputs["stdin"];
        Assert.Contains("lab_gate_check_status{check=\"backupRpo\",item=\"datastore\",node=\"lab\",status=\"short\"} 1", stdin);
        Assert.Contains("lab_gate_check_measured{check=\"backupRpo\",item=\"results\",node=\"lab\",unit=\"h\"} 24", stdin);
    }

    [Fact]
    public async Task The_backup_ages_probe_is_a_plain_pod_on_the_control_node_after_the_pushgateway()
    {
        var plan = await Lab.Plan(Lab.Prod.Gated(), new HealthyLabMocks(Lab.Prod.Gated()));
        var pod = Pod(plan.Single(Job, "validation-backup-ages"));
        Assert.Equal("zenon", (string)pod["nodeSelector"]!["kubernetes.io/hostname"]!);
        Assert.Null(pod["volumes"]);
        Assert.False((bool)pod["hostNetwork"]!);
        Assert.Equal(64200, (int)pod["containers"]![0]!["securityContext"]!["runAsUser"]!);
        Assert.Matches(@"/lab/probe-tools@sha256:[0-9a-f]{64}$", (string)pod["containers"]![0]!["image"]!);
        Assert.Contains("readonly url='http://lab-pushgateway.lab-monitoring.svc:9091/metrics'", (string)pod["containers"]![0]!["command"]![2]!);
        Assert.Superset(new HashSet<string> { "lab-pushgateway-deployment", "lab-pushgateway-service", "backups" },
            plan.Single("kubernetes:core/v1:Namespace", "validation-namespace").DependsOn.ToHashSet());
    }

    [Fact]
    public async Task Off_deploys_no_gate()
    {
        var plan = await Lab.Plan(Lab.Prod.Gated().Edit(ConfigKeys.Validation, v => v["mode"] = "off"));
        Assert.DoesNotContain(plan, r => r.Type == ValidationGate.TypeToken || r.Type == Job);
    }

    private static JsonNode Pod(Plan.PlannedResource job) => Spec(job)["template"]!["spec"]!;

    [Fact]
    public async Task Jobs_wait_suspended_for_the_collector_and_get_only_the_privilege_they_need()
    {
        var drill = Lab.Prod.Gated().Edit(ConfigKeys.Validation, v => v["drill"] = true);
        var plan = await Lab.Plan(drill, new HealthyLabMocks(drill));
        Assert.All(plan.OfType(Job), j => Assert.True((bool)Spec(j)["suspend"]!, j.Name));
        foreach (var job in plan.OfType(Job))
        {
            var pod = Pod(job);
            var security = pod["containers"]![0]!["securityContext"]!;
            var host = (pod["hostNetwork"]?.GetValue<bool>() ?? false, pod["hostPID"]?.GetValue<bool>() ?? false);
            if (job.Name.StartsWith("validation-drill-stop-rocinate", StringComparison.Ordinal))
            {
                Assert.True((bool)security["privileged"]!);
                Assert.Equal((false, true), host);
            }
            else
            {
                Assert.Equal((false, true, 64200L, "RuntimeDefault"), ((bool)security["allowPrivilegeEscalation"]!, (bool)security["runAsNonRoot"]!, (long)security["runAsUser"]!, (string)security["seccompProfile"]!["type"]!));
                Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
                var network = job.Name.StartsWith("validation-bandwidth-", StringComparison.Ordinal) || job.Name.StartsWith("validation-iperf3-server", StringComparison.Ordinal);
                Assert.Equal((network, false), host);
            }
        }
        var labels = JsonNode.Parse(JsonSerializer.Serialize(plan.Single("kubernetes:core/v1:Namespace", "validation-namespace").Inputs["metadata"]))!["labels"]!;
        Assert.Equal(("privileged", "restricted", "restricted"),
            ((string)labels["pod-security.kubernetes.io/enforce"]!, (string)labels["pod-security.kubernetes.io/warn"]!, (string)labels["pod-security.kubernetes.io/audit"]!));
        // The watcher may read the stop Job's log, in its namespace only.
        var logs = JsonNode.Parse(JsonSerializer.Serialize(plan.Single("kubernetes:rbac.authorization.k8s.io/v1:Role", "validation-drill-log-reader").Inputs["rules"]))!;
        Assert.Contains("pods/log", logs.ToJsonString());
    }

    [Fact]
    public async Task Every_probe_has_a_suspended_spare_job_that_only_the_collector_resumes()
    {
        var plan = await Lab.Plan(Lab.Dev.Gated(), new HealthyLabMocks(Lab.Dev.Gated()));
        var lab = LabSpecLoader.Load("dev", Lab.Dev.Gated().Config, Lab.Dev.Gated().SecretKeys);
        foreach (var probe in global::Lab.Model.Validation.Probes.For(lab))
        {
            var first = plan.Single(Job, $"validation-{probe.Name}");
            var spare = plan.Single(Job, $"validation-{probe.Name}-rerun");
            Assert.Equal(probe.RerunJobName, (string)JsonNode.Parse(JsonSerializer.Serialize(spare.Inputs["metadata"]))!["name"]!);
            Assert.True((bool)Spec(spare)["suspend"]!);
            // The same pod as the first attempt, on the same node.
            Assert.Equal(Pod(first)["nodeSelector"]!.ToJsonString(), Pod(spare)["nodeSelector"]!.ToJsonString());
            Assert.Equal(Pod(first)["containers"]![0]!["command"]!.ToJsonString(), Pod(spare)["containers"]![0]!["command"]!.ToJsonString());
        }
        // The NFS probe's hostPath needs the privileged level; the namespace still warns and audits at restricted.
        var labels = JsonNode.Parse(JsonSerializer.Serialize(plan.Single("kubernetes:core/v1:Namespace", "validation-namespace").Inputs["metadata"]))!["labels"]!;
        Assert.Equal("privileged", (string)labels["pod-security.kubernetes.io/enforce"]!);
    }

    private const string Publish = "validation-validation-publish";

    [Fact]
    public async Task Each_run_is_published_to_the_pushgateway_from_the_control_node_after_the_collector()
    {
        var plan = await Lab.Plan(Lab.Prod.Gated(), new HealthyLabMocks(Lab.Prod.Gated()));
        var publish = plan.Single("command:remote:Command", Publish);
        Assert.Equal("192.168.50.11", JsonNode.Parse(JsonSerializer.Serialize(publish.Inputs["connection"]))!["host"]!.ToString());
        Assert.Equal(["lab-pushgateway-deployment", "lab-pushgateway-service", "validation-validation-results"], publish.DependsOn.Order());
        var stdin = (string)publish.Inputs["stdin"];
        Assert.Contains("readonly url='http://127.0.0.1:30091/metrics/job/lab_validation_gate'", stdin);
        // The rendered series follow the script.
        Assert.Contains("\nlab_gate_check_status{check=\"gpuUtilization\",node=\"derpy\",status=\"pass\"} 1\n", stdin);
        Assert.Contains("lab_gate_run_info{epoch=\"0\",fingerprint=\"", stdin);
    }

    [Fact]
    public async Task A_failing_run_is_published_before_enforce_fails_the_update()
    {
        var lab = LabSpecLoader.Load("dev", Lab.Dev.Gated().Config, Lab.Dev.Gated().SecretKeys);
        var gpu = global::Lab.Model.Validation.Probes.For(lab).Single(p => p.Name == "gpu-util-derpy").JobName;
        var busy = HealthyLabMocks.OnTarget(Lab.Dev.Gated()).Replace($"LAB_JOB job={gpu} status=complete\nLAB_RESULT check=gpu_utilization:derpy value=95 unit=%\n",
            $"LAB_JOB job={gpu} status=not_measurable reason=GpuBusy pod=ml/notebook-7f9c\n");
        var mocks = new HealthyLabMocks(Lab.Dev.Gated(), busy);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Lab.Plan(Lab.Dev.Gated(), mocks));
        Assert.Contains("validation gate: 1 of 8 checks could not be measured (mode enforce).", e.ToString());
        Assert.Matches(@"gpu_utilization:derpy\s+-\s+>= 95 %\s+NOT MEASURABLE\s+not measurable: GPU busy \(ml/notebook-7f9c\)", e.ToString());
        var stdin = (string)mocks.Resources().Single(r => r.Name == Publish).Inputs["stdin"];
        Assert.Contains("lab_gate_check_status{check=\"gpuUtilization\",node=\"derpy\",status=\"not_measurable\"} 1", stdin);
    }

    [Fact]
    public async Task A_failed_job_fails_the_update_with_its_reason()
    {
        var lab = LabSpecLoader.Load("dev", Lab.Dev.Gated().Config, Lab.Dev.Gated().SecretKeys);
        var rapids = global::Lab.Model.Validation.Probes.For(lab).Single(p => p.Name == "rapids-speedup").JobName;
        var failed = HealthyLabMocks.OnTarget(Lab.Dev.Gated()).Replace($"LAB_JOB job={rapids} status=complete", $"LAB_JOB job={rapids} status=failed reason=DeadlineExceeded");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Lab.Plan(Lab.Dev.Gated(), new HealthyLabMocks(Lab.Dev.Gated(), failed)));
        Assert.Matches(@"rapids_speedup\s+-\s+>= 5 x\s+FAIL\s+job failed: DeadlineExceeded", e.ToString());
        Assert.Contains("could not be measured (mode enforce)", e.ToString());
    }

    [Fact]
    public async Task Jobs_run_the_digest_their_image_build_pushed()
    {
        var mocks = new HealthyLabMocks(Lab.Prod);
        var plan = await Lab.Plan(Lab.Prod, mocks);
        var images = (BuiltImages)mocks.Declared(BuiltImages.TypeToken, "images");
        var built = await images.References["cuda"].GetValueAsync();
        Assert.Matches(@"^192\.168\.50\.20:5000/lab/gpu-burn@sha256:[0-9a-f]{64}$", built);
        var pod = Spec(plan.Single(Job, "validation-gpu-util-derpy"))["template"]!["spec"]!;
        Assert.Equal(built, (string)pod["containers"]![0]!["image"]!);
        // Every Job of the gate comes after every node trusts the registry.
        Assert.Superset(new[] { "zenon", "gemini-1", "derpy", "rocinate" }.Select(n => $"images-{n}-registry-trust").ToHashSet(),
            plan.Single("kubernetes:core/v1:Namespace", "validation-namespace").DependsOn.ToHashSet());
    }

    [Fact]
    public async Task An_image_step_without_a_digest_fails_the_update_naming_the_image_and_the_registry()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Lab.Plan(Lab.Prod, new HealthyLabMocks(Lab.Prod, unpushedImage: "tools")));
        Assert.Contains("image tools: the image step printed no digest for 192.168.50.20:5000/lab/probe-tools in registry 192.168.50.20:5000", e.ToString());
    }
}
