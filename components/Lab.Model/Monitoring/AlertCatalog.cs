namespace Lab.Model.Monitoring;

/// <summary>Who scrapes an alert's metric: every source is configured by the program (or, for Vault, documented where it cannot be).</summary>
public enum ScrapeSource
{
    /// <summary>The GPU operator's DCGM exporter, through the ServiceMonitor the nvidia add-on turns on (Addons.Arguments).</summary>
    DcgmExporter,

    /// <summary>The lab's blackbox exporter probing Vault's /v1/sys/health, through its Probe object (BlackboxProbes).</summary>
    BlackboxExporter,

    /// <summary>node-exporter, scraped by the observability add-on's own ServiceMonitor.</summary>
    NodeExporter,

    /// <summary>kube-state-metrics, scraped by the observability add-on's own ServiceMonitor.</summary>
    KubeStateMetrics,

    /// <summary>
    /// The lab's Pushgateway (lab-monitoring/lab-pushgateway, scraped with honorLabels: true): signals that outlive a
    /// run — the gate's verdicts (contract 3), scripts/drift's job="lab_drift" group, the backups' job="lab_backup".
    /// </summary>
    Pushgateway,
    /// <summary>Soperator's exporter (internal/exporter/collector.go), through the PodMonitor of SlurmObjects.ExporterPodMonitor; only where lab:slurm is on.</summary>
    SlurmExporter,
}

/// <summary>What one lab alert watches: its default tunables, the threshold's sane range, and its runbook.</summary>
/// <param name="Expr">PromQL; "{threshold}" (a number) and "{nfs_rw}" / "{nfs_all}" (quoted mount-point regexes) are filled in from the spec (Text.Promql).</param>
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
/// DCGM exporter (GPU operator), node-exporter and kube-state-metrics (observability add-on), the lab's
/// blackbox probe of Vault and the gate's verdict series on the Pushgateway. Annotations use only $labels, so a promtool test can state them exactly.
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
        // dcgm-exporter labels the XID gauge with err_code (= its value) and err_msg, so each new XID is a new series:
        // fire on an XID series of this GPU that was not there 10 minutes ago. Matching on the GPU and the code, not
        // on the exporter's pod, keeps a restarted exporter from looking like a new XID.
        new("lab-gpu", "GPUXidError",
            "DCGM_FI_DEV_XID_ERRORS{err_code!=\"0\"} unless on (Hostname, gpu, UUID, err_code) DCGM_FI_DEV_XID_ERRORS offset 10m",
            null, null, "0m", "critical",
            "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $labels.err_code }} ({{ $labels.err_msg }})",
            "The driver reported an XID error the GPU had not shown in the last 10 minutes: the GPU may need a reset or the node a reboot.",
            "gpu.md#gpuxiderror", ScrapeSource.DcgmExporter),
        // honorLabels: false renames the exporter's pod label of the workload holding the GPU to exported_pod; `pod` is the exporter's own.
        new("lab-gpu", "LowGPUUtilization", "DCGM_FI_DEV_GPU_UTIL{exported_pod!=\"\"} < {threshold}", 20, (1, 100, "%"), "30m", "info",
            "Pod {{ $labels.exported_namespace }}/{{ $labels.exported_pod }} holds GPU {{ $labels.gpu }} on {{ $labels.Hostname }} below {threshold}% use",
            "A pod has held the GPU for {for} while using less than {threshold}% of it: it may be stuck or starved of data.",
            "gpu.md#lowgpuutilization", ScrapeSource.DcgmExporter),
        // vault_core_unsealed stays 1 after a seal of a running Vault (its metrics loop stops); /v1/sys/health answers 503 at once.
        new("lab-vault", "VaultSealed", "probe_http_status_code{job=\"lab-vault-health\"} == 503", null, null, "1m", "critical",
            "Vault {{ $labels.instance }} is sealed",
            "Vault has answered its health check as sealed (503) for {for}: vault-agent on the nodes cannot renew tokens or render secrets until it is unsealed.",
            "unseal-vault.md", ScrapeSource.BlackboxExporter),
        // Without an answer (down, TLS not trusted, probe not deployed) VaultSealed cannot see a seal: say so.
        new("lab-vault", "VaultHealthUnknown",
            "(probe_success{job=\"lab-vault-health\"} == 0 and on (instance) probe_http_status_code{job=\"lab-vault-health\"} != 503) or absent(probe_success{job=\"lab-vault-health\"})",
            null, null, "5m", "critical",
            "Vault's health check gets no answer",
            "For {for} the blackbox probe of Vault's /v1/sys/health has failed or not run: Vault is down, its TLS is not trusted by the lab CA, or the probe is not deployed; a seal would go unseen.",
            "unseal-vault.md#vaults-health-is-unknown", ScrapeSource.BlackboxExporter),
        new("lab-nodes", "NodeDown", "up{job=\"node-exporter\"} == 0", null, null, "2m", "critical",
            "Node {{ $labels.instance }} does not answer",
            "node-exporter on the node has not answered for {for}: the machine is down, off the network, or rebooting.",
            "rebuild-node.md#is-the-node-down", ScrapeSource.NodeExporter),
        new("lab-nodes", "KubernetesNodeNotReady", "kube_node_status_condition{condition=\"Ready\",status=\"true\"} == 0", null, null, "1m", "critical",
            "Kubernetes node {{ $labels.node }} is NotReady",
            "The node has been NotReady for {for}; its pods are being evicted. Failure detection is tuned to mark it within 30 s.",
            "rebuild-node.md#is-the-node-down", ScrapeSource.KubeStateMetrics),
        new("lab-storage", "NFSMountFailed", "node_filesystem_device_error{fstype=\"nfs4\",mountpoint=~{nfs_all}} == 1", null, null, "2m", "critical",
            "NFS mount {{ $labels.mountpoint }} on {{ $labels.instance }} fails",
            "The NAS export cannot be read at its mount point for {for} (NAS down, export gone, or a stale handle).",
            "nas-outage.md#a-mount-fails", ScrapeSource.NodeExporter),
        new("lab-storage", "NFSMountReadOnly", "node_filesystem_readonly{fstype=\"nfs4\",mountpoint=~{nfs_rw}} == 1", null, null, "2m", "critical",
            "NFS mount {{ $labels.mountpoint }} on {{ $labels.instance }} is read-only",
            "A read-write export has been mounted read-only for {for}: jobs writing results or checkpoints will fail.",
            "nas-outage.md#a-mount-is-read-only", ScrapeSource.NodeExporter),
        new("lab-storage", "NASCapacityHigh",
            "max by (mountpoint) (100 * (1 - node_filesystem_avail_bytes{fstype=\"nfs4\",mountpoint=~{nfs_all}} / node_filesystem_size_bytes{fstype=\"nfs4\",mountpoint=~{nfs_all}})) >= {threshold}",
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
        // The gate PUTs its whole group each run, so only the latest verdict stands: a check short or not measurable in it.
        new("lab-validation", "ValidationCheckFailing", "lab_gate_check_status{job=\"lab_validation_gate\",status!=\"pass\"} == 1", null, null, "0m", "critical",
            "Check {{ $labels.check }} on {{ $labels.node }} is {{ $labels.status }} in the latest gate run",
            "The validation gate's latest run found the lab below one of its targets (short) or could not measure it (not_measurable).",
            "validation-gate.md#a-check-is-short-or-not-measurable", ScrapeSource.Pushgateway),
        new("lab-validation", "ValidationGateStale",
            "(time() - max(lab_gate_run_timestamp_seconds{job=\"lab_validation_gate\"})) >= {threshold} * 3600 or absent(lab_gate_run_timestamp_seconds{job=\"lab_validation_gate\"})",
            336, (1, 8760, "h"), "10m", "warning",
            "The validation gate has published no verdict for {threshold} h",
            "No gate run has published its verdict for {threshold} hours (or none is on the Pushgateway): the lab's targets are not being checked.",
            "validation-gate.md#the-gate-has-not-run", ScrapeSource.Pushgateway),
        // Down, or failing, or not answering slurmctld; a drained node keeps its base state (IDLE, ALLOCATED) and does not alert.
        new("lab-slurm", "SlurmNodeDown",
            "max by (node_name) (slurm_node_info{state_base=\"DOWN\"} or slurm_node_info{state_is_fail=\"true\"} or slurm_node_info{state_is_not_responding=\"true\"})",
            null, null, "5m", "critical",
            "Slurm node {{ $labels.node_name }} is down",
            "slurmctld has seen the node down, failing or not responding for {for}: its jobs are requeued or lost and its GPUs serve nobody.",
            "slurm.md#slurmnodedown", ScrapeSource.SlurmExporter),
        // GPU-seconds accrue at 1/s per idle, schedulable GPU (irate: how many at the last scrapes); idle GPUs while jobs pend mean the queue is not draining onto them.
        new("lab-slurm", "SlurmQueueStuckWithIdleGPUs",
            "count(slurm_job_info{job_state=\"PENDING\"}) > 0 and on() sum(irate(slurm_node_gpu_seconds_total{state_base=\"IDLE\",state_is_drain=\"false\",state_is_maintenance=\"false\",state_is_reserved=\"false\"}[5m])) >= {threshold}",
            1, (1, 64, "GPUs"), "15m", "warning",
            "Slurm jobs pend while {threshold} or more GPUs sit idle",
            "Jobs have been pending for {for} while at least {threshold} schedulable GPUs were idle: a job asks for what no node has, or the scheduler is stuck.",
            "slurm.md#slurmqueuestuckwithidlegpus", ScrapeSource.SlurmExporter),
        // Per machine and step, whatever pod of the Pushgateway served it: a restarted Pushgateway keeps the age.
        new("lab-drift", "LabDriftPersists", "max by (machine, step) (lab_drift_differences{job=\"lab_drift\"}) > 0", null, null, "24h", "warning",
            "{{ $labels.machine }} has drifted from the code in its {{ $labels.step }} step",
            "scripts/drift has found differences between the machine and what the step would make it for {for}: someone changed it by hand, or something on it changes what the lab manages.",
            "drift.md", ScrapeSource.Pushgateway),
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
