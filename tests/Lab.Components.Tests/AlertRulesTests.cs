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
}
