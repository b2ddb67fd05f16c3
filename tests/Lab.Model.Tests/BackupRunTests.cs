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
    private string Script(string password)
    {
        var lab = Repo.Load(Lab.Model.Spec.StackFile.Read(Repo.BoxFile));
        var nas = BackupJobs.Machines(lab).Single(m => m.PasswordFromControl);
        lab = lab with
        {
            Backups = lab.Backups! with { Repository = At("repo"), PasswordFile = At(password) },
            Nas = lab.Nas with { Exports = [.. lab.Nas.Exports.Select(e => e with { Path = At("share/" + e.Name) })] },
        };
        var script = BackupJobs.RuntimeScript(lab, nas)
            .Replace($"readonly cache_dir={Shell.Quote(BackupJobs.CacheDir)}", $"readonly cache_dir={Shell.Quote(At("cache"))}", StringComparison.Ordinal)
            .Replace($"readonly drill_dir={Shell.Quote(BackupJobs.DrillDir)}", $"readonly drill_dir={Shell.Quote(At("drill"))}", StringComparison.Ordinal)
            .Replace($"readonly pushgateway={Shell.Quote(BackupJobs.Pushgateway(lab))}", "readonly pushgateway='http://127.0.0.1:9'", StringComparison.Ordinal);
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
        var results = Directory.CreateDirectory(At("share/results")).FullName;
        Directory.CreateDirectory(Path.Combine(results, "run-1"));
        File.WriteAllBytes(Path.Combine(results, "run-1", "model.ckpt"), RandomNumberGenerator.GetBytes(300_000));
        File.WriteAllText(Path.Combine(results, "notes.txt"), "loss 0.12\n");
        var (init, initOut) = Tools.Run("restic", ["-r", At("repo"), "--password-file", At("password"), "init"]);
        Assert.True(init == 0, initOut);
        var script = Script("password");
        var original = Tree(results);

        var (backup, backupOut) = Run(script, "backup", "results");
        Assert.True(backup == 0, backupOut);
        Assert.Matches(@"backup of results: snapshot [0-9a-f]{8}, \d+ bytes read", backupOut);
        Assert.Contains("could not publish the series of item/results", backupOut);
        Assert.Equal(original, Tree(results));

        var (drill, drillOut) = Run(script, "drill");
        Assert.True(drill == 0, drillOut);
        Assert.Contains("drill of results: 2 file(s) restored byte-identical", drillOut);
        Assert.Contains("datasets has no snapshot yet; not drilled", drillOut);

        File.WriteAllText(Path.Combine(results, "run-1", "model.ckpt"), "truncated");
        File.Delete(Path.Combine(results, "notes.txt"));
        var damaged = Tree(results);
        var (ask, askOut) = Run(script, "restore", "results", "latest", "/");
        Assert.True(ask == 3, askOut);
        Assert.Contains($"would overwrite 1 file(s):\n  {results}/run-1/model.ckpt", askOut);
        Assert.Contains("nothing was changed; to overwrite them, run again with --yes", askOut);
        Assert.Equal(damaged, Tree(results));

        var (wrong, wrongOut) = Run(Script("wrong"), "restore", "results", "latest", "/", "--yes");
        Assert.NotEqual(0, wrong);
        Assert.Contains("wrong password or no key found", wrongOut);
        Assert.Contains("nothing was restored", wrongOut);
        Assert.Equal(damaged, Tree(results));

        var (restore, restoreOut) = Run(script, "restore", "results", "latest", "/", "--yes");
        Assert.True(restore == 0, restoreOut);
        Assert.Equal(original, Tree(results));
    }
}
