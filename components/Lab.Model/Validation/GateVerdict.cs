using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lab.Model.Validation;

public enum Outcome
{
    Pass,

    /// <summary>Measured, and on the wrong side of its target.</summary>
    Short,

    /// <summary>Not measured on purpose: the lab could not be measured fairly (a GPU held by another pod).</summary>
    NotMeasurable,

    /// <summary>The probe's Job failed: whatever it printed is not a measurement.</summary>
    Fail,
    Missing,
    Malformed,
}

/// <summary>The three statuses a check's series carry (lab_gate_check_status): only a measurement can pass or fall short.</summary>
public enum CheckStatus
{
    Pass,
    Short,
    NotMeasurable,
}

/// <summary>One check judged: what was measured against what was wanted.</summary>
/// <param name="Detail">What the probe observed beside its value (the GPU stage: Gflop/s and throttle reasons), or "".</param>
public sealed record CheckVerdict(Check Check, double? Measured, string? MeasuredUnit, Outcome Outcome, string Note, string Detail = "")
{
    public bool Passed => Outcome == Outcome.Pass;

    public CheckStatus Status => Outcome switch
    {
        Outcome.Pass => CheckStatus.Pass,
        Outcome.Short => CheckStatus.Short,
        // A failed, silent or garbled probe measured nothing either: it can neither pass nor fall short.
        _ => CheckStatus.NotMeasurable,
    };

    /// <summary>The measured value, only where there is a measurement to judge (a short or passing check).</summary>
    public double? Measurement => Status == CheckStatus.NotMeasurable ? null : Measured;
}

/// <summary>
/// Judges probe output against the targets. Probe output is not trusted: only well-formed result
/// lines of the check's own Job count; anything missing, duplicated, in another unit, not a finite
/// number or physically impossible is a failure, never a pass.
/// </summary>
/// <param name="StartedAt">Unix time the collector started the run (its `LAB_RUN started=N` line), null in output without one.</param>
public sealed partial record GateVerdict(IReadOnlyList<CheckVerdict> Checks, long? StartedAt = null)
{
    public bool Passed => Checks.All(c => c.Passed);

    public IEnumerable<CheckVerdict> ShortFalls => Checks.Where(c => !c.Passed);

    /// <param name="output">
    /// Collected output: a `LAB_RUN started=N` line, then `LAB_JOB job=PROBE-FINGERPRINT status=complete|failed|not_measurable
    /// [reason=WORD] [pod=NAMESPACE/NAME]` headers, each followed by that Job's result, shortfall (`LAB_SHORT`) and detail lines. A failed Job's checks
    /// fail with its reason, whatever it printed; a Job not run because its GPU was busy is not measurable.
    /// </param>
    public static GateVerdict Judge(IReadOnlyList<Probe> probes, string output)
    {
        // Jobs are matched by probe, not by fingerprint: saved output of an earlier run can be re-judged.
        var owner = probes.SelectMany(p => p.Checks.Select(c => (c.Id, p.Name))).ToDictionary(x => x.Id, x => x.Name);
        var seen = new Dictionary<string, List<(double? Value, string Unit, string? Shortfall)>>();
        var details = new Dictionary<string, List<string>>();
        var faults = new Dictionary<string, List<string>>();
        var failed = new Dictionary<string, string>();
        var unmeasurable = new Dictionary<string, string>();
        long? startedAt = null;
        var job = "";
        // A line counts only from the Job that owns its check: one probe cannot vouch for another.
        bool Owned(string check) => check.Length > 0 && owner.TryGetValue(check, out var owning) && owning == job;
        static void Add<T>(Dictionary<string, List<T>> lines, string check, T line) => (lines.TryGetValue(check, out var list) ? list : lines[check] = []).Add(line);
        foreach (var line in output.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (RunHeader().Match(line) is { Success: true } run)
            {
                startedAt = long.Parse(run.Groups["started"].Value, CultureInfo.InvariantCulture);
                continue;
            }
            if (JobHeader().Match(line) is { Success: true } header)
            {
                job = header.Groups["probe"].Value;
                var reason = header.Groups["reason"].Success ? header.Groups["reason"].Value : "Failed";
                switch (header.Groups["status"].Value)
                {
                    case "failed":
                        failed[job] = reason;
                        break;
                    case "not_measurable":
                        unmeasurable[job] = reason == "GpuBusy" && header.Groups["pod"].Success ? $"GPU busy ({header.Groups["pod"].Value})" : reason;
                        break;
                }
                continue;
            }
            // A failing probe's own word for why (the Slurm job check's LoginUnreachable, KeyRefused, …): the note says it.
            if (FaultLine().Match(line) is { Success: true } fault)
            {
                if (Owned(fault.Groups["check"].Value))
                {
                    Add(faults, fault.Groups["check"].Value, fault.Groups["fault"].Value);
                }
                continue;
            }
            if (DetailLine().Match(line) is { Success: true } detail)
            {
                if (Owned(detail.Groups["check"].Value))
                {
                    var throttle = detail.Groups["throttle"].Value;
                    Add(details, detail.Groups["check"].Value, $"{detail.Groups["gflops"].Value} Gflop/s, {(throttle == "none" ? "no throttling" : $"throttled: {throttle}")}");
                }
                continue;
            }
            if (line.StartsWith("LAB_SHORT ", StringComparison.Ordinal))
            {
                // A check the probe found unmet with no number to give: it counts as one result of the check, and its reason must be one the gate knows.
                var shortfall = ShortLine().Match(line);
                var shortId = shortfall.Success ? shortfall.Groups["check"].Value : FirstCheck().Match(line).Groups[1].Value;
                if (Owned(shortId))
                {
                    Add(seen, shortId, ((double?)null, "", (string?)(shortfall.Success ? shortfall.Groups["reason"].Value : "")));
                }
                continue;
            }
            if (!line.StartsWith("LAB_RESULT ", StringComparison.Ordinal))
            {
                continue;
            }
            var result = ResultLine().Match(line);
            var id = result.Success ? result.Groups["check"].Value : FirstCheck().Match(line).Groups[1].Value;
            if (!Owned(id))
            {
                continue;
            }
            double? value = result.Success && double.TryParse(result.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
            Add(seen, id, (value, result.Success ? result.Groups["unit"].Value : "", (string?)null));
        }

        var verdicts = probes.SelectMany(p => p.Checks.Select(c => (Probe: p.Name, Check: c))).Select(x =>
        {
            var check = x.Check;
            // One detail line per check, or none counts: a second is as untrustworthy as a second result.
            var observed = details.TryGetValue(check.Id, out var d) && d.Count == 1 ? d[0] : "";
            if (unmeasurable.TryGetValue(x.Probe, out var why))
            {
                return new CheckVerdict(check, null, null, Outcome.NotMeasurable, $"not measurable: {why}");
            }
            if (failed.TryGetValue(x.Probe, out var reason))
            {
                return new CheckVerdict(check, null, null, Outcome.Fail,
                    faults.TryGetValue(check.Id, out var f) && f.Count == 1 ? $"job failed: {f[0]} ({reason})" : $"job failed: {reason}");
            }
            if (!seen.TryGetValue(check.Id, out var results))
            {
                return new CheckVerdict(check, null, null, Outcome.Missing, "no result: the probe's Job did not run or printed none");
            }
            if (results.Count > 1)
            {
                return new CheckVerdict(check, null, null, Outcome.Malformed, $"{results.Count} results for one check");
            }
            var (value, unit, shortReason) = results[0];
            if (shortReason is not null)
            {
                return ShortReasons.TryGetValue(shortReason, out var meaning)
                    ? new CheckVerdict(check, null, null, Outcome.Short, meaning)
                    : new CheckVerdict(check, null, null, Outcome.Malformed, "a shortfall without a reason the gate knows");
            }
            if (value is null)
            {
                return new CheckVerdict(check, null, unit, Outcome.Malformed, "the result is not a finite number");
            }
            if (unit != check.Unit)
            {
                return new CheckVerdict(check, value, unit, Outcome.Malformed, $"reported in '{unit}', expected '{check.Unit}'");
            }
            if (value < 0 || value > check.PhysicalMax)
            {
                return new CheckVerdict(check, value, unit, Outcome.Malformed, $"outside 0..{check.PhysicalMax.ToString(CultureInfo.InvariantCulture)} {check.Unit}: not a real measurement");
            }
            var pass = check.AtLeast ? value >= check.Target : value <= check.Target;
            return new CheckVerdict(check, value, unit, pass ? Outcome.Pass : Outcome.Short, pass ? "" : "short of target", observed);
        }).ToList();
        return new GateVerdict(verdicts, startedAt);
    }

    /// <summary>
    /// The reasons a probe may give in a `LAB_SHORT check=ID reason=WORD` line, and what the table says for each: the check
    /// is short with nothing to measure. Any other reason is malformed output.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ShortReasons = new Dictionary<string, string>
    {
        ["never_backed_up"] = "never backed up: the Pushgateway holds no last good backup of this item (docs/runbooks/backups.md#an-item-has-no-good-backup)",
    };

    /// <summary>One line: how many checks fell short and how many could not be measured.</summary>
    public string Summary
    {
        get
        {
            var shortCount = Checks.Count(c => c.Status == CheckStatus.Short);
            var notMeasurable = Checks.Count(c => c.Status == CheckStatus.NotMeasurable);
            return (shortCount, notMeasurable) switch
            {
                (0, 0) => $"all {Checks.Count} checks meet their targets",
                (_, 0) => $"{shortCount} of {Checks.Count} checks fall short",
                (0, _) => $"{notMeasurable} of {Checks.Count} checks could not be measured",
                _ => $"{shortCount} of {Checks.Count} checks fall short and {notMeasurable} could not be measured",
            };
        }
    }

    /// <summary>The verdict table an operator reads (and the update fails with in enforce mode).</summary>
    public string Table()
    {
        var rows = Checks.Select(c => new[]
        {
            c.Check.Id,
            c.Measured?.ToString("0.##", CultureInfo.InvariantCulture) ?? "-",
            c.Check.Rule,
            c.Outcome == Outcome.NotMeasurable ? "NOT MEASURABLE" : c.Outcome.ToString().ToUpperInvariant(),
            string.Join("; ", new[] { c.Note, c.Detail }.Where(n => n.Length > 0)),
        }).Prepend(["check", "measured", "target", "verdict", "note"]).ToList();
        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
        }
        return text.Append(Summary).Append('\n').ToString();
    }

    [GeneratedRegex(@"\ALAB_RUN started=(?<started>[0-9]{1,12})\z")] private static partial Regex RunHeader();
    [GeneratedRegex(@"\ALAB_JOB job=(?<probe>[a-z0-9-]{1,54})-[0-9a-f]{8} status=(?<status>complete|failed|not_measurable)( reason=(?<reason>[A-Za-z]{1,64}))?( pod=(?<pod>[a-z0-9][a-z0-9.-]{0,62}/[a-z0-9][a-z0-9.-]{0,252}))?\z")] private static partial Regex JobHeader();
    [GeneratedRegex(@"\ALAB_RESULT check=(?<check>[a-z0-9_]+(:[a-z0-9-]+)?) value=(?<value>\S+) unit=(?<unit>\S+)\z")] private static partial Regex ResultLine();
    [GeneratedRegex(@"\ALAB_SHORT check=(?<check>[a-z0-9_]+(:[a-z0-9-]+)?) reason=(?<reason>[a-z_]{1,40})\z")] private static partial Regex ShortLine();
    [GeneratedRegex(@"\ALAB_DETAIL check=(?<check>[a-z0-9_]+(:[a-z0-9-]+)?) gflops=(?<gflops>[0-9]{1,9}) throttle=(?<throttle>none|[a-z_]{1,40}(,[a-z_]{1,40}){0,7})\z")] private static partial Regex DetailLine();
    [GeneratedRegex(@"check=([a-z0-9_]+(:[a-z0-9-]+)?)")] private static partial Regex FirstCheck();
    [GeneratedRegex(@"\ALAB_DETAIL check=(?<check>[a-z0-9_]+(:[a-z0-9-]+)?) fault=(?<fault>[A-Za-z]{1,64})\z")] private static partial Regex FaultLine();
}
