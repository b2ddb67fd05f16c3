using Lab.Model.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

public class NodeStepsTests
{
    private static LabSpec Prod => Repo.Prod();

    private static StepScript Step(LabSpec lab, string node, string step) =>
        NodeSteps.Render(lab, lab.Nodes.Single(n => n.Name == node)).Single(s => s.Step == step);

    [Fact]
    public void The_chain_runs_ready_preflight_os_nvidia_in_order()
    {
        var steps = NodeSteps.Render(Prod, Prod.Nodes[0]);
        // The control node of prod, which backs Vault up, also runs the raft snapshot's agent.
        Assert.Equal(["ready", "preflight", "os", "storage", "nvidia", "driver-reboot", "driver-loaded", "vault-agent", "vault-agent-snapshot"], steps.Select(s => s.Step));
        Assert.Equal(steps.OrderBy(s => s.Order), steps);
        // These two may start while the machine boots: their connection keeps dialling.
        Assert.Equal(["ready", "driver-loaded"], steps.Where(s => s.WaitsForBoot).Select(s => s.Step));
    }

    [Fact]
    public void Os_step_names_the_machine_after_the_lab_and_preflight_reports_a_different_name()
    {
        var os = Step(Prod, "derpy", "os");
        Assert.Equal("derpy", os.Input("hostname"));
        Assert.Contains("hostnamectl set-hostname \"$hostname\"", os.Text);
        var preflight = Step(Prod, "derpy", "preflight");
        Assert.Equal("derpy", preflight.Input("expected_hostname"));
        Assert.Contains("the os step renames it to $expected_hostname", preflight.Text);
    }

    [Fact]
    public void Every_machines_steps_follow_the_one_step_order()
    {
        var all = Prod.Nodes.SelectMany(n => NodeSteps.Render(Prod, n)).Concat(Lab.Model.Storage.NasExports.Steps(Prod))
            .Concat(Lab.Model.Cluster.MicroK8sSteps.All(Prod));
        Assert.All(all, s => Assert.Equal(StepOrder.Of(s.Step), s.Order));
        Assert.Equal(["ready", "export-datasets", "export-models", "export-results", "export-logs", "export-jobs", "export-slurm-db", "exports"],
            Lab.Model.Storage.NasExports.Steps(Prod).OrderBy(s => s.Order).Select(s => s.Step));
        Assert.Contains("add it there", Assert.Throws<ArgumentException>(() => StepOrder.Of("reinstall")).Message);
    }

    [Fact]
    public void Every_script_is_strict_and_runs_its_body_with_stdin_closed()
    {
        foreach (var step in Prod.Nodes.SelectMany(n => NodeSteps.Render(Prod, n)))
        {
            Assert.StartsWith("#!/usr/bin/env bash\n", step.Text);
            Assert.Contains("\nset -Eeuo pipefail\n", step.Text);
            Assert.Matches(@"(\n|else |&& )main </dev/null(; fi)?\n\z", step.Text);
        }
    }

    [Fact]
    public void Preflight_checks_the_nodes_own_hardware()
    {
        var zenon = Step(Prod, "zenon", "preflight");
        Assert.Equal("RTX A4000", zenon.Input("expected_gpu"));
        Assert.Equal("Xeon W3-2435", zenon.Input("expected_cpu"));
        Assert.Equal("24.04", zenon.Input("expected_ubuntu"));
        Assert.Equal("100", zenon.Input("min_free_gb"));
        Assert.Equal("RTX A5500", Step(Prod, "rocinate", "preflight").Input("expected_gpu"));
    }

    [Fact]
    public void Os_step_pins_every_package_and_sets_bbr_and_tcp_buffers()
    {
        var os = Step(Prod, "gemini-1", "os");
        Assert.Equal("[chrony=4.5-1ubuntu4.2, iperf3=3.16-1build2, nfs-common=1:2.6.4-3ubuntu5.1, pciutils=1:3.10.0-2build1, restic=0.16.4-1]", os.Input("packages"));
        var sysctls = os.Input("sysctls");
        Assert.Contains("net.ipv4.tcp_congestion_control = bbr", sysctls);
        Assert.Contains("net.ipv4.tcp_rmem = 4096 87380 134217728", sysctls);
        Assert.Contains("net.core.default_qdisc = fq", sysctls);
    }

    [Fact]
    public void Nvidia_step_installs_the_same_pinned_driver_on_every_node()
    {
        var scripts = Prod.Nodes.Select(n => Step(Prod, n.Name, "nvidia").Text.Replace(n.Name, "NODE")).Distinct();
        var script = Assert.Single(scripts);
        Assert.Contains("'nvidia-driver-580-open=580.95.05-0ubuntu0.24.04.2'", script);
        Assert.Contains("'nvidia-container-toolkit=1.17.8-1'", script);
        Assert.Contains("\napt_pin \"${packages[@]}\"\n", script);
    }

    [Fact]
    public void A_driver_change_changes_only_the_nvidia_step()
    {
        var before = Prod;
        var after = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v["nvidiaDriver"] = "580.105.08-0ubuntu0.24.04.1").Load();
        // The driver step, and the reboot that loads it and the check that it did.
        Assert.Equal(new[] { "zenon", "gemini-1", "derpy", "rocinate" }.SelectMany(n => new[] { $"{n}/nvidia", $"{n}/driver-reboot", $"{n}/driver-loaded" }), Changed(before, after));
    }

    [Fact]
    public void A_package_pin_change_changes_only_the_os_steps()
    {
        var after = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v["osPackages"]!["chrony"] = "4.5-1ubuntu4.3").Load();
        Assert.Equal(["zenon/os", "gemini-1/os", "derpy/os", "rocinate/os"], Changed(Prod, after));
    }

    /// <summary>node/step of every step whose script differs between the two specs.</summary>
    private static IEnumerable<string> Changed(LabSpec before, LabSpec after) =>
        before.Nodes.SelectMany(n => NodeSteps.Render(before, n).Zip(NodeSteps.Render(after, after.Nodes.Single(m => m.Name == n.Name))))
            .Where(pair => pair.First.Hash != pair.Second.Hash)
            .Select(pair => $"{pair.First.Target}/{pair.First.Step}");

    [Fact]
    public void Hardware_values_are_quoted_as_single_words()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[0]!["gpu"]!["model"] = "RTX A4000 Ada").Load();
        Assert.Contains("\nreadonly expected_gpu='RTX A4000 Ada'\n", Step(lab, "zenon", "preflight").Text);
    }

    [Fact]
    public void Artifacts_are_named_by_component_node_and_step()
    {
        var paths = Lab.Model.Artifacts.LabArtifacts.Render(Repo.Dev()).Select(a => a.Path);
        Assert.Equal(["bare-metal-node/derpy/00-ready.sh", "bare-metal-node/derpy/10-preflight.sh", "bare-metal-node/derpy/20-os.sh",
            "bare-metal-node/derpy/25-storage.sh", "bare-metal-node/derpy/30-nvidia.sh", "bare-metal-node/derpy/32-driver-reboot.sh", "bare-metal-node/derpy/34-driver-loaded.sh", "bare-metal-node/derpy/40-vault-agent.sh"], paths.Where(p => p.EndsWith(".sh") && p.StartsWith("bare-metal-node/")));
    }
}
