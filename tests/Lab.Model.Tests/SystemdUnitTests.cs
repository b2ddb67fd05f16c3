using Lab.Model.Spec;
using Lab.Model.Storage;
using Lab.Model.Vault;

namespace Lab.Model.Tests;

/// <summary>systemd-analyze verify over every rendered unit: mount units of every shipped stack, and vault-agent.</summary>
public class SystemdUnitTests
{
    public static TheoryData<string> StackFiles() => new(Repo.StackFiles.Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(StackFiles))]
    public void Mount_units_pass_systemd_analyze_verify_without_a_warning(string stackFile)
    {
        var lab = Repo.Load(StackFile.Read(Repo.StackFiles.Single(f => Path.GetFileName(f) == stackFile)));
        foreach (var node in lab.Nodes)
        {
            var (code, output) = Verify(NfsMounts.Units(lab, node).Select(u => (u.FileName, u.Content)));
            Assert.True(code == 0 && output.Trim().Length == 0, $"{node.Name}: systemd-analyze verify said:\n{output}");
        }
    }

    [Fact]
    public void The_vault_agent_unit_passes_verify_on_a_node_with_the_pinned_vault_package()
    {
        var (code, output) = Verify([("vault-agent.service", VaultAgent.Unit())], installed: [VaultAgent.Binary]);
        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify said:\n{output}");
    }

    [Fact]
    public void Verify_rejects_a_unit_named_apart_from_its_mount_point()
    {
        var lab = Repo.Prod();
        var mount = NfsMounts.Units(lab, lab.Nodes[0])[0];
        var (code, output) = Verify([("mnt-nfs-elsewhere.mount", mount.Content)]);
        Assert.NotEqual(0, code);
        Assert.Contains("doesn't match unit name", output);
    }

    [Theory]
    [MemberData(nameof(StackFiles))]
    public void Backup_units_and_timers_pass_systemd_analyze_verify_without_a_warning(string stackFile)
    {
        var lab = Repo.Load(StackFile.Read(Repo.StackFiles.Single(f => Path.GetFileName(f) == stackFile)));
        foreach (var machine in Lab.Model.Backups.BackupJobs.Machines(lab))
        {
            var units = Lab.Model.Backups.BackupJobs.Files(lab, machine).Where(f => f.Path.StartsWith(Lab.Model.Backups.BackupJobs.UnitDir, StringComparison.Ordinal))
                .Select(f => (Path.GetFileName(f.Path), f.Content)).ToList();
            Assert.NotEmpty(units);
            var (code, output) = Verify(units, installed: [Lab.Model.Backups.BackupJobs.Runtime]);
            Assert.True(code == 0 && output.Trim().Length == 0, $"{machine.Machine}: systemd-analyze verify said:\n{output}");
        }
    }

    [Fact]
    public void Verify_rejects_the_vault_agent_unit_where_vault_is_not_installed()
    {
        var (code, output) = Verify([("vault-agent.service", VaultAgent.Unit())]);
        Assert.NotEqual(0, code);
        Assert.Contains("/usr/bin/vault is not executable", output);
    }

    /// <summary>
    /// Verifies units inside a throwaway root holding this machine's stock units, the units under
    /// test in etc/systemd/system, and the given programs (what the node's packages install).
    /// </summary>
    private static (int Code, string Output) Verify(IEnumerable<(string FileName, string Content)> units, IEnumerable<string>? installed = null)
    {
        var root = Directory.CreateTempSubdirectory("lab-systemd-root-");
        try
        {
            CopyTree("/usr/lib/systemd/system", Path.Combine(root.FullName, "usr/lib/systemd/system"));
            var unitDir = Directory.CreateDirectory(Path.Combine(root.FullName, "etc/systemd/system")).FullName;
            foreach (var program in installed ?? [])
            {
                var path = Path.Combine(root.FullName, program.TrimStart('/'));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, "#!/bin/sh\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                }
            }
            var paths = units.Select(u =>
            {
                var path = Path.Combine(unitDir, u.FileName);
                File.WriteAllText(path, u.Content);
                return path;
            }).ToList();
            return Tools.Run("systemd-analyze", ["verify", "--man=no", $"--root={root.FullName}", .. paths]);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo dir)
            {
                CopyTree(dir.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target);
            }
        }
    }
}
