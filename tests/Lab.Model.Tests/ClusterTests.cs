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

    [Theory]
    [InlineData("4m")]
    [InlineData("25h")]
    public void A_join_token_ttl_outside_5_minutes_to_24_hours_is_refused_naming_the_key(string ttl)
    {
        var error = Single(Cluster(c => c["joinTokenTtl"] = ttl).Errors(), "lab:cluster.joinTokenTtl");
        Assert.Contains("out of range", error.Problem);
        Assert.Contains("between 5m and 24h", error.Fix);
    }

    [Theory]
    [InlineData("5m", 300)]
    [InlineData("24h", 86400)]
    public void A_join_token_ttl_of_5_minutes_to_24_hours_is_accepted(string ttl, int seconds)
    {
        Assert.Equal(seconds, Cluster(c => c["joinTokenTtl"] = ttl).Load().Cluster.JoinTokenTtlSeconds);
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
    public void Install_pins_the_channel_and_sets_its_timings_and_leaves_the_name_to_the_hostname()
    {
        var lab = Repo.Prod();
        var zenon = MicroK8sSteps.Install(lab, lab.ControlNode);
        Assert.Equal("1.32/stable", zenon.Input("channel"));
        var settings = Settings(zenon);
        // The os step sets the hostname; an override left by an earlier version is removed.
        Assert.DoesNotContain(settings, s => s.Contains("--hostname-override", StringComparison.Ordinal));
        Assert.Contains("sed -i '/^--hostname-override[= ]/d' \"$args_dir/kubelet\"", zenon.Text);
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
        Assert.Equal("[, , , , --gpu-operator-driver host --gpu-operator-set dcgmExporter.serviceMonitor.enabled=true --gpu-operator-set dcgmExporter.serviceMonitor.additionalLabels.release=kube-prom-stack, ]", step.Input("addon_args"));
        Assert.Contains("if [ \"$(microk8s status --addon \"$1\" 2>/dev/null)\" = enabled ]; then", text);
    }

    [Fact]
    public void The_token_step_reads_the_token_from_stdin_and_writes_the_cluster_agents_token_file()
    {
        var lab = Repo.Prod();
        var step = MicroK8sSteps.IssueJoinToken(lab, lab.Nodes[2]);
        Assert.EndsWith("\nif checking; then echo 'skipped: it issues a fresh join token on every run'; else IFS= read -r token && main </dev/null; fi\n", step.Text);
        Assert.Equal("600", step.Input("token_ttl"));
        Assert.Equal("/var/snap/microk8s/current", step.Input("snap_data"));
        Assert.Contains("tokens=\"$snap_data/credentials/cluster-tokens.txt\"", step.Text);
        Assert.DoesNotContain("microk8s add-node", step.Text);
    }

    [Fact]
    public void The_join_reads_token_check_and_ca_from_stdin_and_compares_the_stored_remote_ca()
    {
        var lab = Repo.Prod();
        var step = MicroK8sSteps.Join(lab, lab.Nodes[3]);
        Assert.Equal("192.168.50.11", step.Input("control_host"));
        Assert.Contains("remote_ca=\"$snap_data/certs/ca.remote.crt\"", step.Text);
        Assert.EndsWith("; else IFS= read -r token && IFS= read -r server_cert_check && IFS= read -r cluster_ca && main </dev/null; fi\n", step.Text);
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
