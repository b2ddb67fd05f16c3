using Lab.Model.Spec;

namespace Lab.Model.Cluster;

/// <summary>
/// Kubelet and controller-manager timings that mark a failed node NotReady within the budget
/// (seed 004: 30 s). Worst case = grace period + one monitor period, after the last heartbeat.
/// </summary>
public sealed record ClusterTimings(int StatusUpdateSeconds, int MonitorPeriodSeconds, int GracePeriodSeconds)
{
    public const int StatusUpdate = 4;
    public const int MonitorPeriod = 2;

    public static ClusterTimings For(ClusterSpec cluster) =>
        new(StatusUpdate, MonitorPeriod, cluster.FailureDetectionSeconds - MonitorPeriod - StatusUpdate);

    /// <summary>The worst-case time from a node's failure to NotReady.</summary>
    public int WorstCaseDetectionSeconds => GracePeriodSeconds + MonitorPeriodSeconds + StatusUpdateSeconds;

    /// <summary>Flags per MicroK8s args file (/var/snap/microk8s/current/args/NAME).</summary>
    public IReadOnlyList<(string ArgsFile, string Flag, string Value)> Args(bool controlPlane) =>
    [
        ("kubelet", "--node-status-update-frequency", $"{StatusUpdateSeconds}s"),
        .. controlPlane
            ? new[]
            {
                ("kube-controller-manager", "--node-monitor-period", $"{MonitorPeriodSeconds}s"),
                ("kube-controller-manager", "--node-monitor-grace-period", $"{GracePeriodSeconds}s"),
            }
            : [],
    ];
}
