using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>The one order scripts/box runs the steps in respects every dependency the program wires (LabStack).</summary>
public class ApplyOrderTests
{
    private static readonly IReadOnlyList<OrderedStep> Prod = ApplyOrder.Steps(Repo.Prod());

    private static int At(string machine, string step) =>
        Prod.Select((s, i) => (s, i)).Single(x => x.s.Machine.Name == machine && x.s.Script.Step == step).i;

    [Fact]
    public void The_nas_applies_its_exports_before_any_node_mounts_them()
    {
        var exports = At("qnap", "exports");
        Assert.All(Repo.Prod().Nodes, n => Assert.True(At(n.Name, "storage") > exports, $"{n.Name}'s storage runs before the NAS's exports"));
        Assert.All(Prod.Where(s => s.Machine.Name == "qnap" && s.Script.Step.StartsWith("export-", StringComparison.Ordinal)),
            s => Assert.True(Prod.ToList().IndexOf(s) < exports));
    }

    [Fact]
    public void The_steps_run_beside_other_nodes_are_each_nodes_own_chain_in_one_run_after_the_nas()
    {
        // LabStack wires a node's chain to its previous step and the NAS's exports only (BareMetalNode's StepsAfter):
        // pulumi up runs the chains at once, and so may a runner.
        var chain = Prod.Select((s, i) => (s, i)).Where(x => x.s.InNodeChain).ToList();
        Assert.Equal(chain[^1].i - chain[0].i + 1, chain.Count);
        Assert.True(chain[0].i > At("qnap", "exports"));
        foreach (var node in Repo.Prod().Nodes)
        {
            Assert.Equal(NodeSteps.Render(Repo.Prod(), node).Select(s => s.Step), chain.Where(x => x.s.Machine.Name == node.Name).Select(x => x.s.Script.Step));
        }
        Assert.DoesNotContain(chain, x => x.s.Machine.Kind == "nas" || x.s.Beside);
    }

    [Fact]
    public void Each_node_runs_its_own_chain_in_order_before_its_cluster_install()
    {
        foreach (var node in Repo.Prod().Nodes)
        {
            // The control node installs its backup units after vault-agent (it reads the password vault-agent wrote).
            var own = NodeSteps.Render(Repo.Prod(), node).Select(s => s.Step)
                .Concat(node.Role == NodeRole.Control ? ["backups"] : []).Append("microk8s").ToList();
            var chain = Prod.Where(s => s.Machine.Name == node.Name).Select(s => s.Script.Step).Take(own.Count);
            Assert.Equal(own, chain);
        }
    }

    [Fact]
    public void The_nas_backs_up_after_its_exports_and_after_the_control_node_read_the_password()
    {
        var nas = At("qnap", "backups");
        Assert.True(nas > At("qnap", "exports"));
        Assert.True(nas > At("zenon", "backups"));
        Assert.True(At("zenon", "backups") > At("zenon", "vault-agent"));
        var fed = Prod.Single(s => s.Machine.Name == "qnap" && s.Script.Step == "backups").Secrets;
        Assert.Equal([new SecretLine(true, "zenon backups repository_password_b64")], fed);
    }

    [Fact]
    public void The_control_node_is_ready_before_any_worker_joins()
    {
        var addons = At("zenon", "addons");
        Assert.True(At("zenon", "microk8s") < addons);
        foreach (var worker in Repo.Prod().Workers)
        {
            var token = At("zenon", $"join-token-{worker.Name}");
            Assert.True(addons < token);
            Assert.True(At("zenon", "cluster-ca") < At(worker.Name, "join"));
            Assert.True(At(worker.Name, "microk8s") < token);
            // The token step runs beside the join that follows it: it ends once the worker's Node is registered.
            Assert.Equal(token + 1, At(worker.Name, "join"));
            Assert.True(Prod[token].Beside);
        }
        Assert.Equal(Repo.Prod().Workers.Count(), Prod.Count(s => s.Beside));
    }

    [Fact]
    public void Steps_say_which_secret_lines_follow_their_script()
    {
        var join = Prod[At("gemini-1", "join")];
        Assert.Equal([new SecretLine(false, "join token of gemini-1"), new SecretLine(true, "zenon cluster-ca server_cert_check"),
            new SecretLine(true, "zenon cluster-ca ca_sha256")], join.Secrets);
        Assert.Equal(2, Prod[At("derpy", "vault-agent")].Secrets.Count);
        // The raft snapshot's agent on the control node is fed its own role's credentials, the same way.
        Assert.Equal(["role-id of vault-snapshot", "secret-id of vault-snapshot on zenon"], Prod[At("zenon", "vault-agent-snapshot")].Secrets.Select(s => s.Source));
        Assert.Empty(Prod[At("derpy", "os")].Secrets);
        // A worker's token is issued on the control node but re-issued when the worker or the control node is rebuilt.
        Assert.Equal(2, Prod[At("zenon", "join-token-gemini-1")].Generations.Count);
        Assert.Empty(Prod[At("qnap", "exports")].Generations);
    }
}
