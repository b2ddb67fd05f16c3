using System.Collections.Immutable;
using System.Globalization;
using Lab.Model.Artifacts;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Validation;

/// <summary>
/// The step on the control node that runs the probe Jobs (created suspended) stage by stage, polls each
/// until it is Complete or Failed, and prints a `LAB_JOB job=NAME status=complete|failed [reason=WORD]`
/// header and the Job's result and detail lines, for GateVerdict to judge. It judges nothing itself, but it
/// does not start a GPU Job beside another pod holding that GPU (`status=not_measurable reason=GpuBusy pod=NS/NAME`),
/// and runs a Job's spare once when the first one's pod vanished.
/// </summary>
public static class Collector
{
    /// <summary>How often a Job's conditions are read.</summary>
    public const int PollSeconds = 5;

    /// <summary>Beyond a Job's own deadline: time for the Job controller to record the outcome.</summary>
    public const int GraceSeconds = 120;

    /// <param name="Jobs">Job names in run order; <paramref name="Stages"/> and <paramref name="Deadlines"/> (seconds) per Job.</param>
    /// <param name="Reruns">Per Job, its suspended second Job, run only when the first one's pod vanished.</param>
    /// <param name="GpuNodes">Per Job, the node whose GPU it needs free of other pods first, or "".</param>
    public sealed record CollectData(string Namespace, ImmutableArray<string> Jobs, ImmutableArray<string> Reruns, ImmutableArray<string> Stages,
        ImmutableArray<string> Deadlines, ImmutableArray<string> GpuNodes, int PollSeconds, int GraceSeconds);

    public static StepScript Step(LabSpec spec, IReadOnlyList<Probe> probes, int pollSeconds = PollSeconds, int graceSeconds = GraceSeconds) =>
        StepScript.Render(MicroK8sSteps.Component, spec.ControlNode.Name, "validation-results",
            "run the validation probes stage by stage and collect their results",
            new CollectData(Probes.Namespace,
                [.. probes.Select(p => p.JobName)],
                [.. probes.Select(p => p.RerunJobName)],
                [.. probes.Select(p => p.Stage.ToString(CultureInfo.InvariantCulture))],
                [.. probes.Select(p => p.DeadlineSeconds.ToString(CultureInfo.InvariantCulture))],
                [.. probes.Select(p => p.Gpu ? p.Node : "")],
                pollSeconds, graceSeconds),
            "Validation/collect.sh");

    /// <summary>The longest the collector can take: per stage, its longest deadline plus the grace (the collector prints the same sum).</summary>
    public static int BoundSeconds(IReadOnlyList<Probe> probes, int graceSeconds = GraceSeconds) =>
        probes.GroupBy(p => p.Stage).Sum(s => s.Max(p => p.DeadlineSeconds) + graceSeconds);

    public static IEnumerable<Artifact> Artifacts(LabSpec spec)
    {
        var probes = Probes.For(spec);
        return probes.Select(p => new Artifact($"validation-gate/{p.Name}.sh", p.Script)).Append(Step(spec, probes).ToArtifact()).Append(VerdictMetrics.PublishStep(spec).ToArtifact());
    }
}
