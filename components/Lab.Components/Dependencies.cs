using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Pulumi;

namespace Lab.Components;

/// <summary>
/// dependsOn lists whose entries share one Input per resource. Pulumi's InputList makes an Output of its own
/// (a task, its continuations and a registered description) for every Resource it is handed, and the cluster's 3N
/// ready resources are named by every image build and every object on the cluster: one Output each, not one a mention.
/// </summary>
internal static class Dependencies
{
    private static readonly ConditionalWeakTable<Resource, Input<Resource>> Inputs = [];

    public static InputList<Resource> Of(IEnumerable<Resource> resources) =>
        resources.Select(r => Inputs.GetValue(r, static r => r)).ToImmutableArray();
}
