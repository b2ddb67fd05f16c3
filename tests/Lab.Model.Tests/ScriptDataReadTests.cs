using System.Collections.Immutable;
using Lab.Model.Nodes;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>The plan shows a step's inputs by reading its data block back: it must give exactly the values that went in.</summary>
public class ScriptDataReadTests
{
    private sealed record Sample(string Text, int Count, bool Flag, ImmutableArray<string> Items);

    [Theory]
    [MemberData(nameof(ScriptDataTests.Hostile), MemberType = typeof(ScriptDataTests))]
    public void Reading_a_rendered_block_gives_back_the_values_that_went_in(string value)
    {
        var data = new Sample(value, 42, true, [value, "second", value]);
        Assert.Equal([.. ScriptData.Values(data)], ScriptData.Read("#!/usr/bin/env bash\n" + ScriptData.Render(data) + "echo body\n").ToList());
        var empty = new Sample(value, 0, false, []);
        Assert.Equal([.. ScriptData.Values(empty)], ScriptData.Read(ScriptData.Render(empty)).ToList());
    }

    [Fact]
    public void Every_node_step_of_the_lab_reads_back_as_its_inputs()
    {
        var lab = Repo.Prod();
        var steps = lab.Nodes.SelectMany(n => NodeSteps.Render(lab, n)).ToList();
        Assert.NotEmpty(steps);
        // The block opens with which machine and step it is, then the step's own inputs.
        Assert.All(steps, s => Assert.Equal(
            [new ScriptValue("lab_target", s.Target), new ScriptValue("lab_step", s.Step), .. s.Inputs],
            ScriptData.Read(s.Text).ToList()));
        Assert.Contains(steps, s => s.Inputs.Any(v => v.Display.Contains(lab.Versions.NvidiaDriver, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_script_without_a_data_block_has_no_inputs() =>
        Assert.Empty(ScriptData.Read("#!/usr/bin/env bash\necho hi\n"));
}
