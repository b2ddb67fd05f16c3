using Lab.Components.Storage;
using Lab.Model.Spec;

namespace Lab.Components.Tests;

public class NasStorageTests
{
    private const string Command = "command:remote:Command";

    [Fact]
    public async Task The_nas_waits_for_boot_then_creates_each_export_directory_then_applies_the_exports()
    {
        var plan = await Lab.Plan(Lab.Prod);
        Assert.Null(plan.Single(NasStorage.TypeToken, "qnap").ParentName);
        var steps = plan.OfType(Command).Where(r => r.ParentName == "qnap").ToList();
        Assert.Equal(["qnap-ready", "qnap-export-datasets", "qnap-export-models", "qnap-export-results", "qnap-export-logs", "qnap-export-jobs", "qnap-export-slurm-db", "qnap-exports"],
            steps.Select(s => s.Name));
        Assert.All(steps.Skip(1).SkipLast(1), s => Assert.Equal("qnap-ready", Assert.Single(s.DependsOn)));
        Assert.Equal(steps.Skip(1).SkipLast(1).Select(s => s.Name), steps.Last().DependsOn);
    }

    [Fact]
    public async Task Nothing_on_the_nas_can_be_deleted_by_the_program()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var steps = plan.OfType(Command).Where(r => r.ParentName == "qnap").ToList();
        Assert.All(steps, s => Assert.False(s.Inputs.ContainsKey("delete"), $"{s.Name} has a delete command"));
        Assert.All(steps.Where(s => s.Name != "qnap-ready"), s => Assert.True(s.RetainOnDelete, $"{s.Name} is not retained on delete"));
        // No triggers: a changed export is re-applied in place, never replaced.
        Assert.All(steps, s => Assert.False(s.Inputs.ContainsKey("triggers")));
    }

    [Fact]
    public async Task Every_nodes_mounts_wait_for_the_exports()
    {
        var plan = await Lab.Plan(Lab.Prod);
        foreach (var node in new[] { "zenon", "gemini-1", "derpy", "rocinate" })
        {
            var storage = plan.Single(Command, $"{node}-storage");
            Assert.Equal(new[] { $"{node}-os", "qnap-exports" }.Order(), storage.DependsOn.Order());
        }
    }

    [Fact]
    public async Task Removing_an_export_from_config_rewrites_the_exports_file_and_leaves_its_directory_to_retain()
    {
        // Slurm off: the shipped jail lives on the jobs export, which the loader would not let go.
        var prod = Lab.Prod.Edit(ConfigKeys.Slurm, s => s["enabled"] = false);
        var before = await Lab.Plan(prod);
        var after = await Lab.Plan(prod.Edit(ConfigKeys.Nas, n => n["exports"]!.AsArray().RemoveAt(4)));
        Assert.Contains(before, r => r.Name == "qnap-export-jobs");
        Assert.DoesNotContain(after, r => r.Name == "qnap-export-jobs");
        Assert.True(before.Single(Command, "qnap-export-jobs").RetainOnDelete);
        Assert.NotEqual(before.Single(Command, "qnap-exports").Inputs["stdin"], after.Single(Command, "qnap-exports").Inputs["stdin"]);
        Assert.DoesNotContain("/share/lab/jobs ", (string)after.Single(Command, "qnap-exports").Inputs["stdin"]);
    }

    [Fact]
    public async Task The_export_count_is_what_the_nas_reported()
    {
        var mocks = new HealthyLabMocks(Lab.Dev);
        await Lab.Plan(Lab.Dev, mocks);
        var nas = (NasStorage)mocks.Declared(NasStorage.TypeToken, "qnap");
        Assert.Equal(5, await nas.ExportCount.GetValueAsync());
    }
}
