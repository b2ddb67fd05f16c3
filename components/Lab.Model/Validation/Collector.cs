using System.Collections.Immutable;
using Lab.Model.Artifacts;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Validation;

/// <summary>
/// The step on the control node that waits for every probe Job and prints its log under a
/// `LAB_JOB job=NAME` header, for GateVerdict to judge. It judges nothing itself.
/// </summary>
public static class Collector
{
    public static StepScript Step(LabSpec spec, IReadOnlyList<Probe> probes)
    {
        var deadline = probes.Count == 0 ? 60 : probes.Max(p => p.DeadlineSeconds) + 60;
        return StepScript.Render(MicroK8sSteps.Component, spec.ControlNode.Name, 90, "validation-results",
            "collect the validation probes' results", new CollectData(Probes.Namespace, deadline, [.. probes.Select(p => p.JobName)]), "Validation/collect.sh");
    }

    public sealed record CollectData(string Namespace, int Deadline, ImmutableArray<string> Jobs);

    public static IEnumerable<Artifact> Artifacts(LabSpec spec)
    {
        var probes = Probes.For(spec);
        return probes.Select(p => new Artifact($"validation-gate/{p.Name}.sh", p.Script)).Append(Step(spec, probes).ToArtifact());
    }
}
