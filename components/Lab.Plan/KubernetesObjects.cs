using System.Collections;
using Lab.Model.Artifacts;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Lab.Plan;

/// <summary>
/// Every Kubernetes object the plan creates, as the YAML manifest an operator can read or `kubectl diff`:
/// Jobs, the SlurmCluster and NodeSets, ConfigMaps, and each Helm release as its chart and values. Values
/// known only once applied read as the plan shows them ([unknown until applied: STEP]); a Secret's data
/// is redacted whatever its secretness.
/// </summary>
public static class KubernetesObjects
{
    public const string Redacted = "[redacted]";

    /// <summary>One file per object: kubernetes/NAMESPACE/KIND-NAME.yaml (cluster-wide ones under _cluster), releases under kubernetes/helm.</summary>
    public static IReadOnlyList<Artifact> Render(IReadOnlyList<PlannedResource> plan) =>
        plan.Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal)).Select(r => r.Type == "kubernetes:helm.sh/v3:Release"
                ? new Artifact($"kubernetes/helm/{r.Inputs.GetValueOrDefault("name") ?? r.Name}.yaml", Yaml(r.Inputs))
                : new Artifact(PathOf(r), Yaml(Redact(r.Inputs))))
            .ToList();

    private static string PathOf(PlannedResource r)
    {
        var metadata = r.Inputs.GetValueOrDefault("metadata") as IDictionary;
        var kind = r.Inputs.GetValueOrDefault("kind") as string ?? r.Type[(r.Type.LastIndexOf(':') + 1)..];
        var name = metadata is not null && metadata.Contains("name") ? metadata["name"] as string ?? r.Name : r.Name;
        var space = metadata is not null && metadata.Contains("namespace") ? metadata["namespace"] as string ?? "_cluster" : "_cluster";
        return $"kubernetes/{space}/{kind.ToLowerInvariant()}-{name}.yaml";
    }

    private static IDictionary<string, object> Redact(IDictionary<string, object> inputs) =>
        !inputs.TryGetValue("kind", out var kind) || kind is not "Secret" ? inputs
            : inputs.ToDictionary(i => i.Key, i => i.Key is "data" or "stringData" && i.Value is IDictionary values
                ? values.Keys.Cast<object>().ToDictionary(k => k.ToString()!, _ => (object)Redacted)
                : i.Value);

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithEventEmitter(next => new ScriptsAsBlocks(next))
        .DisableAliases()
        // A label value "2" or "true" stays a string for kubectl.
        .WithQuotingNecessaryStrings()
        .Build();

    private static string Yaml(IDictionary<string, object> inputs) => Writer.Serialize(PlannedResource.Sorted(inputs));

    /// <summary>Scripts (multi-line strings) as literal blocks, so a Job's command reads as the script it is.</summary>
    private sealed class ScriptsAsBlocks(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n') && !text.Contains('\r') && !text.Contains('\t'))
            {
                eventInfo = new ScalarEventInfo(eventInfo.Source) { Style = ScalarStyle.Literal };
            }
            base.Emit(eventInfo, emitter);
        }
    }
}
