using System.Text.Json.Nodes;
using Lab.Model.Cluster;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

public class ClusterValidationTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    private static Repo.Config Cluster(Action<JsonNode> edit) => Repo.ProdConfig().Edit(ConfigKeys.Cluster, edit);

    [Fact]
    public void Shipped_cluster_is_seed_004s_microk8s_with_four_gpu_shares()
    {
        var cluster = Repo.Prod().Cluster;
        Assert.Equal("1.32/stable", cluster.Channel);
        Assert.Equal(["dns", "rbac", "hostpath-storage", "metrics-server", "nvidia", "observability"], cluster.Addons.ToArray());
        Assert.Equal(4, cluster.GpuReplicas);
        Assert.Equal(30, cluster.FailureDetectionSeconds);
    }

    [Fact]
    public void Unknown_addon_is_reported_with_the_known_ones()
    {
        var error = Single(Cluster(c => c["addons"] = new JsonArray("dns", "kubeflow")).Errors(), "lab:cluster.addons[1]");
        Assert.Equal("'kubeflow' is not an add-on the lab knows.", error.Problem);
        Assert.Contains("observability", error.Fix);
    }

    [Fact]
    public void An_addon_without_its_prerequisite_is_reported()
    {
        var error = Single(Cluster(c => c["addons"] = new JsonArray("dns", "observability")).Errors(), "lab:cluster.addons[1]");
        Assert.Equal("'observability' needs 'hostpath-storage', which is not in the list.", error.Problem);
    }

    [Fact]
    public void Prerequisites_are_enabled_before_the_addons_that_need_them()
    {
        var lab = Cluster(c => c["addons"] = new JsonArray("observability", "nvidia", "hostpath-storage", "dns")).Load();
        Assert.Equal(["dns", "hostpath-storage", "observability", "nvidia"], lab.Cluster.Addons.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Time_slicing_below_one_share_is_reported(int replicas)
    {
        Assert.Contains("at least 1", Single(Cluster(c => c["gpuReplicas"] = replicas).Errors(), "lab:cluster.gpuReplicas").Problem);
    }

    [Theory]
    [InlineData("latest/stable")]
    [InlineData("stable")]
    [InlineData("1.32")]
    [InlineData("1.32/stable/hotfix")]
    public void An_unpinned_channel_is_reported(string channel)
    {
        Assert.Contains("is not a pinned MicroK8s channel", Single(Cluster(c => c["channel"] = channel).Errors(), "lab:cluster.channel").Problem);
    }

    [Fact]
    public void A_detection_budget_the_timings_cannot_honour_is_reported()
    {
        Assert.Single(Cluster(c => c["failureDetection"] = "10s").Errors(), e => e.Key == "lab:cluster.failureDetection");
    }
}

public class ClusterRenderTests
{
    [Fact]
    public void Timings_mark_a_failed_node_not_ready_within_30_seconds()
    {
        var timings = ClusterTimings.For(Repo.Prod().Cluster);
        Assert.True(timings.WorstCaseDetectionSeconds <= 30);
        // Enough heartbeats inside the grace period that a healthy node never flaps.
        Assert.True(timings.GracePeriodSeconds >= 4 * timings.StatusUpdateSeconds);
        Assert.Equal(
            [("kubelet", "--node-status-update-frequency", "4s"), ("kube-controller-manager", "--node-monitor-period", "2s"), ("kube-controller-manager", "--node-monitor-grace-period", "24s")],
            timings.Args(controlPlane: true));
        Assert.DoesNotContain(timings.Args(controlPlane: false), a => a.ArgsFile == "kube-controller-manager");
    }

    [Fact]
    public void Install_pins_the_channel_names_the_node_and_sets_its_timings()
    {
        var lab = Repo.Prod();
        var zenon = MicroK8sSteps.Install(lab, lab.ControlNode);
        Assert.Equal("1.32/stable", zenon.Input("channel"));
        var settings = Settings(zenon);
        Assert.Contains("kubelet --hostname-override zenon", settings);
        Assert.Contains("kube-controller-manager --node-monitor-grace-period 24s", settings);
        Assert.DoesNotContain(Settings(MicroK8sSteps.Install(lab, lab.Nodes[1])), s => s.StartsWith("kube-controller-manager", StringComparison.Ordinal));
    }

    /// <summary>"FILE FLAG VALUE" per args-file setting of an install step.</summary>
    private static IReadOnlyList<string> Settings(Lab.Model.Nodes.StepScript install)
    {
        static string[] List(string display) => display.Trim('[', ']').Split(", ");
        return [.. List(install.Input("arg_files")).Zip(List(install.Input("arg_flags")), List(install.Input("arg_values"))).Select(t => $"{t.First} {t.Second} {t.Third}")];
    }

    [Fact]
    public void Addons_are_enabled_in_order_once_each_with_the_host_driver()
    {
        var step = MicroK8sSteps.EnableAddons(Repo.Prod());
        var text = step.Text;
        Assert.Equal("[dns, rbac, hostpath-storage, metrics-server, nvidia, observability]", step.Input("addons"));
        Assert.Equal("[, , , , --gpu-operator-driver host, ]", step.Input("addon_args"));
        Assert.Contains("if [ \"$(microk8s status --addon \"$1\" 2>/dev/null)\" = enabled ]; then", text);
    }

    [Fact]
    public void A_rebuilt_workers_stale_member_is_removed_before_its_token_is_issued()
    {
        var lab = Repo.Prod();
        var text = MicroK8sSteps.IssueJoinToken(lab, lab.Nodes[2]).Text;
        var remove = text.IndexOf("microk8s remove-node \"$node\" --force", StringComparison.Ordinal);
        var add = text.IndexOf("microk8s add-node --token \"$token\" --token-ttl \"$token_ttl\"", StringComparison.Ordinal);
        Assert.True(remove > 0 && add > remove);
        Assert.Contains("if [ \"$ready\" != True ]; then", text);
        Assert.EndsWith("IFS= read -r token && main </dev/null\n", text);
    }

    [Fact]
    public void Joining_is_idempotent_and_reads_the_token_from_stdin()
    {
        var lab = Repo.Prod();
        var text = MicroK8sSteps.Join(lab, lab.Nodes[3]).Text;
        Assert.Contains("grep -q 'acting as a node in a cluster'", text);
        Assert.Contains("microk8s join \"$control_host:25000/$token\" --worker", text);
        Assert.Equal("192.168.50.11", MicroK8sSteps.Join(lab, lab.Nodes[3]).Input("control_host"));
        Assert.EndsWith("IFS= read -r token && IFS= read -r cluster_ca && main </dev/null\n", text);
    }

    [Fact]
    public void A_worker_of_an_older_cluster_leaves_before_it_joins_the_new_one()
    {
        var lab = Repo.Prod();
        var text = MicroK8sSteps.Join(lab, lab.Nodes[1]).Text;
        var leave = text.IndexOf("microk8s leave", StringComparison.Ordinal);
        Assert.True(leave > text.IndexOf("if [ \"$local_ca\" = \"$cluster_ca\" ]; then", StringComparison.Ordinal) && leave < text.IndexOf("microk8s join", StringComparison.Ordinal));
        Assert.Contains("echo \"ca_sha256=$(sha256sum /var/snap/microk8s/current/certs/ca.crt", MicroK8sSteps.Install(lab, lab.ControlNode).Text);
    }

    [Fact]
    public void Time_slicing_shares_each_gpu_as_configured()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Cluster, c => c["gpuReplicas"] = 8).Load();
        Assert.Contains("  - name: nvidia.com/gpu\n        replicas: 8\n", MicroK8sSteps.TimeSlicingConfig(lab.Cluster));
    }

    [Fact]
    public void Nodes_are_labelled_with_role_and_gpu_model()
    {
        var lab = Repo.Prod();
        var labels = MicroK8sSteps.NodeLabels(lab.Nodes[0]);
        Assert.Equal("control", labels["lab.infra/role"]);
        Assert.Equal("RTX-A4000", labels["lab.infra/gpu-model"]);
    }
}
