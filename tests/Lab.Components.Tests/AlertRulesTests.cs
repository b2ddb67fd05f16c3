using System.Text.Json;
using System.Text.Json.Nodes;
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

    [Fact]
    public async Task Vault_outside_the_cluster_is_scraped_through_a_service_its_endpoints_and_a_service_monitor()
    {
        var plan = await Lab.Plan(Lab.Prod);
        JsonNode Json(Plan.PlannedResource r, string input) => JsonNode.Parse(JsonSerializer.Serialize(r.Inputs[input]))!;
        var service = plan.Single("kubernetes:core/v1:Service", "lab-alerts-vault-service");
        var endpoints = plan.Single("kubernetes:core/v1:Endpoints", "lab-alerts-vault-endpoints");
        var monitor = plan.Single("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "lab-alerts-vault-monitor");
        Assert.All(new[] { service, endpoints, monitor }, r => Assert.Equal(("observability", "lab-vault"), ((string)Json(r, "metadata")["namespace"]!, (string)Json(r, "metadata")["name"]!)));
        // No selector: the Endpoints name Vault's address from lab:vault.address.
        Assert.Null(Json(service, "spec")["selector"]);
        var subset = Json(endpoints, "subsets")[0]!;
        Assert.Equal(("192.168.50.20", 8200), ((string)subset["addresses"]![0]!["ip"]!, (int)subset["ports"]![0]!["port"]!));
        // Selected by the observability add-on's Prometheus, scraping Vault's Prometheus metrics over https.
        Assert.Equal("kube-prom-stack", (string)Json(monitor, "metadata")["labels"]!["release"]!);
        var endpoint = Json(monitor, "spec")["endpoints"]![0]!;
        Assert.Equal(("https", "https", "/v1/sys/metrics", "prometheus"),
            ((string)endpoint["port"]!, (string)endpoint["scheme"]!, (string)endpoint["path"]!, (string)endpoint["params"]!["format"]![0]!));
        Assert.Equal("lab-vault", (string)Json(monitor, "spec")["selector"]!["matchLabels"]!["app.kubernetes.io/name"]!);
        Assert.Equal("lab-vault", (string)Json(service, "metadata")["labels"]!["app.kubernetes.io/name"]!);
        Assert.Contains("zenon-addons", monitor.DependsOn);
    }
}
