namespace Lab.Model.Tests;

/// <summary>scripts/restore's own answers before and around the restore on the machine (BackupRunTests and the box run lab-backup itself).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class RestoreToolTests
{
    private static ScriptRun Restore(string[] args, IEnumerable<string>? standIns = null, Dictionary<string, string>? environment = null) =>
        ScriptRunner.Run([Path.Combine(Repo.Root, "scripts", "restore"), .. args], standIns: standIns, environment: environment, timeout: TimeSpan.FromMinutes(5));

    [Theory]
    [InlineData("abc")]
    [InlineData("ABCDEF12")]
    [InlineData("12345678; reboot")]
    public void A_snapshot_that_is_no_restic_ID_is_refused_with_what_an_ID_is(string snapshot)
    {
        var run = Restore(["box", "shared-scratch", "--snapshot", snapshot]);
        Assert.Equal(2, run.Code);
        Assert.Contains($"--snapshot '{snapshot}' is not a snapshot ID: 4 to 64 lowercase hex digits", run.Stderr);
    }

    [Fact]
    public void A_machine_out_of_reach_is_named_and_nothing_is_restored()
    {
        var bin = Directory.CreateTempSubdirectory("lab-restore-ssh-");
        try
        {
            // ssh as it fails when the NAS is down: its own message, exit 255.
            ScriptRunner.StandIn(bin.FullName, "ssh", "#!/usr/bin/env bash\necho \"ssh: connect to host 10.213.0.20 port 22: No route to host\" >&2\nexit 255\n");
            var run = Restore(["box", "shared-scratch"], [bin.FullName], new() { ["LAB_RESTORE_SSH"] = Path.Combine(bin.FullName, "ssh") });
            Assert.Equal(1, run.Code);
            Assert.Contains("No route to host", run.Stderr);
            Assert.Contains("restore: box-nas (10.213.0.20:22) could not be reached over SSH (ssh's error above); nothing was restored.", run.Stderr);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }
}
