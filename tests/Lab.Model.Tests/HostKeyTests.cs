using System.Text.Json.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>Pinned SSH host keys: parsing as pulumi-command will, fingerprints as ssh-keygen prints them, config rules, and writing them into a stack file.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostKeyTests
{
    // Made for these tests with ssh-keygen; the fingerprints are what `ssh-keygen -lf` printed for them.
    private const string Ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo8";
    private const string Ed25519Fingerprint = "SHA256:AVgSZdBMDOxm0UogRdGWfdXsVo9JP2aLu3PA8qBOW4o";
    private const string Ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGuHa5gdfM41NBvdMWGg6NX+RcA93qIlZ5Ui18vpjmjAzbbPGxqqa5AhMttfD+Kn3iPoTUSRB1JHxo4lmzlCwAs=";
    private const string EcdsaFingerprint = "SHA256:eMgfz/8aTEe8K236OSbZ9YN8IaspMTZLCoCRF3kQWfg";

    private static Repo.Config Pinned() => Repo.ProdConfig()
        .Edit(ConfigKeys.Ssh, s => s["hostKeys"] = "pinned")
        .Edit(ConfigKeys.Nodes, n =>
        {
            for (var i = 0; i < 4; i++)
            {
                n[i]!["hostKey"] = Key(i);
            }
        })
        .Edit(ConfigKeys.Nas, n => n["hostKey"] = Key(9));

    /// <summary>A distinct, well-formed ed25519 key line per machine (the 32 key bytes differ).</summary>
    private static string Key(int machine)
    {
        var blob = Convert.FromBase64String(Ed25519.Split(' ')[1]);
        blob[^1] = (byte)machine;
        return $"ssh-ed25519 {Convert.ToBase64String(blob)}";
    }

    [Theory]
    [InlineData(Ed25519 + " root@derpy", Ed25519Fingerprint)]
    [InlineData(Ecdsa, EcdsaFingerprint)]
    public void Fingerprints_are_the_ones_ssh_keygen_prints(string line, string fingerprint)
    {
        Assert.True(HostKey.TryParse(line, out var key, out var problem), problem);
        Assert.Equal(fingerprint, key!.Fingerprint);
        // The connection gets type and key only: the comment is no part of the key.
        Assert.Equal(line.Split(' ')[0] + " " + line.Split(' ')[1], key.Line);
    }

    [Fact]
    public void A_key_fresh_from_ssh_keygen_has_ssh_keygens_fingerprint()
    {
        var dir = Directory.CreateTempSubdirectory("lab-hostkey-");
        try
        {
            var path = Path.Combine(dir.FullName, "host");
            var generated = Tools.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "root@derpy", "-f", path]);
            Assert.True(generated.Code == 0, generated.Output);
            var listed = Tools.Run("ssh-keygen", ["-lf", path + ".pub"]);
            Assert.True(listed.Code == 0, listed.Output);
            var printed = listed.Output.Split(' ')[1];
            Assert.True(HostKey.TryParse(File.ReadAllText(path + ".pub"), out var key, out var problem), problem);
            Assert.Equal(printed, key!.Fingerprint);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("192.168.50.13 " + Ed25519, "starts with a host name")]
    [InlineData("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC9JJRQ7", "is an RSA key")]
    [InlineData("ssh-dss AAAA", "has key type 'ssh-dss'")]
    [InlineData("ssh-ed25519 not*base64", "not base64")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tX", "not a well-formed ssh-ed25519 key")]
    [InlineData("ssh-ed25519 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGuHa5gdfM41NBvdMWGg6NX+RcA93qIlZ5Ui18vpjmjAzbbPGxqqa5AhMttfD+Kn3iPoTUSRB1JHxo4lmzlCwAs=", "not a well-formed ssh-ed25519 key")]
    [InlineData("AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo8", "is not an OpenSSH public-key line")]
    public void A_malformed_host_key_is_refused_naming_its_key_and_the_fix(string line, string problem)
    {
        var error = Assert.Single(Pinned().Edit(ConfigKeys.Nodes, n => n[2]!["hostKey"] = line).Errors());
        Assert.Equal("lab:nodes[2].hostKey", error.Key);
        Assert.Contains(problem, error.Problem);
        Assert.Contains("scripts/host-keys stacks/Pulumi.prod.yaml", error.Fix);
    }

    [Fact]
    public void Pinned_keys_reach_the_spec_without_their_comments()
    {
        var lab = Pinned().Edit(ConfigKeys.Nas, n => n["hostKey"] = Key(9) + " root@qnap").Load();
        Assert.Equal(HostKeyMode.Pinned, lab.Ssh.HostKeys);
        Assert.Equal(Key(2), lab.Nodes[2].HostKey!.Line);
        Assert.Equal(Key(9), lab.Nas.HostKey!.Line);
    }

    [Fact]
    public void Without_keys_a_stack_runs_only_in_collect_mode()
    {
        var errors = Pinned().Edit(ConfigKeys.Nodes, n => n[1]!.AsObject().Remove("hostKey"))
            .Edit(ConfigKeys.Nas, n => n.AsObject().Remove("hostKey")).Errors();
        Assert.Equal(["lab:nas.hostKey", "lab:nodes[1].hostKey"], errors.Select(e => e.Key).Order());
        Assert.All(errors, e => Assert.Contains("lab:ssh.hostKeys: collect", e.Fix));

        // The shipped stacks carry no keys: they say so explicitly.
        Assert.All(Repo.StackFiles.Select(f => Repo.Load(StackFile.Read(f))), lab =>
        {
            Assert.Equal(HostKeyMode.Collect, lab.Ssh.HostKeys);
            Assert.All(lab.Nodes, n => Assert.Null(n.HostKey));
            Assert.Null(lab.Nas.HostKey);
        });
    }

    [Fact]
    public void Two_machines_with_one_key_are_refused()
    {
        var error = Assert.Single(Pinned().Edit(ConfigKeys.Nas, n => n["hostKey"] = Key(1)).Errors());
        Assert.Equal("lab:nas.hostKey", error.Key);
        Assert.Contains("same key as lab:nodes[1].hostKey", error.Problem);
    }

    [Fact]
    public void An_unknown_host_key_mode_is_refused()
    {
        var error = Assert.Single(Repo.ProdConfig().Edit(ConfigKeys.Ssh, s => s["hostKeys"] = "tofu").Errors());
        Assert.Equal("lab:ssh.hostKeys", error.Key);
        Assert.Contains("'collect'", error.Fix);
    }

    [Fact]
    public void Writing_keys_keeps_every_comment_and_line_and_pins_the_stack_once_all_are_there()
    {
        var yaml = File.ReadAllText(Repo.DevFile);
        var file = StackFile.Parse("dev", "Pulumi.dev.yaml", yaml);
        Assert.True(HostKey.TryParse(Key(0), out var derpy, out _));
        var partial = HostKeyFile.Write(file, yaml, new Dictionary<string, HostKey> { ["lab:nodes[0]"] = derpy! });
        // Only the one line is new; the NAS still has no key, so the stack stays in collect mode.
        Assert.Equal(yaml.Split('\n').Length + 1, partial.Split('\n').Length);
        Assert.Contains($"      host: 192.168.50.13\n      hostKey: {Key(0)}\n", partial);
        Assert.Contains("hostKeys: collect", partial);

        Assert.True(HostKey.TryParse(Key(9), out var qnap, out _));
        var partialFile = StackFile.Parse("dev", "Pulumi.dev.yaml", partial);
        var full = HostKeyFile.Write(partialFile, partial, new Dictionary<string, HostKey> { ["lab:nas"] = qnap! });
        Assert.Contains("hostKeys: pinned", full);
        static bool Unkeyed(string line) => !line.TrimStart().StartsWith("hostKey", StringComparison.Ordinal);
        Assert.Equal(yaml.Split('\n').Where(Unkeyed), full.Split('\n').Where(Unkeyed));
        var lab = Repo.Load(StackFile.Parse("dev", "Pulumi.dev.yaml", full));
        Assert.Equal(derpy!.Line, lab.Nodes[0].HostKey!.Line);
        Assert.Equal(qnap!.Line, lab.Nas.HostKey!.Line);

        // A changed key replaces the pinned one in place.
        var replaced = HostKeyFile.Write(StackFile.Parse("dev", "Pulumi.dev.yaml", full), full,
            new Dictionary<string, HostKey> { ["lab:nodes[0]"] = qnap! with { } });
        Assert.Equal(full.Replace(Key(0), Key(9)), replaced);
    }

    [Fact]
    public void Scripts_host_keys_collects_shows_fingerprints_asks_and_writes_the_stack_file()
    {
        var dir = Directory.CreateTempSubdirectory("lab-host-keys-");
        try
        {
            // A stand-in ssh-keyscan answering for the stack's two machines as OpenSSH's does (key line on stdout, banner on stderr).
            ScriptRunner.StandIn(dir.FullName, "ssh-keyscan", "#!/usr/bin/env bash\nhost=${!#}\necho \"# $host:22 SSH-2.0-OpenSSH_9.6p1\" >&2\n" +
                $"case $host in 192.168.50.13) echo \"$host {Ed25519}\" ;; 192.168.50.20) echo \"$host {Key(9)}\" ;; esac\n");
            var stack = Path.Combine(dir.FullName, "Pulumi.dev.yaml");
            File.Copy(Repo.DevFile, stack);

            var (code, output) = Script(dir.FullName, "n\n", stack);
            Assert.Equal(1, code);
            Assert.Contains($"derpy      192.168.50.13   {Ed25519Fingerprint}  (new)", output);
            Assert.Contains("nothing was changed", output);
            Assert.Equal(File.ReadAllText(Repo.DevFile), File.ReadAllText(stack));

            (code, output) = Script(dir.FullName, "y\n", stack);
            Assert.True(code == 0, output);
            var lab = Repo.Load(StackFile.Read(stack));
            Assert.Equal(HostKeyMode.Pinned, lab.Ssh.HostKeys);
            Assert.Equal(Ed25519Fingerprint, lab.Nodes[0].HostKey!.Fingerprint);
            Assert.Equal(Key(9), lab.Nas.HostKey!.Line);

            (code, output) = Script(dir.FullName, "", stack);
            Assert.True(code == 0, output);
            Assert.Contains("nothing to write", output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int Code, string Output) Script(string bin, string input, string stack)
    {
        var run = ScriptRunner.Run(["bash", Path.Combine(Repo.Root, "scripts", "host-keys"), stack], input, [bin], timeout: TimeSpan.FromMinutes(4));
        return (run.Code, run.Output);
    }
}
