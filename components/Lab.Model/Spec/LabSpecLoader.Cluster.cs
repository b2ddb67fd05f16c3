using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lab.Model.Cluster;
using Lab.Model.Text;

namespace Lab.Model.Spec;

public static partial class LabSpecLoader
{
    private static IReadOnlyList<string> ClusterFields => field ??= ConfigCatalog.Fields("lab:cluster");

    private static ClusterSpec? ReadCluster(ConfigReader r, string? raw)
    {
        const string key = ConfigKeys.Cluster;
        if (r.Document(key, raw, JsonValueKind.Object, "lab:cluster: {channel: 1.32/stable, addons: [dns, rbac, hostpath-storage, metrics-server, nvidia, observability], gpuReplicas: 4}") is not { } c)
        {
            return null;
        }
        r.RejectUnknown(c, key, ClusterFields);
        var channel = r.String(c, key, "channel", "1.32/stable");
        if (channel is not null && !SnapChannel().IsMatch(channel))
        {
            r.Error($"{key}.channel", $"'{ConfigText.Shorten(channel)}' is not a pinned MicroK8s channel; every node must run the same minor version.",
                $"pin TRACK/RISK with a version track: {r.SetPathFix($"{key}.channel", "1.32/stable")}");
            channel = null;
        }
        var addons = r.Names(c, key, "addons", "[dns, rbac, hostpath-storage, metrics-server, nvidia, observability]", required: true);
        if (addons is not null)
        {
            for (var i = 0; i < addons.Value.Length; i++)
            {
                var addon = addons.Value[i];
                if (!Addons.Prerequisites.TryGetValue(addon, out var needs))
                {
                    r.Error($"{key}.addons[{i}]", $"'{ConfigText.Shorten(addon)}' is not an add-on the lab knows.", $"use one of: {string.Join(", ", Addons.Prerequisites.Keys)}.");
                    addons = null;
                    break;
                }
                foreach (var missing in needs.Where(n => !addons.Value.Contains(n)))
                {
                    r.Error($"{key}.addons[{i}]", $"'{addon}' needs '{missing}', which is not in the list.", $"add {missing} to {key}.addons.");
                    addons = null;
                }
                if (addons is null)
                {
                    break;
                }
            }
            if (addons is not null && addons.Value.Distinct().Count() != addons.Value.Length)
            {
                r.Error($"{key}.addons", "lists an add-on twice.", "list each add-on once.");
                addons = null;
            }
        }
        var shares = ConfigReader.Setting(key, "gpuReplicas");
        var replicas = r.Int(c, key, "gpuReplicas", shares.DefaultInt(), int.MinValue, int.MaxValue, shares.Default!);
        if (replicas < shares.Min || replicas > shares.Max)
        {
            r.Error($"{key}.gpuReplicas", $"{replicas} shares per GPU is out of range: time-slicing needs at least 1 (no sharing) and at most 64.", r.SetPathFix($"{key}.gpuReplicas", "4"));
            replicas = null;
        }
        var token = ConfigReader.Setting(key, "joinTokenTtl");
        var ttl = Seconds(r, c, key, "joinTokenTtl", token.Default!, fallback: token.DefaultInt());
        // Under 5 min a slow join (image pulls on a busy control node) outlives its token; over 24 h a leaked token stays useful too long.
        if (ttl < token.Min || ttl > token.Max)
        {
            r.Error($"{key}.joinTokenTtl", $"{Duration.Format(ttl!.Value)} is out of range for a worker's join token.", $"use between {Duration.Format((int)token.Min!)} and {Duration.Format((int)token.Max!)}: {r.SetPathFix($"{key}.joinTokenTtl", token.Default!)}");
            ttl = null;
        }
        var budget = ConfigReader.Setting(key, "failureDetection");
        var detection = Seconds(r, c, key, "failureDetection", budget.Default!, fallback: budget.DefaultInt());
        if (detection < budget.Min || detection > budget.Max)
        {
            r.Error($"{key}.failureDetection", $"{Duration.Format(detection!.Value)} cannot be met safely: below {MinFailureDetection}s healthy nodes flap to NotReady.", r.SetPathFix($"{key}.failureDetection", budget.Default!));
            detection = null;
        }
        return channel is null || addons is null || replicas is null || ttl is null || detection is null
            ? null
            : new ClusterSpec(channel, Ordered(addons.Value), replicas.Value, ttl.Value, detection.Value);
    }

    /// <summary>The least failure-detection budget the rendered timings can honour (see ClusterTimings).</summary>
    internal const int MinFailureDetection = ClusterTimings.StatusUpdate * 4 + ClusterTimings.MonitorPeriod + ClusterTimings.StatusUpdate;

    /// <summary>The listed order, with each add-on's prerequisites moved before it.</summary>
    private static ImmutableArray<string> Ordered(ImmutableArray<string> addons)
    {
        var ordered = new List<string>();
        void Visit(string addon)
        {
            if (ordered.Contains(addon))
            {
                return;
            }
            foreach (var need in Addons.Prerequisites[addon])
            {
                Visit(need);
            }
            ordered.Add(addon);
        }
        foreach (var addon in addons)
        {
            Visit(addon);
        }
        return [.. ordered];
    }

    [GeneratedRegex(ConfigPatterns.SnapChannel)] private static partial Regex SnapChannel();
}
