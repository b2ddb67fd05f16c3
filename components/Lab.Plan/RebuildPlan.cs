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
        var replaced = changed.Where(r => before.TryGetValue(r.Urn, out var old) && ReplacesProvider(old, r)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        // The engine replaces every resource whose provider is replaced (pulumi step_generator: "If the resource's
        // provider reference changed, the resource must be replaced"), whatever its own inputs.
        return (rebuild, [.. after.Where(r => changed.Contains(r) || (r.Provider is { } p && replaced.Contains(p)))]);
    }

    /// <summary>
    /// The Kubernetes provider is replaced exactly when its clusterIdentifier changes (pulumi-kubernetes 4.32.0,
    /// provider.go DiffConfig); other config changes update it in place.
    /// </summary>
    private static bool ReplacesProvider(PlannedResource before, PlannedResource after) =>
        after.Type == "pulumi:providers:kubernetes"
        && !Equals(before.Inputs.GetValueOrDefault("clusterIdentifier"), after.Inputs.GetValueOrDefault("clusterIdentifier"));
}
