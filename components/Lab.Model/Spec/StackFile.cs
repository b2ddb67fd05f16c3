using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

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
        if (new FileInfo(path).Length > MaxFileChars * 4L)
        {
            throw new LabConfigException(stack, [new ConfigError(path, "is far larger than a stack file can be.", "restore the stack file from git.")]);
        }
        return Parse(stack, path, File.ReadAllText(path));
    }

    /// <summary>A stack file is a page of settings; anything near this size is not one.</summary>
    public const int MaxFileChars = 1 << 20;

    /// <summary>Nesting deeper than this is no lab setting.</summary>
    public const int MaxDepth = 32;

    public static StackFile Parse(string stack, string path, string yaml)
    {
        YNode? document;
        try
        {
            document = YamlTree.Read(yaml);
        }
        catch (YamlTree.Refused e)
        {
            throw new LabConfigException(stack, [new ConfigError(e.Key.Length == 0 ? path : $"{path}: {ConfigText.Shorten(e.Key)}", e.Problem, e.Fix)]);
        }
        catch (YamlException e)
        {
            // YamlDotNet's message starts with the span ("(Line: 2, Col: 14, Idx: 21) - (Line: …): "): the line is
            // said once, and the parser's sentence kept whole.
            var problem = YamlSpan().Replace(e.Message, "");
            throw new LabConfigException(stack, [new ConfigError(path, $"is not valid YAML (line {e.Start.Line}, column {e.Start.Column}: {ConfigText.Visible(problem, 200)})", "fix the YAML syntax at that line.")]);
        }
        if (document is null)
        {
            throw new LabConfigException(stack, [new ConfigError(path, "is empty (no YAML in it, or only comments).", $"restore it from git (git checkout -- {path}), or write its settings under 'config:'.")]);
        }
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        if (document is not YMap root || root.Get("config") is not { } section)
        {
            return new StackFile(stack, path, config, secrets);
        }
        if (section is not YMap entries)
        {
            throw new LabConfigException(stack, [new ConfigError($"{path}: config", "must be a mapping of keys to values.", "write config as 'key: value' lines under 'config:'.")]);
        }
        foreach (var (key, valueNode) in entries.Entries)
        {
            if (IsSecure(valueNode))
            {
                config[key] = SecretMarker;
                secrets.Add(key);
            }
            else if (valueNode is YScalar scalar)
            {
                config[key] = scalar.Value;
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

    private static bool IsSecure(YNode node) => node is YMap { Entries.Count: 1 } m && m.Get("secure") is not null;

    /// <summary>YAML → JSON with YAML 1.2 core scalar typing (the CLI stores structured config as JSON); secure leaves stay masked.</summary>
    private static JsonNode? ToJson(YNode node, ref bool hasSecure)
    {
        switch (node)
        {
            case YMap m when IsSecure(m):
                hasSecure = true;
                return JsonValue.Create(SecretMarker);
            case YMap m:
                var obj = new JsonObject();
                foreach (var (k, v) in m.Entries)
                {
                    obj[k] = ToJson(v, ref hasSecure);
                }
                return obj;
            case YSeq seq:
                var array = new JsonArray();
                foreach (var item in seq.Items)
                {
                    array.Add(ToJson(item, ref hasSecure));
                }
                return array;
            case YScalar { Plain: true } plain:
                return Plain(plain.Value);
            case YScalar quoted:
                return JsonValue.Create(quoted.Value);
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

    [System.Text.RegularExpressions.GeneratedRegex(@"\A\(Line: [^)]*\) - \(Line: [^)]*\): ")]
    private static partial System.Text.RegularExpressions.Regex YamlSpan();

    [System.Text.RegularExpressions.GeneratedRegex(@"\A-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?\z")]
    private static partial System.Text.RegularExpressions.Regex YamlNumber();

    /// <summary>The environment the Pulumi language host gives a program: PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS.</summary>
    public IReadOnlyDictionary<string, string> ProgramEnvironment() => new Dictionary<string, string>
    {
        ["PULUMI_CONFIG"] = JsonSerializer.Serialize(Config),
        ["PULUMI_CONFIG_SECRET_KEYS"] = JsonSerializer.Serialize(SecretKeys.Order(StringComparer.Ordinal)),
    };
}
