using System.Net;
using Lab.Model.Backups;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Storage;
using Lab.Model.Validation;

namespace Lab.Model.Artifacts;

/// <summary>A machine of the lab as the steps reach it: the NAS, the control node or a worker.</summary>
public sealed record Machine(string Name, IPAddress Host, string Kind);

/// <summary>
/// A secret line the program feeds after a step's script on stdin: a value it generates (a role-id,
/// a secret-id, a join token) or a fact another step reported (the cluster's CA hash).
/// </summary>
/// <param name="Source">What the program feeds: for a generated value, which one; for a fact, MACHINE STEP KEY.</param>
public sealed record SecretLine(bool FromFact, string Source);

/// <summary>One remote step in the order the program runs it, with what triggers it and what it reads on stdin.</summary>
/// <param name="Generations">The rebuild generations in the step's triggers (none for the NAS).</param>
/// <param name="Beside">
/// The step runs beside the step after it, not before it: it ends only once that one has done its part (a worker's token
/// step waits for the worker's join). A runner starts it, runs the next step, then waits for both.
/// </param>
/// <param name="InNodeChain">
/// The step is one of its node's own chain (BareMetalNode), which waits on nothing of another node's: a runner runs the
/// chains of a run of such steps at once, one per node, each in order, as pulumi up runs them.
/// </param>
public sealed record OrderedStep(Machine Machine, StepScript Script, IReadOnlyList<int> Generations, IReadOnlyList<SecretLine> Secrets, bool Beside = false,
    bool InNodeChain = false);

/// <summary>
/// Every remote step of a lab in one total order that respects the program's dependencies
/// (LabStack): the NAS's exports before any node's storage, each node's chain in order, every
/// node's chain before its cluster install, the backups after the exports and the control node's vault-agent, the control node's install and add-ons before a worker's
/// join token, each worker's token step beside its join, and the validation collector last.
/// </summary>
public static class ApplyOrder
{
    public static IReadOnlyList<Machine> Machines(LabSpec spec) =>
    [
        new(spec.Nas.Name, spec.Nas.Host, "nas"),
        .. spec.Nodes.Select(n => new Machine(n.Name, n.Host, n.Role == NodeRole.Control ? "control" : "worker")),
    ];

    public static IReadOnlyList<OrderedStep> Steps(LabSpec spec)
    {
        var machines = Machines(spec).ToDictionary(m => m.Name);
        var control = spec.ControlNode;
        OrderedStep On(NodeSpec node, StepScript script, params SecretLine[] secrets) => new(machines[node.Name], script, [node.Rebuild], secrets);
        OrderedStep InChain(NodeSpec node, StepScript script, params SecretLine[] secrets) => On(node, script, secrets) with { InNodeChain = true };
        SecretLine Token(NodeSpec worker) => new(false, $"join token of {worker.Name}");

        var steps = new List<OrderedStep>();
        steps.AddRange(NasExports.Steps(spec).Select(s => new OrderedStep(machines[spec.Nas.Name], s, [], [])));
        foreach (var node in spec.Nodes)
        {
            steps.AddRange(NodeSteps.Render(spec, node).Select(s => s.Step switch
            {
                "vault-agent" => InChain(node, s, new(false, $"role-id of {spec.Vault.NodeRole}"), new(false, $"secret-id of {node.Name}")),
                Vault.VaultSnapshot.StepName => InChain(node, s, new(false, $"role-id of {Vault.VaultSnapshot.RoleName}"), new(false, $"secret-id of {Vault.VaultSnapshot.RoleName} on {node.Name}")),
                _ => InChain(node, s),
            }));
        }
        foreach (var m in BackupJobs.Machines(spec))
        {
            var setup = BackupJobs.Setup(spec, m);
            steps.Add(m.PasswordFromControl
                ? new OrderedStep(machines[m.Machine], setup, [], [new(true, $"{control.Name} {BackupJobs.Step} {BackupJobs.PasswordFact}")])
                : On(control, setup));
        }
        steps.Add(On(control, MicroK8sSteps.Install(spec, control)));
        steps.Add(On(control, MicroK8sSteps.EnableAddons(spec)));
        steps.Add(On(control, MicroK8sSteps.Kubeconfig(spec)));
        var clusterCa = MicroK8sSteps.ClusterCa(spec);
        if (spec.Workers.Any())
        {
            steps.Add(On(control, clusterCa));
        }
        foreach (var worker in spec.Workers)
        {
            // A worker's token and join are new when the worker or the control node (a new cluster) is rebuilt.
            int[] generations = [worker.Rebuild, control.Rebuild];
            steps.Add(On(worker, MicroK8sSteps.Install(spec, worker)));
            steps.Add(On(control, MicroK8sSteps.IssueJoinToken(spec, worker), Token(worker)) with { Generations = generations, Beside = true });
            steps.Add(On(worker, MicroK8sSteps.Join(spec, worker), Token(worker),
                new(true, $"{control.Name} {clusterCa.Step} server_cert_check"), new(true, $"{control.Name} {clusterCa.Step} ca_sha256")) with
            { Generations = generations });
        }
        if (spec.Validation.Mode != GateMode.Off)
        {
            steps.Add(On(control, Collector.Step(spec, Probes.For(spec))));
        }
        return steps;
    }
}
