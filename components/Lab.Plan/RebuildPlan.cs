using Lab.Model.Spec;

namespace Lab.Plan;

/// <summary>What a DR rebuild of one node changes: the plan with its generation bumped, against the plan as it is.</summary>
public static class RebuildPlan
{
    public static async Task<(Rebuild Rebuild, IReadOnlyList<PlannedResource> Changed)> ChangesAsync(StackFile file, string node)
    {
        var rebuild = Rebuild.Of(file, node);
        var before = (await PlanRunner.RunAsync(file)).ToDictionary(r => r.Urn);
        var after = await PlanRunner.RunAsync(rebuild.Bumped);
        var changed = after.Where(r => !before.TryGetValue(r.Urn, out var old) || old.Canonical() != r.Canonical()).ToList();
        return (rebuild, changed);
    }
}
