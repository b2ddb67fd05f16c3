namespace Lab.Model.Tests;

/// <summary>
/// The label set of a backup series after the scrape pipeline, for alert tests. lab-backup POSTs to
/// /metrics/job/lab_backup/item/ITEM (or machine/MACHINE); the Pushgateway (prometheus/pushgateway,
/// handler/push.go, sanitizeLabels) adds the grouping labels job and item/machine to every pushed metric,
/// and instance="" where none was pushed. The ServiceMonitor scrapes it with honorLabels: true: a target
/// label is added only where the scraped series lacks it (prometheus, scrape/scrape.go, mutateSampleLabels),
/// so job, item and the empty instance stand, and an empty label is no label: the series carry no instance.
/// The target labels prometheus-operator's endpoint relabelling sets (namespace, service, pod, container,
/// endpoint; prometheus-operator, pkg/prometheus/promcfg.go) are added.
/// </summary>
internal static class BackupSeries
{
    public static Dictionary<string, string> ItemLabels(string item) => Labels(("item", item));

    public static Dictionary<string, string> MachineLabels(string machine) => Labels(("machine", machine));

    private static Dictionary<string, string> Labels((string, string) group) =>
        ScrapedSeries.Pushed("lab_backup", group).ToDictionary(l => l.Item1, l => l.Item2);

    /// <summary>A promtool input series line: NAME{labels} VALUES.</summary>
    public static string Item(string metric, string item, string values) => Line(metric, ItemLabels(item), values);

    public static string Machine(string metric, string machine, string values) => Line(metric, MachineLabels(machine), values);

    private static string Line(string metric, Dictionary<string, string> labels, string values) =>
        $"{metric}{{{string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\""))}}} {values}";
}
