using System.Text.Json;
using System.Text.Json.Nodes;
using Lab.Components.Images;
using Lab.Model.Monitoring;
using Lab.Model.Spec;

namespace Lab.Components.Tests;

public class AlertRulesTests
{
    private const string Rule = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

    [Fact]
    public async Task The_rules_are_one_prometheus_rule_object_the_observability_prometheus_loads()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var rules = plan.Single(Rule, "lab-alerts");
        Assert.Equal(("lab:monitoring:AlertRules", "lab-alerts"), (rules.ParentType!, rules.ParentName!));
        Assert.Equal("cluster-k8s", rules.Provider);
        var metadata = JsonNode.Parse(JsonSerializer.Serialize(rules.Inputs["metadata"]))!;
        Assert.Equal("observability", (string)metadata["namespace"]!);
        Assert.Equal("kube-prom-stack", (string)metadata["labels"]!["release"]!);
    }

    [Fact]
    public async Task The_object_carries_exactly_the_rule_groups_promtool_checked()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var lab = LabSpecLoader.Load("prod", Lab.Prod.Config, Lab.Prod.SecretKeys);
        var expected = JsonNode.Parse(JsonSerializer.Serialize(AlertRuleGroups.Spec(AlertRuleGroups.Groups(lab))))!;
        var actual = JsonNode.Parse(JsonSerializer.Serialize(plan.Single(Rule, "lab-alerts").Inputs["spec"]))!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"spec differs:\n{actual}");
    }

    [Fact]
    public async Task The_rules_wait_for_the_cluster_to_be_ready()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var after = plan.Single(Rule, "lab-alerts").DependsOn;
        Assert.Contains("zenon-addons", after);
        Assert.Contains("rocinate-join", after);
    }

    private static StackFile WithBlackbox(StackFile file) => file.Edit(ConfigKeys.Validation, v =>
        v["images"] = new JsonObject { ["blackbox"] = $"lab/blackbox-exporter:0.23.0@sha256:{new string('b', 64)}" });

    private static JsonNode Json(global::Lab.Plan.PlannedResource r, string input) => JsonNode.Parse(JsonSerializer.Serialize(r.Inputs[input]))!;

    [Fact]
    public async Task Vault_health_is_probed_through_the_lab_blackbox_exporter_with_the_lab_ca()
    {
        var file = WithBlackbox(Lab.Prod);
        var plan = await Lab.Plan(file, new HealthyLabMocks(file));
        var lab = LabSpecLoader.Load("prod", file.Config, file.SecretKeys);
        var config = plan.Single("kubernetes:core/v1:ConfigMap", "lab-blackbox-config");
        var deployment = plan.Single("kubernetes:apps/v1:Deployment", "lab-blackbox-deployment");
        var probe = plan.Single("kubernetes:monitoring.coreos.com/v1:Probe", "lab-blackbox-vault-health");
        Assert.Equal(("lab:monitoring:BlackboxExporter", "lab-blackbox"), (probe.ParentType!, probe.ParentName!));
        // The configuration the real blackbox exporter checked (BlackboxProbesTests), in the observability namespace.
        Assert.Equal(BlackboxProbes.For(lab).Config(), (string)Json(config, "data")[BlackboxProbes.ConfigFile]!);
        Assert.Equal("observability", (string)Json(config, "metadata")["namespace"]!);
        // The pinned image, run as the Ubuntu package's binary; the lab CA read only from the node's file (contract 1).
        var pod = Json(deployment, "spec")["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        // The operator's pin, checked in the registry by the image step, as REPOSITORY@DIGEST in the lab's registry.
        Assert.Equal($"192.168.50.20:5000/lab/blackbox-exporter@sha256:{new string('b', 64)}", (string)container["image"]!);
        Assert.Equal(BlackboxProbes.Binary, (string)container["command"]![0]!);
        var ca = pod["volumes"]!.AsArray().Single(v => (string)v!["name"]! == "lab-ca")!;
        Assert.Equal(("/usr/local/share/ca-certificates/ai-lab-ca.crt", "File"), ((string)ca["hostPath"]!["path"]!, (string)ca["hostPath"]!["type"]!));
        var mount = container["volumeMounts"]!.AsArray().Single(m => (string)m!["name"]! == "lab-ca")!;
        Assert.Equal((BlackboxProbes.CaMountPath, true), ((string)mount["mountPath"]!, (bool)mount["readOnly"]!));
        // The Probe: selected by the add-on's Prometheus, job lab-vault-health, Vault's health URL as its target.
        Assert.Equal("kube-prom-stack", (string)Json(probe, "metadata")["labels"]!["release"]!);
        var spec = Json(probe, "spec");
        Assert.Equal(("lab-vault-health", "vault_health", "lab-blackbox.observability.svc:9115"),
            ((string)spec["jobName"]!, (string)spec["module"]!, (string)spec["prober"]!["url"]!));
        Assert.Equal("https://192.168.50.20:8200/v1/sys/health", (string)spec["targets"]!["staticConfig"]!["static"]![0]!);
        Assert.Contains("zenon-addons", probe.DependsOn);
    }

    [Fact]
    public async Task Without_a_pinned_image_the_blackbox_exporter_runs_the_one_the_program_built()
    {
        var mocks = new HealthyLabMocks(Lab.Prod);
        var plan = await Lab.Plan(Lab.Prod, mocks);
        var built = await ((BuiltImages)mocks.Declared(BuiltImages.TypeToken, "images")).References[BlackboxProbes.ImageKey].GetValueAsync();
        Assert.Matches(@"^192\.168\.50\.20:5000/lab/[a-z-]+@sha256:[0-9a-f]{64}$", built);
        var pod = Json(plan.Single("kubernetes:apps/v1:Deployment", "lab-blackbox-deployment"), "spec")["template"]!["spec"]!;
        Assert.Equal(built, (string)pod["containers"]![0]!["image"]!);
        Assert.Single(plan, r => r.Type == "kubernetes:monitoring.coreos.com/v1:Probe");
    }

    [Fact]
    public async Task The_dashboard_is_a_config_map_the_observability_grafana_sidecar_loads()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var map = plan.Single("kubernetes:core/v1:ConfigMap", "lab-dashboard");
        Assert.Equal(("lab:monitoring:GrafanaDashboard", "lab-dashboard"), (map.ParentType!, map.ParentName!));
        var metadata = Json(map, "metadata");
        // kube-prometheus-stack 76.4.1: grafana.sidecar.dashboards.label grafana_dashboard, labelValue "1", searchNamespace ALL.
        Assert.Equal(("observability", "lab-dashboard", "1"), ((string)metadata["namespace"]!, (string)metadata["name"]!, (string)metadata["labels"]!["grafana_dashboard"]!));
        // Exactly the JSON whose every query DashboardQueryTests ran on a real Prometheus.
        Assert.Equal(LabDashboard.Json(), (string)Json(map, "data")[LabDashboard.FileName]!);
        Assert.Contains("zenon-addons", map.DependsOn);
    }
}
