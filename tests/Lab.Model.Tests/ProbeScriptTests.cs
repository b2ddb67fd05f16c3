using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lab.Model.Spec;
using Lab.Model.Validation;

namespace Lab.Model.Tests;

/// <summary>
/// The rendered probe scripts and the collector, run for real in bash against local servers, a local
/// directory, the real iperf3 and the stand-ins of tests/stand-ins; their LAB_RESULT lines are judged
/// with the prod stack's targets, as the gate judges them.
/// </summary>
public class ProbeScriptTests
{
    private static readonly LabSpec Prod = Repo.GatedProd();
    private static readonly IReadOnlyList<Probe> ProdProbes = Probes.For(Prod);

    internal static string StandIns => Path.Combine(Repo.Root, "tests", "stand-ins");

    internal sealed record Run(int Code, string Stdout, string Stderr)
    {
        public string[] Results => Stdout.Split('\n').Where(l => l.StartsWith("LAB_RESULT ", StringComparison.Ordinal)).ToArray();
    }

    /// <summary>Runs SCRIPT with bash, the stand-ins first on PATH.</summary>
    /// <param name="stdin">What the script reads on stdin; none (closed) by default.</param>
    internal static Run Bash(string script, IDictionary<string, string>? env = null, int timeoutSeconds = 120, string? stdin = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lab-probe-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, script);
        try
        {
            var run = ScriptRunner.Run(["bash", path], stdin: stdin ?? "", standIns: [Path.Combine(StandIns, "bin")], environment: env?.AsReadOnly(), timeout: TimeSpan.FromSeconds(timeoutSeconds));
            return new Run(run.Code, run.Stdout, run.Stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The verdict the prod targets give PROBE's output, as the collector would pass it on.</summary>
    internal static CheckVerdict Judge(string probe, string stdout, string check, LabSpec? lab = null)
    {
        var probes = lab is null ? ProdProbes : Probes.For(lab);
        var job = probes.Single(p => p.Name == probe).JobName;
        return GateVerdict.Judge(probes, $"LAB_JOB job={job} status=complete\n{stdout}").Checks.Single(c => c.Check.Id == check);
    }

    private static Check CheckOf(string id) => ProdProbes.SelectMany(p => p.Checks).Single(c => c.Id == id);

    /// <summary>The stand-in inference server, on 127.0.0.1 at a free port; stopped on dispose.</summary>
    private sealed class InferenceServer : IDisposable
    {
        private readonly Process process;
        private readonly string portFile = Path.Combine(Path.GetTempPath(), $"lab-inference-{Guid.NewGuid():N}.port");

        public InferenceServer(string mode, double delaySeconds = 0)
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardInput = true };
            foreach (var arg in new[] { Path.Combine(StandIns, "inference-server.py"), portFile, Prod.Validation.Inference.Model, mode, delaySeconds.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(arg);
            }
            process = Process.Start(start)!;
            for (var i = 0; i < 200 && !File.Exists(portFile); i++)
            {
                Thread.Sleep(50);
            }
            Port = int.Parse(File.ReadAllText(portFile), CultureInfo.InvariantCulture);
        }

        public int Port { get; }

        public void Dispose()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            File.Delete(portFile);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // A short load: 1 warm-up, 4 timed requests, 2 s timeout (the stack's load is 5, 200 and ≥ 10 s).
    private static readonly Probes.InferenceLoad ShortLoad = new(WarmUp: 1, Requests: 4, TimeoutSeconds: 2);

    private static Run Inference(int port) => Bash(Probes.InferenceLatency(
        new InferenceSpec($"http://127.0.0.1:{port}/v1", Prod.Validation.Inference.Model), ShortLoad, CheckOf("inference_p95")));

    [Fact]
    public void Inference_times_real_chat_completions_and_reports_one_p95()
    {
        using var server = new InferenceServer("ok", delaySeconds: 0.3);
        var run = Inference(server.Port);
        Assert.Equal(0, run.Code);
        var line = Assert.Single(run.Results);
        var verdict = Judge("inference-p95", run.Stdout, "inference_p95");
        // Never faster than the server's delay, and not a timeout: the server only answers 200 to a
        // well-formed POST of a chat completion for the stack's model.
        Assert.InRange(verdict.Measured!.Value, 300, 1999);
        Assert.Matches(@"^LAB_RESULT check=inference_p95 value=[0-9]+\.[0-9] unit=ms$", line);
        // 300 ms is above the stack's 200 ms target.
        Assert.Equal(Outcome.Short, verdict.Outcome);
        var lenient = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["targets"]!["inferenceP95"] = 1500).Load();
        Assert.Equal(Outcome.Pass, Judge("inference-p95", run.Stdout, "inference_p95", lenient).Outcome);
    }

    [Theory]
    [InlineData("404")]
    [InlineData("500")]
    [InlineData("hang")]
    [InlineData("dead")]
    public void A_failing_inference_server_counts_every_request_as_the_timeout_and_never_passes(string mode)
    {
        using var server = mode == "dead" ? null : new InferenceServer(mode);
        var run = Inference(server?.Port ?? FreePort());
        Assert.Equal(0, run.Code);
        // Exactly one sample per request, each the 2 s timeout.
        Assert.Equal("LAB_RESULT check=inference_p95 value=2000.0 unit=ms", Assert.Single(run.Results));
        Assert.Equal(Outcome.Short, Judge("inference-p95", run.Stdout, "inference_p95").Outcome);
        // Even against the most lenient target the stack allows: its timeout is always above the target.
        var lenient = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["targets"]!["inferenceP95"] = 60000).Load();
        var load = Probes.InferenceLoad.For(lenient.Validation.Targets.InferenceP95Ms);
        Assert.True(load.TimeoutSeconds * 1000 > lenient.Validation.Targets.InferenceP95Ms);
    }

    [Fact]
    public async Task Bandwidth_is_measured_by_the_real_iperf3_over_loopback()
    {
        var port = FreePort();
        var check = CheckOf("bandwidth:gemini-1");
        var test = new Probes.BandwidthTestData(Seconds: 1, Streams: 4, Attempts: 20, RetrySeconds: 1);
        var server = Task.Run(() => Bash(Probes.BandwidthServer(1, port)));
        var client = Bash(Probes.BandwidthClient("127.0.0.1", port, test, check));
        Assert.Equal(0, (await server).Code);
        Assert.True(client.Code == 0, client.Stderr);
        Assert.Matches(@"^LAB_RESULT check=bandwidth:gemini-1 value=[0-9]+(\.[0-9]+)? unit=Gbit/s$", Assert.Single(client.Results));
        // Judged against the stack's 2.3 Gbit/s (loopback speed depends on how busy this machine is), and never
        // passing a target no link here reaches.
        var verdict = Judge("bandwidth-gemini-1", client.Stdout, "bandwidth:gemini-1");
        Assert.True(verdict.Measured > 0);
        Assert.Equal(verdict.Measured >= 2.3 ? Outcome.Pass : Outcome.Short, verdict.Outcome);
        var unreachable = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["targets"]!["bandwidth"] = 400).Load();
        Assert.Equal(Outcome.Short, Judge("bandwidth-gemini-1", client.Stdout, "bandwidth:gemini-1", unreachable).Outcome);
    }

    [Fact]
    public void Bandwidth_without_a_server_reports_nothing_and_fails_its_job()
    {
        var test = new Probes.BandwidthTestData(Seconds: 1, Streams: 4, Attempts: 2, RetrySeconds: 0);
        var client = Bash(Probes.BandwidthClient("127.0.0.1", FreePort(), test, CheckOf("bandwidth:gemini-1")));
        Assert.NotEqual(0, client.Code);
        Assert.Empty(client.Results);
        Assert.Equal(Outcome.Missing, Judge("bandwidth-gemini-1", client.Stdout, "bandwidth:gemini-1").Outcome);
    }

    [Fact]
    public void Nfs_throughput_writes_and_reads_its_own_file_in_the_probe_directory()
    {
        var dir = Directory.CreateTempSubdirectory("lab-nfs-probe-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "someone-elses-data"), "kept");
            var run = Bash(Probes.NfsThroughput(dir.FullName, 32, CheckOf("nfs_read"), CheckOf("nfs_write")));
            Assert.True(run.Code == 0, run.Stderr);
            Assert.Collection(run.Results,
                l => Assert.Matches(@"^LAB_RESULT check=nfs_write value=[0-9]+\.[0-9] unit=MB/s$", l),
                l => Assert.Matches(@"^LAB_RESULT check=nfs_read value=[0-9]+\.[0-9] unit=MB/s$", l));
            Assert.All(new[] { "nfs_write", "nfs_read" }, c => Assert.True(Judge("nfs-throughput", run.Stdout, c).Measured > 0));
            // Its probe file is gone; nothing else was touched.
            Assert.Equal(["someone-elses-data"], dir.EnumerateFiles().Select(f => f.Name));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Nfs_without_its_probe_directory_fails_the_job_with_the_reason()
    {
        var run = Bash(Probes.NfsThroughput("/nonexistent/.lab-validation", 1, CheckOf("nfs_read"), CheckOf("nfs_write")));
        Assert.NotEqual(0, run.Code);
        Assert.Empty(run.Results);
        Assert.Contains("the NAS step creates it for the probe account", run.Stderr);
    }

    private static Run Gpu(Dictionary<string, string> env) =>
        Bash(Probes.GpuUtilization((WarmUpSeconds: 1, Samples: 3), CheckOf("gpu_utilization:gemini-1")), new Dictionary<string, string>(env) { ["LAB_STANDIN_GPU_GFLOPS"] = env.GetValueOrDefault("LAB_STANDIN_GPU_GFLOPS", "21350") });

    [Theory]
    [InlineData("97", "97.0", Outcome.Pass)]
    [InlineData("40", "40.0", Outcome.Short)]
    public void Gpu_utilisation_is_averaged_from_nvidia_smi_under_load(string reading, string average, Outcome outcome)
    {
        var run = Gpu(new() { ["LAB_STANDIN_GPU_UTIL"] = reading });
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Equal($"LAB_RESULT check=gpu_utilization:gemini-1 value={average} unit=%", Assert.Single(run.Results));
        Assert.Equal(outcome, Judge("gpu-util-gemini-1", run.Stdout, "gpu_utilization:gemini-1").Outcome);
    }

    [Fact]
    public void A_throttled_gpu_still_reads_full_utilisation_and_its_gflops_and_throttle_reasons_say_so()
    {
        var run = Gpu(new() { ["LAB_STANDIN_GPU_UTIL"] = "100", ["LAB_STANDIN_GPU_GFLOPS"] = "9120", ["LAB_STANDIN_GPU_THROTTLE"] = "hw_thermal_slowdown,sw_power_cap" });
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("LAB_DETAIL check=gpu_utilization:gemini-1 gflops=9120 throttle=sw_power_cap,hw_thermal_slowdown", run.Stdout.Split('\n'));
        var verdict = Judge("gpu-util-gemini-1", run.Stdout, "gpu_utilization:gemini-1");
        Assert.Equal((Outcome.Pass, "9120 Gflop/s, throttled: sw_power_cap,hw_thermal_slowdown"), (verdict.Outcome, verdict.Detail));
        var table = new GateVerdict([verdict]).Table();
        Assert.Contains("9120 Gflop/s, throttled: sw_power_cap,hw_thermal_slowdown", table);

        var cool = Gpu(new() { ["LAB_STANDIN_GPU_UTIL"] = "100" });
        Assert.Contains("LAB_DETAIL check=gpu_utilization:gemini-1 gflops=21350 throttle=none", cool.Stdout.Split('\n'));
        Assert.Equal("21350 Gflop/s, no throttling", Judge("gpu-util-gemini-1", cool.Stdout, "gpu_utilization:gemini-1").Detail);
    }

    [Fact]
    public void A_gpu_load_that_dies_early_is_no_measurement()
    {
        var run = Gpu(new() { ["LAB_STANDIN_GPU_UTIL"] = "0", ["LAB_STANDIN_GPU_BURN_FAILS"] = "1" });
        Assert.NotEqual(0, run.Code);
        Assert.Empty(run.Results);
        Assert.Contains("gpu_burn stopped before sampling ended", run.Stderr);
    }

    [Fact]
    public void A_gpu_load_that_reports_no_rate_is_no_measurement()
    {
        var run = Gpu(new() { ["LAB_STANDIN_GPU_UTIL"] = "99", ["LAB_STANDIN_GPU_GFLOPS"] = "" });
        Assert.NotEqual(0, run.Code);
        Assert.Empty(run.Results);
    }

    [Fact]
    public void The_probe_queries_only_fields_nvidia_smi_knows()
    {
        // The stand-in refuses a field driver 580 does not name, as nvidia-smi does; the probe's query passes it.
        var refused = Bash("nvidia-smi --query-gpu=utilization.gpu,clocks_throttle_reasons.bogus --format=csv,noheader,nounits", new Dictionary<string, string> { ["LAB_STANDIN_GPU_UTIL"] = "1" });
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("is not a valid field to query", refused.Stderr);
    }

    [Fact]
    public void Nfs_probe_mounts_the_nodes_automount()
    {
        var probe = ProdProbes.Single(p => p.Name == "nfs-throughput");
        var results = Prod.Nas.Export("results");
        Assert.Equal((results.MountPoint, Prod.ControlNode.Name), (probe.NfsMountPoint, probe.Node));
        Assert.Contains("results", Prod.ControlNode.Mounts);
    }
}

/// <summary>The collector step, run for real against the stand-in microk8s: stages, polling, failed and slow Jobs.</summary>
public class CollectorRunTests
{
    [Fact]
    public void The_collector_runs_stage_after_stage_records_failures_at_once_and_gives_up_at_the_deadline()
    {
        var lab = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["drill"] = true).Load();
        // Short deadlines, so a Job that never ends is given up within seconds.
        var probes = Probes.For(lab).Select(p => p with { DeadlineSeconds = 3 }).ToList();
        var jobs = Directory.CreateTempSubdirectory("lab-collector-");
        try
        {
            foreach (var p in probes)
            {
                var (plan, log) = p.Name switch
                {
                    "rapids-speedup" => ("failed DeadlineExceeded 0", "LAB_RESULT check=rapids_speedup value=99 unit=x\n"),
                    "inference-p95" => ("complete 2", "warming up\nLAB_RESULT check=inference_p95 value=120.5 unit=ms\nLAB_JOB job=rapids-speedup-00000000 status=complete\n"),
                    "nfs-throughput" => ("never", ""),
                    _ => ("complete 0", string.Join("", p.Checks.Select(c => $"LAB_RESULT check={c.Id} value={c.Target.ToString(CultureInfo.InvariantCulture)} unit={c.Unit}\n"))),
                };
                File.WriteAllText(Path.Combine(jobs.FullName, $"{p.JobName}.plan"), plan + "\n");
                File.WriteAllText(Path.Combine(jobs.FullName, $"{p.JobName}.log"), log);
            }
            var run = ProbeScriptTests.Bash(Collector.Step(lab, probes, pollSeconds: 1, graceSeconds: 2).Text,
                new Dictionary<string, string> { ["LAB_STANDIN_JOBS"] = jobs.FullName });
            Assert.True(run.Code == 0, run.Stderr);

            // The bound it prints is the one computed from the deadlines.
            var stages = probes.Select(p => p.Stage).Distinct().Count();
            Assert.Contains($"collector: {probes.Count} jobs in {stages} stages, done within {Collector.BoundSeconds(probes, 2)}s", run.Stdout);

            // Every Job of a stage ended before any Job of the next was resumed.
            var events = File.ReadAllLines(Path.Combine(jobs.FullName, "events"));
            var stageOf = probes.ToDictionary(p => p.JobName, p => p.Stage);
            for (var i = 0; i < events.Length; i++)
            {
                var (verb, job) = (events[i].Split(' ')[0], events[i].Split(' ')[1]);
                if (verb == "resume")
                {
                    var earlier = probes.Where(p => p.Stage < stageOf[job] && p.Name != "nfs-throughput").Select(p => $"end {p.JobName}");
                    Assert.All(earlier, e => Assert.Contains(e, events[..i]));
                }
            }
            Assert.Equal(probes.Count, events.Count(e => e.StartsWith("resume ", StringComparison.Ordinal)));

            string Header(string name) => run.Stdout.Split('\n').Single(l => l.StartsWith($"LAB_JOB job={probes.Single(p => p.Name == name).JobName} ", StringComparison.Ordinal));
            Assert.EndsWith("status=failed reason=DeadlineExceeded", Header("rapids-speedup"));
            Assert.EndsWith("status=failed reason=NoConditionWithinDeadline", Header("nfs-throughput"));
            Assert.EndsWith("status=complete", Header("inference-p95"));
            // A probe's log cannot print a header of its own.
            Assert.DoesNotContain("rapids-speedup-00000000", run.Stdout);

            var verdict = GateVerdict.Judge(probes, run.Stdout);
            CheckVerdict Of(string id) => verdict.Checks.Single(c => c.Check.Id == id);
            // Failed at once, with its reason, even though it printed a passing value.
            Assert.Equal((Outcome.Fail, "job failed: DeadlineExceeded"), (Of("rapids_speedup").Outcome, Of("rapids_speedup").Note));
            Assert.Equal(Outcome.Fail, Of("nfs_read").Outcome);
            Assert.Equal("job failed: NoConditionWithinDeadline", Of("nfs_write").Note);
            // The slow Job was waited for and judged.
            Assert.Equal((Outcome.Pass, 120.5), (Of("inference_p95").Outcome, Of("inference_p95").Measured!.Value));
            Assert.All(verdict.Checks.Where(c => c.Check.Id.StartsWith("gpu_utilization:", StringComparison.Ordinal)), c => Assert.Equal(Outcome.Pass, c.Outcome));
            Assert.False(verdict.Passed);
        }
        finally
        {
            jobs.Delete(recursive: true);
        }
    }
}

/// <summary>The collector's checks before and after a Job: a GPU held by another pod, and a pod that vanished with its node.</summary>
public class CollectorMeasurabilityTests
{
    [Fact]
    public void A_busy_gpu_is_not_measured_and_a_vanished_pod_runs_its_job_once_more()
    {
        var lab = Repo.GatedProd();
        var probes = Probes.For(lab).Select(p => p with { DeadlineSeconds = 3 }).ToList();
        Probe P(string name) => probes.Single(p => p.Name == name);
        var jobs = Directory.CreateTempSubdirectory("lab-collector-");
        try
        {
            void Plan(string job, string plan, string log = "", bool vanishes = false, string? gpu = null)
            {
                File.WriteAllText(Path.Combine(jobs.FullName, $"{job}.plan"), plan + "\n");
                File.WriteAllText(Path.Combine(jobs.FullName, $"{job}.log"), log);
                if (vanishes)
                {
                    File.WriteAllText(Path.Combine(jobs.FullName, $"{job}.vanish"), "");
                }
                if (gpu is not null)
                {
                    File.WriteAllText(Path.Combine(jobs.FullName, $"{job}.gpu"), gpu);
                }
            }
            string Passing(Probe p) => string.Join("", p.Checks.Select(c => $"LAB_RESULT check={c.Id} value={c.Target.ToString(CultureInfo.InvariantCulture)} unit={c.Unit}\n"));
            foreach (var p in probes)
            {
                Plan(p.JobName, "complete 0", Passing(p), gpu: p.Gpu ? p.Node : null);
                Plan(p.RerunJobName, "complete 0", Passing(p), gpu: p.Gpu ? p.Node : null);
            }
            // gemini-1's probe prints what its GPU really did; the collector passes that line on with the result.
            Plan(P("gpu-util-gemini-1").JobName, "complete 0", Passing(P("gpu-util-gemini-1")) + "LAB_DETAIL check=gpu_utilization:gemini-1 gflops=21350 throttle=none\n", gpu: "gemini-1");
            // The datastore was never backed up: the backups' probe prints its shortfall, which the collector passes on.
            Plan(P("backup-ages").JobName, "complete 0", Passing(P("backup-ages")).Replace("LAB_RESULT check=backup_age_datastore value=24 unit=h\n",
                "backup-ages: no lab_backup_last_success_timestamp_seconds for datastore\nLAB_SHORT check=backup_age_datastore reason=never_backed_up\n", StringComparison.Ordinal));
            // Someone's notebook holds a replica of derpy's GPU; a pod without a GPU beside it does not count.
            File.WriteAllText(Path.Combine(jobs.FullName, "gpu-pods"), "derpy ml/notebook-7f9c 1\nderpy kube-system/calico-node-x2b9 \n");
            // zenon's gpu_burn hangs past its deadline and still holds the GPU when RAPIDS (on zenon) is due.
            Plan(P("gpu-util-zenon").JobName, "never", gpu: "zenon");
            // The inference pod is deleted with its node after it completed; its spare runs and reports.
            Plan(P("inference-p95").JobName, "complete 0", vanishes: true);
            Plan(P("inference-p95").RerunJobName, "complete 1", "LAB_RESULT check=inference_p95 value=120.5 unit=ms\n");
            // The NFS pod vanishes twice: no measurement.
            Plan(P("nfs-throughput").JobName, "complete 0", vanishes: true);
            Plan(P("nfs-throughput").RerunJobName, "complete 0", vanishes: true);

            var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var run = ProbeScriptTests.Bash(Collector.Step(lab, probes, pollSeconds: 1, graceSeconds: 2).Text,
                new Dictionary<string, string> { ["LAB_STANDIN_JOBS"] = jobs.FullName });
            Assert.True(run.Code == 0, run.Stderr);
            var events = File.ReadAllLines(Path.Combine(jobs.FullName, "events"));

            // The bound comes before anything runs.
            var first = run.Stdout.Split('\n')[0];
            Assert.StartsWith($"collector: {probes.Count} jobs in", first);
            Assert.Contains($"within {2 * Collector.BoundSeconds(probes, 2)}s if vanished pods' Jobs run again", first);

            string Header(Probe p) => run.Stdout.Split('\n').Single(l => l.StartsWith($"LAB_JOB job={p.Name}-", StringComparison.Ordinal));
            Assert.Equal($"LAB_JOB job={P("gpu-util-derpy").JobName} status=not_measurable reason=GpuBusy pod=ml/notebook-7f9c", Header(P("gpu-util-derpy")));
            Assert.DoesNotContain($"resume {P("gpu-util-derpy").JobName}", events);
            Assert.Equal($"LAB_JOB job={P("rapids-speedup").JobName} status=not_measurable reason=GpuBusy pod=lab-validation/{P("gpu-util-zenon").JobName}-x7k2p", Header(P("rapids-speedup")));
            Assert.Equal($"LAB_JOB job={P("inference-p95").RerunJobName} status=complete", Header(P("inference-p95")));
            Assert.Contains($"the pod of {P("inference-p95").JobName} is gone", run.Stderr);
            Assert.Equal($"LAB_JOB job={P("nfs-throughput").RerunJobName} status=failed reason=PodVanishedTwice", Header(P("nfs-throughput")));
            // Only vanished pods' Jobs ran twice.
            Assert.Equal(2, events.Count(e => e.StartsWith("resume ", StringComparison.Ordinal) && probes.Any(p => e == $"resume {p.RerunJobName}")));

            var verdict = GateVerdict.Judge(probes, run.Stdout);
            CheckVerdict Of(string id) => verdict.Checks.Single(c => c.Check.Id == id);
            Assert.Equal((Outcome.NotMeasurable, "not measurable: GPU busy (ml/notebook-7f9c)"), (Of("gpu_utilization:derpy").Outcome, Of("gpu_utilization:derpy").Note));
            Assert.Contains("LAB_SHORT check=backup_age_datastore reason=never_backed_up", run.Stdout.Split('\n'));
            Assert.DoesNotContain("backup-ages: no lab_backup", run.Stdout);
            Assert.Equal(Outcome.Short, Of("backup_age_datastore").Outcome);
            Assert.StartsWith("never backed up", Of("backup_age_datastore").Note, StringComparison.Ordinal);
            Assert.Equal(Outcome.Pass, Of("backup_age_vault").Outcome);
            Assert.Equal(CheckStatus.NotMeasurable, Of("rapids_speedup").Status);
            Assert.Equal((Outcome.Pass, 120.5), (Of("inference_p95").Outcome, Of("inference_p95").Measured!.Value));
            Assert.Equal((Outcome.Fail, CheckStatus.NotMeasurable), (Of("nfs_read").Outcome, Of("nfs_read").Status));
            Assert.Equal((Outcome.Pass, CheckStatus.Pass, "21350 Gflop/s, no throttling"),
                (Of("gpu_utilization:gemini-1").Outcome, Of("gpu_utilization:gemini-1").Status, Of("gpu_utilization:gemini-1").Detail));
            Assert.InRange(verdict.StartedAt!.Value, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.Contains("could not be measured", verdict.Table());
        }
        finally
        {
            jobs.Delete(recursive: true);
        }
    }
}

/// <summary>The drill's two scripts, run for real against the stand-in nsenter and kubectl.</summary>
public class DrillRunTests
{
    private static readonly LabSpec Lab = Repo.GatedProdConfig().Edit(ConfigKeys.Validation, v => v["drill"] = true).Load();
    private static readonly Check Detection = Probes.For(Lab).SelectMany(p => p.Checks).Single(c => c.Id == "failure_detection:rocinate");
    private static readonly Probes.DrillTimingData Short = new(SettleSeconds: 0, DownSeconds: 2, ReadyWaitSeconds: 2, WatchSeconds: 10, LogWaitSeconds: 5);

    [Fact]
    public void The_stop_job_schedules_kubelites_restart_on_the_host_before_it_stops_it_and_prints_the_stop_time()
    {
        var log = Path.GetTempFileName();
        try
        {
            var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            var run = ProbeScriptTests.Bash(Probes.DrillStop(Short), new Dictionary<string, string> { ["LAB_STANDIN_HOST_LOG"] = log });
            Assert.True(run.Code == 0, run.Stderr);
            var host = File.ReadAllLines(log);
            Assert.Matches(@"^systemd-run --collect --unit=lab-drill-restart-[0-9]+ --on-active=2s --timer-property=AccuracySec=1s systemctl start snap\.microk8s\.daemon-kubelite$", host[0]);
            Assert.Equal("systemctl stop snap.microk8s.daemon-kubelite", host[1]);
            Assert.Equal("systemctl is-active --quiet snap.microk8s.daemon-kubelite", host[2]);
            var stopped = double.Parse(Assert.Single(run.Stdout.Split('\n'), l => l.StartsWith("LAB_DRILL ", StringComparison.Ordinal))["LAB_DRILL stopped_at=".Length..], CultureInfo.InvariantCulture);
            Assert.True(stopped >= Math.Floor(before));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void A_kubelite_that_does_not_come_back_fails_the_stop_job()
    {
        var log = Path.GetTempFileName();
        try
        {
            var run = ProbeScriptTests.Bash(Probes.DrillStop(Short with { DownSeconds = 0 }),
                new Dictionary<string, string> { ["LAB_STANDIN_HOST_LOG"] = log, ["LAB_STANDIN_KUBELITE_STAYS_DOWN"] = "1" });
            Assert.NotEqual(0, run.Code);
            Assert.Contains("did not come back after the drill", run.Stderr);
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static ProbeScriptTests.Run Watch(string updates, double stoppedAt)
    {
        var stopLog = Path.GetTempFileName();
        try
        {
            File.WriteAllText(stopLog, $"LAB_DRILL stopped_at={stoppedAt.ToString("0.000000", CultureInfo.InvariantCulture)}\n");
            return ProbeScriptTests.Bash(Probes.DrillWatch("rocinate", "drill-stop-rocinate-00000000", Short, Detection),
                new Dictionary<string, string> { ["LAB_STANDIN_READY_UPDATES"] = updates, ["LAB_STANDIN_STOP_LOG"] = stopLog });
        }
        finally
        {
            File.Delete(stopLog);
        }
    }

    [Fact]
    public void The_watch_times_from_the_stop_jobs_timestamp_to_ready_leaving_true()
    {
        var stopped = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        // The API server shows Ready for two updates (0.5 s apart), then Unknown.
        var run = Watch("True True Unknown", stopped);
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Matches(@"^LAB_RESULT check=failure_detection:rocinate value=[0-9]+\.[0-9] unit=s$", Assert.Single(run.Results));
        var verdict = ProbeScriptTests.Judge("drill-watch-rocinate", run.Stdout, "failure_detection:rocinate", Lab);
        Assert.True(verdict.Measured >= 1.0, $"measured {verdict.Measured}");
        Assert.Equal(Outcome.Pass, verdict.Outcome);
    }

    [Fact]
    public void A_stop_time_after_the_transition_is_no_measurement()
    {
        var run = Watch("True Unknown", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600);
        Assert.Equal(Outcome.Malformed, ProbeScriptTests.Judge("drill-watch-rocinate", run.Stdout, "failure_detection:rocinate", Lab).Outcome);
    }

    [Fact]
    public void A_node_that_stays_ready_gives_no_result()
    {
        var run = Watch("True True True", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.NotEqual(0, run.Code);
        Assert.Empty(run.Results);
        Assert.Contains("stayed Ready", run.Stderr);
    }
}
