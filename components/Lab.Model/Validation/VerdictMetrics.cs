using System.Globalization;
using System.Text;
using Lab.Model.Cluster;
using Lab.Model.Monitoring;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Validation;

/// <summary>
/// A gate run's verdict as Prometheus series in the text exposition format, for the Pushgateway group
/// job="lab_validation_gate" (PushedMetrics.GateJob): per check and node, the measured value (only when it was
/// measured), the target, a one-hot status (a backup item's check also by item); and the run's epoch, fingerprint, mode and time.
/// </summary>
public static class VerdictMetrics
{
    public const string Measured = "lab_gate_check_measured";
    public const string Target = "lab_gate_check_target";
    public const string Status = "lab_gate_check_status";
    public const string RunInfo = "lab_gate_run_info";
    public const string RunTimestamp = "lab_gate_run_timestamp_seconds";

    public static string StatusLabel(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "pass",
        CheckStatus.Short => "short",
        _ => "not_measurable",
    };

    /// <param name="fingerprint">What the run measured (Probes.RunFingerprint).</param>
    public static string Render(GateVerdict verdict, GateMode mode, int epoch, string fingerprint)
    {
        var text = new StringBuilder();
        void Family(string name, string help, IEnumerable<(string Labels, double Value)> samples)
        {
            text.Append($"# HELP {name} {help}\n# TYPE {name} gauge\n");
            foreach (var (labels, value) in samples)
            {
                text.Append(name).Append(labels.Length > 0 ? $"{{{labels}}}" : "").Append(' ').Append(Number(value)).Append('\n');
            }
        }
        static string Labels(params (string Name, string Value)[] labels) =>
            string.Join(",", labels.Select(l => $"{l.Name}={Exposition.Quote(l.Value)}"));
        // A backup item's check carries its item: the items share one check key on the lab-wide node.
        static string CheckLabels(Check c, params (string, string)[] more) =>
            Labels([("check", c.Key), .. c.Item is { } item ? [("item", item)] : Array.Empty<(string, string)>(), ("node", c.Node), .. more]);

        Family(Measured, "The value a check measured in the latest validation gate run; absent when the check could not be measured.",
            verdict.Checks.Where(c => c.Measurement is not null).Select(c => (CheckLabels(c.Check, ("unit", c.Check.Unit)), c.Measurement!.Value)));
        Family(Target, "The target of a check in the latest validation gate run (lab:validation.targets).",
            verdict.Checks.Select(c => (CheckLabels(c.Check, ("unit", c.Check.Unit)), c.Check.Target)));
        Family(Status, "1 for the status of a check in the latest validation gate run (pass, short, not_measurable), 0 for the others.",
            verdict.Checks.SelectMany(c => Enum.GetValues<CheckStatus>().Select(s => (CheckLabels(c.Check, ("status", StatusLabel(s))), c.Status == s ? 1.0 : 0.0))));
        Family(RunInfo, "The latest validation gate run: its epoch (lab:validation.epoch), the fingerprint of what it measured, and the gate mode.",
            [(Labels(("epoch", epoch.ToString(CultureInfo.InvariantCulture)), ("fingerprint", fingerprint), ("mode", mode.ToString().ToLowerInvariant())), 1)]);
        if (verdict.StartedAt is { } started)
        {
            Family(RunTimestamp, "Unix time the latest validation gate run started.", [("", started)]);
        }
        return text.ToString();
    }

    public sealed record PublishData(string Url);

    /// <summary>
    /// The step on the control node that publishes a gate run's series (read after the script on stdin) to the
    /// Pushgateway through its NodePort on the node's loopback. It runs after the collector and before the verdict
    /// is enforced, so a failing run is published too.
    /// </summary>
    /// <param name="nodePort">The Pushgateway's NodePort (another port only for tests on a build machine).</param>
    public static StepScript PublishStep(LabSpec spec, int nodePort = PushedMetrics.NodePort) =>
        StepScript.RenderReadingInput(MicroK8sSteps.Component, spec.ControlNode.Name, "validation-publish",
            "publish the validation gate's verdict to the lab's Pushgateway",
            new PublishData($"http://127.0.0.1:{nodePort}{PushedMetrics.GroupPath(PushedMetrics.GateJob)}"),
            "Validation/publish.sh");

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
