using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lab.Model.Spec;

/// <summary>
/// A Pulumi stack file (Pulumi.STACK.yaml) read the way the Pulumi CLI hands it to the program:
/// every key of its config section as a string (structured values as JSON). Secure values are
/// never decrypted here: they stand as <see cref="SecretMarker"/> and are listed in
/// <see cref="SecretKeys"/>, so nothing that reads a stack file ever holds a secret.
/// </summary>
public sealed partial record StackFile(string Stack, string Path, IReadOnlyDictionary<string, string> Config, IReadOnlySet<string> SecretKeys)
{
    public const string SecretMarker = "[secret]";

    /// <summary>Reads FILE; the stack name comes from its name (Pulumi.NAME.yaml), as the CLI does.</summary>
    public static StackFile Read(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        if (!fileName.StartsWith("Pulumi.", StringComparison.Ordinal) || !fileName.EndsWith(".yaml", StringComparison.Ordinal) || fileName.Length <= "Pulumi..yaml".Length)
        {
            throw new LabConfigException(fileName, [new ConfigError(path, "is not a stack file.", "name a stack file Pulumi.STACK.yaml, e.g. Pulumi.dev.yaml or stacks/Pulumi.prod.yaml.")]);
        }
        var stack = fileName["Pulumi.".Length..^".yaml".Length];
        if (!File.Exists(path))
        {
            throw new LabConfigException(stack, [new ConfigError(path, "does not exist.", $"run from the repository root; the stack files are {ConfigKeys.StackFileFor("dev")} and {ConfigKeys.StackFileFor("prod")}.")]);
        }
        return Parse(stack, path, File.ReadAllText(path));
    }

    public static StackFile Parse(string stack, string path, string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new LabConfigException(stack, [new ConfigError(path, $"is not valid YAML (line {e.Start.Line}: {e.Message}).", "fix the YAML syntax at that line.")]);
        }
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("config"), out var section))
        {
            return new StackFile(stack, path, config, secrets);
        }
        if (section is not YamlMappingNode entries)
        {
            throw new LabConfigException(stack, [new ConfigError($"{path}: config", "must be a mapping of keys to values.", "write config as 'key: value' lines under 'config:'.")]);
        }
        foreach (var (keyNode, valueNode) in entries.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (IsSecure(valueNode))
            {
                config[key] = SecretMarker;
                secrets.Add(key);
            }
            else if (valueNode is YamlScalarNode scalar)
            {
                config[key] = scalar.Value ?? "";
            }
            else
            {
                var hasSecure = false;
                config[key] = ToJson(valueNode, ref hasSecure)!.ToJsonString();
                if (hasSecure)
                {
                    secrets.Add(key); // `pulumi config set --secret --path` makes the whole key secret
                }
            }
        }
        return new StackFile(stack, path, config, secrets);
    }

    private static bool IsSecure(YamlNode node) =>
        node is YamlMappingNode m && m.Children.Count == 1 && m.Children.ContainsKey(new YamlScalarNode("secure"));

        /// <summary>YAML → JSON with YAML 1.2 core scalar typing (the CLI stores structured config as JSON); secure leaves stay masked.</summary>
    private static JsonNode? ToJson(YamlNode node, ref bool hasSecure)
    {
        switch (node)
        {
            case YamlMappingNode m when IsSecure(m):
                hasSecure = true;
                return JsonValue.Create(SecretMarker);
            case YamlMappingNode m:
                var obj = new JsonObject();
                foreach (var (k, v) in m.Children)
                {
                    obj[((YamlScalarNode)k).Value ?? ""] = ToJson(v, ref hasSecure);
                }
                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(ToJson(item, ref hasSecure));
                }
                return array;
            case YamlScalarNode { Style: ScalarStyle.Plain } plain:
                return Plain(plain.Value ?? "");
            case YamlScalarNode quoted:
                return JsonValue.Create(quoted.Value ?? "");
            default:
                return null;
        }
    }

    private static JsonNode? Plain(string text) => text switch
    {
        "" or "null" or "~" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        // Numbers keep their text ("24.10" stays 24.10, not 24.1).
        _ when YamlNumber().IsMatch(text) => JsonNode.Parse(text),
        _ => JsonValue.Create(text),
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex YamlNumber();

    /// <summary>The environment the Pulumi language host gives a program: PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS.</summary>
    public IReadOnlyDictionary<string, string> ProgramEnvironment() => new Dictionary<string, string>
    {
        ["PULUMI_CONFIG"] = JsonSerializer.Serialize(Config),
        ["PULUMI_CONFIG_SECRET_KEYS"] = JsonSerializer.Serialize(SecretKeys.Order(StringComparer.Ordinal)),
    };
}
