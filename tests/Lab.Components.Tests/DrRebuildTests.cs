namespace Lab.Components.Tests;

/// <summary>
/// scripts/dr-rebuild end to end with stand-ins for ssh and the Pulumi CLI that record what they were
/// asked: what it preflights, what it asks, and exactly what it changes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class DrRebuildTests
{
    // What the factory-reset machine presents (a key made for this test with ssh-keygen) and its fingerprint per `ssh-keygen -lf`.
    private const string NewKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo8";
    private const string NewFingerprint = "SHA256:AVgSZdBMDOxm0UogRdGWfdXsVo9JP2aLu3PA8qBOW4o";

    private static (int Code, string Output, string Calls) Run(string input, params string[] args)
    {
        var bin = Directory.CreateTempSubdirectory("lab-dr-bin-");
        var log = Path.Combine(bin.FullName, "calls.log");
        try
        {
            foreach (var tool in new[] { "ssh", "pulumi" })
            {
                // Each call: the command line, then for ssh what it was fed on stdin.
                // pulumi also notes whether the run lets the Kubernetes provider drop unreachable objects.
                ScriptRunner.StandIn(bin.FullName, tool, $"#!/usr/bin/env bash\n{{ echo \"{tool} $*${{PULUMI_K8S_DELETE_UNREACHABLE:+ [delete-unreachable]}}\"; {(tool == "ssh" ? "sed 's/^/  | /'" : "true")}; }} >>'{log}'\n");
            }
            ScriptRunner.StandIn(bin.FullName, "ssh-keyscan", $"#!/usr/bin/env bash\necho \"# ${{!#}}:22 SSH-2.0-OpenSSH_9.6p1\" >&2\necho \"${{!#}} {NewKey}\"\n");
            var run = ScriptRunner.Run(["bash", Path.Combine(Lab.Root, "scripts", "dr-rebuild"), .. args], input, [bin.FullName],
                timeout: TimeSpan.FromMinutes(4), workingDirectory: Lab.Root);
            return (run.Code, run.Output, File.Exists(log) ? File.ReadAllText(log) : "");
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Fact]
    public void It_preflights_shows_what_it_will_touch_and_changes_nothing_without_a_yes()
    {
        // The reset machine's new key is confirmed first; the rebuild itself is declined.
        var (code, output, calls) = Run("y\nn\n", "prod", "derpy");
        Assert.Equal(1, code);
        Assert.Contains($"derpy presents {NewFingerprint}; pinned: none", output);
        Assert.Contains("== DR rebuild of derpy in stack prod will:", output);
        Assert.Contains($"set lab:nodes[2].hostKey to the key of {NewFingerprint}", output);
        Assert.Contains("set lab:nodes[2].rebuild to 1 in stacks/Pulumi.prod.yaml", output);
        Assert.Contains("lab:node:BareMetalNode$command:remote:Command::derpy-nvidia", output);
        Assert.Contains("nothing was changed", output);
        // Only the read-only preflight reached the machine, and no Pulumi command ran.
        Assert.Matches(@"\Assh -p 22 -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=\S+/known_hosts labops@192\.168\.50\.13 sudo -n /bin/bash -s\n", calls);
        Assert.Contains("  | readonly expected_gpu='RTX A5500'", calls);
        Assert.Contains("  | readonly expected_hostname='derpy'", calls);
        Assert.DoesNotContain("pulumi ", calls);
    }

    [Fact]
    public void With_yes_it_bumps_the_generation_clears_the_stale_member_and_updates_only_that_node()
    {
        var (code, output, calls) = Run("", "prod", "derpy", "--yes", "--expect-fingerprint", NewFingerprint);
        Assert.True(code == 0, output);
        var lines = calls.Split('\n');
        Assert.Contains("pulumi config set --path lab:nodes[2].rebuild 1 --stack prod --config-file stacks/Pulumi.prod.yaml", lines);
        Assert.Contains($"pulumi config set --path lab:nodes[2].hostKey {NewKey} --stack prod --config-file stacks/Pulumi.prod.yaml", lines);
        Assert.Contains("ssh -p 22 -o BatchMode=yes labops@192.168.50.11 sudo -n /bin/bash -s", lines);
        Assert.Contains("  |   microk8s remove-node \"$node\" --force", lines);
        var up = Assert.Single(lines, l => l.StartsWith("pulumi up ", StringComparison.Ordinal));
        Assert.Contains("--stack prod --config-file stacks/Pulumi.prod.yaml --yes --target-dependents", up);
        // A worker's rebuild leaves the cluster and its objects alone.
        Assert.DoesNotContain("[delete-unreachable]", up);
        Assert.DoesNotContain("::cluster-k8s", up);
        Assert.Contains("--target urn:pulumi:prod::lab-infra::lab:node:BareMetalNode$command:remote:Command::derpy-ready", up);
        Assert.Contains("::vault-derpy-secret-id-generation", up);
        Assert.Contains("::derpy-join", up);
        Assert.DoesNotContain("qnap", up);
        Assert.DoesNotContain("zenon-", up.Replace("zenon-join-token-derpy", ""));
        Assert.DoesNotContain("gemini-1-", up.Replace("bandwidth-gemini-1", ""));
        Assert.DoesNotContain("vault-kv", up);
        Assert.Contains("pulumi stack output validation --stack prod --config-file stacks/Pulumi.prod.yaml", lines);
    }

    [Theory]
    [InlineData()]
    [InlineData("--expect-fingerprint", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void With_yes_a_new_host_key_needs_its_expected_fingerprint(params string[] expect)
    {
        var (code, output, calls) = Run("", ["prod", "derpy", "--yes", .. expect]);
        Assert.Equal(1, code);
        Assert.Contains($"refused: with --yes, a new host key needs --expect-fingerprint {NewFingerprint}", output);
        Assert.Equal("", calls);
    }

    [Fact]
    public void The_control_node_is_rebuilt_as_a_new_cluster_every_worker_rejoins_and_the_members_are_shown()
    {
        // The reset machine's new key is confirmed; the rebuild itself is declined.
        var (code, output, calls) = Run("y\nn\n", "prod", "zenon");
        Assert.Equal(1, code);
        Assert.Contains("zenon is the control node: its rebuild makes a NEW cluster", output);
        Assert.Contains("::cluster-k8s", output);
        Assert.Contains("::lab-alerts", output);
        Assert.Contains("::derpy-join", output);
        Assert.DoesNotContain("pulumi ", calls);

        (code, output, calls) = Run("", "prod", "zenon", "--yes", "--expect-fingerprint", NewFingerprint);
        Assert.True(code == 0, output);
        var lines = calls.Split('\n');
        Assert.Contains("pulumi config set --path lab:nodes[0].rebuild 1 --stack prod --config-file stacks/Pulumi.prod.yaml", lines);
        var up = Assert.Single(lines, l => l.StartsWith("pulumi up ", StringComparison.Ordinal));
        Assert.EndsWith("[delete-unreachable]", up);
        var targets = up.Split(' ').Where(t => t.StartsWith("urn:", StringComparison.Ordinal)).Select(t => t[(t.LastIndexOf("::", StringComparison.Ordinal) + 2)..]).ToList();
        foreach (var worker in new[] { "gemini-1", "derpy", "rocinate" })
        {
            Assert.Contains($"{worker}-join", targets);
            Assert.Contains($"zenon-join-token-{worker}", targets);
            Assert.DoesNotContain($"{worker}-nvidia", targets);
        }
        Assert.Contains("lab-alerts", targets);
        Assert.DoesNotContain("qnap", up);
        // No stale-member removal: the old cluster is gone with the control node.
        Assert.DoesNotContain(lines, l => l.Contains("remove-node", StringComparison.Ordinal));
        // Over the connection that checks the key confirmed at the start.
        Assert.Matches(@"\Assh -p 22 -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=\S+/known_hosts labops@192\.168\.50\.11 sudo -n microk8s kubectl get nodes -L lab\.infra/role\z",
            lines.Last(l => l.StartsWith("ssh ", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_node_is_refused_before_anything_runs()
    {
        var (code, output, calls) = Run("", "prod", "derpy2", "--yes");
        Assert.NotEqual(0, code);
        Assert.Contains("has no node named 'derpy2'", output);
        Assert.Equal("", calls);
    }
}
