using System.Collections.Immutable;
using System.Globalization;
using Lab.Model.Backups;
using Lab.Model.Cluster;
using Lab.Model.Images;
using Lab.Model.Monitoring;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Storage;
using Lab.Model.Text;
using static Lab.Model.Text.Shell;

namespace Lab.Model.Validation;

/// <summary>One measured check: what it is called, its unit, its target and which side of it passes.</summary>
/// <param name="Id">KIND or KIND:NODE, as the probe prints it.</param>
/// <param name="Key">The key of its target under lab:validation.targets (the `check` label of its series); backupRpo for a backup item's age, whose target is the item's lab:backups.items[].rpo.</param>
/// <param name="Item">The backup item a lab-wide check measures (the `item` label of its series), or null: an item is never a node.</param>
public sealed record Check(string Id, string Key, string Unit, double Target, bool AtLeast, double PhysicalMax, string? Item = null)
{
    /// <summary>The node the check measures, or "lab" for a lab-wide check (the `node` label of its series).</summary>
    public string Node => Id.IndexOf(':', StringComparison.Ordinal) is var at and >= 0 ? Id[(at + 1)..] : LabWide;

    public const string LabWide = "lab";

    public string Rule => $"{(AtLeast ? ">=" : "<=")} {Target.ToString(CultureInfo.InvariantCulture)} {Unit}";
}

/// <summary>The host namespaces and privilege a probe's pod gets: only what its measurement needs.</summary>
public enum HostAccess
{
    /// <summary>A plain pod, run as the lab's probe account.</summary>
    None,

    /// <summary>The node's network (iperf3 measures the node's link, not the pod overlay), as the probe account.</summary>
    Network,

    /// <summary>Privileged with the host's PID namespace, as root: the drill stops kubelite through PID 1.</summary>
    PrivilegedPid,
}

/// <summary>
/// One validation Job: where it runs, what it needs, the script it runs, and the checks it reports.
/// Its name carries a fingerprint of what it measures, so it runs again only when that changes.
/// </summary>
/// <param name="ImageName">The image it runs, by its name in the lab's catalogue (LabImages): the component resolves it to REPOSITORY@sha256:DIGEST.</param>
/// <param name="Stage">Jobs run stage by stage; the Jobs of one stage share no GPU and no link (see <see cref="Probes.For"/>).</param>
/// <param name="Node">The node its pod is pinned to: pod GC deletes the pods of a node that left the cluster, so no probe floats.</param>
/// <param name="NfsMountPoint">The node's own automount point of the export the probe measures (a hostPath), or null.</param>
public sealed record Probe(
    string Name,
    string Fingerprint,
    string ImageName,
    string Node,
    int Stage,
    bool Gpu,
    HostAccess Host,
    string? NfsMountPoint,
    bool NeedsNodeReader,
    int DeadlineSeconds,
    string Script,
    IReadOnlyList<Check> Checks)
{
    public string JobName => $"{Name}-{Fingerprint[..8]}";

    /// <summary>
    /// A second Job of the same probe, suspended until the collector finds the first one's pod gone (pod GC deletes
    /// the pods of a node that left the cluster, logs and all): then it runs once in its place.
    /// </summary>
    public string RerunJobName => $"{Name}-{Sha256($"{Fingerprint}\nrerun")[..8]}";

    /// <summary>A Secret of the gate's namespace the probe reads, mounted at <see cref="Probes.SecretMountPath"/>, or null.</summary>
    public string? Secret { get; init; }
}

/// <summary>
/// The gate's probes for a lab, rendered from the spec: each prints one `LAB_RESULT check=ID value=N unit=U` line per check.
/// Every probe script is a constant body beside this file (Validation/probe-*.sh) under a data block of its values.
/// </summary>
public static class Probes
{
    public const string Namespace = "lab-validation";

    /// <summary>
    /// The lab's probe account: every unprivileged probe runs as it, and it owns the NFS probe directory
    /// (root_squash maps root to nobody, so a root probe could not write there).
    /// </summary>
    public const int ProbeUid = 64200;
    public const int ProbeGid = 64200;

    /// <summary>The directory of the NFS probe inside its export, created by the NAS step and never removed.</summary>
    public const string NfsProbeDirectory = ".lab-validation";

    /// <summary>Where the probe's pod mounts the export.</summary>
    public const string NfsMountPath = "/data";

    /// <summary>The order the probes run in. One stage at a time, so no probe disturbs another's measurement.</summary>
    public enum Stages
    {
        /// <summary>gpu_burn on every GPU node at once: each Job holds its own node's GPU and uses no network.</summary>
        GpuUtilization,
        Rapids,
        Inference,

        /// <summary>The iperf3 server and its clients: the server takes one test at a time, so the clients share no link.</summary>
        Bandwidth,
        Nfs,

        /// <summary>A one-GPU Slurm job through the login service: a Slurm worker's GPU, which no other probe uses; before the drill, which stops a worker.</summary>
        Slurm,

        /// <summary>The drill's stop and watch Jobs run together by design.</summary>
        Drill,

        /// <summary>The backups' ages, read from the Pushgateway: disturbs nothing, measured last.</summary>
        Backups,
    }

    /// <summary>What a gate run measures: every probe's fingerprint (the `fingerprint` label of lab_gate_run_info).</summary>
    public static string RunFingerprint(IReadOnlyList<Probe> probes) => Sha256(string.Join("\n", probes.Select(p => p.Fingerprint)))[..16];

    /// <summary>
    /// The node the inference probe runs on: the lab node whose address serves the endpoint, so the probe times the
    /// server and not the network (and its Job is tied to that node's rebuild); the control node when the endpoint is
    /// no lab node, as it outlives every worker rebuild. Pinned either way: after a worker leaves the cluster, pod GC
    /// deletes the pods it ran, logs and all.
    /// </summary>
    public static NodeSpec InferenceNode(LabSpec spec) =>
        Uri.TryCreate(spec.Validation.Inference.Endpoint, UriKind.Absolute, out var uri)
            ? spec.Nodes.FirstOrDefault(n => n.Host.ToString() == uri.Host) ?? spec.ControlNode
            : spec.ControlNode;

    public static IReadOnlyList<Probe> For(LabSpec spec)
    {
        var v = spec.Validation;
        if (v.Mode == GateMode.Off)
        {
            return [];
        }
        var t = v.Targets;
        var control = spec.ControlNode;
        // GPUs Slurm owns are whole and held by its worker: Kubernetes probes measure only the time-sliced nodes (issue 23).
        var gpuNodes = spec.Nodes.Where(n => n.Gpu.Count > 0 && spec.Slurm?.Serves(n.Name) != true).ToList();
        var probes = new List<Probe>();
        var images = LabImages.Sources(spec).ToDictionary(s => s.Name, s => s.Identity);
        // A probe's fingerprint carries what its image is made of: a rebuilt or re-pinned image runs it again.
        string Image(string name) => images[name];
        string Fingerprint(string script, params object[] measured) =>
            Sha256(string.Join("\n", measured.Select(m => Convert.ToString(m, CultureInfo.InvariantCulture)).Prepend(v.Epoch.ToString(CultureInfo.InvariantCulture)).Append(script)));
        string NodeState(NodeSpec n) => string.Join("|", n.Name, n.Rebuild, spec.Versions.NvidiaDriver, spec.Versions.ContainerToolkit, spec.Cluster.Channel);

        foreach (var node in gpuNodes)
        {
            var check = new Check($"gpu_utilization:{node.Name}", "gpuUtilization", "%", t.GpuUtilizationPercent, AtLeast: true, PhysicalMax: 100);
            var script = GpuUtilization(GpuLoad, check);
            probes.Add(new Probe($"gpu-util-{node.Name}", Fingerprint(script, NodeState(node), Image("cuda")), "cuda", node.Name, (int)Stages.GpuUtilization,
                Gpu: true, HostAccess.None, NfsMountPoint: null, NeedsNodeReader: false, DeadlineSeconds: 600, script, [check]));
        }

        if (gpuNodes.Count > 0)
        {
            var node = gpuNodes.FirstOrDefault(n => n.Role == NodeRole.Control) ?? gpuNodes[0];
            var check = new Check("rapids_speedup", "rapidsSpeedup", "x", t.RapidsSpeedup, AtLeast: true, PhysicalMax: 100_000);
            var script = RapidsSpeedup(check);
            probes.Add(new Probe("rapids-speedup", Fingerprint(script, NodeState(node), Image("rapids")), "rapids", node.Name, (int)Stages.Rapids,
                Gpu: true, HostAccess.None, NfsMountPoint: null, NeedsNodeReader: false, DeadlineSeconds: 1200, script, [check]));
        }

        var p95 = new Check("inference_p95", "inferenceP95", "ms", t.InferenceP95Ms, AtLeast: false, PhysicalMax: 600_000);
        var load = InferenceLoad.For(t.InferenceP95Ms);
        var inference = InferenceLatency(v.Inference, load, p95);
        var server = InferenceNode(spec);
        probes.Add(new Probe("inference-p95", Fingerprint(inference, NodeState(server), Image("tools")), "tools", server.Name, (int)Stages.Inference,
            Gpu: false, HostAccess.None, NfsMountPoint: null, NeedsNodeReader: false, DeadlineSeconds: load.DeadlineSeconds, inference, [p95]));

        var workers = spec.Workers.ToList();
        if (workers.Count > 0)
        {
            var network = string.Join("|", NodeSteps.NetworkSysctls.Select(s => $"{s.Key}={s.Value}"));
            var iperf = BandwidthServer(workers.Count, IperfPort);
            var state = string.Join("|", spec.Nodes.Select(n => $"{n.Name}:{n.Rebuild}").Append(network));
            // Clients queue for the one server: every client may wait for all the others' tests.
            var deadline = 120 + workers.Count * (BandwidthTest.Seconds + 30) + BandwidthTest.Attempts * BandwidthTest.RetrySeconds;
            probes.Add(new Probe("iperf3-server", Fingerprint(iperf, state, Image("tools")), "tools", control.Name, (int)Stages.Bandwidth,
                Gpu: false, HostAccess.Network, NfsMountPoint: null, NeedsNodeReader: false, deadline, iperf, []));
            foreach (var worker in workers)
            {
                var check = new Check($"bandwidth:{worker.Name}", "bandwidth", "Gbit/s", t.BandwidthGbits, AtLeast: true, PhysicalMax: 400);
                var client = BandwidthClient(control.Host.ToString(), IperfPort, BandwidthTest, check);
                probes.Add(new Probe($"bandwidth-{worker.Name}", Fingerprint(client, state, Image("tools")), "tools", worker.Name, (int)Stages.Bandwidth,
                    Gpu: false, HostAccess.Network, NfsMountPoint: null, NeedsNodeReader: false, deadline, client, [check]));
            }
        }

        var export = spec.Nas.Export(v.NfsExport);
        var read = new Check("nfs_read", "nfsRead", "MB/s", t.NfsReadMBs, AtLeast: true, PhysicalMax: 100_000);
        var write = new Check("nfs_write", "nfsWrite", "MB/s", t.NfsWriteMBs, AtLeast: true, PhysicalMax: 100_000);
        var nfs = NfsThroughput($"{NfsMountPath}/{NfsProbeDirectory}", NfsSizeMib, read, write);
        probes.Add(new Probe("nfs-throughput", Fingerprint(nfs, NasExports.File(spec), NfsMounts.Options, $"{control.Name}:{control.Rebuild}", Image("tools")), "tools", control.Name,
            (int)Stages.Nfs, Gpu: false, HostAccess.None, NfsMountPoint: export.MountPoint, NeedsNodeReader: false, DeadlineSeconds: 900, nfs, [read, write]));

        if (spec.Slurm is not null)
        {
            var check = new Check("slurm_job", "slurmJob", "s", t.SlurmJobSeconds, AtLeast: false, PhysicalMax: 86_400);
            var job = SlurmJob.For(t.SlurmJobSeconds);
            var script = SlurmJobScript(job, check);
            // What the job runs on: the Slurm objects as rendered, the workers' and the control node's rebuilds.
            var state = string.Join("|", Slurm.SlurmObjects.Artifacts(spec).Select(a => a.Content)
                .Concat(spec.Nodes.Where(n => n.Role == NodeRole.Control || spec.Slurm.Serves(n.Name)).Select(NodeState)));
            probes.Add(new Probe("slurm-job", Fingerprint(script, state, Image("tools")), "tools", control.Name, (int)Stages.Slurm,
                Gpu: false, HostAccess.None, NfsMountPoint: null, NeedsNodeReader: false, job.DeadlineSeconds, script, [check])
            { Secret = Slurm.SlurmGateAccess.ProbeSecret });
        }

        if (v.Drill && workers.Count > 0)
        {
            var target = workers[^1];
            var timings = ClusterTimings.For(spec.Cluster);
            var check = new Check($"failure_detection:{target.Name}", "failureDetection", "s", t.FailureDetectionSeconds, AtLeast: false, PhysicalMax: 3600);
            var state = string.Join("|", NodeState(target), timings);
            var stop = DrillStop(DrillTimings);
            var stopJob = $"drill-stop-{target.Name}";
            var stopProbe = new Probe(stopJob, Fingerprint(stop, state, Image("tools")), "tools", target.Name, (int)Stages.Drill,
                Gpu: false, HostAccess.PrivilegedPid, NfsMountPoint: null, NeedsNodeReader: false, DeadlineSeconds: 600, stop, []);
            var watch = DrillWatch(target.Name, stopProbe.JobName, DrillTimings, check);
            probes.Add(stopProbe);
            probes.Add(new Probe($"drill-watch-{target.Name}", Fingerprint(watch, state, Image("tools")), "tools", control.Name, (int)Stages.Drill,
                Gpu: false, HostAccess.None, NfsMountPoint: null, NeedsNodeReader: true, DeadlineSeconds: 600, watch, [check]));
        }
        if (spec.Backups is { } backups)
        {
            var checks = backups.Items.Select(BackupAgeCheck).ToList();
            var ages = BackupAges(PushgatewayMetricsUrl, checks);
            probes.Add(new Probe("backup-ages", Fingerprint(ages, Image("tools")), "tools", control.Name, (int)Stages.Backups,
                Gpu: false, HostAccess.None, NfsMountPoint: null, NeedsNodeReader: false, DeadlineSeconds: 300, ages, checks));
        }
        return [.. probes.OrderBy(p => p.Stage)];
    }

    /// <summary>
    /// A backup item's age against its RPO, in hours. The id names the item without a ':' (which would make it the
    /// check's node): item names are [a-z][a-z0-9-], so '-' to '_' is one-to-one.
    /// </summary>
    public static Check BackupAgeCheck(BackupItemSpec item) =>
        new($"backup_age_{item.Name.Replace('-', '_')}", "backupRpo", "h", item.RpoSeconds / 3600.0, AtLeast: false, PhysicalMax: 24 * 365 * 100, item.Name);

    /// <summary>The Pushgateway's exposition, by its Service inside the cluster.</summary>
    public static string PushgatewayMetricsUrl => $"http://{PushedMetrics.Name}.{PushedMetrics.Namespace}.svc:{PushedMetrics.Port}/metrics";

    /// <param name="Items">Per check, the item: the `item` label lab-backup's series carry (group job=lab_backup/item/ITEM).</param>
    /// <param name="Metric">The series lab-backup pushes after each good backup: its Unix time.</param>
    /// <param name="SkewSeconds">A last good backup this far in the probe's future is clock skew, read as age 0; further is not a measurement.</param>
    public sealed record BackupAgeData(string Url, string Job, string Metric, ImmutableArray<string> Items, ImmutableArray<string> Checks, string Unit, int SkewSeconds);

    public static string BackupAges(string url, IReadOnlyList<Check> checks) =>
        Script("each backup item's last good backup, its age against the item's RPO", "backup-age.sh",
            new BackupAgeData(url, PushedMetrics.BackupJob, BackupJobs.LastSuccessMetric, [.. checks.Select(c => c.Item!)], [.. checks.Select(c => c.Id)], "h", SkewSeconds: 300));

    /// <summary>Every check the gate expects a result for.</summary>
    public static IReadOnlyList<Check> Checks(LabSpec spec) => For(spec).SelectMany(p => p.Checks).ToList();

    /// <summary>A probe script: strict mode, its data block, its constant body (Validation/NAME.sh).</summary>
    private static string Script(string purpose, string body, params object[] data) =>
        "#!/usr/bin/env bash\n" +
        $"# lab validation probe: {purpose}. Rendered by Lab.Model.\n" +
        "# Prints LAB_RESULT lines; a measurement that falls short is a result, not a failure of the probe.\n" +
        "set -euo pipefail\n\n" +
        ScriptData.Render(data) + "\n" +
        ScriptBodies.Read($"Validation/{body}").TrimEnd('\n') + "\n";

    /// <param name="WarmUpSeconds">gpu_burn's ramp-up, not sampled.</param>
    /// <param name="ThrottleReasons">nvidia-smi's clocks_event_reasons.* fields that slow a loaded GPU (driver 580 names; the older clocks_throttle_reasons.* are aliases).</param>
    public sealed record GpuLoadData(int WarmUpSeconds, int Samples, string Check, string Unit, ImmutableArray<string> ThrottleReasons)
    {
        /// <summary>gpu_burn outlasts the sampling; a load that stops early fails the probe.</summary>
        public int BurnSeconds => WarmUpSeconds + Samples * 2 + 30;
    }

    public static readonly (int WarmUpSeconds, int Samples) GpuLoad = (20, 60);

    public static readonly ImmutableArray<string> ThrottleReasons = ["sw_power_cap", "sw_thermal_slowdown", "hw_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown"];

    public static string GpuUtilization((int WarmUpSeconds, int Samples) load, Check check) =>
        Script("GPU utilisation under a full load", "gpu-utilization.sh", new GpuLoadData(load.WarmUpSeconds, load.Samples, check.Id, check.Unit, ThrottleReasons));

    /// <summary>
    /// The inference probe's load. A request that fails (non-2xx, refused, timed out) counts as the timeout,
    /// and the timeout is always above the target, so a server that fails every request can never pass.
    /// </summary>
    public sealed record InferenceLoad(int WarmUp, int Requests, int TimeoutSeconds)
    {
        public static InferenceLoad For(double targetMs) =>
            new(WarmUp: 5, Requests: 200, TimeoutSeconds: Math.Max(10, (int)Math.Ceiling(targetMs * 2 / 1000)));

        public int DeadlineSeconds => 120 + (WarmUp + Requests) * TimeoutSeconds;
    }

    /// <summary>The fixed request: one short answer, deterministic, not streamed.</summary>
    public static string ChatCompletionRequest(string model) =>
        $$"""{"model":{{Json.Quote(model)}},"messages":[{"role":"user","content":"Reply with the single word: ready"}],"max_tokens":8,"temperature":0,"stream":false}""";

    public sealed record InferenceData(string Url, string RequestBody, int WarmUp, int Requests, int TimeoutSeconds, string Check, string Unit);

    public static string InferenceLatency(InferenceSpec server, InferenceLoad load, Check check) =>
        Script("inference latency, P95 of chat completions", "inference-latency.sh",
            new InferenceData(server.ChatCompletionsUrl, ChatCompletionRequest(server.Model), load.WarmUp, load.Requests, load.TimeoutSeconds, check.Id, check.Unit));

    public const int IperfPort = 5201;

    public sealed record BandwidthServerData(int Clients, int Port);

    public static string BandwidthServer(int clients, int port) =>
        Script("iperf3 server for the node-to-node bandwidth probes, one test at a time", "bandwidth-server.sh", new BandwidthServerData(clients, port));

    /// <param name="Attempts">Tries while the server is busy with another client's test.</param>
    public sealed record BandwidthTestData(int Seconds, int Streams, int Attempts, int RetrySeconds);

    public static readonly BandwidthTestData BandwidthTest = new(Seconds: 30, Streams: 4, Attempts: 120, RetrySeconds: 5);

    public sealed record BandwidthClientData(string Server, int Port, string Check, string Unit);

    public static string BandwidthClient(string server, int port, BandwidthTestData test, Check check) =>
        Script("bandwidth to the control node", "bandwidth-client.sh", new BandwidthClientData(server, port, check.Id, check.Unit), test);

    /// <summary>2 GiB, written and read with O_DIRECT.</summary>
    public const int NfsSizeMib = 2048;

    public sealed record NfsData(string ProbeDirectory, int SizeMib, string ReadCheck, string WriteCheck, string Unit);

    public static string NfsThroughput(string probeDirectory, int sizeMib, Check read, Check write) =>
        Script("NFS write and read throughput as the lab's probe account, direct I/O", "nfs-throughput.sh", new NfsData(probeDirectory, sizeMib, read.Id, write.Id, read.Unit));

    public sealed record RapidsData(string Check, string Unit);

    public static string RapidsSpeedup(Check check) =>
        Script("RAPIDS cuDF versus pandas on the same group-by", "rapids-speedup.sh", new RapidsData(check.Id, check.Unit));

    /// <param name="SettleSeconds">Before the stop, so the watcher sees the node Ready first.</param>
    /// <param name="DownSeconds">kubelite is restarted by a host timer this long after it was scheduled.</param>
    public sealed record DrillTimingData(int SettleSeconds, int DownSeconds, int ReadyWaitSeconds, int WatchSeconds, int LogWaitSeconds);

    public static readonly DrillTimingData DrillTimings = new(SettleSeconds: 60, DownSeconds: 90, ReadyWaitSeconds: 120, WatchSeconds: 300, LogWaitSeconds: 300);

    /// <summary>The unit that runs kubelet (and kube-proxy) on a MicroK8s node.</summary>
    public const string KubeliteUnit = "snap.microk8s.daemon-kubelite";

    /// <param name="ReadyWaitSeconds">How long after the timer kubelite may take to be active again.</param>
    public sealed record DrillStopData(string KubeliteUnit, int SettleSeconds, int DownSeconds, int ReadyWaitSeconds);

    public static string DrillStop(DrillTimingData timings) =>
        Script("node-failure drill: stop this node's kubelite, its restart already scheduled on the host", "drill-stop.sh", new DrillStopData(KubeliteUnit, timings.SettleSeconds, timings.DownSeconds, timings.ReadyWaitSeconds));

    public sealed record DrillWatchData(string Node, string Namespace, string StopJob, int ReadyWaitSeconds, int WatchSeconds, int LogWaitSeconds, string Check, string Unit);

    /// <summary>Where a probe's <see cref="Probe.Secret"/> is mounted, read-only.</summary>
    public const string SecretMountPath = "/etc/lab-secret";

    /// <summary>
    /// The Slurm job probe's bounds: it waits for the job at most BoundSeconds (twice the target, at least 5 minutes: a slow
    /// job is judged against the target, only a stuck one is cancelled), Slurm's own time limit backs that up, and the
    /// Job's deadline leaves time for the ssh round trips around it.
    /// </summary>
    public sealed record SlurmJob(int BoundSeconds, int PollSeconds, int ConnectTimeoutSeconds)
    {
        public static SlurmJob For(double targetSeconds) =>
            new(BoundSeconds: Math.Max(300, (int)Math.Ceiling(targetSeconds * 2)), PollSeconds: 5, ConnectTimeoutSeconds: 15);

        public int TimeLimitMinutes => (BoundSeconds + 59) / 60 + 1;

        public int DeadlineSeconds => BoundSeconds + 10 * ConnectTimeoutSeconds + 120;
    }

    /// <param name="Host">The login Service by its cluster DNS name; Port: the Service's port (the SlurmCluster's sshd port).</param>
    public sealed record SlurmJobData(string Host, int Port, string User, string KeyFile, string KnownHosts, string HostKeyAlias,
        int ConnectTimeoutSeconds, int BoundSeconds, int PollSeconds, int TimeLimitMinutes, string Check, string Unit);

    public static string SlurmJobScript(SlurmJob job, Check check) =>
        Script("a one-GPU Slurm job submitted through the login service, from submission to COMPLETED", "slurm-job.sh",
            new SlurmJobData($"{Slurm.SlurmObjects.LoginService}.{Slurm.SlurmObjects.Namespace}.svc.cluster.local", Slurm.SlurmObjects.LoginSshdPort, "root",
                $"{SecretMountPath}/{Slurm.SlurmGateAccess.PrivateKeyFile}", $"{SecretMountPath}/{Slurm.SlurmGateAccess.KnownHostsFile}", Slurm.SlurmGateAccess.HostKeyAlias,
                job.ConnectTimeoutSeconds, job.BoundSeconds, job.PollSeconds, job.TimeLimitMinutes, check.Id, check.Unit));

    public static string DrillWatch(string node, string stopJob, DrillTimingData timings, Check check) =>
        Script("node-failure drill: from the stop to the API server seeing the node leave Ready", "drill-watch.sh", new DrillWatchData(node, Namespace, stopJob, timings.ReadyWaitSeconds, timings.WatchSeconds, timings.LogWaitSeconds, check.Id, check.Unit));
}
