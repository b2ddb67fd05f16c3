using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Lab.Model.Spec;

/// <summary>Vault's address as scripts/lab-ca reaches it, and the CA fingerprint the stack pins there ("-" while it collects).</summary>
public sealed record VaultEndpoint(string Host, int Port, string PinnedSha256);

/// <summary>
/// Reads where a stack's Vault answers, and writes a collected lab CA into the stack file as a text edit at the YAML
/// parser's positions (lab:vault.ca as a literal block), so the operator's comments and layout stay as they were.
/// </summary>
public static class LabCaFile
{
    public static VaultEndpoint Endpoint(StackFile file)
    {
        var vault = file.Config.TryGetValue(ConfigKeys.Vault, out var raw) ? JsonDocument.Parse(raw).RootElement : default;
        var address = vault.ValueKind == JsonValueKind.Object && vault.TryGetProperty("address", out var a) ? a.ToString() : "";
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != "https")
        {
            throw new LabConfigException(file.Stack, [new ConfigError($"{ConfigKeys.Vault}.address", $"'{ConfigText.Shorten(address)}' is not Vault's https address.",
                $"set it first: pulumi config set --path '{ConfigKeys.Vault}.address' https://192.168.50.20:8200 {ConfigKeys.StackFlags(file.Stack)}")]);
        }
        var pinned = vault.TryGetProperty("ca", out var ca) && ca.ValueKind == JsonValueKind.String
            && LabCa.TryParse(ca.GetString()!, DateTime.UtcNow, out var current, out _) ? current!.Sha256 : "-";
        return new VaultEndpoint(uri.Host, uri.Port, pinned);
    }

    /// <summary>The stack file's text with lab:vault.ca set to CA (replaced where present, else added under caCert or address).</summary>
    public static string Write(StackFile file, string yaml, LabCa ca)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var config = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)[new YamlScalarNode("config")];
        if (!config.Children.TryGetValue(new YamlScalarNode(ConfigKeys.Vault), out var node) || node is not YamlMappingNode { Style: not YamlDotNet.Core.Events.MappingStyle.Flow } vault)
        {
            throw new LabConfigException(file.Stack, [new ConfigError(ConfigKeys.Vault, "is not a block mapping in the stack file.",
                "write it as one 'field: value' per line, then collect again.")]);
        }
        // A literal block, its lines indented two past the key.
        string Block(int indent) =>
            "|\n" + string.Join("\n", ca.Pem.TrimEnd('\n').Split('\n').Select(line => new string(' ', indent) + line));
        if (vault.Children.FirstOrDefault(c => ((YamlScalarNode)c.Key).Value == "ca") is { Key: not null } existing)
        {
            var start = (int)existing.Value.Start.Index;
            var end = (int)existing.Value.End.Index;
            // A block scalar ends after its last line break; a plain one before it.
            var replacement = Block((int)existing.Key.Start.Column + 1) + (yaml[end - 1] == '\n' ? "\n" : "");
            return string.Concat(yaml.AsSpan(0, start), replacement, yaml.AsSpan(end));
        }
        var after = vault.Children.FirstOrDefault(c => ((YamlScalarNode)c.Key).Value == "caCert") is { Key: not null } caCert ? caCert
            : vault.Children.First(c => ((YamlScalarNode)c.Key).Value == "address");
        var lineEnd = yaml.IndexOf('\n', (int)after.Value.End.Index);
        var at = lineEnd < 0 ? yaml.Length : lineEnd + 1;
        var column = (int)after.Key.Start.Column - 1;
        return string.Concat(yaml.AsSpan(0, at), $"{new string(' ', column)}ca: {Block(column + 2)}\n", yaml.AsSpan(at));
    }
}
