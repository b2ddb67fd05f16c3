namespace Lab.Components.Tests;

/// <summary>scripts/bench runs the program under mocks on the prod lab and a synthetic one (it measures; nothing here asserts a time).</summary>
public class BenchmarkTests
{
    [Fact]
    public void The_benchmark_plans_the_prod_lab_and_a_synthetic_lab_of_the_size_asked_for()
    {
        var run = ScriptRunner.Run([Path.Combine(Lab.Root, "scripts", "bench"), "1", "8"], timeout: TimeSpan.FromMinutes(8));
        Assert.True(run.Code == 0, run.Output);
        var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["prod 4", "synthetic 8"], rows.Select(r => $"{r[0]} {r[1]}"));
        // The synthetic lab's Slurm workers are its own nodes, so it plans: more nodes, more resources.
        Assert.True(int.Parse(rows[1][2]) > int.Parse(rows[0][2]), run.Stdout);
    }

    [Fact]
    public void A_size_that_is_not_a_count_is_refused_before_anything_runs()
    {
        var run = ScriptRunner.Run([Path.Combine(Lab.Root, "scripts", "bench"), "1", "64k"]);
        Assert.Equal(2, run.Code);
        Assert.Contains("bench: '64k' is not a count", run.Stderr);
        Assert.DoesNotContain(" at ", run.Output);
    }
}
