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

        var nfs = Spec(plan.Single(Job, "validation-nfs-throughput"))["template"]!["spec"]!;
        Assert.Equal("/share/lab/results", (string)nfs["volumes"]![0]!["nfs"]!["path"]!);
        Assert.Equal("192.168.50.20", (string)nfs["volumes"]![0]!["nfs"]!["server"]!);
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
    public async Task Enforce_fails_the_update_with_the_table_of_what_fell_short()
    {
        var shortfall = HealthyLabMocks.OnTarget(Lab.Dev.Gated()).Replace("check=inference_p95 value=200", "check=inference_p95 value=350");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Lab.Plan(Lab.Dev.Gated(), new HealthyLabMocks(Lab.Dev.Gated(), shortfall)));
        Assert.Contains("validation gate: the lab falls short of its targets (mode enforce).", e.ToString());
        Assert.Matches(@"inference_p95\s+350\s+<= 200 ms\s+FAIL", e.ToString());
    }

    [Fact]
    public async Task Warn_reports_the_table_and_lets_the_update_finish()
    {
        var warn = Lab.Dev.Gated().Edit(ConfigKeys.Validation, v => v["mode"] = "warn");
        var shortfall = HealthyLabMocks.OnTarget(warn).Replace("check=nfs_read value=200", "check=nfs_read value=120");
        var mocks = new HealthyLabMocks(warn, shortfall);
        await Lab.Plan(warn, mocks);
        var gate = (ValidationGate)mocks.Declared(ValidationGate.TypeToken, "validation");
        Assert.Matches(@"nfs_read\s+120\s+>= 200 MB/s\s+FAIL", await gate.Report.GetValueAsync());
    }

    [Fact]
    public async Task A_lab_on_target_passes_and_reports_it()
    {
        var mocks = new HealthyLabMocks(Lab.Dev.Gated());
        await Lab.Plan(Lab.Dev.Gated(), mocks);
        var gate = (ValidationGate)mocks.Declared(ValidationGate.TypeToken, "validation");
        Assert.EndsWith("all 5 checks meet their targets\n", await gate.Report.GetValueAsync());
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
            if (job.Name == "validation-drill-stop-rocinate")
            {
                Assert.True((bool)security["privileged"]!);
                Assert.Equal((false, true), host);
            }
            else
            {
                Assert.Equal((false, true, 64200L, "RuntimeDefault"), ((bool)security["allowPrivilegeEscalation"]!, (bool)security["runAsNonRoot"]!, (long)security["runAsUser"]!, (string)security["seccompProfile"]!["type"]!));
                Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
                var network = job.Name.StartsWith("validation-bandwidth-", StringComparison.Ordinal) || job.Name == "validation-iperf3-server";
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
    public async Task Without_host_access_the_namespace_enforces_baseline()
    {
        var single = Lab.Dev.Gated();
        var plan = await Lab.Plan(single);
        var labels = JsonNode.Parse(JsonSerializer.Serialize(plan.Single("kubernetes:core/v1:Namespace", "validation-namespace").Inputs["metadata"]))!["labels"]!;
        Assert.Equal("baseline", (string)labels["pod-security.kubernetes.io/enforce"]!);
    }

    [Fact]
    public async Task A_failed_job_fails_the_update_with_its_reason()
    {
        var lab = LabSpecLoader.Load("dev", Lab.Dev.Gated().Config, Lab.Dev.Gated().SecretKeys);
        var rapids = global::Lab.Model.Validation.Probes.For(lab).Single(p => p.Name == "rapids-speedup").JobName;
        var failed = HealthyLabMocks.OnTarget(Lab.Dev.Gated()).Replace($"LAB_JOB job={rapids} status=complete", $"LAB_JOB job={rapids} status=failed reason=DeadlineExceeded");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Lab.Plan(Lab.Dev.Gated(), new HealthyLabMocks(Lab.Dev.Gated(), failed)));
        Assert.Matches(@"rapids_speedup\s+-\s+>= 5 x\s+FAIL\s+job failed: DeadlineExceeded", e.ToString());
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
