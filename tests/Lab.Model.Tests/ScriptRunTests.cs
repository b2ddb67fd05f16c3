using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>
/// The cluster-ca, join-token, join and driver-reboot scripts run for real in bash, against the stand-ins in tests/stand-ins/cluster/
/// (microk8s, systemd-run, nvidia-smi) that record their command lines and act on a fake snap data directory.
/// The rendered scripts are the shipped ones; only their data block's paths point into the test's directory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ScriptRunTests : IDisposable
{
    private const string Token = "k3vq8x2m9p4w7z1c5n6b0r8t2y4u6i9o";
    private static readonly string StandIns = Path.Combine(Repo.Root, "tests", "stand-ins", "cluster");

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lab-script-run-");
    private string Control => Path.Combine(_dir.FullName, "control");
    private string Worker => Path.Combine(_dir.FullName, "worker");
    private string Bin => Path.Combine(_dir.FullName, "bin");
    private string TokensFile => Path.Combine(Control, "credentials", "cluster-tokens.txt");

    public ScriptRunTests()
    {
        Directory.CreateDirectory(Path.Combine(Control, "credentials"));
        Directory.CreateDirectory(Path.Combine(Control, "certs"));
        Directory.CreateDirectory(Worker);
        File.WriteAllText(Path.Combine(Control, "certs", "ca.crt"), Certificate("microk8s-ca"));
        File.WriteAllText(Path.Combine(Control, "certs", "server.crt"), Certificate("zenon"));
        Directory.CreateDirectory(Bin);
        foreach (var standIn in Directory.GetFiles(StandIns).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)))
        {
            var path = Path.Combine(Bin, Path.GetFileName(standIn));
            File.Copy(standIn, path);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private static string Certificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return cert.ExportCertificatePem() + "\n";
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The step's script with its data variable NAME set to VALUE (the test's stand-in paths).</summary>
    private static string WithData(string script, params (string Name, string Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            var line = new Regex($"^readonly {name}=.*$", RegexOptions.Multiline);
            Assert.True(line.IsMatch(script), $"the script has no data variable {name}");
            script = line.Replace(script, $"readonly {name}={Shell.Quote(value)}", 1);
        }
        return script;
    }

    private sealed record Run(int Code, string Stdout, string Stderr, string Calls);

    /// <summary>
    /// Runs a script as the SSH runner does (bash reading it, then its secret lines, on stdin); with a trace file, under
    /// strace. Each run has its own call log: a token step and a join run side by side.
    /// </summary>
    private Run Bash(string script, string secretLines = "", string? execTrace = null, IReadOnlyDictionary<string, string>? env = null, bool check = false)
    {
        var log = Path.Combine(_dir.FullName, $"calls-{Guid.NewGuid():N}.log");
        string[] bash = check ? ["bash", "-s", "--", "--check"] : ["bash", "-s"];
        string[] command = execTrace is null ? bash : ["strace", "-f", "-qq", "-e", "trace=execve", "-s", "65536", "-o", execTrace, .. bash];
        var environment = new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["STANDIN_LOG"] = log, ["STANDIN_CONTROL_SNAP_DATA"] = Control };
        var run = ScriptRunner.Run(command, script + secretLines, [Bin], environment, TimeSpan.FromMinutes(2));
        return new Run(run.Code, run.Stdout, run.Stderr, File.Exists(log) ? File.ReadAllText(log) : "");
    }

    // --- the control node's cluster-ca step, token step and the worker's join, side by side ---

    private string NodesFile => Path.Combine(_dir.FullName, "nodes");

    private Dictionary<string, string> ClusterEnv(string snapData) => new()
    {
        ["STANDIN_SNAP_DATA"] = snapData,
        ["STANDIN_NODES"] = NodesFile,
        ["STANDIN_NODE_NAME"] = "derpy",
    };

    private IReadOnlyDictionary<string, string> ClusterFacts()
    {
        var lab = Repo.Prod();
        var run = Bash(WithData(MicroK8sSteps.ClusterCa(lab).Text, ("snap_data", Control)));
        Assert.True(run.Code == 0, run.Stderr);
        return StepFacts.Parse("zenon", "cluster-ca", run.Stdout);
    }

    /// <param name="ttl">The token's lifetime in seconds: how long the step waits for the worker's Node.</param>
    private Run IssueToken(string? execTrace = null, int ttl = 600)
    {
        var lab = Repo.Prod();
        var step = MicroK8sSteps.IssueJoinToken(lab, lab.Nodes[2]);
        return Bash(WithData(step.Text, ("snap_data", Control), ("token_ttl", $"{ttl}"), ("poll_seconds", "1")), Token + "\n", execTrace, ClusterEnv(Control));
    }

    /// <param name="ttl">How long the join is retried, in seconds (the token's lifetime).</param>
    private Run Join(int ttl = 600)
    {
        var lab = Repo.Prod();
        var facts = ClusterFacts();
        var step = MicroK8sSteps.Join(lab, lab.Nodes[2]);
        return Bash(WithData(step.Text, ("snap_data", Worker), ("token_ttl", $"{ttl}"), ("poll_seconds", "1")),
            $"{Token}\n{facts["server_cert_check"]}\n{facts["ca_sha256"]}\n", env: ClusterEnv(Worker));
    }

    /// <summary>Waits until the token step has written its unexpired line (it is running): the line, or a failure after 60 s.</summary>
    private string ListedToken()
    {
        for (var i = 0; i < 600; i++)
        {
            var lines = File.Exists(TokensFile) ? File.ReadAllLines(TokensFile) : [];
            if (lines.FirstOrDefault(l => l.StartsWith(Token + "|", StringComparison.Ordinal) && l[(Token.Length + 1)..] != "100") is { } line)
            {
                return line;
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException("the token step never listed the token");
    }

    private void Register(string ready = "False") => File.AppendAllText(NodesFile, $"derpy {ready}\n");

    [Fact]
    public void The_cluster_ca_step_prints_the_ca_hash_and_the_server_certificate_check()
    {
        var facts = ClusterFacts();
        Assert.Equal(Sha256Hex(File.ReadAllBytes(Path.Combine(Control, "certs", "ca.crt"))), facts["ca_sha256"]);
        using var server = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Control, "certs", "server.crt")));
        Assert.Equal(Sha256Hex(server.RawData)[..12], facts["server_cert_check"]);
    }

    [Fact]
    public async Task The_token_is_listed_until_the_worker_registers_then_revoked_and_never_on_a_command_line()
    {
        var trace = Path.Combine(_dir.FullName, "exec.trace");
        var issuing = Task.Run(() => IssueToken(trace));

        // TOKEN|EXPIRY, the expiry the configured 10 minutes from now (unix seconds), while the step waits.
        var line = ListedToken();
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(line[(Token.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        Assert.False(issuing.IsCompleted);

        Register();
        var run = (await issuing);
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("member=derpy", run.Stdout);
        Assert.DoesNotContain(File.ReadAllLines(TokensFile), l => l.StartsWith(Token, StringComparison.Ordinal));

        // Every program the script started, with its arguments: none carries the token.
        var execs = File.ReadAllLines(trace).Where(l => l.Contains("execve(", StringComparison.Ordinal)).ToList();
        Assert.Contains(execs, l => l.Contains("\"microk8s\", \"kubectl\", \"get\", \"node\", \"derpy\"", StringComparison.Ordinal));
        Assert.DoesNotContain(execs, l => l.Contains(Token, StringComparison.Ordinal));
        Assert.DoesNotContain(Token, run.Calls);
        Assert.DoesNotContain("add-node", run.Calls);
        Assert.DoesNotContain(Token, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Issuing_again_replaces_the_tokens_line_and_keeps_every_other_token()
    {
        File.WriteAllText(TokensFile, $"other-persistent-token\n{Token}|100\nanother-token|4102444800\n");
        var issuing = Task.Run(() => IssueToken());
        var line = ListedToken();
        var lines = File.ReadAllLines(TokensFile);
        // The expired line went: the agent honours a token's first line only.
        Assert.Equal(["other-persistent-token", "another-token|4102444800", line], lines);
        Register();
        Assert.Equal(0, (await issuing).Code);
        Assert.Equal(["other-persistent-token", "another-token|4102444800"], File.ReadAllLines(TokensFile));
    }

    [Fact]
    public void A_rebuilt_workers_not_ready_member_is_removed_and_a_ready_one_is_kept()
    {
        // The old incarnation: NotReady, annotated with the generation before the rebuild (prod's derpy is at 0).
        Register("False -1");
        var stale = IssueToken(ttl: 2);
        Assert.Contains("microk8s remove-node derpy --force", stale.Calls);
        Assert.Contains("removed_stale_member=derpy", stale.Stdout);
        // Removed, the old member no longer counts as the worker having joined.
        Assert.NotEqual(0, stale.Code);

        File.WriteAllText(NodesFile, "");
        Register("True 0");
        var ready = IssueToken();
        Assert.True(ready.Code == 0, ready.Stderr);
        Assert.DoesNotContain("remove-node", ready.Calls);
    }

    [Fact]
    public void A_member_of_this_generation_that_is_only_not_ready_is_kept()
    {
        // The worker reboots while its token step re-runs: it is this incarnation, not a stale one.
        Register("False 0");
        var run = IssueToken();
        Assert.True(run.Code == 0, run.Stderr);
        Assert.DoesNotContain("remove-node", run.Calls);
        Assert.Contains("member=derpy", run.Stdout);
    }

    [Fact]
    public void A_worker_that_does_not_join_within_the_ttl_fails_the_token_step_which_revokes_its_token()
    {
        var run = IssueToken(ttl: 2);
        Assert.NotEqual(0, run.Code);
        Assert.Contains("derpy did not join within the token's 2 s", run.Stderr);
        Assert.Contains("the next pulumi up issues it again", run.Stderr);
        Assert.DoesNotContain(File.ReadAllLines(TokensFile), l => l.StartsWith(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_token_step_and_the_join_run_side_by_side_and_the_worker_joins()
    {
        var issuing = Task.Run(() => IssueToken());
        var run = Join();
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("joined=now", run.Stdout);
        var issued = (await issuing);
        Assert.True(issued.Code == 0, issued.Stderr);
        Assert.Contains("member=derpy", issued.Stdout);
        Assert.Contains($"microk8s join 192.168.50.11:25000/{Token}/{ClusterFacts()["server_cert_check"]} --worker\n", run.Calls);
        Assert.Equal(File.ReadAllText(Path.Combine(Control, "certs", "ca.crt")), File.ReadAllText(Path.Combine(Worker, "certs", "ca.remote.crt")));
        Assert.DoesNotContain(File.ReadAllLines(TokensFile), l => l.StartsWith(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_join_that_starts_before_its_token_is_issued_retries_until_it_is()
    {
        var joining = Task.Run(() => Join());
        await Task.Delay(TimeSpan.FromSeconds(2));
        var issued = IssueToken();
        var run = (await joining);
        Assert.True(run.Code == 0, run.Stderr);
        Assert.True(issued.Code == 0, issued.Stderr);
        Assert.Contains("Invalid token", run.Stderr);
        Assert.Contains("joined=now", run.Stdout);
    }

    [Fact]
    public async Task A_failed_join_is_retried_by_the_next_update_with_a_token_of_a_new_expiry()
    {
        // The first update: the worker never joined (unreachable), so the token step failed and revoked the token.
        Assert.NotEqual(0, IssueToken(ttl: 2).Code);
        // A join of that update's token, retried later alone (as before this design), is refused.
        Assert.NotEqual(0, Join(ttl: 2).Code);

        // The next update runs both failed steps again: the token is issued anew and the worker joins.
        var issuing = Task.Run(() => IssueToken());
        var run = Join();
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("joined=now", run.Stdout);
        Assert.Equal(0, (await issuing).Code);
    }

    [Fact]
    public async Task A_healthy_worker_does_nothing_on_a_re_run()
    {
        var issuing = Task.Run(() => IssueToken());
        Assert.Equal(0, Join().Code);
        Assert.Equal(0, (await issuing).Code);
        var again = Join();
        Assert.True(again.Code == 0, again.Stderr);
        Assert.Contains("joined=already", again.Stdout);
        // Only looked: no leave, no join.
        Assert.Equal("microk8s status\n", again.Calls);
        // The token step of a re-run ends at once: the worker's Node is there, Ready once its kubelet and CNI are up.
        File.WriteAllText(NodesFile, "derpy True 0\n");
        var reissued = IssueToken();
        Assert.True(reissued.Code == 0, reissued.Stderr);
        Assert.DoesNotContain("remove-node", reissued.Calls);
    }

    [Fact]
    public async Task A_worker_of_an_older_cluster_leaves_it_and_joins_the_new_one()
    {
        Directory.CreateDirectory(Path.Combine(Worker, "var", "lock"));
        Directory.CreateDirectory(Path.Combine(Worker, "certs"));
        File.WriteAllText(Path.Combine(Worker, "var", "lock", "clustered.lock"), "");
        File.WriteAllText(Path.Combine(Worker, "certs", "ca.remote.crt"), Certificate("old-microk8s-ca"));
        // Its own ca.crt is not what identifies the cluster.
        File.Copy(Path.Combine(Control, "certs", "ca.crt"), Path.Combine(Worker, "certs", "ca.crt"));

        var issuing = Task.Run(() => IssueToken());
        var run = Join();
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Equal(0, (await issuing).Code);
        var calls = run.Calls.Split('\n');
        Assert.Equal(["microk8s status", "microk8s leave"], calls[..2]);
        Assert.StartsWith("microk8s join 192.168.50.11:25000/", calls[2], StringComparison.Ordinal);
        Assert.Contains("left=older-cluster", run.Stdout);
        Assert.Contains("joined=now", run.Stdout);
    }

    [Fact]
    public void A_join_with_an_expired_token_fails_once_its_ttl_has_passed()
    {
        File.WriteAllText(TokensFile, $"{Token}|100\n");
        var run = Join(ttl: 2);
        Assert.NotEqual(0, run.Code);
        Assert.Contains("Invalid token", run.Stderr);
        Assert.Contains("the control node refused every join for the token's 2 s", run.Stderr);
        Assert.DoesNotContain("joined=", run.Stdout);
    }

    // --- the driver reboot ---

    private const string Pinned = "580.95.05";
    private string Loaded => Path.Combine(_dir.FullName, "nvidia-version");
    private string BootId => Path.Combine(_dir.FullName, "boot_id");
    private string RebootFrom => Path.Combine(_dir.FullName, "lab", "driver-reboot-from");
    private string Nologin => Path.Combine(_dir.FullName, "nologin");

    private Run DriverStep(Func<Lab.Model.Spec.LabSpec, Lab.Model.Spec.NodeSpec, StepScript> render, bool check = false, bool rebootFails = false)
    {
        var lab = Repo.Prod();
        var step = render(lab, lab.Nodes[2]);
        var script = WithData(step.Text, ("loaded_version_file", Loaded), ("boot_id_file", BootId), ("reboot_from_file", RebootFrom));
        if (step.Step == "driver-reboot")
        {
            script = WithData(script, ("nologin_file", Nologin));
        }
        var env = new Dictionary<string, string> { ["STANDIN_LOADED_VERSION"] = Loaded };
        if (rebootFails)
        {
            env["STANDIN_SYSTEMD_RUN_FAILS"] = "1";
        }
        return Bash(script, env: env, check: check);
    }

    private void Boot(string id, string? driver)
    {
        File.WriteAllText(BootId, id + "\n");
        File.Delete(Nologin);
        File.WriteAllText(Loaded, driver is null ? "" : driver + "\n");
    }

    [Fact]
    public void A_node_running_the_pinned_driver_never_reboots()
    {
        Boot("boot-1", Pinned);
        var reboot = DriverStep(NodeSteps.DriverReboot);
        Assert.True(reboot.Code == 0, reboot.Stderr);
        Assert.Contains("reboot=none", reboot.Stdout);
        Assert.Equal("", reboot.Calls);

        var loaded = DriverStep(NodeSteps.DriverLoaded);
        Assert.True(loaded.Code == 0, loaded.Stderr);
        Assert.Contains("rebooted=no", loaded.Stdout);
        Assert.Contains($"driver_loaded={Pinned}", loaded.Stdout);
        Assert.Equal("nvidia-smi --query-gpu=name,driver_version --format=csv,noheader\n", loaded.Calls);
    }

    [Fact]
    public void A_new_driver_reboots_once_and_the_next_step_passes_only_on_the_new_boot_with_the_driver_loaded()
    {
        Boot("boot-1", "570.172.08");
        var reboot = DriverStep(NodeSteps.DriverReboot);
        Assert.True(reboot.Code == 0, reboot.Stderr);
        Assert.Contains("reboot=scheduled", reboot.Stdout);
        Assert.Equal("systemd-run --quiet --unit=lab-driver-reboot --on-active=10 /bin/systemctl reboot\n", reboot.Calls);
        // Logins are refused from now on, so driver-loaded's connection dials until the new boot.
        Assert.True(File.Exists(Nologin));

        // Reached before the reboot happened (the reboot was cancelled): it says so and fails.
        var early = DriverStep(NodeSteps.DriverLoaded);
        Assert.NotEqual(0, early.Code);
        Assert.Contains("has not rebooted", early.Stderr);

        Boot("boot-2", Pinned);
        var loaded = DriverStep(NodeSteps.DriverLoaded);
        Assert.True(loaded.Code == 0, loaded.Stderr);
        Assert.Contains("rebooted=yes", loaded.Stdout);
        Assert.Contains($"driver_loaded={Pinned}", loaded.Stdout);
        Assert.False(File.Exists(RebootFrom));

        // Converged now: a re-run of both does not reboot again.
        Assert.Contains("reboot=none", DriverStep(NodeSteps.DriverReboot).Stdout);
        Assert.Equal(0, DriverStep(NodeSteps.DriverLoaded).Code);
    }

    [Fact]
    public void A_reboot_that_cannot_be_scheduled_fails_and_leaves_logins_open_and_no_reboot_marked()
    {
        Boot("boot-1", "570.172.08");
        var reboot = DriverStep(NodeSteps.DriverReboot, rebootFails: true);
        Assert.Equal(1, reboot.Code);
        Assert.Contains("could not schedule the reboot", reboot.Stderr);
        Assert.False(File.Exists(Nologin));
        Assert.False(File.Exists(RebootFrom));
    }

    [Fact]
    public void A_check_reports_a_driver_that_is_not_loaded_and_neither_reboots_nor_marks_a_reboot()
    {
        Boot("boot-1", "570.172.08");
        var check = DriverStep(NodeSteps.DriverReboot, check: true);
        Assert.Equal(3, check.Code);
        Assert.Contains($"drift: loaded NVIDIA driver (an apply reboots to load it) expected={Pinned} actual=570.172.08\n", check.Stdout);
        Assert.Equal("", check.Calls);
        Assert.False(File.Exists(RebootFrom));
        Assert.False(File.Exists(Nologin));

        Boot("boot-2", Pinned);
        var clean = DriverStep(NodeSteps.DriverReboot, check: true);
        Assert.Equal((0, ""), (clean.Code, clean.Calls));
        var loaded = DriverStep(NodeSteps.DriverLoaded, check: true);
        Assert.Equal((0, "skipped: it confirms the reboot driver-reboot scheduled; driver-reboot's check compares the loaded driver\n"), (loaded.Code, loaded.Stdout));
    }

    [Fact]
    public void A_boot_that_did_not_load_the_pinned_driver_fails_and_says_where_to_look()
    {
        Boot("boot-1", "570.172.08");
        Assert.Equal(0, DriverStep(NodeSteps.DriverReboot).Code);
        Boot("boot-2", "570.172.08");
        var loaded = DriverStep(NodeSteps.DriverLoaded);
        Assert.NotEqual(0, loaded.Code);
        Assert.Contains($"runs NVIDIA driver 570.172.08, not the pinned {Pinned}", loaded.Stderr);
        Assert.Contains("dkms status", loaded.Stderr);
    }
}
