using Lab.Model.Slurm;
using Lab.Model.Spec;
using Lab.Model.Text;
using Lab.Model.Validation;

namespace Lab.Model.Tests;

/// <summary>
/// The gate's Slurm job check (issue 23): its probe and bounds, the gate's own login key and pinned host key, and the
/// probe script run for real in bash, its ssh and Slurm CLI replaced by the stand-ins of tests/stand-ins, whose records are
/// what a real slurmctld 22.05 and OpenSSH 9.2 printed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SlurmJobCheckTests
{
    private static readonly LabSpec Lab = Repo.GatedProdWithSlurmConfig().Load();
    private static readonly IReadOnlyList<Probe> LabProbes = Probes.For(Lab);
    private static Probe SlurmProbe => LabProbes.Single(p => p.Name == "slurm-job");

    [Fact]
    public void With_slurm_on_the_gate_submits_one_gpu_job_from_the_control_node_in_a_stage_of_its_own()
    {
        var probe = SlurmProbe;
        Assert.Equal(Lab.ControlNode.Name, probe.Node);
        Assert.Equal((int)Probes.Stages.Slurm, probe.Stage);
        Assert.Single(LabProbes, p => p.Stage == probe.Stage);
        // The pod holds no GPU: the job's GPU is a Slurm worker's, which Slurm allocates.
        Assert.False(probe.Gpu);
        Assert.Equal(HostAccess.None, probe.Host);
        Assert.Equal(SlurmGateAccess.ProbeSecret, probe.Secret);
        Assert.Equal("tools", probe.ImageName);
        var check = Assert.Single(probe.Checks);
        Assert.Equal(("slurm_job", "slurmJob", "s", false), (check.Id, check.Key, check.Unit, check.AtLeast));
        Assert.Equal(Lab.Validation.Targets.SlurmJobSeconds, check.Target);
        // Only this probe reads a Secret.
        Assert.Single(LabProbes, p => p.Secret is not null);
    }

    [Fact]
    public void Without_slurm_there_is_no_slurm_check_and_no_gate_key()
    {
        foreach (var lab in new[] { Repo.Dev(), Repo.GatedProd() })
        {
            Assert.Null(lab.Slurm);
            Assert.DoesNotContain(Probes.For(lab), p => p.Name == "slurm-job" || p.Secret is not null);
            Assert.Empty(SlurmObjects.GateArtifacts(lab));
        }
    }

    [Fact]
    public void The_probe_reaches_the_login_service_by_its_cluster_name_and_pins_its_host_key()
    {
        var values = ScriptData.Read(SlurmProbe.Script).ToDictionary(v => v.Name, v => v.Display);
        Assert.Equal("lab-slurm-login-svc.slurm.svc.cluster.local", values["host"]);
        Assert.Equal("22", values["port"]);
        Assert.Equal("/etc/lab-secret/id_ed25519", values["key_file"]);
        Assert.Equal("/etc/lab-secret/known_hosts", values["known_hosts"]);
        Assert.Equal(SlurmGateAccess.HostKeyAlias, values["host_key_alias"]);
        var job = Probes.SlurmJob.For(Lab.Validation.Targets.SlurmJobSeconds);
        // The probe's bound fits inside its Job's deadline, and Slurm's own limit is past the bound.
        Assert.True(job.BoundSeconds >= 2 * Lab.Validation.Targets.SlurmJobSeconds);
        Assert.True(job.TimeLimitMinutes * 60 > job.BoundSeconds);
        Assert.True(SlurmProbe.DeadlineSeconds > job.BoundSeconds + 10 * job.ConnectTimeoutSeconds);
        // The SlurmCluster's login sshd listens where the probe connects (Soperator's CRD has no default port).
        var login = (Dictionary<string, object>)((Dictionary<string, object>)SlurmObjects.Cluster(Lab).Spec["slurmNodes"])["login"];
        Assert.Equal(22, ((Dictionary<string, object>)login["sshd"])["port"]);
        var controller = (Dictionary<string, object>)((Dictionary<string, object>)SlurmObjects.Cluster(Lab).Spec["slurmNodes"])["controller"];
        Assert.Equal(6817, ((Dictionary<string, object>)controller["slurmctld"])["port"]);
    }

    [Fact]
    public void The_gate_key_joins_the_operators_keys_without_replacing_them()
    {
        var spec = SlurmObjects.Cluster(Lab).Spec;
        const string gate = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOmkrAsw2YDqDCVwKYZMkxs4G8tbaSr0L3UrosjHzkDV lab-validation-gate";
        var keys = SlurmObjects.RootKeys(spec, gate);
        Assert.Equal([.. Lab.Slurm!.LoginKeys.Select(k => (object)k.Line), gate], keys);
        var updated = SlurmObjects.WithLogin(spec, "sshRootPublicKeys", keys);
        Assert.Same(keys, ((Dictionary<string, object>)((Dictionary<string, object>)updated["slurmNodes"])["login"])["sshRootPublicKeys"]);
        Assert.Equal(((Dictionary<string, object>)((Dictionary<string, object>)spec["slurmNodes"])["login"])["sshd"], ((Dictionary<string, object>)((Dictionary<string, object>)updated["slurmNodes"])["login"])["sshd"]);
        // The rendered spec itself is unchanged.
        Assert.Equal(Lab.Slurm.LoginKeys.Length, ((object[])((Dictionary<string, object>)((Dictionary<string, object>)spec["slurmNodes"])["login"])["sshRootPublicKeys"]).Length);
    }

    [Fact]
    public void Only_one_ed25519_public_key_from_the_key_step_reaches_the_slurm_cluster()
    {
        const string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOmkrAsw2YDqDCVwKYZMkxs4G8tbaSr0L3UrosjHzkDV lab-validation-gate";
        Assert.Equal(key, SlurmGateAccess.PublicKey($"lab: step slurm-gate-key\nLAB_GATE_KEY {key}\n"));
        foreach (var output in new[]
        {
            "",
            $"LAB_GATE_KEY {key} extra",
            "LAB_GATE_KEY -----BEGIN OPENSSH PRIVATE KEY-----",
            $"LAB_GATE_KEY {key.Replace("ssh-ed25519", "ssh-rsa", StringComparison.Ordinal)}",
            $"LAB_GATE_KEY {key}\nLAB_GATE_KEY ssh-ed25519 {new string('B', 68)} lab-validation-gate",
        })
        {
            Assert.Throws<InvalidOperationException>(() => SlurmGateAccess.PublicKey(output));
        }
    }

    [Fact]
    public void The_key_step_makes_the_pair_once_and_prints_only_its_public_key()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"lab-gate-key-{Guid.NewGuid():N}");
        var script = SlurmGateAccess.KeyStep(Lab).Text.Replace($"readonly key_directory={Shell.Quote(SlurmGateAccess.KeyDirectory)}", $"readonly key_directory={Shell.Quote(dir)}", StringComparison.Ordinal);
        Assert.Contains(dir, script);
        try
        {
            var first = ScriptRunner.Run(["bash", "-s"], script, [], null, TimeSpan.FromMinutes(1));
            Assert.True(first.Code == 0, first.Stderr);
            var key = SlurmGateAccess.PublicKey(first.Stdout);
            Assert.DoesNotContain("PRIVATE", first.Stdout + first.Stderr);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "id_ed25519")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            // Idempotent: the same pair, so the SlurmCluster's root keys do not change on a second run.
            var second = ScriptRunner.Run(["bash", "-s"], script, [], null, TimeSpan.FromMinutes(1));
            Assert.Equal(key, SlurmGateAccess.PublicKey(second.Stdout));
            // A damaged key file is made anew.
            File.WriteAllText(Path.Combine(dir, "id_ed25519"), "not a key\n");
            var third = ScriptRunner.Run(["bash", "-s"], script, [], null, TimeSpan.FromMinutes(1));
            Assert.NotEqual(key, SlurmGateAccess.PublicKey(third.Stdout));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void The_trust_step_pins_the_login_host_key_soperator_generated_and_ships_the_gate_key_to_the_probe()
    {
        var dir = Directory.CreateTempSubdirectory("lab-gate-trust-").FullName;
        try
        {
            var keys = Path.Combine(dir, "keys");
            Directory.CreateDirectory(keys);
            Assert.Equal(0, ScriptRunner.Run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gate", "-f", Path.Combine(keys, "id_ed25519")]).Code);
            Assert.Equal(0, ScriptRunner.Run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "root@login", "-f", Path.Combine(dir, "host")]).Code);
            var hostKey = File.ReadAllText(Path.Combine(dir, "host.pub")).Trim();
            var script = SlurmGateAccess.TrustStep(Lab).Text
                .Replace($"readonly key_directory={Shell.Quote(SlurmGateAccess.KeyDirectory)}", $"readonly key_directory={Shell.Quote(keys)}", StringComparison.Ordinal)
                .Replace($"readonly wait_seconds={Shell.Quote(SlurmGateAccess.HostKeyWaitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))}", "readonly wait_seconds='2'", StringComparison.Ordinal);
            Assert.Contains("readonly wait_seconds='2'", script);
            var env = new Dictionary<string, string> { ["LAB_STANDIN_SLURM"] = dir };
            string[] standIns = [Path.Combine(ProbeScriptTests.StandIns, "slurm")];

            // Before Soperator made its Secret: refused, nothing applied.
            var early = ScriptRunner.Run(["bash", "-s"], script, standIns, env, TimeSpan.FromMinutes(1));
            Assert.NotEqual(0, early.Code);
            Assert.Contains("no ed25519 host key in slurm/lab-slurm-sshd-keys", early.Stderr);
            Assert.False(File.Exists(Path.Combine(dir, "applied.yaml")));

            File.WriteAllText(Path.Combine(dir, "sshd-keys.json"), System.Text.Json.JsonSerializer.Serialize(new
            {
                data = new Dictionary<string, string> { ["ssh_host_ed25519_key.pub"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(hostKey + "\n")) },
            }));
            var run = ScriptRunner.Run(["bash", "-s"], script, standIns, env, TimeSpan.FromMinutes(1));
            Assert.True(run.Code == 0, run.Stderr);
            var applied = File.ReadAllLines(Path.Combine(dir, "applied.yaml"));
            string Data(string name) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(applied.Single(l => l.StartsWith($"  {name}: ", StringComparison.Ordinal))[(name.Length + 4)..]));
            Assert.Equal(File.ReadAllText(Path.Combine(keys, "id_ed25519")), Data("id_ed25519"));
            // The host's key alone (its comment dropped), under the alias the probe connects with.
            Assert.Equal($"lab-slurm-login {string.Join(' ', hostKey.Split(' ')[..2])}\n", Data("known_hosts"));
            Assert.DoesNotContain("PRIVATE", run.Stdout + run.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_target_defaults_and_is_refused_out_of_range_with_its_key()
    {
        Assert.Equal(120, Repo.Prod().Validation.Targets.SlurmJobSeconds);
        var lab = Repo.GatedProdWithSlurmConfig().Edit(ConfigKeys.Validation, v => v["targets"]!.AsObject().Remove("slurmJob")).Load();
        Assert.Equal(120, lab.Validation.Targets.SlurmJobSeconds);
        var error = Assert.Single(Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["targets"]!["slurmJob"] = 5).Errors());
        Assert.Equal("lab:validation.targets.slurmJob", error.Key);
        Assert.Contains("from 10 to 3600", error.Problem);
    }

    /// <summary>A fault the probe names is the check's note; a fault printed by another probe's Job is not.</summary>
    [Fact]
    public void A_failed_slurm_job_check_says_why_in_its_own_words()
    {
        var job = SlurmProbe.JobName;
        var other = LabProbes.First(p => p.Name == "nfs-throughput").JobName;
        var verdict = GateVerdict.Judge(LabProbes, $"LAB_JOB job={job} status=failed reason=BackoffLimitExceeded\nLAB_DETAIL check=slurm_job fault=KeyRefused\n")
            .Checks.Single(c => c.Check.Id == "slurm_job");
        Assert.Equal((Outcome.Fail, "job failed: KeyRefused (BackoffLimitExceeded)"), (verdict.Outcome, verdict.Note));
        var forged = GateVerdict.Judge(LabProbes, $"LAB_JOB job={other} status=complete\nLAB_DETAIL check=slurm_job fault=KeyRefused\nLAB_JOB job={job} status=failed reason=BackoffLimitExceeded\n")
            .Checks.Single(c => c.Check.Id == "slurm_job");
        Assert.Equal("job failed: BackoffLimitExceeded", forged.Note);
        // A fault never passes a check, and a result beside it from a Job that failed counts for nothing.
        var both = GateVerdict.Judge(LabProbes, $"LAB_JOB job={job} status=failed reason=BackoffLimitExceeded\nLAB_DETAIL check=slurm_job fault=JobFailed\nLAB_RESULT check=slurm_job value=3 unit=s\n")
            .Checks.Single(c => c.Check.Id == "slurm_job");
        Assert.Equal(Outcome.Fail, both.Outcome);
    }

    [Fact]
    public void The_collector_passes_the_probes_fault_to_the_verdict()
    {
        var probes = LabProbes.Select(p => p with { DeadlineSeconds = 3 }).ToList();
        var jobs = Directory.CreateTempSubdirectory("lab-collector-slurm-");
        try
        {
            foreach (var p in probes)
            {
                var (plan, log) = p.Name == "slurm-job"
                    ? ("failed BackoffLimitExceeded 0", "LAB_DETAIL check=slurm_job fault=KeyRefused\n")
                    : ("complete 0", string.Join("", p.Checks.Select(c => $"LAB_RESULT check={c.Id} value={c.Target.ToString(System.Globalization.CultureInfo.InvariantCulture)} unit={c.Unit}\n")));
                File.WriteAllText(Path.Combine(jobs.FullName, $"{p.JobName}.plan"), plan + "\n");
                File.WriteAllText(Path.Combine(jobs.FullName, $"{p.JobName}.log"), log);
            }
            var run = ProbeScriptTests.Bash(Collector.Step(Lab, probes, pollSeconds: 1, graceSeconds: 2).Text,
                new Dictionary<string, string> { ["LAB_STANDIN_JOBS"] = jobs.FullName });
            Assert.True(run.Code == 0, run.Stderr);
            Assert.Contains($"LAB_JOB job={SlurmProbe.JobName} status=failed reason=BackoffLimitExceeded\nLAB_DETAIL check=slurm_job fault=KeyRefused\n", run.Stdout);
            var verdict = GateVerdict.Judge(probes, run.Stdout);
            Assert.Equal("job failed: KeyRefused (BackoffLimitExceeded)", verdict.Checks.Single(c => c.Check.Id == "slurm_job").Note);
            Assert.Equal(["slurm_job"], verdict.ShortFalls.Select(c => c.Check.Id));
        }
        finally
        {
            jobs.Delete(recursive: true);
        }
    }

    private static (ProbeScriptTests.Run Run, string State) Probe(string ssh, string sinfo, string[] records, string? sbatchError = null, Probes.SlurmJob? job = null)
    {
        var state = Path.Combine(Path.GetTempPath(), $"lab-slurm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "sinfo"), sinfo);
        File.WriteAllLines(Path.Combine(state, "records"), records);
        if (sbatchError is not null)
        {
            File.WriteAllText(Path.Combine(state, "sbatch-error"), sbatchError + "\n");
        }
        var check = SlurmProbe.Checks[0];
        var script = Probes.SlurmJobScript(job ?? new Probes.SlurmJob(BoundSeconds: 30, PollSeconds: 1, ConnectTimeoutSeconds: 5), check);
        var run = ProbeScriptTests.Bash(script, new Dictionary<string, string> { ["LAB_STANDIN_SSH"] = ssh, ["LAB_STANDIN_SLURM"] = state });
        return (run, state);
    }

    private static CheckVerdict Judge(ProbeScriptTests.Run run) =>
        GateVerdict.Judge(LabProbes, $"LAB_JOB job={SlurmProbe.JobName} status={(run.Code == 0 ? "complete" : "failed reason=BackoffLimitExceeded")}\n{run.Stdout}")
            .Checks.Single(c => c.Check.Id == "slurm_job");

    [Fact]
    public void A_job_that_ran_on_a_gpu_reports_its_time_from_submission_to_completed()
    {
        var (run, state) = Probe("ok", "sinfo-gpu", ["pending", "running", "completed-gpu"]);
        Assert.Equal(0, run.Code);
        // The record's SubmitTime and EndTime, as slurmctld stamped them.
        Assert.Equal("LAB_RESULT check=slurm_job value=4 unit=s", Assert.Single(run.Results));
        Assert.Contains("COMPLETED on vm with 1 GPU(s)", run.Stderr);
        Assert.Equal(Outcome.Pass, Judge(run).Outcome);
        Assert.Equal(
            ["true", "sinfo --noheader --Node --format='%N %G'",
             "sbatch --parsable --gpus=1 --ntasks=1 --time=2 --job-name=lab-validation-gate --output=/dev/null --wrap='srun nvidia-smi -L'",
             "scontrol --details --oneliner show job 6", "scontrol --details --oneliner show job 6", "scontrol --details --oneliner show job 6"],
            File.ReadAllLines(Path.Combine(state, "commands")));
        Assert.False(File.Exists(Path.Combine(state, "cancelled")));
    }

    [Theory]
    [InlineData("unreachable", "LoginUnreachable", "Connection refused")]
    [InlineData("refused", "KeyRefused", "Permission denied")]
    [InlineData("hostkey", "HostKeyMismatch", "not the pinned one")]
    public void A_login_that_fails_is_named(string ssh, string fault, string message)
    {
        var (run, state) = Probe(ssh, "sinfo-gpu", ["completed-gpu"]);
        Assert.Equal(1, run.Code);
        Assert.Equal($"LAB_DETAIL check=slurm_job fault={fault}", Assert.Single(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains(message, run.Stderr);
        Assert.Empty(run.Results);
        Assert.False(File.Exists(Path.Combine(state, "commands")));
        Assert.Equal($"job failed: {fault} (BackoffLimitExceeded)", Judge(run).Note);
    }

    [Fact]
    public void No_gpu_node_in_slurm_is_named_before_anything_is_submitted()
    {
        var (run, state) = Probe("ok", "sinfo-no-gpu", ["completed-gpu"]);
        Assert.Equal(1, run.Code);
        Assert.Contains("LAB_DETAIL check=slurm_job fault=NoGpuNode", run.Stdout);
        Assert.Contains("vm (null)", run.Stderr);
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(state, "commands")), c => c.StartsWith("sbatch", StringComparison.Ordinal));
        // sbatch's own refusal when no node can give one GPU (a real slurmctld's message) is the same fault.
        var (refused, _) = Probe("ok", "sinfo-gpu", ["completed-gpu"], sbatchError: "sbatch: error: Batch job submission failed: Requested node configuration is not available");
        Assert.Contains("LAB_DETAIL check=slurm_job fault=NoGpuNode", refused.Stdout);
        var (other, _) = Probe("ok", "sinfo-gpu", ["completed-gpu"], sbatchError: "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified");
        Assert.Contains("LAB_DETAIL check=slurm_job fault=SubmitFailed", other.Stdout);
    }

    [Fact]
    public void A_job_not_completed_within_the_bound_is_cancelled()
    {
        var (run, state) = Probe("ok", "sinfo-gpu", ["pending"], job: new Probes.SlurmJob(BoundSeconds: 3, PollSeconds: 1, ConnectTimeoutSeconds: 5));
        Assert.Equal(1, run.Code);
        Assert.Contains("LAB_DETAIL check=slurm_job fault=JobNotCompleted", run.Stdout);
        Assert.Contains("was PENDING after 3s: cancelled", run.Stderr);
        Assert.Equal(["6"], File.ReadAllLines(Path.Combine(state, "cancelled")));
        Assert.Empty(run.Results);
    }

    [Theory]
    [InlineData("failed", "JobFailed", "ended FAILED (reason NonZeroExitCode, exit 6:0)")]
    [InlineData("cancelled", "JobFailed", "ended CANCELLED")]
    [InlineData("completed-no-gpu", "NoGpuAllocated", "without a GPU allocated (JOB_GRES=(null)")]
    public void A_job_that_ended_otherwise_or_without_a_gpu_never_passes(string record, string fault, string message)
    {
        var (run, _) = Probe("ok", "sinfo-gpu", [record]);
        Assert.Equal(1, run.Code);
        Assert.Contains($"LAB_DETAIL check=slurm_job fault={fault}", run.Stdout);
        Assert.Contains(message, run.Stderr);
        Assert.Empty(run.Results);
        Assert.Equal(Outcome.Fail, Judge(run).Outcome);
    }
}
