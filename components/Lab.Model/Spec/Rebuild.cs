using System.Text.Json.Nodes;

namespace Lab.Model.Spec;

/// <summary>A node's next rebuild generation, applied to a stack file's config (what DR bumps).</summary>
public sealed record Rebuild(StackFile Bumped, int NodeIndex, int Generation)
{
    public static Rebuild Of(StackFile file, string node)
    {
        var nodes = file.Config.TryGetValue(ConfigKeys.Nodes, out var raw) ? JsonNode.Parse(raw) as JsonArray : null;
        var index = nodes?.Select((n, i) => (n, i)).FirstOrDefault(x => (string?)x.n?["name"] == node).i ?? -1;
        if (nodes is null || index < 0 || (string?)nodes[index]?["name"] != node)
        {
            throw new LabConfigException(file.Stack, [new ConfigError(ConfigKeys.Nodes, $"has no node named '{node}'.",
                $"use one of: {ConfigText.Names(nodes?.Select(n => (string?)n?["name"]) ?? [])}.")]);
        }
        var at = $"{ConfigKeys.Nodes}[{index}].rebuild";
        var current = nodes[index]!["rebuild"] is JsonValue value
            && int.TryParse(value.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : (int?)null;
        if (nodes[index]!["rebuild"] is not null && current is null)
        {
            throw new LabConfigException(file.Stack, [new ConfigError(at, "is not a whole number.", $"write the node's current generation as a whole number, e.g. rebuild: 1.")]);
        }
        var generation = (current ?? 0) + 1;
        if (generation is < 1 or > ConfigReader.MaxGeneration)
        {
            throw new LabConfigException(file.Stack, [new ConfigError(at, $"cannot go past {current}: generations lie within 0…{ConfigReader.MaxGeneration}.",
                "set it back to a small number that differs from the last one applied (any change re-runs the node's steps).")]);
        }
        nodes[index]!["rebuild"] = generation;
        var config = new Dictionary<string, string>(file.Config) { [ConfigKeys.Nodes] = nodes.ToJsonString() };
        return new Rebuild(file with { Config = config }, index, generation);
    }

    /// <summary>The Pulumi CLI command that makes the bump in the stack file.</summary>
    public string ConfigCommand(string stack) =>
        $"pulumi config set --path 'lab:nodes[{NodeIndex}].rebuild' {Generation} {ConfigKeys.StackFlags(stack)}";
}
