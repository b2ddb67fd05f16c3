using Lab.Model.Nodes;

namespace Lab.Model.Tests;

public class StepFactsTests
{
    [Fact]
    public void Facts_are_read_from_key_value_lines_among_noise()
    {
        var facts = StepFacts.Parse("derpy", "preflight", "Reading package lists...\nkernel=6.8.0-48-generic\r\ngpu_model=RTX A5500\n");
        Assert.Equal("6.8.0-48-generic", facts["kernel"]);
        Assert.Equal("RTX A5500", facts["gpu_model"]);
        Assert.Equal(2, facts.Count);
    }

    [Fact]
    public void A_fact_printed_twice_is_an_error_not_a_guess()
    {
        var e = Assert.Throws<InvalidDataException>(() => StepFacts.Parse("derpy", "nvidia", "driver_version=580.95.05\ndriver_version=550.1\n"));
        Assert.Contains("derpy: step 'nvidia' printed fact 'driver_version' twice", e.Message);
    }

    [Fact]
    public void A_missing_fact_names_node_step_and_what_was_reported()
    {
        var e = Assert.Throws<InvalidDataException>(() => StepFacts.Require("zenon", "preflight", "kernel=6.8\n", "gpu_model"));
        Assert.Contains("zenon: step 'preflight' did not report 'gpu_model' (it reported: kernel)", e.Message);
    }

    [Theory]
    [InlineData("Kernel=6.8")]
    [InlineData("kernel = 6.8")]
    [InlineData("kernel=6.8\u001b[31m")]
    public void Malformed_lines_are_not_facts(string line)
    {
        Assert.Empty(StepFacts.Parse("derpy", "preflight", line));
    }

    [Theory]
    [InlineData("exports=4x\n")]
    [InlineData("exports=\n")]
    [InlineData("exports=-1\n")]
    [InlineData("exports=4 changed: /etc/exports.d/lab.exports\n")]
    public void A_count_cut_short_or_run_together_is_refused_naming_node_and_step(string stdout)
    {
        var e = Assert.Throws<InvalidDataException>(() => StepFacts.RequireCount("box-nas", "exports", stdout, "exports"));
        Assert.StartsWith("box-nas: step 'exports' ", e.Message);
        Assert.Equal(4, StepFacts.RequireCount("box-nas", "exports", "exporting...\nexports=4\n", "exports"));
    }

    [Fact]
    public void A_sha256_cut_short_is_refused_and_a_whole_one_is_read()
    {
        var whole = new string('a', 64);
        var e = Assert.Throws<InvalidDataException>(() => StepFacts.RequireSha256("box-control", "cluster-ca", "ca_sha256=" + whole[..40] + "\n", "ca_sha256"));
        Assert.Contains("box-control: step 'cluster-ca' reported ca_sha256=", e.Message);
        Assert.Contains("not a sha256 (64 hex digits)", e.Message);
        Assert.Equal(whole, StepFacts.RequireSha256("box-control", "cluster-ca", "ca_sha256=" + whole + "\n", "ca_sha256"));
    }
}
