namespace Lab.Model.Tests;

/// <summary>The one script runner both test projects use: what every script test relies on it to do.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ScriptRunnerTests
{
    [Fact]
    public void A_script_reads_its_stdin_finds_the_stand_ins_first_and_gets_its_environment()
    {
        var bin = Directory.CreateTempSubdirectory("lab-runner-");
        try
        {
            ScriptRunner.StandIn(bin.FullName, "ssh", "#!/usr/bin/env bash\necho \"stand-in ssh $*\"\n");

            var run = ScriptRunner.Run(["bash", "-c", "read -r line; ssh -V; echo \"$line $LAB_RUNNER_TEST\"; echo oops >&2; exit 3"],
                "from stdin\n", [bin.FullName], new Dictionary<string, string> { ["LAB_RUNNER_TEST"] = "and env" });

            Assert.Equal(3, run.Code);
            Assert.Equal("stand-in ssh -V\nfrom stdin and env\n", run.Stdout);
            Assert.Equal("oops\n", run.Stderr);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_script_past_its_timeout_is_killed_with_its_children_and_what_it_printed_is_reported()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"lab-runner-{Guid.NewGuid():N}");

        var error = Assert.Throws<TimeoutException>(() =>
            ScriptRunner.Run(["bash", "-c", $"echo started; (sleep 3; touch {marker}) & sleep 60"], timeout: TimeSpan.FromSeconds(1)));

        Assert.Contains("started", error.Message);
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.False(File.Exists(marker), "a child of the timed-out script was still running");
    }
}
