using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lab.Model.Validation;

public enum Outcome
{
    Pass,
    Fail,
    Missing,
    Malformed,
}

/// <summary>One check judged: what was measured against what was wanted.</summary>
public sealed record CheckVerdict(Check Check, double? Measured, string? MeasuredUnit, Outcome Outcome, string Note)
{
    public bool Passed => Outcome == Outcome.Pass;
}

/// <summary>
/// Judges probe output against the targets. Probe output is not trusted: only well-formed result
/// lines of the check's own Job count; anything missing, duplicated, in another unit, not a finite
/// number or physically impossible is a failure, never a pass.
/// </summary>
public sealed partial record GateVerdict(IReadOnlyList<CheckVerdict> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);

    public IEnumerable<CheckVerdict> ShortFalls => Checks.Where(c => !c.Passed);

    /// <param name="output">
    /// Collected output: `LAB_JOB job=PROBE-FINGERPRINT status=complete|failed [reason=WORD]` headers, each
    /// followed by that Job's result lines. A failed Job's checks fail with its reason, whatever it printed.
    /// </param>
    public static GateVerdict Judge(IReadOnlyList<Probe> probes, string output)
    {
        // Jobs are matched by probe, not by fingerprint: saved output of an earlier run can be re-judged.
        var owner = probes.SelectMany(p => p.Checks.Select(c => (c.Id, p.Name))).ToDictionary(x => x.Id, x => x.Name);
        var seen = new Dictionary<string, List<(double? Value, string Unit, string Raw)>>();
        var failed = new Dictionary<string, string>();
        var job = "";
        foreach (var line in output.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (JobHeader().Match(line) is { Success: true } header)
            {
                job = header.Groups["probe"].Value;
                if (header.Groups["status"].Value == "failed")
                {
                    failed[job] = header.Groups["reason"].Success ? header.Groups["reason"].Value : "Failed";
                }
                continue;
            }
            if (!line.StartsWith("LAB_RESULT ", StringComparison.Ordinal))
            {
                continue;
            }
            var result = ResultLine().Match(line);
            var id = result.Success ? result.Groups["check"].Value : FirstCheck().Match(line).Groups[1].Value;
            // A result counts only from the Job that owns the check: one probe cannot vouch for another.
            if (id.Length == 0 || !owner.TryGetValue(id, out var expectedJob) || expectedJob != job)
            {
                continue;
            }
            double? value = result.Success && double.TryParse(result.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
            (seen.TryGetValue(id, out var list) ? list : seen[id] = []).Add((value, result.Success ? result.Groups["unit"].Value : "", line));
        }

        var verdicts = probes.SelectMany(p => p.Checks.Select(c => (Probe: p.Name, Check: c))).Select(x =>
        {
            var check = x.Check;
            if (failed.TryGetValue(x.Probe, out var reason))
            {
                return new CheckVerdict(check, null, null, Outcome.Fail, $"job failed: {reason}");
            }
            if (!seen.TryGetValue(check.Id, out var results))
            {
                return new CheckVerdict(check, null, null, Outcome.Missing, "no result: the probe's Job did not run or printed none");
            }
            if (results.Count > 1)
            {
                return new CheckVerdict(check, null, null, Outcome.Malformed, $"{results.Count} results for one check");
            }
            var (value, unit, _) = results[0];
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
            return new CheckVerdict(check, value, unit, pass ? Outcome.Pass : Outcome.Fail, pass ? "" : "short of target");
        }).ToList();
        return new GateVerdict(verdicts);
    }

    /// <summary>The verdict table an operator reads (and the update fails with in enforce mode).</summary>
    public string Table()
    {
        var rows = Checks.Select(c => new[]
        {
            c.Check.Id,
            c.Measured?.ToString("0.##", CultureInfo.InvariantCulture) ?? "-",
            c.Check.Rule,
            c.Outcome.ToString().ToUpperInvariant(),
            c.Note,
        }).Prepend(["check", "measured", "target", "verdict", "note"]).ToList();
        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
        }
        var failed = Checks.Count(c => !c.Passed);
        text.Append(failed == 0 ? $"all {Checks.Count} checks meet their targets\n" : $"{failed} of {Checks.Count} checks fall short\n");
        return text.ToString();
    }

    [GeneratedRegex(@"\ALAB_JOB job=(?<probe>[a-z0-9-]{1,54})-[0-9a-f]{8} status=(?<status>complete|failed)( reason=(?<reason>[A-Za-z]{1,64}))?\z")] private static partial Regex JobHeader();
    [GeneratedRegex(@"\ALAB_RESULT check=(?<check>[a-z0-9_]+(:[a-z0-9-]+)?) value=(?<value>\S+) unit=(?<unit>\S+)\z")] private static partial Regex ResultLine();
    [GeneratedRegex(@"check=([a-z0-9_]+(:[a-z0-9-]+)?)")] private static partial Regex FirstCheck();
}
