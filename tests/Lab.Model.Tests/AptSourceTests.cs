using System.Text.Json.Nodes;
using Lab.Model.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>Pins that last: the Ubuntu archive at a dated snapshot (or the lab's mirror), and the vendors' repository keys checked by fingerprint.</summary>
public class AptSourceTests
{
    private static Repo.Config Versions(Action<JsonObject> edit) => Repo.ProdConfig().Edit(ConfigKeys.Versions, v => edit(v.AsObject()));

    private static ConfigError Single(Repo.Config config, string key) => Assert.Single(config.Errors(), e => e.Key == key);

    [Fact]
    public void Shipped_stacks_read_the_archive_at_one_snapshot()
    {
        Assert.All(Repo.StackFiles.Select(f => Repo.Load(StackFile.Read(f)).Versions), v =>
        {
            Assert.Equal("20251201T000000Z", v.AptSnapshot);
            Assert.Null(v.AptMirror);
        });
    }

    [Theory]
    [InlineData("2025-12-01", "not a snapshot ID of the form YYYYMMDDTHHMMSSZ")]
    [InlineData("20251201", "not a snapshot ID")]
    [InlineData("20251301T000000Z", "not a snapshot ID")]
    [InlineData("20251201T000000", "not a snapshot ID")]
    [InlineData("20991231T000000Z", "is in the future")]
    [InlineData("20230228T235959Z", "before 1 March 2023")]
    public void A_bad_snapshot_is_refused_naming_the_key_and_the_fix(string snapshot, string problem)
    {
        var error = Single(Versions(v => v["aptSnapshot"] = snapshot), "lab:versions.aptSnapshot");
        Assert.Contains(problem, error.Problem);
        Assert.Contains("pulumi config set --path 'lab:versions.aptSnapshot' 20251201T000000Z", error.Fix);
    }

    [Fact]
    public void Without_snapshot_or_mirror_the_pins_would_expire_and_the_stack_is_refused()
    {
        var error = Single(Versions(v => v.Remove("aptSnapshot")), "lab:versions.aptSnapshot");
        Assert.Contains("keep only the newest version", error.Problem);
        Assert.Contains("aptMirror", error.Fix);
    }

    [Fact]
    public void The_labs_mirror_replaces_the_snapshot_and_must_sit_in_the_lab()
    {
        var lab = Versions(v => { v.Remove("aptSnapshot"); v["aptMirror"] = "http://192.168.50.20:8080/ubuntu/"; }).Load();
        Assert.Equal("http://192.168.50.20:8080/ubuntu/", lab.Versions.AptMirror);
        Assert.Contains("readonly apt_mirror='http://192.168.50.20:8080/ubuntu/'", NodeSteps.Os(lab, lab.Nodes[0]).Text);

        Assert.Contains("set together", Single(Versions(v => v["aptMirror"] = "http://192.168.50.20:8080/ubuntu/"), "lab:versions.aptMirror").Problem);
        Assert.Contains("outside the lab subnet", Single(Versions(v => { v.Remove("aptSnapshot"); v["aptMirror"] = "http://10.1.1.1/ubuntu/"; }), "lab:versions.aptMirror").Problem);
        Assert.Contains("not the http(s) URL", Single(Versions(v => { v.Remove("aptSnapshot"); v["aptMirror"] = "ftp://mirror/ubuntu'; x"; }), "lab:versions.aptMirror").Problem);
    }

    [Fact]
    public void The_os_step_points_the_ubuntu_archive_at_the_snapshot_before_it_installs_a_pin()
    {
        var lab = Repo.Prod();
        var os = NodeSteps.Os(lab, lab.Nodes[0]).Text;
        Assert.Contains("readonly apt_snapshot='20251201T000000Z'", os);
        Assert.Contains("readonly apt_mirror=''", os);
        var sources = os.IndexOf("write_file /etc/apt/sources.list.d/ubuntu.sources 0644", StringComparison.Ordinal);
        Assert.True(sources > 0);
        Assert.True(sources < os.IndexOf("apt_pin \"${packages[@]}\"", StringComparison.Ordinal), "the sources must be in place before any pin is installed");
        Assert.Contains("\"Snapshot: $apt_snapshot\"", os);
        // The OS step runs before the nvidia step: the driver (Ubuntu's restricted archive) is read at the snapshot too.
        Assert.True(NodeSteps.Render(lab, lab.Nodes[0]).Select(s => s.Step).ToList() is var order && order.IndexOf("os") < order.IndexOf("nvidia"));
    }

    /// <summary>The apt sources the os step writes, from its rendered script run in bash: one stanza per paragraph.</summary>
    private static List<string> Sources(LabSpec lab)
    {
        var os = NodeSteps.Os(lab, lab.Nodes[0]).Text;
        var begin = os.IndexOf("codename=$(sed", StringComparison.Ordinal);
        var end = os.IndexOf("} | write_file /etc/apt/sources.list.d/ubuntu.sources 0644", StringComparison.Ordinal);
        Assert.True(begin > 0 && end > begin, "the os step no longer writes ubuntu.sources where this test reads it");
        var data = string.Join("\n", Lab.Model.Text.ScriptData.Read(os).Where(v => v.Name.StartsWith("apt_", StringComparison.Ordinal))
            .Select(v => $"{v.Name}={Lab.Model.Text.Shell.Quote(v.Display)}"));
        var script = Path.Combine(Path.GetTempPath(), $"lab-sources-{Guid.NewGuid():N}.sh");
        File.WriteAllText(script, $"set -euo pipefail\n{data}\n{os[begin..end]}}}\n");
        try
        {
            var (code, output) = Tools.Run("bash", [script]);
            Assert.True(code == 0, output);
            return [.. output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public void Every_pocket_is_read_at_the_snapshot_and_security_fixes_also_live()
    {
        var stanzas = Sources(Repo.Prod());
        Assert.Equal(2, stanzas.Count);
        // The pins stay installable: every pocket, -security included, at the snapshot.
        Assert.Contains("URIs: http://archive.ubuntu.com/ubuntu/", stanzas[0]);
        Assert.Matches(@"Suites: \w+ \w+-updates \w+-backports \w+-security\n", stanzas[0]);
        Assert.Contains("Snapshot: 20251201T000000Z", stanzas[0]);
        // Security fixes for everything the lab does not pin: the live pocket, with no snapshot.
        Assert.Contains("URIs: http://security.ubuntu.com/ubuntu/", stanzas[1]);
        Assert.Matches(@"Suites: \w+-security\n", stanzas[1]);
        Assert.DoesNotContain("Snapshot:", stanzas[1]);

        var mirrored = Sources(Versions(v => { v.Remove("aptSnapshot"); v["aptMirror"] = "http://192.168.50.20:8080/ubuntu/"; }).Load());
        Assert.Contains("URIs: http://192.168.50.20:8080/ubuntu/", Assert.Single(mirrored));
    }

    [Fact]
    public void Nvidias_repository_key_is_trusted_only_with_its_pinned_fingerprint()
    {
        var lab = Repo.Prod();
        var nvidia = NodeSteps.Nvidia(lab, lab.Nodes[0]).Text;
        Assert.Contains("readonly toolkit_key_fingerprint='C95B321B61E88C1809C4F759DDCAE044F796ECB0'", nvidia);
        Assert.Contains("pinned_key \"$toolkit_repository/gpgkey\" \"$toolkit_key_fingerprint\" \"$keyring\"", nvidia);
        Assert.True(nvidia.IndexOf("pinned_key \"$toolkit", StringComparison.Ordinal) < nvidia.IndexOf("apt_pin \"${packages[@]}\"", StringComparison.Ordinal), "the key is checked before apt reads the repository");
        // Exact versions of the toolkit's packages, as the pins say.
        Assert.Contains("'nvidia-container-toolkit=1.17.8-1'", nvidia);
    }

    [Fact]
    public void HashiCorps_repository_key_is_pinned_to_its_published_fingerprint_unless_the_stack_says_otherwise()
    {
        Assert.Equal("798AEC654E5C15428C8E42EEAA16FCBCA621E701", Repo.Prod().Versions.HashicorpRepositoryKey);
        var lab = Versions(v => v["hashicorpRepositoryKey"] = "EC40F383AB15EC2B7D2300A6AF213C16132381C8").Load();
        Assert.Contains("readonly repository_key_fingerprint='EC40F383AB15EC2B7D2300A6AF213C16132381C8'", Lab.Model.Vault.VaultAgent.Step(lab, lab.Nodes[0]).Text);
        var error = Single(Versions(v => v["hashicorpRepositoryKey"] = "798A EC65 4E5C 1542 8C8E"), "lab:versions.hashicorpRepositoryKey");
        Assert.Contains("798AEC654E5C15428C8E42EEAA16FCBCA621E701", error.Fix);
    }

    /// <summary>
    /// The vault-agent step's key check run for real (bash, curl, gpg) against a served key that is not HashiCorp's
    /// (the box's stand-in key): with prod's pin it is refused and no keyring appears; pinned to that key it is installed.
    /// </summary>
    [Fact]
    public void The_vault_agent_step_refuses_a_hashicorp_key_that_is_not_the_pinned_one()
    {
        var dir = Directory.CreateTempSubdirectory("lab-pinned-key-");
        try
        {
            var served = "file://" + Path.Combine(Repo.Root, "tests", "stand-ins", "box", "stand-in-key.asc");
            (int Code, string Output) Install(LabSpec lab)
            {
                var step = Lab.Model.Vault.VaultAgent.Step(lab, lab.Nodes[0]).Text;
                var pinned = System.Text.RegularExpressions.Regex.Match(step, "^readonly repository_key_fingerprint='([0-9A-F]{40})'$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
                Assert.Contains(ShellHelper.PinnedKey.Text, step);
                var script = Path.Combine(dir.FullName, "install.sh");
                File.WriteAllText(script, $"set -Eeuo pipefail\nexport GNUPGHOME={Lab.Model.Text.Shell.Quote(dir.FullName)}\nlab_step=vault-agent\n{ShellHelper.PinnedKey.Text}\n" +
                    $"pinned_key {Lab.Model.Text.Shell.Quote(served)} {Lab.Model.Text.Shell.Quote(pinned)} {Lab.Model.Text.Shell.Quote(Path.Combine(dir.FullName, "keyrings", "hashicorp.gpg"))}\n");
                return Tools.Run("bash", [script]);
            }
            var refused = Install(Repo.Prod());
            Assert.NotEqual(0, refused.Code);
            Assert.Contains("is not 798AEC654E5C15428C8E42EEAA16FCBCA621E701; nothing installed", refused.Output);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "keyrings", "hashicorp.gpg")));

            var installed = Install(Versions(v => v["hashicorpRepositoryKey"] = "EC40F383AB15EC2B7D2300A6AF213C16132381C8").Load());
            Assert.True(installed.Code == 0, installed.Output);
            Assert.True(new FileInfo(Path.Combine(dir.FullName, "keyrings", "hashicorp.gpg")).Length > 0);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
