using System.Text.Json;
using Lab.Components.Nodes;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Plan;
using Pulumi;
using Pulumi.Command.Remote;

namespace Lab.Components.Tests;

public class BareMetalNodeTests
{
    private const string Command = "command:remote:Command";

    [Fact]
    public async Task A_node_is_a_chain_of_steps_parented_to_it_each_after_the_last()
    {
        var plan = await Lab.Plan(Lab.Dev);
        var node = plan.Single(BareMetalNode.TypeToken, "derpy");
        Assert.Null(node.ParentName);
        var steps = plan.OfType(Command).Where(s => s.ParentName == "derpy").ToList();
        Assert.Equal(["derpy-ready", "derpy-preflight", "derpy-os", "derpy-storage", "derpy-nvidia", "derpy-driver-reboot", "derpy-driver-loaded", "derpy-vault-agent"], steps.Select(s => s.Name));
        Assert.All(steps, s => Assert.Equal(("lab:node:BareMetalNode", "derpy"), (s.ParentType!, s.ParentName!)));
        Assert.Empty(steps[0].DependsOn);
        Assert.Equal("derpy-ready", Assert.Single(steps[1].DependsOn));
        Assert.Equal("derpy-preflight", Assert.Single(steps[2].DependsOn));
        Assert.Equal(["derpy-os", "qnap-exports"], steps[3].DependsOn.Order());
        Assert.Equal("derpy-storage", Assert.Single(steps[4].DependsOn));
        Assert.Equal("derpy-nvidia", Assert.Single(steps[5].DependsOn));
        Assert.Equal("derpy-driver-reboot", Assert.Single(steps[6].DependsOn));
        Assert.Equal("derpy-driver-loaded", Assert.Single(steps[7].DependsOn));
    }

    [Fact]
    public async Task Each_step_runs_its_rendered_script_as_root_with_its_hash_as_trigger()
    {
        var plan = await Lab.Plan(Lab.Dev);
        var lab = LabSpecLoader.Load("dev", Lab.Dev.Config, Lab.Dev.SecretKeys);
        foreach (var script in NodeSteps.Render(lab, lab.Nodes[0]).Where(s => s.Step != "vault-agent"))
        {
            var step = plan.Single(Command, $"derpy-{script.Step}");
            Assert.Equal(StepScript.Runner, step.Inputs["create"]);
            Assert.Equal(script.Text, step.Inputs["stdin"]);
            Assert.Equal($"[\"{script.Hash}\",0]", JsonSerializer.Serialize(step.Inputs["triggers"]));
        }
    }

    [Fact]
    public async Task The_first_step_and_the_step_after_a_driver_reboot_wait_for_the_machine_to_boot_until_a_deadline()
    {
        var plan = await Lab.Plan(Lab.Dev);
        int Dials(string name) => Convert.ToInt32(((IDictionary<string, object>)plan.Single(Command, name).Inputs["connection"])["dialErrorLimit"]);
        // A count of dials is no deadline (pulumi-command's backoff decides how long N refused dials take):
        // the boot-waiting steps dial without limit, until their create/update timeout.
        Assert.Equal(-1, Dials("derpy-ready"));
        Assert.Equal(3, Dials("derpy-nvidia"));
        Assert.Equal(3, Dials("derpy-driver-reboot"));
        // Logins are refused from the scheduled reboot until the new boot: the step dials through it.
        Assert.Equal(-1, Dials("derpy-driver-loaded"));
        Assert.Equal(3, Dials("derpy-vault-agent"));
        Assert.Equal("15m", plan.Single(Command, "derpy-ready").CreateTimeout);
        Assert.Equal("15m", plan.Single(Command, "derpy-driver-loaded").CreateTimeout);
        Assert.Null(plan.Single(Command, "derpy-nvidia").CreateTimeout);

        var slow = await Lab.Plan(Lab.Dev.Edit(ConfigKeys.Ssh, s => s["bootTimeout"] = "40m"));
        Assert.Equal("40m", slow.Single(Command, "derpy-driver-loaded").CreateTimeout);
        Assert.Equal("40m", slow.Single(Command, "qnap-ready").CreateTimeout);
    }

    [Fact]
    public async Task Bumping_rebuild_rewires_every_step_of_that_node_and_nothing_else()
    {
        var before = await Lab.Plan(Lab.Prod.Gated());
        var after = await Lab.Plan(Lab.Prod.Gated().Edit(ConfigKeys.Nodes, n => n[2]!["rebuild"] = 1));
        var changed = before.Zip(after).Where(p => !Same(p.First, p.Second)).Select(p => p.First.Name);
        // The node's steps, the generation of its secret-id and its cluster join (the token step runs on zenon);
        // nothing of the NAS, Vault's mounts and roles, or other nodes.
        Assert.Equal(["vault-derpy-secret-id-generation", "derpy-ready", "derpy-preflight", "derpy-os", "derpy-storage", "derpy-nvidia",
            "derpy-driver-reboot", "derpy-driver-loaded", "derpy-vault-agent",
            "derpy-microk8s", "derpy-join-token", "zenon-join-token-derpy", "derpy-join", "derpy-labels",
            // its containerd's trust of the lab's registry (a rebuilt node has no hosts.toml); no image is rebuilt,
            "images-derpy-registry-trust",
            // and the gate re-measures the node: its GPU and every bandwidth pair (the iperf3 server waits for all clients),
            // each Job with its spare.
            .. new[] { "gpu-util-derpy", "iperf3-server", "bandwidth-gemini-1", "bandwidth-derpy", "bandwidth-rocinate" }.SelectMany(p => new[] { $"validation-{p}", $"validation-{p}-rerun" }),
            "validation-validation-results"], changed);
    }

    [Fact]
    public async Task A_driver_pin_change_rewires_only_the_driver_steps()
    {
        var before = await Lab.Plan(Lab.Prod.Gated());
        var after = await Lab.Plan(Lab.Prod.Gated().Edit(ConfigKeys.Versions, v => v["nvidiaDriver"] = "580.105.08-0ubuntu0.24.04.1"));
        var changed = before.Zip(after).Where(p => !Same(p.First, p.Second)).Select(p => p.First.Name);
        // The driver, the reboot that loads it and the check that it did, on every node.
        // And the gate re-measures what the driver affects: the GPU probes, and the inference server on zenon's GPU.
        Assert.Equal([.. new[] { "zenon", "gemini-1", "derpy", "rocinate" }.SelectMany(n => new[] { $"{n}-nvidia", $"{n}-driver-reboot", $"{n}-driver-loaded" }),
            .. new[] { "gpu-util-zenon", "gpu-util-gemini-1", "gpu-util-derpy", "gpu-util-rocinate", "rapids-speedup", "inference-p95" }.SelectMany(p => new[] { $"validation-{p}", $"validation-{p}-rerun" }),
            "validation-validation-results"], changed);
    }

    [Fact]
    public async Task Outputs_are_the_facts_the_node_reported()
    {
        var mocks = new HealthyLabMocks(Lab.Dev);
        await Lab.Plan(Lab.Dev, mocks);
        var node = (BareMetalNode)mocks.Declared(BareMetalNode.TypeToken, "derpy");
        Assert.Equal("RTX A5500", await node.GpuModel.GetValueAsync());
        Assert.Equal("580.95.05", await node.DriverVersion.GetValueAsync());
        Assert.Equal("6.8.0-48-generic", await node.Kernel.GetValueAsync());
    }

    [Fact]
    public async Task The_deploy_key_stays_secret_and_appears_in_no_other_input()
    {
        const string key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        var file = Lab.Dev.Edit(ConfigKeys.Ssh, s => s["auth"] = "key").WithSecret(ConfigKeys.SshPrivateKey, key);
        var mocks = new PlanMocks();
        var plan = await Lab.Plan(file, mocks);
        foreach (var step in plan.OfType(Command).Where(s => s.ParentName == "derpy"))
        {
            var args = (CommandArgs)mocks.ArgsOf(Command, step.Name);
            Assert.True(await Output.IsSecretAsync(args.Connection!.ToOutput()), $"{step.Name}: connection is not secret");
            Assert.Equal(key, ((IDictionary<string, object>)step.Sent["connection"])["privateKey"]);
            Assert.Equal("[secret]", ((IDictionary<string, object>)step.Inputs["connection"])["privateKey"]);
            Assert.All(step.Sent.Where(i => i.Key != "connection"), i => Assert.DoesNotContain("PRIVATE KEY", $"{i.Value}"));
        }
    }

    private static bool Same(Plan.PlannedResource a, Plan.PlannedResource b) => a.Canonical() == b.Canonical();
}
