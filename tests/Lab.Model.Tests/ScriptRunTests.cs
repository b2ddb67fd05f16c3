using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>
/// The join-token, join and driver-reboot scripts run for real in bash, against the stand-ins in tests/stand-ins/cluster/
/// (microk8s, shutdown, nvidia-smi) that record their command lines and act on a fake snap data directory.
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
    private string Log => Path.Combine(_dir.FullName, "calls.log");
    private string TokensFile => Path.Combine(Control, "credentials", "cluster-tokens.txt");

    public ScriptRunTests()
    {
        Directory.CreateDirectory(Path.Combine(Control, "credentials"));
        Directory.CreateDirectory(Path.Combine(Control, "certs"));
        Directory.CreateDirectory(Worker);
        File.WriteAllText(Path.Combine(Control, "certs", "ca.crt"), Certificate("microk8s-ca"));
        File.WriteAllText(Path.Combine(Control, "certs", "server.crt"), Certificate("zenon"));
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

    /// <summary>Runs a script as the SSH runner does (bash reading it, then its secret lines, on stdin); with a trace file, under strace.</summary>
    private Run Bash(string script, string secretLines = "", string? execTrace = null, IReadOnlyDictionary<string, string>? env = null, bool check = false)
    {
        File.Delete(Log);
        var bin = Directory.CreateDirectory(Path.Combine(_dir.FullName, "bin"));
        foreach (var standIn in Directory.GetFiles(StandIns).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)))
        {
            var path = Path.Combine(bin.FullName, Path.GetFileName(standIn));
            File.Copy(standIn, path, overwrite: true);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string[] bash = check ? ["bash", "-s", "--", "--check"] : ["bash", "-s"];
        string[] command = execTrace is null ? bash : ["strace", "-f", "-qq", "-e", "trace=execve", "-s", "65536", "-o", execTrace, .. bash];
        var environment = new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["STANDIN_LOG"] = Log, ["STANDIN_CONTROL_SNAP_DATA"] = Control };
        var run = ScriptRunner.Run(command, script + secretLines, [bin.FullName], environment, TimeSpan.FromMinutes(2));
        return new Run(run.Code, run.Stdout, run.Stderr, File.Exists(Log) ? File.ReadAllText(Log) : "");
    }

    // --- the control node's token step ---

    private Run IssueToken(string? execTrace = null, string nodes = "")
    {
        var lab = Repo.Prod();
        var step = MicroK8sSteps.IssueJoinToken(lab, lab.Nodes[2]);
        var nodesFile = Path.Combine(_dir.FullName, "nodes");
        File.WriteAllText(nodesFile, nodes);
        return Bash(WithData(step.Text, ("snap_data", Control)), Token + "\n", execTrace,
            new Dictionary<string, string> { ["STANDIN_SNAP_DATA"] = Control, ["STANDIN_NODES"] = nodesFile });
    }

    [Fact]
    public void The_token_goes_into_the_cluster_agents_token_file_and_never_onto_a_command_line()
    {
        var trace = Path.Combine(_dir.FullName, "exec.trace");
        var run = IssueToken(trace);
        Assert.True(run.Code == 0, run.Stderr);

        // TOKEN|EXPIRY, the expiry the configured 10 minutes from now (unix seconds).
        var line = Assert.Single(File.ReadAllLines(TokensFile));
        Assert.StartsWith(Token + "|", line, StringComparison.Ordinal);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(line[(Token.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));

        // Every program the script started, with its arguments: none carries the token.
        var execs = File.ReadAllLines(trace).Where(l => l.Contains("execve(", StringComparison.Ordinal)).ToList();
        Assert.Contains(execs, l => l.Contains("\"microk8s\", \"kubectl\", \"get\", \"node\", \"derpy\"", StringComparison.Ordinal));
        Assert.DoesNotContain(execs, l => l.Contains(Token, StringComparison.Ordinal));
        Assert.DoesNotContain(Token, run.Calls);
        Assert.DoesNotContain("add-node", run.Calls);
        Assert.DoesNotContain(Token, run.Stdout + run.Stderr);

        // What the worker checks the cluster by.
        var facts = StepFacts.Parse("zenon", "join-token-derpy", run.Stdout);
        Assert.Equal(Sha256Hex(File.ReadAllBytes(Path.Combine(Control, "certs", "ca.crt"))), facts["ca_sha256"]);
        using var server = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Control, "certs", "server.crt")));
        Assert.Equal(Sha256Hex(server.RawData)[..12], facts["server_cert_check"]);
    }

    [Fact]
    public void Issuing_again_replaces_the_tokens_line_and_keeps_every_other_token()
    {
        File.WriteAllText(TokensFile, $"other-persistent-token\n{Token}|100\nanother-token|4102444800\n");
        var run = IssueToken();
        Assert.True(run.Code == 0, run.Stderr);
        var lines = File.ReadAllLines(TokensFile);
        // The expired line went: the agent honours a token's first line only.
        Assert.Equal(["other-persistent-token", "another-token|4102444800"], lines[..2]);
        Assert.StartsWith(Token + "|", Assert.Single(lines, l => l.StartsWith(Token, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void A_rebuilt_workers_not_ready_member_is_removed_and_a_ready_one_is_kept()
    {
        var stale = IssueToken(nodes: "derpy False\n");
        Assert.True(stale.Code == 0, stale.Stderr);
        Assert.Contains("microk8s remove-node derpy --force", stale.Calls);
        Assert.Contains("removed_stale_member=derpy", stale.Stdout);

        var ready = IssueToken(nodes: "derpy True\n");
        Assert.True(ready.Code == 0, ready.Stderr);
        Assert.DoesNotContain("remove-node", ready.Calls);
    }

    // --- the worker's join step ---

    private Run Join(Run issued)
    {
        var lab = Repo.Prod();
        var facts = StepFacts.Parse("zenon", "join-token-derpy", issued.Stdout);
        var step = MicroK8sSteps.Join(lab, lab.Nodes[2]);
        return Bash(WithData(step.Text, ("snap_data", Worker)), $"{Token}\n{facts["server_cert_check"]}\n{facts["ca_sha256"]}\n",
            env: new Dictionary<string, string> { ["STANDIN_SNAP_DATA"] = Worker });
    }

    [Fact]
    public void A_new_worker_joins_with_its_token_and_the_control_nodes_certificate_check()
    {
        var issued = IssueToken();
        var run = Join(issued);
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("joined=now", run.Stdout);
        var check = StepFacts.Parse("zenon", "join-token-derpy", issued.Stdout)["server_cert_check"];
        Assert.Equal($"microk8s status\nmicrok8s join 192.168.50.11:25000/{Token}/{check} --worker\n", run.Calls);
        Assert.Equal(File.ReadAllText(Path.Combine(Control, "certs", "ca.crt")), File.ReadAllText(Path.Combine(Worker, "certs", "ca.remote.crt")));
    }

    [Fact]
    public void A_healthy_worker_does_nothing_on_a_re_run()
    {
        var issued = IssueToken();
        Assert.Equal(0, Join(issued).Code);
        var again = Join(issued);
        Assert.True(again.Code == 0, again.Stderr);
        Assert.Contains("joined=already", again.Stdout);
        // Only looked: no leave, no join.
        Assert.Equal("microk8s status\n", again.Calls);
    }

    [Fact]
    public void A_worker_of_an_older_cluster_leaves_it_and_joins_the_new_one()
    {
        Directory.CreateDirectory(Path.Combine(Worker, "var", "lock"));
        Directory.CreateDirectory(Path.Combine(Worker, "certs"));
        File.WriteAllText(Path.Combine(Worker, "var", "lock", "clustered.lock"), "");
        File.WriteAllText(Path.Combine(Worker, "certs", "ca.remote.crt"), Certificate("old-microk8s-ca"));
        // Its own ca.crt is not what identifies the cluster.
        File.Copy(Path.Combine(Control, "certs", "ca.crt"), Path.Combine(Worker, "certs", "ca.crt"));

        var run = Join(IssueToken());
        Assert.True(run.Code == 0, run.Stderr);
        var calls = run.Calls.Split('\n');
        Assert.Equal(["microk8s status", "microk8s leave"], calls[..2]);
        Assert.StartsWith("microk8s join 192.168.50.11:25000/", calls[2], StringComparison.Ordinal);
        Assert.Contains("left=older-cluster", run.Stdout);
        Assert.Contains("joined=now", run.Stdout);
    }

    [Fact]
    public void A_join_with_an_expired_token_fails()
    {
        var issued = IssueToken();
        File.WriteAllText(TokensFile, $"{Token}|100\n");
        var run = Join(issued);
        Assert.NotEqual(0, run.Code);
        Assert.Contains("Invalid token", run.Stderr);
        Assert.DoesNotContain("joined=", run.Stdout);
    }

    // --- the driver reboot ---

    private const string Pinned = "580.95.05";
    private string Loaded => Path.Combine(_dir.FullName, "nvidia-version");
    private string BootId => Path.Combine(_dir.FullName, "boot_id");
    private string RebootFrom => Path.Combine(_dir.FullName, "lab", "driver-reboot-from");
    private string Nologin => Path.Combine(_dir.FullName, "nologin");

    private Run DriverStep(Func<Lab.Model.Spec.LabSpec, Lab.Model.Spec.NodeSpec, StepScript> render, bool check = false)
    {
        var lab = Repo.Prod();
        var step = render(lab, lab.Nodes[2]);
        var script = WithData(step.Text, ("loaded_version_file", Loaded), ("boot_id_file", BootId), ("reboot_from_file", RebootFrom));
        if (step.Step == "driver-reboot")
        {
            script = WithData(script, ("nologin_file", Nologin));
        }
        return Bash(script, env: new Dictionary<string, string> { ["STANDIN_NOLOGIN"] = Nologin, ["STANDIN_LOADED_VERSION"] = Loaded }, check: check);
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
        Assert.StartsWith("shutdown -r +1 ", reboot.Calls, StringComparison.Ordinal);
        // Logins are refused from now on, so driver-loaded's connection dials until the new boot.
        Assert.True(File.Exists(Nologin));

        // Reached before the reboot happened (the shutdown was cancelled): it says so and fails.
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
