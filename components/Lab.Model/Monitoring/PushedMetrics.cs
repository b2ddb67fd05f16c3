using System.Collections.Immutable;

namespace Lab.Model.Monitoring;

/// <summary>
/// The lab's Pushgateway: where every signal that outlives a Job is published (gate verdicts, backups, drift),
/// scraped by the observability add-on's Prometheus with the pushed labels kept (honorLabels).
/// </summary>
public static class PushedMetrics
{
    public const string Namespace = "lab-monitoring";
    public const string Name = "lab-pushgateway";
    public const string PortName = "http";
    public const int Port = 9091;

    /// <summary>The NodePort node timers and the gate's publish step push to (http://CONTROL_NODE_HOST:30091).</summary>
    public const int NodePort = 30091;

    /// <summary>The key of its image under lab:validation.images.</summary>
    public const string ImageKey = "pushgateway";

    /// <summary>The binary of Ubuntu's prometheus-pushgateway package, which the lab's image is built from.</summary>
    public const string Binary = "/usr/bin/prometheus-pushgateway";

    /// <summary>Pushed groups are kept across container restarts in this file (an emptyDir), until the pod moves.</summary>
    public const string PersistenceDirectory = "/var/lib/pushgateway";

    public static ImmutableArray<string> Args =>
        [$"--web.listen-address=:{Port}", $"--persistence.file={PersistenceDirectory}/metrics", "--persistence.interval=1m"];

    /// <summary>The group of the gate's verdict series (job label); each gate run replaces it whole with a PUT.</summary>
    public const string GateJob = "lab_validation_gate";
    public const string BackupJob = "lab_backup";
    public const string DriftJob = "lab_drift";

    /// <summary>The URL path of a group: PUT replaces every series of the group, POST only those of the same names.</summary>
    public static string GroupPath(string job) => $"/metrics/job/{job}";

    /// <summary>Unprivileged account of the Pushgateway's container (nobody).</summary>
    public const int RunAsUser = 65534;
}
