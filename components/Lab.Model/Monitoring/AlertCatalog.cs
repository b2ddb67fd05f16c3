namespace Lab.Model.Monitoring;

/// <summary>Who scrapes an alert's metric: every source is configured by the program (or, for Vault, documented where it cannot be).</summary>
public enum ScrapeSource
{
    /// <summary>The GPU operator's DCGM exporter, through the ServiceMonitor the nvidia add-on turns on (Addons.Arguments).</summary>
    DcgmExporter,

    /// <summary>Vault's /v1/sys/metrics, through the Service, Endpoints and ServiceMonitor of VaultMetrics.</summary>
    Vault,

    /// <summary>node-exporter, scraped by the observability add-on's own ServiceMonitor.</summary>
    NodeExporter,

    /// <summary>kube-state-metrics, scraped by the observability add-on's own ServiceMonitor.</summary>
    KubeStateMetrics,

    /// <summary>
    /// The lab's Pushgateway (contract 3: Service lab-pushgateway in lab-monitoring, a ServiceMonitor with honorLabels),
    /// where node timers push what outlives them; deployed by the validation probes' part (issue 19).
    /// </summary>
    Pushgateway,
}

/// <summary>What one lab alert watches: its default tunables, the threshold's sane range, and its runbook.</summary>
/// <param name="Expr">PromQL; "{threshold}" and "{nfs_rw}" / "{nfs_all}" (mount-point regexes) are filled in from the spec.</param>
/// <param name="Range">Allowed thresholds (null: the alert has none).</param>
public sealed record AlertDefinition(
    string Group,
    string Alert,
    string Expr,
    double? Threshold,
    (double Min, double Max, string Unit)? Range,
    string For,
    string Severity,
    string Summary,
    string Description,
    string Runbook,
    ScrapeSource Source);

/// <summary>
/// Every alert of the lab, one per part of it. Metric names are the ones the exporters really expose:
/// DCGM exporter (GPU operator), node-exporter and kube-state-metrics (observability add-on), and
/// Vault's own telemetry. Annotations use only $labels, so a promtool test can state them exactly.
/// </summary>
public static class AlertCatalog
{
    public static readonly IReadOnlySet<string> Severities = new HashSet<string> { "critical", "warning", "info" };

    public static readonly IReadOnlyList<AlertDefinition> All =
    [
        new("lab-gpu", "HighGPUTemperature", "DCGM_FI_DEV_GPU_TEMP >= {threshold}", 85, (40, 110, "°C"), "5m", "warning",
            "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is at or above {threshold}°C",
            "The GPU has run at or above {threshold}°C for {for}: check airflow, fans and power limit before it throttles or faults.",
            "gpu.md#highgputemperature", ScrapeSource.DcgmExporter),
        new("lab-gpu", "GPUXidError", "increase(DCGM_FI_DEV_XID_ERRORS[10m]) > 0", null, null, "0m", "critical",
            "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported an XID error",
            "The driver reported a new XID error in the last 10 minutes (the gauge holds the last XID code): the GPU may need a reset or the node a reboot.",
            "gpu.md#gpuxiderror", ScrapeSource.DcgmExporter),
        new("lab-gpu", "LowGPUUtilization", "DCGM_FI_DEV_GPU_UTIL{pod!=\"\"} < {threshold}", 20, (1, 100, "%"), "30m", "info",
            "Pod {{ $labels.namespace }}/{{ $labels.pod }} holds GPU {{ $labels.gpu }} on {{ $labels.Hostname }} below {threshold}% use",
            "A pod has held the GPU for {for} while using less than {threshold}% of it: it may be stuck or starved of data.",
            "gpu.md#lowgpuutilization", ScrapeSource.DcgmExporter),
        new("lab-vault", "VaultSealed", "vault_core_unsealed == 0", null, null, "1m", "critical",
            "Vault {{ $labels.instance }} is sealed",
            "Vault has been sealed for {for}: vault-agent on the nodes cannot renew tokens or render secrets until it is unsealed.",
            "unseal-vault.md", ScrapeSource.Vault),
        new("lab-nodes", "NodeDown", "up{job=\"node-exporter\"} == 0", null, null, "2m", "critical",
            "Node {{ $labels.instance }} does not answer",
            "node-exporter on the node has not answered for {for}: the machine is down, off the network, or rebooting.",
            "rebuild-node.md#is-the-node-down", ScrapeSource.NodeExporter),
        new("lab-nodes", "KubernetesNodeNotReady", "kube_node_status_condition{condition=\"Ready\",status=\"true\"} == 0", null, null, "1m", "critical",
            "Kubernetes node {{ $labels.node }} is NotReady",
            "The node has been NotReady for {for}; its pods are being evicted. Failure detection is tuned to mark it within 30 s.",
            "rebuild-node.md#is-the-node-down", ScrapeSource.KubeStateMetrics),
        new("lab-storage", "NFSMountFailed", "node_filesystem_device_error{fstype=\"nfs4\",mountpoint=~\"{nfs_all}\"} == 1", null, null, "2m", "critical",
            "NFS mount {{ $labels.mountpoint }} on {{ $labels.instance }} fails",
            "The NAS export cannot be read at its mount point for {for} (NAS down, export gone, or a stale handle).",
            "nas-outage.md#a-mount-fails", ScrapeSource.NodeExporter),
        new("lab-storage", "NFSMountReadOnly", "node_filesystem_readonly{fstype=\"nfs4\",mountpoint=~\"{nfs_rw}\"} == 1", null, null, "2m", "critical",
            "NFS mount {{ $labels.mountpoint }} on {{ $labels.instance }} is read-only",
            "A read-write export has been mounted read-only for {for}: jobs writing results or checkpoints will fail.",
            "nas-outage.md#a-mount-is-read-only", ScrapeSource.NodeExporter),
        new("lab-storage", "NASCapacityHigh",
            "max by (mountpoint) (100 * (1 - node_filesystem_avail_bytes{fstype=\"nfs4\",mountpoint=~\"{nfs_all}\"} / node_filesystem_size_bytes{fstype=\"nfs4\",mountpoint=~\"{nfs_all}\"})) >= {threshold}",
            85, (50, 99, "%"), "15m", "warning",
            "NAS volume behind {{ $labels.mountpoint }} is at or above {threshold}% full",
            "The NAS volume has been at or above {threshold}% for {for}: free space before datasets and checkpoints stop fitting.",
            "nas-outage.md#the-nas-is-filling", ScrapeSource.NodeExporter),
        new("lab-nodes", "NodeDiskFilling",
            "100 * (1 - node_filesystem_avail_bytes{mountpoint=\"/\",fstype!=\"rootfs\"} / node_filesystem_size_bytes{mountpoint=\"/\",fstype!=\"rootfs\"}) >= {threshold}",
            90, (50, 99, "%"), "10m", "warning",
            "Root disk of {{ $labels.instance }} is at or above {threshold}% full",
            "The node's root file system has been at or above {threshold}% for {for}: container images and caches fill it first.",
            "rebuild-node.md#the-root-disk-fills", ScrapeSource.NodeExporter),
        new("lab-nodes", "ClockSkew", "abs(node_timex_offset_seconds) >= {threshold}", 0.05, (0.001, 10, "s"), "10m", "warning",
            "Clock of {{ $labels.instance }} is off by {threshold}s or more",
            "The node's clock has been off by at least {threshold}s for {for}: chrony is not syncing, which skews distributed training and TLS.",
            "rebuild-node.md#the-clock-drifts", ScrapeSource.NodeExporter),
        new("lab-validation", "ValidationGateFailed", "kube_job_status_failed{namespace=\"lab-validation\"} > 0", null, null, "0m", "critical",
            "Validation job {{ $labels.job_name }} failed",
            "A validation probe of the gate failed: the lab no longer meets one of its performance targets.",
            "validation-gate.md", ScrapeSource.KubeStateMetrics),
        // Backups (issue 22): the lab-backup units push per item (group job="lab_backup", item=ITEM) and per checking machine.
        new("lab-backups", "BackupOlderThanRPO",
            "(time() - lab_backup_last_success_timestamp_seconds{job=\"lab_backup\"}) > lab_backup_rpo_seconds{job=\"lab_backup\"}"
            + " or (lab_backup_rpo_seconds{job=\"lab_backup\"} unless lab_backup_last_success_timestamp_seconds{job=\"lab_backup\"})",
            null, null, "5m", "critical",
            "The last good backup of {{ $labels.item }} is older than its RPO",
            "No backup of the item has succeeded within its recovery point objective (lab:backups.items[].rpo), or none ever has: a loss now loses more than the lab agreed to lose.",
            "backups.md#a-backup-is-older-than-its-rpo", ScrapeSource.Pushgateway),
        new("lab-backups", "BackupRestoreDrillFailed", "lab_backup_drill_success{job=\"lab_backup\"} == 0", null, null, "0m", "warning",
            "The restore drill of {{ $labels.item }} failed",
            "The last drill could not restore a sample of the item byte-identical from its latest snapshot: the backup may not restore when it is needed.",
            "backups.md#a-restore-drill-failed", ScrapeSource.Pushgateway),
        new("lab-backups", "BackupRepositoryCheckFailed", "lab_backup_check_success{job=\"lab_backup\"} == 0", null, null, "0m", "critical",
            "restic check of the backup repository failed on {{ $labels.machine }}",
            "restic check --read-data-subset found the repository damaged or could not read it: snapshots may be unrestorable.",
            "backups.md#the-repository-check-failed", ScrapeSource.Pushgateway),
    ];

    public static AlertDefinition Get(string alert) => All.Single(a => a.Alert == alert);
}
