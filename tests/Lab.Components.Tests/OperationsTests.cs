using Lab.Model.Spec;
using Lab.Plan;

namespace Lab.Components.Tests;

/// <summary>DR touches only the failed node; a no-op run changes nothing; the committed plans are current.</summary>
public class OperationsTests
{
    public static TheoryData<string> ProdNodes() => new("zenon", "gemini-1", "derpy", "rocinate");

    private static readonly string[] Workers = ["gemini-1", "derpy", "rocinate"];
    private static readonly string[] ChainSteps = ["ready", "preflight", "os", "storage", "nvidia", "driver-reboot", "driver-loaded", "vault-agent"];

    [Theory]
    [MemberData(nameof(ProdNodes))]
    public async Task A_rebuild_changes_only_that_nodes_resources(string node)
    {
        // With Slurm as shipped: a worker's rebuild leaves every Slurm object, a control node's recreates them all.
        var (_, changed) = await RebuildPlan.ChangesAsync(Lab.Prod.GatedWithSlurm(), node);
        var names = changed.Select(r => r.Name).ToList();
        var control = node == "zenon";
        // A control-node rebuild is a new cluster: every worker rejoins it, and every Kubernetes object is created on it (the last clause).
        bool Belongs(string name) =>
            name.StartsWith($"{node}-", StringComparison.Ordinal)             // its steps, join token, join, labels, cluster steps it hosts
            || name == $"vault-{node}-secret-id-generation"                   // its secret-id
            || name == $"vault-{node}-vault-snapshot-secret-id-generation"    // the raft snapshot agent's secret-id (the control node's)
            || name == $"zenon-join-token-{node}"                             // its join, issued on the control node
            || name == $"images-{node}-registry-trust"                        // its containerd trusts the lab's registry again
            || name.StartsWith("validation-", StringComparison.Ordinal)       // the gate re-measures it
            || (control && name == "slurm-slurm-gate-key")                    // the gate's login key pair lived on the old control node's disk
            || (control && (Workers.Any(w => name == $"{w}-join-token" || name == $"{w}-join" || name == $"zenon-join-token-{w}")
                || changed.Single(r => r.Name == name) is { } r && (r.Type.StartsWith("kubernetes:", StringComparison.Ordinal) || r.Type == "pulumi:providers:kubernetes")));
        Assert.All(names, n => Assert.True(Belongs(n), $"a rebuild of {node} changes {n}"));
        // Every step of its own chain re-runs.
        Assert.Superset(ChainSteps.Append("microk8s").Select(s => $"{node}-{s}").ToHashSet(), names.ToHashSet());
        Assert.Contains($"vault-{node}-secret-id-generation", names);
        // Never the NAS, Vault's mounts, roles and policies, or another node's chain.
        Assert.DoesNotContain(changed, r => r.ParentName is "qnap" || r.Type.StartsWith("vault:", StringComparison.Ordinal) || r.Type == "pulumi:providers:vault");
        var others = new[] { "zenon", "gemini-1", "derpy", "rocinate" }.Where(n => n != node);
        Assert.DoesNotContain(changed, r => others.Contains(r.ParentName));
        Assert.DoesNotContain(changed, r => others.Any(o => r.Name == $"{o}-microk8s"));

        var all = await Lab.Plan(Lab.Prod.GatedWithSlurm());
        var kubernetes = all.Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal)).Select(r => r.Name).ToList();
        if (control)
        {
            // The provider is replaced, so every Kubernetes object is created again on the new cluster,
            // and every worker gets a new token and joins it.
            Assert.Contains("cluster-k8s", names);
            Assert.Superset(kubernetes.ToHashSet(), names.ToHashSet());
            Assert.Contains("slurm-cluster", kubernetes);
            Assert.Superset(Workers.SelectMany(w => new[] { $"{w}-join-token", $"zenon-join-token-{w}", $"{w}-join" }).ToHashSet(), names.ToHashSet());
        }
        else
        {
            Assert.Contains($"{node}-join", names);
            Assert.Contains($"{node}-labels", names);
            // No cluster-wide object: the provider, the add-ons, the time-slicing config, the alert rules and the
            // gate's namespace stay; of the Kubernetes objects only its own labels and the probes that measure it change.
            Assert.DoesNotContain("cluster-k8s", names);
            Assert.All(changed.Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal)),
                r => Assert.True(r.Name == $"{node}-labels" || (r.Type == "kubernetes:batch/v1:Job" && r.Name.StartsWith("validation-", StringComparison.Ordinal)),
                    $"a rebuild of {node} changes the cluster-wide {r.Type} {r.Name}"));
        }
    }

    [Fact]
    public async Task Rebuilding_the_dev_stacks_control_node_recreates_every_kubernetes_object()
    {
        // derpy is dev's control node, reset every two weeks: each reset is a new cluster.
        var (_, changed) = await RebuildPlan.ChangesAsync(Lab.Dev, "derpy");
        var kubernetes = (await Lab.Plan(Lab.Dev)).Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal)).Select(r => r.Name).ToHashSet();
        Assert.NotEmpty(kubernetes);
        Assert.Superset(kubernetes.Append("cluster-k8s").ToHashSet(), changed.Select(r => r.Name).ToHashSet());
    }

    [Fact]
    public async Task Evaluating_the_same_stack_twice_yields_identical_plans()
    {
        foreach (var file in Lab.ShippedStacks)
        {
            var first = PlanPrinter.Print(file, await Lab.Plan(file));
            var second = PlanPrinter.Print(file, await Lab.Plan(file));
            Assert.Equal(first, second);
        }
    }

    public static TheoryData<string> ShippedStacks() => new(Lab.ShippedStacks.Select(f => f.Stack));

    [Theory]
    [MemberData(nameof(ShippedStacks))]
    public async Task The_committed_plan_snapshot_is_current(string stack)
    {
        var file = Lab.ShippedStacks.Single(f => f.Stack == stack);
        var snapshot = Path.Combine(Lab.Root, PlanSnapshots.PathFor(stack));
        Assert.True(File.Exists(snapshot), $"no plan snapshot {snapshot}: run scripts/update-plans and commit it.");
        var current = PlanPrinter.Print(file with { Path = Path.GetRelativePath(Lab.Root, file.Path) }, await Lab.Plan(file));
        var diff = PlanSnapshots.Diff(File.ReadAllText(snapshot), current);
        Assert.True(diff.Length == 0, $"the plan of stack '{stack}' changed and {PlanSnapshots.PathFor(stack)} was not updated. Review and run scripts/update-plans:\n{diff}");
    }
}

public class PlanSnapshotDiffTests
{
    [Fact]
    public void The_diff_shows_what_changed_with_context()
    {
        var before = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}"));
        var after = before.Replace("line 10", "line ten");
        Assert.Equal("...\n  line 8\n  line 9\n- line 10\n+ line ten\n  line 11\n  line 12\n", PlanSnapshots.Diff(before, after));
        Assert.Equal("", PlanSnapshots.Diff(before, before));
    }
}
