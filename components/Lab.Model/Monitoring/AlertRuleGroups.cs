using System.Text;
using Lab.Model.Artifacts;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Monitoring;

public sealed record AlertRule(string Alert, string Expr, string For, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

public sealed record RuleGroup(string Name, IReadOnlyList<AlertRule> Rules);

/// <summary>
/// The lab's Prometheus rule groups, rendered from the catalog and the stack's thresholds. The same
/// groups become the plain rule file promtool checks and the PrometheusRule object's spec.
/// </summary>
public static class AlertRuleGroups
{
    public const string FileName = "lab-alerts.rules.yaml";

    public static IReadOnlyList<RuleGroup> Groups(LabSpec spec)
    {
        var all = spec.Nas.Exports.Select(e => e.MountPoint).ToList();
        var rw = spec.Nas.Exports.Where(e => e.Access == ExportAccess.ReadWrite).Select(e => e.MountPoint).ToList();
        return AlertCatalog.All
            // Storage alerts watch the exports' mount points: none to watch, no alert.
            .Where(d => !(d.Expr.Contains("{nfs_all}") && all.Count == 0) && !(d.Expr.Contains("{nfs_rw}") && rw.Count == 0))
            // Slurm's alerts only where the stack runs Slurm.
            .Where(d => d.Source != ScrapeSource.SlurmExporter || spec.Slurm is not null)
            .GroupBy(d => d.Group)
            .Select(g => new RuleGroup(g.Key, g.Select(d => Render(spec, d, all, rw)).ToList()))
            .ToList();
    }

    /// <summary>
    /// One rule: the stack's values enter the expression only as a validated number or a quoted regex of literal
    /// mount points (Text.Promql); the annotations are text for people and take the same number.
    /// </summary>
    private static AlertRule Render(LabSpec spec, AlertDefinition d, IReadOnlyList<string> nfsAll, IReadOnlyList<string> nfsRw)
    {
        var setting = spec.Alerts.Settings[d.Alert];
        var threshold = setting.Threshold is { } t ? Promql.Number(t) : "";
        string Fill(string text) => text
            .Replace("{threshold}", threshold, StringComparison.Ordinal)
            .Replace("{for}", setting.For, StringComparison.Ordinal);
        var expr = Fill(d.Expr)
            .Replace("{nfs_all}", Promql.AnyOf(nfsAll), StringComparison.Ordinal)
            .Replace("{nfs_rw}", Promql.AnyOf(nfsRw), StringComparison.Ordinal);
        return new AlertRule(d.Alert, expr, setting.For,
            new SortedDictionary<string, string>(StringComparer.Ordinal) { ["severity"] = setting.Severity, ["lab"] = d.Group["lab-".Length..] },
            new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["summary"] = Fill(d.Summary),
                ["description"] = Fill(d.Description),
                ["runbook_url"] = $"{spec.Alerts.RunbookBaseUrl}/{d.Runbook}",
            });
    }

    /// <summary>A Prometheus rule file, every string quoted with <see cref="Text.Yaml.Quote"/>.</summary>
    public static string Yaml(IReadOnlyList<RuleGroup> groups)
    {
        var text = new StringBuilder("# The lab's alert rules, rendered by Lab.Model; checked with promtool.\ngroups:\n");
        foreach (var group in groups)
        {
            text.Append($"  - name: {Text.Yaml.Quote(group.Name)}\n    rules:\n");
            foreach (var rule in group.Rules)
            {
                text.Append($"      - alert: {Text.Yaml.Quote(rule.Alert)}\n        expr: {Text.Yaml.Quote(rule.Expr)}\n        for: {Text.Yaml.Quote(rule.For)}\n        labels:\n");
                foreach (var (k, v) in rule.Labels)
                {
                    text.Append($"          {k}: {Text.Yaml.Quote(v)}\n");
                }
                text.Append("        annotations:\n");
                foreach (var (k, v) in rule.Annotations)
                {
                    text.Append($"          {k}: {Text.Yaml.Quote(v)}\n");
                }
            }
        }
        return text.ToString();
    }

    /// <summary>The PrometheusRule spec: the same groups as plain data.</summary>
    public static Dictionary<string, object> Spec(IReadOnlyList<RuleGroup> groups) => new()
    {
        ["groups"] = groups.Select(g => new Dictionary<string, object>
        {
            ["name"] = g.Name,
            ["rules"] = g.Rules.Select(r => new Dictionary<string, object>
            {
                ["alert"] = r.Alert,
                ["expr"] = r.Expr,
                ["for"] = r.For,
                ["labels"] = r.Labels.ToDictionary(kv => kv.Key, kv => (object)kv.Value),
                ["annotations"] = r.Annotations.ToDictionary(kv => kv.Key, kv => (object)kv.Value),
            }).ToList<object>(),
        }).ToList<object>(),
    };

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) => [new Artifact($"alert-rules/{FileName}", Yaml(Groups(spec)))];
}
