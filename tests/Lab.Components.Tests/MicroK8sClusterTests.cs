using System.Text.Json;
using Lab.Components.Cluster;
using Lab.Model.Nodes;
using Lab.Plan;
using Pulumi;
using Pulumi.Command.Remote;

namespace Lab.Components.Tests;

public class MicroK8sClusterTests
{
    private const string Command = "command:remote:Command";

    [Fact]
    public async Task The_control_node_is_up_with_its_addons_before_any_worker_joins()
    {
        var plan = await Lab.Plan(Lab.Prod);
        // The control node's chain ends with the raft snapshot's agent (prod backs Vault up).
        Assert.Equal("zenon-vault-agent-snapshot", Assert.Single(plan.Single(Command, "zenon-microk8s").DependsOn));
        Assert.Equal("zenon-microk8s", Assert.Single(plan.Single(Command, "zenon-addons").DependsOn));
        Assert.Equal("zenon-addons", Assert.Single(plan.Single(Command, "zenon-kubeconfig").DependsOn));
        Assert.Equal("zenon-addons", Assert.Single(plan.Single(Command, "zenon-cluster-ca").DependsOn));
        foreach (var worker in new[] { "gemini-1", "derpy", "rocinate" })
        {
            // The token is issued only once the worker's own install is done: no boot wait or driver build eats its TTL.
            Assert.Equal(new[] { "zenon-addons", $"{worker}-microk8s" }.Order(), plan.Single(Command, $"zenon-join-token-{worker}").DependsOn.Order());
            // The join runs beside its token step, not after it: the token step waits for the worker's Node, and a failed
            // join fails it, so the next update issues the token again.
            Assert.Equal(new[] { $"{worker}-microk8s", "zenon-cluster-ca" }.Order(), plan.Single(Command, $"{worker}-join").DependsOn.Order());
            // The labels wait for both: the Node exists once the token step saw it.
            Assert.Equal(new[] { $"zenon-join-token-{worker}", $"{worker}-join" }.Order(), plan.Single("kubernetes:core/v1:NodePatch", $"{worker}-labels").DependsOn.Order());
            Assert.Equal($"{worker}-vault-agent", Assert.Single(plan.Single(Command, $"{worker}-microk8s").DependsOn));
        }
    }

    [Fact]
    public async Task Every_kubernetes_resource_uses_the_clusters_provider()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var k8s = plan.Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(k8s);
        Assert.All(k8s, r => Assert.Equal("cluster-k8s", r.Provider));
    }

    [Fact]
    public async Task The_provider_is_identified_by_the_control_nodes_rebuild_generation()
    {
        var plan = await Lab.Plan(Lab.Prod);
        Assert.Equal("microk8s-zenon-rebuild-0", plan.Single("pulumi:providers:kubernetes", "cluster-k8s").Inputs["clusterIdentifier"]);
        var rebuilt = await Lab.Plan(Lab.Prod.Edit(global::Lab.Model.Spec.ConfigKeys.Nodes, n => n[0]!["rebuild"] = 3));
        Assert.Equal("microk8s-zenon-rebuild-3", rebuilt.Single("pulumi:providers:kubernetes", "cluster-k8s").Inputs["clusterIdentifier"]);
        // A worker's rebuild is not a new cluster.
        var worker = await Lab.Plan(Lab.Prod.Edit(global::Lab.Model.Spec.ConfigKeys.Nodes, n => n[2]!["rebuild"] = 3));
        Assert.Equal("microk8s-zenon-rebuild-0", worker.Single("pulumi:providers:kubernetes", "cluster-k8s").Inputs["clusterIdentifier"]);
    }

    [Fact]
    public async Task The_kubeconfig_is_a_secret_from_the_control_node_and_never_logged()
    {
        var mocks = new HealthyLabMocks(Lab.Dev);
        var plan = await Lab.Plan(Lab.Dev, mocks);
        var step = plan.Single(Command, "derpy-kubeconfig");
        Assert.Equal("none", step.Inputs["logging"]);
        Assert.Contains("stdout", step.SecretOutputs);
        var cluster = (MicroK8sCluster)mocks.Declared(MicroK8sCluster.TypeToken, "cluster");
        Assert.True(await Output.IsSecretAsync(cluster.Kubeconfig));
        var provider = (Pulumi.Kubernetes.ProviderArgs)mocks.ArgsOf("pulumi:providers:kubernetes", "cluster-k8s");
        Assert.True(await Output.IsSecretAsync(provider.KubeConfig!.ToOutput()));
    }

    [Fact]
    public async Task Join_tokens_are_32_character_secrets_new_with_either_nodes_rebuild_seen_only_by_the_two_join_steps()
    {
        var mocks = new PlanMocks();
        var plan = await Lab.Plan(Lab.Prod, mocks);
        var token = plan.Single("random:index/randomPassword:RandomPassword", "derpy-join-token");
        Assert.Equal(32, Convert.ToInt32(token.Inputs["length"]));
        Assert.Equal(false, token.Inputs["special"]);
        var keepers = JsonSerializer.Deserialize<Dictionary<string, string>>(JsonSerializer.Serialize(token.Inputs["keepers"]))!;
        Assert.Equal(("derpy", "0", "0"), (keepers["node"], keepers["rebuild"], keepers["controlRebuild"]));
        foreach (var name in new[] { "zenon-join-token-derpy", "derpy-join" })
        {
            var args = (CommandArgs)mocks.ArgsOf(Command, name);
            Assert.True(await Output.IsSecretAsync(args.Stdin!.ToOutput()), $"{name}: stdin is not secret");
            Assert.Equal("none", plan.Single(Command, name).Inputs["logging"]);
            Assert.Equal(StepScript.Runner, plan.Single(Command, name).Inputs["create"]);
            // Both steps re-run when the worker or the control node (a new cluster) is rebuilt.
            Assert.EndsWith(",0,0]", JsonSerializer.Serialize(plan.Single(Command, name).Inputs["triggers"]));
        }
    }

    [Fact]
    public async Task The_worker_joins_with_the_token_and_the_cluster_identity_the_cluster_ca_step_read()
    {
        var mocks = new HealthyLabMocks(Lab.Prod);
        await Lab.Plan(Lab.Prod, mocks);
        var join = (CommandArgs)mocks.ArgsOf(Command, "derpy-join");
        var stdin = await join.Stdin!.ToOutput().GetValueAsync();
        var token = await ((Pulumi.Random.RandomPassword)mocks.Declared("random:index/randomPassword:RandomPassword", "derpy-join-token")).Result.GetValueAsync();
        var ca = global::Lab.Model.Text.Shell.Sha256("cluster-ca");
        Assert.EndsWith($"main </dev/null; fi\n{token}\n5f1e2d3c4b5a\n{ca}\n", stdin);
        // On the control node the token follows the script on stdin, which puts it into the cluster-agent's
        // token file, never onto a command line.
        var issue = await ((CommandArgs)mocks.ArgsOf(Command, "zenon-join-token-derpy")).Stdin!.ToOutput().GetValueAsync();
        Assert.EndsWith($"main </dev/null; fi\n{token}\n", issue);
        Assert.DoesNotContain("microk8s add-node", issue);
    }

    [Fact]
    public async Task Gpu_time_slicing_is_configured_for_the_gpu_operator()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var config = plan.Single("kubernetes:core/v1:ConfigMap", "cluster-time-slicing-config");
        var data = JsonSerializer.Deserialize<Dictionary<string, string>>(JsonSerializer.Serialize(config.Inputs["data"]))!;
        Assert.Contains("replicas: 4", data["any"]);
        Assert.Contains("\"namespace\":\"gpu-operator-resources\"", JsonSerializer.Serialize(config.Inputs["metadata"]));
        var patch = plan.Single("kubernetes:nvidia.com/v1:ClusterPolicyPatch", "cluster-gpu-time-slicing");
        var spec = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(patch.Inputs["spec"]))!;
        Assert.Equal(("time-slicing-config", "any"), ((string)spec["devicePlugin"]!["config"]!["name"]!, (string)spec["devicePlugin"]!["config"]!["default"]!));
        Assert.Equal("cluster-time-slicing-config", Assert.Single(patch.DependsOn));
    }

    [Fact]
    public async Task Without_the_nvidia_addon_there_is_no_time_slicing()
    {
        var plan = await Lab.Plan(Lab.Dev.Edit(global::Lab.Model.Spec.ConfigKeys.Cluster, c => c["addons"] = new System.Text.Json.Nodes.JsonArray("dns", "rbac")));
        Assert.Empty(plan.OfType("kubernetes:core/v1:ConfigMap"));
        Assert.DoesNotContain("--gpu-operator-driver", (string)plan.Single(Command, "derpy-addons").Inputs["stdin"]);
    }
}
