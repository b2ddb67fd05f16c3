using System.Security.Cryptography;
using Lab.Model.Backups;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>
/// The rendered lab-backup, run in bash with Debian's real restic (installed by scripts/test) against a
/// repository in a temporary directory: backup and forget, the drill, restore's question and --yes, and a
/// wrong password. The box (tests/box/backups) runs the same over SFTP through the real units.
/// </summary>
public sealed class BackupRunTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lab-backup-run-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string At(string name) => Path.Combine(_dir.FullName, name);

    /// <summary>lab-backup for the box stack's NAS, its repository, password, export and directories moved into the temporary directory.</summary>
    private string Script(string password) =>
        NasScript(Repo.Load(Lab.Model.Spec.StackFile.Read(Repo.BoxFile)), _dir.FullName, password, "http://127.0.0.1:9");

    /// <summary>
    /// lab-backup for LAB's NAS, its repository (DIR/repo), password file (DIR/PASSWORD) and its store (DIR/PASSWORD.cred),
    /// exports (DIR/share/NAME), cache and drill directories moved into DIR, pushing to PUSHGATEWAY; written to
    /// DIR/lab-backup-PASSWORD, whose path it returns.
    /// </summary>
    internal static string NasScript(Lab.Model.Spec.LabSpec lab, string dir, string password, string pushgateway, bool nas = true)
    {
        string At(string name) => Path.Combine(dir, name);
        var machine = BackupJobs.Machines(lab).Single(m => m.PasswordFromControl == nas);
        var moved = lab with
        {
            Backups = lab.Backups! with { Repository = At("repo"), PasswordFile = At(password) },
            Nas = lab.Nas with { Exports = [.. lab.Nas.Exports.Select(e => e with { Path = At("share/" + e.Name) })] },
        };
        var script = BackupJobs.RuntimeScript(moved, machine)
            .Replace($"readonly cache_dir={Shell.Quote(BackupJobs.CacheDir)}", $"readonly cache_dir={Shell.Quote(At("cache"))}", StringComparison.Ordinal)
            .Replace($"readonly drill_dir={Shell.Quote(BackupJobs.DrillDir)}", $"readonly drill_dir={Shell.Quote(At("drill"))}", StringComparison.Ordinal)
            .Replace($"readonly password_store={Shell.Quote(BackupJobs.PasswordStore)}", $"readonly password_store={Shell.Quote(At(password + ".cred"))}", StringComparison.Ordinal)
            .Replace($"readonly pushgateway={Shell.Quote(BackupJobs.Pushgateway(moved))}", $"readonly pushgateway={Shell.Quote(pushgateway)}", StringComparison.Ordinal);
        var path = At($"lab-backup-{password}");
        File.WriteAllText(path, script);
        return path;
    }

    private (int Code, string Output) Run(string script, params string[] args) => Tools.Run("bash", [script, .. args]);

    private string Tree(string dir) => string.Join("\n", Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        .Select(f => $"{f} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))} {File.GetLastWriteTimeUtc(f):O}"));

    [Fact]
    public void Backup_leaves_the_source_alone_drill_compares_restore_asks_then_restores_byte_identical_and_a_wrong_password_changes_nothing()
    {
        File.WriteAllText(At("password"), "the repository password\n");
        File.WriteAllText(At("wrong"), "not it\n");
        var scratch = Directory.CreateDirectory(At("share/shared-scratch")).FullName;
        Directory.CreateDirectory(Path.Combine(scratch, "run-1"));
        File.WriteAllBytes(Path.Combine(scratch, "run-1", "model.ckpt"), RandomNumberGenerator.GetBytes(300_000));
        File.WriteAllText(Path.Combine(scratch, "notes.txt"), "loss 0.12\n");
        var (init, initOut) = Tools.Run("restic", ["-r", At("repo"), "--password-file", At("password"), "init"]);
        Assert.True(init == 0, initOut);
        var script = Script("password");
        var original = Tree(scratch);

        var (backup, backupOut) = Run(script, "backup", "shared-scratch");
        Assert.True(backup == 0, backupOut);
        Assert.Matches(@"backup of shared-scratch: snapshot [0-9a-f]{8}, \d+ bytes read", backupOut);
        Assert.Contains("could not publish the series of item/shared-scratch", backupOut);
        Assert.Equal(original, Tree(scratch));

        var (drill, drillOut) = Run(script, "drill");
        Assert.True(drill == 0, drillOut);
        Assert.Contains("drill of shared-scratch: 2 file(s) restored byte-identical", drillOut);
        Assert.Contains("datasets has no snapshot yet; not drilled", drillOut);

        File.WriteAllText(Path.Combine(scratch, "run-1", "model.ckpt"), "truncated");
        File.Delete(Path.Combine(scratch, "notes.txt"));
        var damaged = Tree(scratch);
        var (ask, askOut) = Run(script, "restore", "shared-scratch", "latest", "/");
        Assert.True(ask == 3, askOut);
        Assert.Contains($"would overwrite 1 file(s):\n  {scratch}/run-1/model.ckpt", askOut);
        Assert.Contains("nothing was changed; to overwrite them, run again with --yes", askOut);
        Assert.Equal(damaged, Tree(scratch));

        var (wrong, wrongOut) = Run(Script("wrong"), "restore", "shared-scratch", "latest", "/", "--yes");
        Assert.NotEqual(0, wrong);
        Assert.Contains("wrong password or no key found", wrongOut);
        Assert.Contains("nothing was restored", wrongOut);
        Assert.Equal(damaged, Tree(scratch));

        var (restore, restoreOut) = Run(script, "restore", "shared-scratch", "latest", "/", "--yes");
        Assert.True(restore == 0, restoreOut);
        Assert.Equal(original, Tree(scratch));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void After_a_reboot_empties_the_NAS_password_file_a_backup_writes_it_back_from_its_store_and_without_a_store_names_the_step_to_run()
    {
        File.WriteAllText(At("password"), "the repository password\n");
        var scratch = Directory.CreateDirectory(At("share/shared-scratch")).FullName;
        File.WriteAllText(Path.Combine(scratch, "notes.txt"), "loss 0.12\n");
        Assert.Equal(0, Tools.Run("restic", ["-r", At("repo"), "--password-file", At("password"), "init"]).Code);
        // The store as the NAS's step writes it, by systemd-creds (with the null key: the machine's key needs root).
        var (sealedCode, sealedOut) = Tools.Run("systemd-creds", ["encrypt", "--with-key=tpm2-absent", $"--name={BackupJobs.PasswordCredential}", At("password"), At("password.cred")]);
        Assert.True(sealedCode == 0, sealedOut);
        var script = Script("password");

        File.Delete(At("password")); // the NAS rebooted: its tmpfs is empty
        var (backup, backupOut) = Run(script, "backup", "shared-scratch");
        Assert.True(backup == 0, backupOut);
        Assert.Contains($"{At("password")} written back from {At("password.cred")}", backupOut);
        Assert.Matches(@"backup of shared-scratch: snapshot [0-9a-f]{8}", backupOut);
        Assert.Equal("the repository password\n", File.ReadAllText(At("password")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(At("password")));

        // Neither the file nor its store: the run stops before restic and says what to run.
        File.Delete(At("password"));
        File.Delete(At("password.cred"));
        var (lost, lostOut) = Run(script, "backup", "shared-scratch");
        Assert.NotEqual(0, lost);
        Assert.Contains("run this machine's backups step again (pulumi up --replace with its URN; docs/runbooks/backups.md)", lostOut);
        Assert.DoesNotContain("Fatal", lostOut);
    }

    [Fact]
    public void A_run_cut_mid_backup_leaves_its_lock_and_the_next_backups_forget_and_the_check_still_run()
    {
        File.WriteAllText(At("password"), "the repository password\n");
        var scratch = Directory.CreateDirectory(At("share/shared-scratch")).FullName;
        File.WriteAllText(Path.Combine(scratch, "notes.txt"), "loss 0.12\n");
        Assert.Equal(0, Tools.Run("restic", ["-r", At("repo"), "--password-file", At("password"), "init"]).Code);
        var locks = Path.Combine(At("repo"), "locks");

        // A backup ended as a power cut ends it (SIGKILL) while it holds its lock: it reads a stdin that never ends.
        void CutBackup()
        {
            using var cut = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("restic",
                ["-r", At("repo"), "--password-file", At("password"), "--cache-dir", At("cache"), "backup", "--host", "box-nas", "--tag", "shared-scratch",
                    "--stdin", "--stdin-filename", "cut.bin"])
            { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
            cut.StandardInput.Write(new string('x', 4096));
            cut.StandardInput.Flush();
            for (var i = 0; i < 600 && !(Directory.Exists(locks) && Directory.EnumerateFiles(locks).Any()); i++)
            {
                Thread.Sleep(100);
            }
            cut.Kill();
            cut.WaitForExit();
            Assert.NotEmpty(Directory.GetFiles(locks));
        }

        CutBackup();
        var (backup, backupOut) = Run(Script("password"), "backup", "shared-scratch");
        Assert.True(backup == 0, backupOut);
        Assert.Matches(@"backup of shared-scratch: snapshot [0-9a-f]{8}", backupOut);
        Assert.DoesNotContain("already locked", backupOut);
        Assert.Empty(Directory.GetFiles(locks));

        CutBackup();
        var control = NasScript(Repo.Load(Lab.Model.Spec.StackFile.Read(Repo.BoxFile)), _dir.FullName, "password", "http://127.0.0.1:9", nas: false);
        var (check, checkOut) = Run(control, "check");
        Assert.True(check == 0, checkOut);
        Assert.DoesNotContain("already locked", checkOut);
    }

    [Fact]
    public void Forget_after_a_backup_keeps_exactly_the_snapshots_the_items_keep_rules_select()
    {
        File.WriteAllText(At("password"), "the repository password\n");
        var scratch = Directory.CreateDirectory(At("share/shared-scratch")).FullName;
        File.WriteAllText(Path.Combine(scratch, "notes.txt"), "loss 0.12\n");
        string[] restic = ["-r", At("repo"), "--password-file", At("password"), "--cache-dir", At("cache")];
        Assert.Equal(0, Tools.Run("restic", [.. restic, "init"]).Code);
        // 40 snapshots, one every third day back from yesterday, then lab-backup's own backup and forget.
        var now = DateTime.UtcNow;
        foreach (var days in Enumerable.Range(0, 40).Select(i => 1 + (3 * i)))
        {
            var (code, output) = Tools.Run("restic", [.. restic, "backup", "--quiet", "--host", "box-nas", "--tag", "shared-scratch",
                "--time", now.AddDays(-days).ToString("yyyy-MM-dd 12:00:00", System.Globalization.CultureInfo.InvariantCulture), scratch]);
            Assert.True(code == 0, output);
        }
        var (backup, backupOut) = Run(Script("password"), "backup", "shared-scratch");
        Assert.True(backup == 0, backupOut);

        var (list, json) = Tools.Run("restic", [.. restic, "snapshots", "--json", "--host", "box-nas", "--tag", "shared-scratch"]);
        Assert.Equal(0, list);
        var kept = System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(e => DateTimeOffset.Parse(e.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime)
            .ToList();
        // The box stack's shared-scratch: keep {daily: 7, weekly: 4, monthly: 6}. restic's rule, per kind: newest first, the
        // newest snapshot of each new day / ISO week / month until the count is reached; the union stays.
        var all = Enumerable.Range(0, 40).Select(i => now.AddDays(-(1 + (3 * i))).Date.AddHours(12)).Append(kept.Max()).OrderDescending().ToList();
        var expected = new HashSet<DateTime>();
        foreach (var (bucket, count) in new (Func<DateTime, string>, int)[]
                 {
                     (d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), 7),
                     (d => $"{System.Globalization.ISOWeek.GetYear(d)}-{System.Globalization.ISOWeek.GetWeekOfYear(d)}", 4),
                     (d => d.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), 6),
                 })
        {
            var seen = new List<string>();
            foreach (var t in all)
            {
                if (seen.Count < count && !seen.Contains(bucket(t)))
                {
                    seen.Add(bucket(t));
                    expected.Add(t);
                }
            }
        }
        Assert.True(expected.Count < all.Count, "the policy must forget some of the snapshots for this test to mean anything");
        Assert.Equal(expected.Select(t => t.ToString("s")).Order(), kept.Select(t => t.ToString("s")).Order());
    }
}

/// <summary>
/// lab-backup's vault item, run in bash with Debian's real restic: Vault's raft snapshot fetched over TLS (checked against
/// a test CA) from the stand-in tests/stand-ins/vault-api.py with the snapshot agent's token, streamed into restic's stdin,
/// restored byte-identical; a wrong token's 403 leaves no snapshot, and the token is in no process's argv (strace).
/// </summary>
public sealed class VaultBackupRunTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lab-vault-backup-");
    private System.Diagnostics.Process? _vault;

    public void Dispose()
    {
        if (_vault is { } vault)
        {
            vault.Kill(entireProcessTree: true);
            vault.WaitForExit();
        }
        _dir.Delete(recursive: true);
    }

    private string At(string name) => Path.Combine(_dir.FullName, name);

    /// <summary>The stand-in Vault on 127.0.0.1 serving SNAPSHOT to TOKEN_FILE's token; its port.</summary>
    private int StartVault()
    {
        TestCa.Make(_dir.FullName, "lab-ca");
        TestCa.Server(_dir.FullName, "lab-ca", "vault");
        File.WriteAllText(At("code"), "200");
        var start = new System.Diagnostics.ProcessStartInfo("python3");
        foreach (var arg in new[] { Path.Combine(Repo.Root, "tests", "stand-ins", "vault-api.py"), At("vault.port"), At("vault.crt"), At("vault.key"), At("code"), At("vault-token"), At("snapshot.bin") })
        {
            start.ArgumentList.Add(arg);
        }
        _vault = System.Diagnostics.Process.Start(start)!;
        for (var i = 0; i < 200 && !File.Exists(At("vault.port")); i++)
        {
            Thread.Sleep(50);
        }
        return int.Parse(File.ReadAllText(At("vault.port")), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The control node's lab-backup of prod (its vault item), Vault's address, CA and token file moved here.</summary>
    private string Script(int port, string tokenFile)
    {
        var lab = Repo.Prod();
        var path = BackupRunTests.NasScript(lab, _dir.FullName, "password", "http://127.0.0.1:9", nas: false);
        File.WriteAllText(path, File.ReadAllText(path)
            .Replace($"readonly vault_address={Shell.Quote(lab.Vault.Address)}", $"readonly vault_address='https://127.0.0.1:{port}'", StringComparison.Ordinal)
            .Replace($"readonly vault_ca={Shell.Quote(lab.Vault.CaCert)}", $"readonly vault_ca={Shell.Quote(At("lab-ca.crt"))}", StringComparison.Ordinal)
            .Replace($"readonly vault_token={Shell.Quote(Lab.Model.Vault.VaultSnapshot.TokenSink)}", $"readonly vault_token={Shell.Quote(tokenFile)}", StringComparison.Ordinal));
        return path;
    }

    private string[] Snapshots()
    {
        var (code, json) = Tools.Run("restic", ["-r", At("repo"), "--password-file", At("password"), "snapshots", "--json", "--tag", "vault"]);
        Assert.True(code == 0, json);
        return [.. System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
    }

    [Fact]
    public void The_snapshot_streams_into_restic_restores_byte_identical_and_a_wrong_token_leaves_nothing_and_is_never_in_argv()
    {
        File.WriteAllText(At("password"), "the repository password\n");
        File.WriteAllBytes(At("snapshot.bin"), RandomNumberGenerator.GetBytes(2_000_000));
        const string token = "hvs.CAESIsnapshot-agent-token-7f3c";
        File.WriteAllText(At("vault-token"), token);
        File.WriteAllText(At("agent-token"), token);
        File.WriteAllText(At("stale-token"), "hvs.CAESIstale-token-0000");
        Assert.Equal(0, Tools.Run("restic", ["-r", At("repo"), "--password-file", At("password"), "init"]).Code);
        var port = StartVault();

        // Wrong token: Vault's 403, the run fails, and the empty snapshot restic made of no input is forgotten again.
        var (wrong, wrongOut) = Tools.Run("bash", [Script(port, At("stale-token")), "backup", "vault"]);
        Assert.NotEqual(0, wrong);
        Assert.Contains("403", wrongOut);
        Assert.Contains("the backup of vault to", wrongOut);
        Assert.Empty(Snapshots());

        // The agent's token: traced, so no process gets the token in its argv.
        var (code, output) = Tools.Run("strace", ["-f", "-s", "4096", "-e", "trace=execve", "-o", At("trace"), "bash", Script(port, At("agent-token")), "backup", "vault"]);
        Assert.True(code == 0, output);
        Assert.Matches(@"backup of vault: snapshot [0-9a-f]{8}, 2000000 bytes read", output);
        var trace = File.ReadAllText(At("trace"));
        Assert.Contains("--stdin-filename\", \"vault.snap\"", trace);
        Assert.Contains("curl", trace);
        Assert.DoesNotContain(token, trace);
        Assert.Single(Snapshots());

        var (restore, restoreOut) = Tools.Run("bash", [Script(port, At("agent-token")), "restore", "vault", "latest", At("restored")]);
        Assert.True(restore == 0, restoreOut);
        Assert.Equal(File.ReadAllBytes(At("snapshot.bin")), File.ReadAllBytes(At("restored/vault.snap")));

        var (drill, drillOut) = Tools.Run("bash", [Script(port, At("agent-token")), "drill"]);
        Assert.True(drill == 0, drillOut);
        Assert.Contains("drill of vault: 1 file(s)", drillOut);
    }
}
