using System.Text.Json;
using System.Text.Json.Nodes;
using Lab.Components.Images;
using Lab.Components.Monitoring;
using Lab.Model.Monitoring;
using Lab.Model.Spec;

namespace Lab.Components.Tests;

/// <summary>The Pushgateway of contract 3: lab-monitoring, Service lab-pushgateway on 9091 and NodePort 30091, a ServiceMonitor with honorLabels.</summary>
public class PushgatewayTests
{
    private static JsonNode Json(object value) => JsonNode.Parse(JsonSerializer.Serialize(value))!;

    [Fact]
    public async Task The_pushgateway_runs_its_pinned_image_unprivileged_behind_a_nodeport_and_is_scraped_with_its_labels()
    {
        var plan = await Lab.Plan(Lab.Prod.Gated(), new HealthyLabMocks(Lab.Prod.Gated()));
        Assert.Single(plan, r => r.Type == Pushgateway.TypeToken);
        var ns = Json(plan.Single("kubernetes:core/v1:Namespace", "lab-pushgateway-namespace").Inputs["metadata"]);
        Assert.Equal(("lab-monitoring", "restricted"), ((string)ns["name"]!, (string)ns["labels"]!["pod-security.kubernetes.io/enforce"]!));

        var deployment = plan.Single("kubernetes:apps/v1:Deployment", "lab-pushgateway-deployment");
        Assert.Equal("cluster-k8s", deployment.Provider);
        var pod = Json(deployment.Inputs["spec"])["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Matches(@"^192\.168\.50\.20:5000/lab/pushgateway@sha256:[0-9a-f]{64}$", (string)container["image"]!);
        Assert.Equal(["/usr/bin/prometheus-pushgateway"], container["command"]!.AsArray().Select(c => (string)c!));
        Assert.Contains("--web.listen-address=:9091", container["args"]!.AsArray().Select(c => (string)c!));
        Assert.Equal((true, 65534L), ((bool)pod["securityContext"]!["runAsNonRoot"]!, (long)pod["securityContext"]!["runAsUser"]!));
        Assert.Equal((false, true), ((bool)container["securityContext"]!["allowPrivilegeEscalation"]!, (bool)container["securityContext"]!["readOnlyRootFilesystem"]!));
        Assert.NotNull(container["resources"]!["requests"]!["memory"]);
        Assert.Equal("/-/ready", (string)container["readinessProbe"]!["httpGet"]!["path"]!);

        var service = Json(plan.Single("kubernetes:core/v1:Service", "lab-pushgateway-service").Inputs);
        Assert.Equal(("lab-pushgateway", "lab-monitoring"), ((string)service["metadata"]!["name"]!, (string)service["metadata"]!["namespace"]!));
        var port = service["spec"]!["ports"]![0]!;
        Assert.Equal(("NodePort", 9091, 30091), ((string)service["spec"]!["type"]!, (int)port["port"]!, (int)port["nodePort"]!));

        var monitor = Json(plan.Single("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "lab-pushgateway-monitor").Inputs);
        Assert.Equal("kube-prom-stack", (string)monitor["metadata"]!["labels"]!["release"]!);
        Assert.True((bool)monitor["spec"]!["endpoints"]![0]!["honorLabels"]!);
        Assert.Equal("lab-pushgateway", (string)monitor["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/name"]!);
    }

    [Fact]
    public async Task Every_stack_deploys_the_pushgateway_the_program_built_gate_on_or_off()
    {
        foreach (var file in new[] { Lab.Prod, Lab.Prod.Edit(ConfigKeys.Validation, v => v["mode"] = "off") })
        {
            var mocks = new HealthyLabMocks(file);
            var plan = await Lab.Plan(file, mocks);
            var built = await ((BuiltImages)mocks.Declared(BuiltImages.TypeToken, "images")).References[PushedMetrics.ImageKey].GetValueAsync();
            var pod = Json(plan.Single("kubernetes:apps/v1:Deployment", "lab-pushgateway-deployment").Inputs["spec"])["template"]!["spec"]!;
            Assert.Equal(built, (string)pod["containers"]![0]!["image"]!);
        }
    }
}
