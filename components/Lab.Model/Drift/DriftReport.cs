using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Lab.Model.Nodes;
using Lab.Model.Text;

namespace Lab.Model.Drift;

/// <summary>One difference a check printed: <c>drift: WHAT expected=… actual=…</c>.</summary>
public sealed record Difference(string What, string Expected, string Actual);

/// <summary>What one step's check said: clean, drift, skipped (with why), error (its exit status), or not checked (its machine was out of reach).</summary>
public sealed record StepCheck(string Machine, string Step, string Status, IReadOnlyList<Difference> Differences, string Note);

/// <summary>
/// The drift report of scripts/drift: every step's check on every machine, read from what the checks printed and
/// how they exited, as text for the operator, JSON for tools, and the Pushgateway series of <c>job="lab_drift"</c>.
/// Only drift and skip lines of a check's output enter it; a line that is neither is dropped, so nothing else a
/// step prints (its facts) reaches a report.
/// </summary>
public sealed partial record DriftReport(string Stack, IReadOnlyList<StepCheck> Steps, IReadOnlyDictionary<string, string> Unreachable, double Seconds)
{
    /// <summary>A check's result: its exit status and output, or null when its machine was out of reach first.</summary>
    public sealed record Result(int ExitCode, string Stdout);

    [GeneratedRegex(@"^drift: (.*) expected=(.*) actual=(.*)\z")]
    private static partial Regex DriftLine();

    /// <summary>Judges each step's result; <paramref name="steps"/> in the program's order.</summary>
    public static DriftReport Judge(string stack, IEnumerable<(string Machine, string Step, Result? Result)> steps, IReadOnlyDictionary<string, string> unreachable, double seconds) =>
        new(stack, [.. steps.Select(s => Judge(s.Machine, s.Step, s.Result, unreachable))], unreachable, seconds);

    private static StepCheck Judge(string machine, string step, Result? result, IReadOnlyDictionary<string, string> unreachable)
    {
        if (result is null)
        {
            return new(machine, step, "not-checked", [], unreachable.TryGetValue(machine, out var why) ? $"{machine} unreachable: {why}" : "an earlier step failed");
        }
        var lines = result.Stdout.Split('\n');
        var differences = lines.Select(l => DriftLine().Match(l)).Where(m => m.Success)
            .Select(m => new Difference(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList();
        var skipped = lines.FirstOrDefault(l => l.StartsWith("skipped: ", StringComparison.Ordinal));
        return result.ExitCode switch
        {
            0 when skipped is not null => new(machine, step, "skipped", [], skipped["skipped: ".Length..]),
            0 => new(machine, step, "clean", [], ""),
            CheckMode.DriftExit when differences.Count > 0 => new(machine, step, "drift", differences, ""),
            var code => new(machine, step, "error", differences, $"the check exited {code.ToString(CultureInfo.InvariantCulture)}"),
        };
    }

    public int DriftCount => Steps.Sum(s => s.Differences.Count);

    /// <summary>0 no drift; 3 drift; 1 when a machine was out of reach or a check failed (the lab's state is then unknown).</summary>
    public int ExitCode => Unreachable.Count > 0 || Steps.Any(s => s.Status is "error" or "not-checked") ? 1
        : Steps.Any(s => s.Status == "drift") ? CheckMode.DriftExit : 0;

    public string Summary
    {
        get
        {
            int Count(string status) => Steps.Count(s => s.Status == status);
            var machines = Steps.Select(s => s.Machine).Distinct().Count();
            return string.Create(CultureInfo.InvariantCulture,
                $"drift: stack {Stack}: {machines} machines, {Count("clean") + Count("drift")} steps checked, {Count("drift")} with drift ({DriftCount} differences), " +
                $"{Count("skipped")} skipped, {Unreachable.Count} unreachable, {Count("error")} failed, in {Seconds:0.0} s");
        }
    }

    /// <summary>Per machine, per step, then the summary line.</summary>
    public string Text()
    {
        var text = new StringBuilder();
        foreach (var machine in Steps.GroupBy(s => s.Machine))
        {
            text.Append(Unreachable.TryGetValue(machine.Key, out var why) ? $"{machine.Key}: UNREACHABLE ({why})\n" : $"{machine.Key}:\n");
            foreach (var step in machine.Where(s => !Unreachable.ContainsKey(s.Machine)))
            {
                var status = step.Status switch
                {
                    "drift" => $"DRIFT ({step.Differences.Count})",
                    "skipped" => $"skipped: {step.Note}",
                    "error" => $"ERROR: {step.Note}",
                    "not-checked" => $"not checked: {step.Note}",
                    var s => s,
                };
                text.Append(CultureInfo.InvariantCulture, $"  {step.Step,-28} {status}\n");
                foreach (var d in step.Differences)
                {
                    text.Append(CultureInfo.InvariantCulture, $"      drift: {d.What} expected={d.Expected} actual={d.Actual}\n");
                }
            }
        }
        return text.Append(Summary).Append('\n').ToString();
    }

    public string Json()
    {
        static string Q(string s) => global::Lab.Model.Text.Json.Quote(s);
        var machines = Steps.GroupBy(s => s.Machine).Select(m =>
            $"{{\"machine\":{Q(m.Key)},\"reachable\":{(Unreachable.ContainsKey(m.Key) ? "false" : "true")}" +
            (Unreachable.TryGetValue(m.Key, out var why) ? $",\"unreachable\":{Q(why)}" : "") +
            ",\"steps\":[" + string.Join(",", m.Select(s =>
                $"{{\"step\":{Q(s.Step)},\"status\":{Q(s.Status)},\"note\":{Q(s.Note)},\"differences\":[" +
                string.Join(",", s.Differences.Select(d => $"{{\"what\":{Q(d.What)},\"expected\":{Q(d.Expected)},\"actual\":{Q(d.Actual)}}}")) + "]}")) + "]}");
        return $"{{\"stack\":{Q(Stack)},\"exit\":{ExitCode.ToString(CultureInfo.InvariantCulture)},\"differences\":{DriftCount.ToString(CultureInfo.InvariantCulture)}," +
            $"\"summary\":{Q(Summary)},\"machines\":[{string.Join(",", machines)}]}}\n";
    }

    /// <summary>
    /// The Pushgateway group <c>job="lab_drift"</c> (Prometheus text format), replaced whole by each run (PUT), so only the
    /// latest run stands: differences per machine and checked step, whether each machine was reached, and the run's time.
    /// </summary>
    public string Metrics(long unixSeconds)
    {
        static string L(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        var text = new StringBuilder()
            .Append("# HELP lab_drift_differences Differences a drift check found between a machine and what the step would make it.\n")
            .Append("# TYPE lab_drift_differences gauge\n");
        foreach (var s in Steps.Where(s => s.Status is "clean" or "drift"))
        {
            text.Append(CultureInfo.InvariantCulture, $"lab_drift_differences{{machine=\"{L(s.Machine)}\",step=\"{L(s.Step)}\"}} {s.Differences.Count}\n");
        }
        text.Append("# HELP lab_drift_machine_reachable Whether the drift check reached the machine (1) or not (0).\n")
            .Append("# TYPE lab_drift_machine_reachable gauge\n");
        foreach (var machine in Steps.Select(s => s.Machine).Distinct())
        {
            text.Append(CultureInfo.InvariantCulture, $"lab_drift_machine_reachable{{machine=\"{L(machine)}\"}} {(Unreachable.ContainsKey(machine) ? 0 : 1)}\n");
        }
        return text.Append("# HELP lab_drift_run_timestamp_seconds When the drift check ran (unix time).\n")
            .Append("# TYPE lab_drift_run_timestamp_seconds gauge\n")
            .Append(CultureInfo.InvariantCulture, $"lab_drift_run_timestamp_seconds {unixSeconds}\n").ToString();
    }
}
