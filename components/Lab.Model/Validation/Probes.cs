using System.Globalization;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Storage;
using Lab.Model.Text;
using static Lab.Model.Text.Shell;

namespace Lab.Model.Validation;

/// <summary>One measured check: what it is called, its unit, its target and which side of it passes.</summary>
public sealed record Check(string Id, string Unit, double Target, bool AtLeast, double PhysicalMax)
{
    public string Rule => $"{(AtLeast ? ">=" : "<=")} {Target.ToString(CultureInfo.InvariantCulture)} {Unit}";
}

/// <summary>
/// One validation Job: where it runs, what it needs, the script it runs, and the checks it reports.
/// Its name carries a fingerprint of what it measures, so it runs again only when that changes.
/// </summary>
public sealed record Probe(
    string Name,
    string Fingerprint,
    string Image,
    string? Node,
    bool Gpu,
    bool HostNetwork,
    bool Privileged,
    string? NfsPath,
    bool NeedsNodeReader,
    int DeadlineSeconds,
    string Script,
    IReadOnlyList<Check> Checks)
{
    public string JobName => $"{Name}-{Fingerprint[..8]}";
}

/// <summary>The gate's probes for a lab, rendered from the spec: each prints one `LAB_RESULT check=ID value=N unit=U` line per check.</summary>
public static class Probes
{
    public const string Namespace = "lab-validation";
    public static readonly string[] ImageKinds = ["cuda", "tools", "rapids"];

    public static IReadOnlyList<Probe> For(LabSpec spec)
    {
        var v = spec.Validation;
        if (v.Mode == GateMode.Off)
        {
            return [];
        }
        var t = v.Targets;
        var control = spec.ControlNode;
        var gpuNodes = spec.Nodes.Where(n => n.Gpu.Count > 0).ToList();
        var probes = new List<Probe>();
        string Image(string kind) => $"{v.Registry}/{v.Images[kind]}";
        string Fingerprint(string script, params object[] measured) =>
            Sha256(string.Join("\n", measured.Select(m => Convert.ToString(m, CultureInfo.InvariantCulture)).Prepend(v.Epoch.ToString(CultureInfo.InvariantCulture)).Append(script)));
        string NodeState(NodeSpec n) => string.Join("|", n.Name, n.Rebuild, spec.Versions.NvidiaDriver, spec.Versions.ContainerToolkit, spec.Cluster.Channel);

        foreach (var node in gpuNodes)
        {
            var check = new Check($"gpu_utilization:{node.Name}", "%", t.GpuUtilizationPercent, AtLeast: true, PhysicalMax: 100);
            var script = GpuUtilization(check);
            probes.Add(new Probe($"gpu-util-{node.Name}", Fingerprint(script, NodeState(node), Image("cuda")), Image("cuda"), node.Name, Gpu: true,
                HostNetwork: false, Privileged: false, NfsPath: null, NeedsNodeReader: false, DeadlineSeconds: 600, script, [check]));
        }

        var p95 = new Check("inference_p95", "ms", t.InferenceP95Ms, AtLeast: false, PhysicalMax: 600_000);
        var inference = InferenceLatency(v.InferenceEndpoint, p95);
        probes.Add(new Probe("inference-p95", Fingerprint(inference, v.InferenceEndpoint, Image("tools")), Image("tools"), null, Gpu: false,
            HostNetwork: false, Privileged: false, NfsPath: null, NeedsNodeReader: false, DeadlineSeconds: 900, inference, [p95]));

        var workers = spec.Workers.ToList();
        if (workers.Count > 0)
        {
            var network = string.Join("|", NodeSteps.NetworkSysctls.Select(s => $"{s.Key}={s.Value}"));
            var server = BandwidthServer(workers.Count);
            var state = string.Join("|", spec.Nodes.Select(n => $"{n.Name}:{n.Rebuild}").Append(network));
            probes.Add(new Probe("iperf3-server", Fingerprint(server, state, Image("tools")), Image("tools"), control.Name, Gpu: false,
                HostNetwork: true, Privileged: false, NfsPath: null, NeedsNodeReader: false, DeadlineSeconds: 600 + 120 * workers.Count, server, []));
            foreach (var worker in workers)
            {
                var check = new Check($"bandwidth:{worker.Name}", "Gbit/s", t.BandwidthGbits, AtLeast: true, PhysicalMax: 400);
                var client = BandwidthClient(control.Host.ToString(), check);
                probes.Add(new Probe($"bandwidth-{worker.Name}", Fingerprint(client, state, Image("tools")), Image("tools"), worker.Name, Gpu: false,
                    HostNetwork: true, Privileged: false, NfsPath: null, NeedsNodeReader: false, DeadlineSeconds: 600 + 120 * workers.Count, client, [check]));
            }
        }

        var export = spec.Nas.Export(v.NfsExport);
        var read = new Check("nfs_read", "MB/s", t.NfsReadMBs, AtLeast: true, PhysicalMax: 100_000);
        var write = new Check("nfs_write", "MB/s", t.NfsWriteMBs, AtLeast: true, PhysicalMax: 100_000);
        var nfs = NfsThroughput(read, write);
        probes.Add(new Probe("nfs-throughput", Fingerprint(nfs, NasExports.File(spec), NfsMounts.Options, $"{control.Name}:{control.Rebuild}", Image("tools")), Image("tools"), control.Name,
            Gpu: false, HostNetwork: false, Privileged: false, NfsPath: export.Path, NeedsNodeReader: false, DeadlineSeconds: 900, nfs, [read, write]));

        if (gpuNodes.Count > 0)
        {
            var node = gpuNodes.FirstOrDefault(n => n.Role == NodeRole.Control) ?? gpuNodes[0];
            var check = new Check("rapids_speedup", "x", t.RapidsSpeedup, AtLeast: true, PhysicalMax: 100_000);
            var script = RapidsSpeedup(check);
            probes.Add(new Probe("rapids-speedup", Fingerprint(script, NodeState(node), Image("rapids")), Image("rapids"), node.Name, Gpu: true,
                HostNetwork: false, Privileged: false, NfsPath: null, NeedsNodeReader: false, DeadlineSeconds: 1200, script, [check]));
        }

        if (v.Drill && workers.Count > 0)
        {
            var target = workers[^1];
            var timings = ClusterTimings.For(spec.Cluster);
            var check = new Check($"failure_detection:{target.Name}", "s", t.FailureDetectionSeconds, AtLeast: false, PhysicalMax: 3600);
            var stop = DrillStopKubelet();
            var watch = DrillWatch(target.Name, check);
            var state = string.Join("|", NodeState(target), timings);
            probes.Add(new Probe($"drill-stop-{target.Name}", Fingerprint(stop, state, Image("tools")), Image("tools"), target.Name, Gpu: false,
                HostNetwork: true, Privileged: true, NfsPath: null, NeedsNodeReader: false, DeadlineSeconds: 600, stop, []));
            probes.Add(new Probe($"drill-watch-{target.Name}", Fingerprint(watch, state, Image("tools")), Image("tools"), control.Name, Gpu: false,
                HostNetwork: false, Privileged: false, NfsPath: null, NeedsNodeReader: true, DeadlineSeconds: 600, watch, [check]));
        }
        return probes;
    }

    /// <summary>Every check the gate expects a result for.</summary>
    public static IReadOnlyList<Check> Checks(LabSpec spec) => For(spec).SelectMany(p => p.Checks).ToList();

    private static string Script(string purpose, string body) =>
        $"#!/usr/bin/env bash\n# lab validation probe: {purpose}. Rendered by Lab.Model.\n# Prints LAB_RESULT lines; a measurement that falls short is a result, not a failure of the probe.\nset -euo pipefail\n\n{body.TrimEnd('\n')}\n";

    private static string Result(Check check, string valueExpression) =>
        $"echo \"LAB_RESULT check={check.Id} value={valueExpression} unit={check.Unit}\"";

    public static string GpuUtilization(Check check) => Script("GPU utilisation under a full load", $$"""
        # Load the GPU, skip the ramp-up, then sample utilisation once a second.
        gpu_burn 100 >/dev/null 2>&1 &
        load=$!
        sleep 20
        samples=$(for _ in $(seq 1 60); do nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits | head -n 1; sleep 1; done)
        wait "$load" || true
        average=$(awk '{ sum += $1; n++ } END { if (n > 0) printf "%.1f", sum / n }' <<<"$samples")
        {{Result(check, "$average")}}
        """);

    public static string InferenceLatency(string endpoint, Check check) => Script("inference latency, P95 of 200 requests", $$"""
        endpoint={{Quote(endpoint)}}
        times=$(mktemp)
        for _ in $(seq 1 200); do
          # A failed or timed-out request counts as the 10 s timeout: failures push P95 up, never down.
          curl -s -o /dev/null -w '%{time_total}\n' --max-time 10 "$endpoint" >>"$times" || echo 10 >>"$times"
        done
        p95=$(sort -n "$times" | awk '{ v[NR] = $1 } END { i = int(NR * 0.95); if (i < NR * 0.95) i++; printf "%.1f", v[i] * 1000 }')
        {{Result(check, "$p95")}}
        """);

    public static string BandwidthServer(int clients) => Script("iperf3 server for the node-to-node bandwidth probes", $$"""
        # One test per worker; the clients wait their turn.
        for _ in $(seq 1 {{clients}}); do
          iperf3 -s -1 >/dev/null || true
        done
        """);

    public static string BandwidthClient(string server, Check check) => Script($"bandwidth to the control node ({server})", $$"""
        server={{Quote(server)}}
        gbits=""
        for _ in $(seq 1 120); do
          if out=$(iperf3 -c "$server" -t 30 -P 4 -f g 2>/dev/null); then
            gbits=$(awk '/\[SUM\].*receiver/ { print $6 }' <<<"$out")
            break
          fi
          sleep 5
        done
        if [ -n "$gbits" ]; then
          {{Result(check, "$gbits")}}
        fi
        """);

    public static string NfsThroughput(Check read, Check write) => Script("NFS write and read throughput (2 GiB, direct I/O)", $$"""
        # Writes and removes one probe file of its own; nothing else on the export is touched.
        dir=/data/.lab-validation
        mkdir -p "$dir"
        file="$dir/probe-$(hostname)-$$"
        trap 'rm -f "$file"' EXIT
        rate() { awk -v bytes=2147483648 '/copied/ { split($0, part, ", "); split(part[3], t, " "); if (t[1] > 0) printf "%.1f", bytes / t[1] / 1000000 }'; }
        written=$(dd if=/dev/zero of="$file" bs=1M count=2048 oflag=direct conv=fsync 2>&1 | rate)
        readback=$(dd if="$file" of=/dev/null bs=1M iflag=direct 2>&1 | rate)
        {{Result(write, "$written")}}
        {{Result(read, "$readback")}}
        """);

    public static string RapidsSpeedup(Check check) => Script("RAPIDS cuDF versus pandas on the same group-by", $$"""
        python3 - <<'EOF'
        import time
        import numpy as np
        import pandas as pd
        import cudf

        rows = 20_000_000
        rng = np.random.default_rng(0)
        frame = pd.DataFrame({"key": rng.integers(0, 10_000, rows), "value": rng.random(rows)})

        def best(run, repeats=3):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
            return min(times)

        cpu = best(lambda: frame.groupby("key")["value"].agg(["mean", "std", "max"]))
        gpu_frame = cudf.from_pandas(frame)
        best(lambda: gpu_frame.groupby("key")["value"].agg(["mean", "std", "max"]), repeats=1)  # warm-up: JIT and memory pool
        gpu = best(lambda: gpu_frame.groupby("key")["value"].agg(["mean", "std", "max"]))
        print(f"LAB_RESULT check={{check.Id}} value={cpu / gpu:.2f} unit={{check.Unit}}")
        EOF
        """);

    public static string DrillStopKubelet() => Script("node-failure drill: stop this node's kubelet for 90 s", """
        # Give the watcher time to see the node Ready first.
        sleep 30
        nsenter -t 1 -m -u -n -i -- systemctl stop snap.microk8s.daemon-kubelite
        sleep 90
        nsenter -t 1 -m -u -n -i -- systemctl start snap.microk8s.daemon-kubelite
        """);

    public static string DrillWatch(string node, Check check) => Script($"node-failure drill: how fast {node} is marked NotReady", $$"""
        node={{Quote(node)}}
        ready() { kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'; }
        for _ in $(seq 1 120); do [ "$(ready)" = True ] && break; sleep 1; done
        for _ in $(seq 1 300); do [ "$(ready)" != True ] && break; sleep 1; done
        if [ "$(ready)" != True ]; then
          # From the last heartbeat the node sent to the transition: an upper bound of the detection time.
          heartbeat=$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].lastHeartbeatTime}')
          transition=$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].lastTransitionTime}')
          seconds=$(( $(date -d "$transition" +%s) - $(date -d "$heartbeat" +%s) ))
          {{Result(check, "$seconds")}}
        fi
        """);
}
