using System.Text.Json;

namespace Lab.Infra;

/// <summary>
/// The stack's whole config as the Pulumi language host hands it over (PULUMI_CONFIG and
/// PULUMI_CONFIG_SECRET_KEYS): Pulumi's Config class cannot list keys, and the spec must see
/// every key under lab: to catch typos.
/// </summary>
public sealed record StackConfig(IReadOnlyDictionary<string, string> Values, IReadOnlySet<string> SecretKeys)
{
    public static StackConfig FromEnvironment()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Environment.GetEnvironmentVariable("PULUMI_CONFIG") is { Length: > 0 } config)
        {
            foreach (var property in JsonDocument.Parse(config).RootElement.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        if (Environment.GetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS") is { Length: > 0 } keys)
        {
            secrets.UnionWith(JsonDocument.Parse(keys).RootElement.EnumerateArray().Select(k => k.GetString()!));
        }
        return new StackConfig(values, secrets);
    }
}
