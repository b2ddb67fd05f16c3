using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lab.Model.Monitoring;

namespace Lab.Model.Spec;

public static partial class LabSpecLoader
{
    private static IReadOnlyList<string> AlertsFields => field ??= ConfigCatalog.Fields("lab:alerts");
    private static IReadOnlyList<string> AlertSettingFields => field ??= ConfigCatalog.Fields("lab:alerts.rules.<alert>");

    private static AlertsSpec? ReadAlerts(ConfigReader r, string? raw)
    {
        const string key = ConfigKeys.Alerts;
        if (r.Document(key, raw, JsonValueKind.Object, "lab:alerts: {runbookBaseUrl: https://git.lab/lab-infra/src/branch/main/docs/runbooks}") is not { } a)
        {
            return null;
        }
        r.RejectUnknown(a, key, AlertsFields);
        var baseUrl = r.String(a, key, "runbookBaseUrl", "https://git.lab/lab-infra/src/branch/main/docs/runbooks");
        if (baseUrl is not null && r.Url($"{key}.runbookBaseUrl", baseUrl, ["https", "http"], rootOnly: false, "https://git.lab/lab-infra/src/branch/main/docs/runbooks") is null)
        {
            baseUrl = null;
        }
        var settings = AlertCatalog.All.ToImmutableSortedDictionary(d => d.Alert, d => new AlertSetting(d.Threshold, d.For, d.Severity), StringComparer.Ordinal);
        var ok = true;
        if (a.TryGetProperty("rules", out var rules))
        {
            if (rules.ValueKind != JsonValueKind.Object)
            {
                r.Error($"{key}.rules", "must be a mapping of alert name to settings.", "e.g. rules: {HighGPUTemperature: {threshold: 83, for: 5m, severity: warning}}");
                return null;
            }
            foreach (var rule in rules.EnumerateObject())
            {
                var at = $"{key}.rules.{rule.Name}";
                if (!settings.TryGetValue(rule.Name, out var current))
                {
                    r.Error(at, "is not a lab alert.", ConfigReader.UnknownFix(rule.Name, settings.Keys.ToList()));
                    ok = false;
                    continue;
                }
                if (rule.Value.ValueKind != JsonValueKind.Object)
                {
                    r.Error(at, "must be a mapping {threshold, for, severity}.", "e.g. {threshold: 83, for: 5m, severity: warning}");
                    ok = false;
                    continue;
                }
                r.RejectUnknown(rule.Value, at, AlertSettingFields);
                var definition = AlertCatalog.Get(rule.Name);
                var threshold = current.Threshold;
                if (r.String(rule.Value, at, "threshold", "85", required: false) is { } text)
                {
                    if (definition.Range is not { } range)
                    {
                        r.Error($"{at}.threshold", "this alert has no threshold.", "remove it.");
                        ok = false;
                    }
                    else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < range.Min || value > range.Max)
                    {
                        r.Error($"{at}.threshold", $"'{ConfigText.Shorten(text)}' is out of range: use a number from {range.Min.ToString(CultureInfo.InvariantCulture)} to {range.Max.ToString(CultureInfo.InvariantCulture)} {range.Unit}.",
                            r.SetPathFix($"{at}.threshold", (definition.Threshold ?? range.Min).ToString(CultureInfo.InvariantCulture)));
                        ok = false;
                    }
                    else
                    {
                        threshold = value;
                    }
                }
                var @for = r.String(rule.Value, at, "for", "5m", required: false) ?? current.For;
                if (!PromDuration().IsMatch(@for))
                {
                    r.Error($"{at}.for", $"'{ConfigText.Shorten(@for)}' is not a Prometheus duration.", $"write it like 30s, 5m, 1h or 1h30m: {r.SetPathFix($"{at}.for", "5m")}");
                    ok = false;
                }
                var severity = r.String(rule.Value, at, "severity", "warning", required: false) ?? current.Severity;
                if (!AlertCatalog.Severities.Contains(severity))
                {
                    r.Error($"{at}.severity", $"'{ConfigText.Shorten(severity)}' is not a severity.", "use critical, warning or info.");
                    ok = false;
                }
                settings = settings.SetItem(rule.Name, new AlertSetting(threshold, @for, severity));
            }
        }
        return baseUrl is null || !ok ? null : new AlertsSpec(baseUrl.TrimEnd('/'), settings);
    }

    [GeneratedRegex(ConfigPatterns.PromDuration)] private static partial Regex PromDuration();
}
