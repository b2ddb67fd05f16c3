using YamlDotNet.RepresentationModel;

namespace Lab.Model.Tests;

/// <summary>A GitHub workflow of the repository, read as GitHub reads it: the tests assert on what would run.</summary>
internal static class WorkflowYaml
{
    /// <summary>The root mapping of .github/workflows/FILE.</summary>
    public static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Repo.Root, ".github", "workflows", file))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlMappingNode Job(YamlMappingNode workflow, string name) => (YamlMappingNode)((YamlMappingNode)workflow["jobs"])[name];

    public static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>();

    public static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    /// <summary>Every scalar under a node, keys and values.</summary>
    public static IEnumerable<string> Scalars(YamlNode node) => node switch
    {
        YamlScalarNode s => [s.Value ?? ""],
        YamlMappingNode m => m.Children.SelectMany(c => Scalars(c.Key).Concat(Scalars(c.Value))),
        YamlSequenceNode q => q.Children.SelectMany(Scalars),
        _ => [],
    };
}
