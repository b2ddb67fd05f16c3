using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>
/// docs/configuration.md is the loader's own catalogue of keys: every key a stack may hold is in it, the
/// loader refuses every key that is not, the committed page is what the catalogue renders, and every
/// error links its key's row.
/// </summary>
public partial class ConfigReferenceTests
{
    private const string Stray = "notInTheCatalogue";

    [Fact]
    public void The_committed_configuration_reference_is_what_the_catalogue_renders()
    {
        var committed = File.ReadAllText(Path.Combine(Repo.Root, ConfigCatalog.DocPath));
        Assert.True(committed == ConfigReference.Markdown(),
            $"{ConfigCatalog.DocPath} differs from the catalogue: run scripts/render-docs, review the diff and commit it.");
    }

    public static TheoryData<string> Stacks() => new(Repo.StackFiles.Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Every_key_of_a_shipped_stack_has_its_own_row(string stack)
    {
        var file = StackFile.Read(Repo.StackFiles.Single(f => Path.GetFileName(f) == stack));
        var missing = Keys(file.Config).Where(k => ConfigCatalog.Find(k) is null).ToList();
        Assert.True(missing.Count == 0, $"keys the loader accepts without a definition in ConfigCatalog: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_key_of_a_stack_using_every_optional_setting_has_its_own_row()
    {
        var config = Repo.GatedProdConfig()
            .Edit(ConfigKeys.Nas, nas => nas["exports"]![0]!.AsObject().Add("mountPoint", "/mnt/nfs/datasets"))
            .Edit(ConfigKeys.Vault, v => v["roles"]![0]!.AsObject().Add("rules", new JsonArray(new JsonObject { ["path"] = "secret/data/team/*", ["capabilities"] = new JsonArray("read") })))
            .Set(ConfigKeys.VaultSecrets, """{"ngc": {"api_key": "[secret]"}}""").Secret(ConfigKeys.VaultSecrets);
        config.Load();

        var keys = Keys(config.Values).ToList();
        Assert.Contains("lab:vault.roles[0].rules[0].capabilities[0]", keys);
        Assert.Contains("lab:validation.images.cuda", keys);
        Assert.DoesNotContain(keys, k => ConfigCatalog.Find(k) is null);
    }

    /// <summary>
    /// Every mapping of named fields in the catalogue that the prod stack holds (first list item). Mappings keyed by
    /// the operator's names (osPackages, alert rules, vaultSecrets) are judged by those names' own rules.
    /// </summary>
    public static TheoryData<string> Mappings() => new(
        ConfigCatalog.Settings.Where(s => s.Type is ConfigCatalog.Mapping or ConfigCatalog.MappingList
                && !ConfigCatalog.Settings.Any(c => c.Parent == s.Path && c.Field.StartsWith('<')))
            .Select(s => s.Type == ConfigCatalog.MappingList ? s.Path + "[]" : s.Path)
            .Where(p => !p.Contains('<') && Locate(Repo.ProdConfig().Values, p) is not null));

    [Theory]
    [MemberData(nameof(Mappings))]
    public void The_loader_refuses_a_field_the_catalogue_does_not_define(string mapping)
    {
        var config = Repo.ProdConfig();
        var (key, node) = Locate(config.Values, mapping)!.Value;
        var root = JsonNode.Parse(config.Values[key.Split('.', '[')[0]])!;
        Walk(root, key).AsObject().Add(Stray, "1");
        config.Set(key.Split('.', '[')[0], root.ToJsonString());

        var error = Assert.Single(config.Errors(), e => e.Key == $"{node}.{Stray}");
        Assert.Equal("is not a known setting.", error.Problem);
    }

    [Fact]
    public void The_loader_refuses_a_top_level_key_the_catalogue_does_not_define()
    {
        var error = Assert.Single(Repo.ProdConfig().Set($"lab:{Stray}", "1").Errors());
        Assert.Equal($"lab:{Stray}", error.Key);
        Assert.Equal(ConfigCatalog.DocPath, error.Docs);
    }

    [Fact]
    public void Every_error_of_a_stack_whose_every_value_is_garbage_links_its_own_key_on_the_page()
    {
        var config = Repo.GatedProdConfig();
        foreach (var (key, json) in config.Values.ToList())
        {
            config.Set(key, json.StartsWith('{') || json.StartsWith('[') ? Garbled(JsonNode.Parse(json)!).ToJsonString() : "bad\u0000value");
        }
        var page = ConfigReference.Markdown();

        var errors = config.Errors();

        Assert.True(errors.Count > 40, $"only {errors.Count} errors");
        Assert.All(errors, e =>
        {
            var anchor = e.Docs.Split('#') is [_, var a] ? a : "";
            Assert.True(anchor.Length > 0, $"{e.Key}: links no row ({e.Docs})");
            Assert.Contains($"<a id=\"{anchor}\"></a>", page);
            Assert.EndsWith($" Docs: {ConfigCatalog.DocPath}#{anchor}", e.ToString());
            Assert.StartsWith(ConfigCatalog.Nearest(e.Key)!.Path.Replace("[]", "", StringComparison.Ordinal).Split('<')[0].TrimEnd('.'),
                Regex.Replace(e.Key, @"\[\d+\]", ""));
        });
        Assert.Contains(errors, e => e.Docs == $"{ConfigCatalog.DocPath}#lab-nodes-gpu-count");
    }

    [Fact]
    public void A_key_links_its_own_row_or_the_nearest_above_it()
    {
        Assert.Equal("docs/configuration.md#lab-nodes-gpu-count", ConfigCatalog.DocLink("lab:nodes[3].gpu.count"));
        Assert.Equal("docs/configuration.md#lab-validation-images-kind", ConfigCatalog.DocLink("lab:validation.images.cuda"));
        Assert.Equal("docs/configuration.md#lab-vault-roles-rules-capabilities", ConfigCatalog.DocLink("lab:vault.roles[1].rules[0].capabilities[2]"));
        Assert.Equal("docs/configuration.md#lab-alerts-rules-alert-threshold", ConfigCatalog.DocLink("lab:alerts.rules.HighGPUTemperature.threshold"));
        Assert.Equal("docs/configuration.md#lab-vaultsecrets-secret-field", ConfigCatalog.DocLink("lab:vaultSecrets.ngc.api_key"));
        Assert.Equal("docs/configuration.md#lab-nas-exports", ConfigCatalog.DocLink("lab:nas.exports[1]"));
    }

    [Fact]
    public void Every_row_of_the_catalogue_sits_under_a_row_and_its_default_and_example_pass_its_own_limits()
    {
        Assert.All(ConfigCatalog.Settings, s =>
        {
            Assert.True(s.Parent is null || ConfigCatalog.Find(s.Parent) is not null, $"{s.Path}: no row for its parent {s.Parent}");
            Assert.False(s.Required && s.Default is not null, $"{s.Path}: required, yet has a default");
            foreach (var value in new[] { s.Default, s.Example }.OfType<string>().Select(v => v.Trim('\'')).Where(v => !v.Contains(' ') && !v.Contains('<') && !v.StartsWith('[')))
            {
                Assert.True(s.Pattern is null || Regex.IsMatch(value, s.Pattern), $"{s.Path}: '{value}' does not match its own pattern");
                if (s.Min is { } min && s.Max is { } max)
                {
                    var number = s.Type == ConfigCatalog.Duration ? (Lab.Model.Text.Duration.TryParseSeconds(value, out var seconds) ? seconds : double.NaN) : double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    Assert.True(number >= min && number <= max, $"{s.Path}: '{value}' is outside its own range");
                }
            }
        });
    }

    /// <summary>Every key of a config as the loader names them: lab:nodes, lab:nodes[0], lab:nodes[0].name, ...</summary>
    private static IEnumerable<string> Keys(IReadOnlyDictionary<string, string> config) =>
        config.Where(kv => kv.Key.StartsWith("lab:", StringComparison.Ordinal))
            .SelectMany(kv => Flatten(kv.Key, kv.Value.StartsWith('{') || kv.Value.StartsWith('[') ? JsonNode.Parse(kv.Value) : null));

    private static IEnumerable<string> Flatten(string key, JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Flatten($"{key}.{p.Key}", p.Value)).Prepend(key),
        JsonArray a => a.SelectMany((item, i) => Flatten($"{key}[{i}]", item)).Prepend(key),
        _ => [key],
    };

    /// <summary>The first place a catalogue path (lab:nas.exports[]) sits in a config: its top key's path with indices, and the key as errors name it.</summary>
    private static (string Path, string Node)? Locate(IReadOnlyDictionary<string, string> config, string path)
    {
        var top = path.Split('.', '[')[0];
        if (!config.TryGetValue(top, out var json) || !json.StartsWith('{') && !json.StartsWith('['))
        {
            return null;
        }
        var concrete = path.Replace("[]", "[0]", StringComparison.Ordinal);
        try
        {
            return Walk(JsonNode.Parse(json)!, concrete) is JsonObject ? (concrete, concrete) : null;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static JsonNode Walk(JsonNode root, string key)
    {
        var node = root;
        foreach (Match step in Step().Matches(key[key.Split('.', '[')[0].Length..]))
        {
            node = step.Groups["field"].Success ? node.AsObject()[step.Groups["field"].Value]! : node.AsArray()[int.Parse(step.Groups["index"].Value)]!;
        }
        return node;
    }

    /// <summary>Every leaf replaced by a value no setting accepts: a number where text is wanted and text where a number is.</summary>
    private static JsonNode Garbled(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Garbled(p.Value!)))),
        JsonArray a => new JsonArray([.. a.Select(i => (JsonNode?)Garbled(i!))]),
        _ => JsonValue.Create("bad\u0000value"),
    };

    [GeneratedRegex(@"\.(?<field>[^.\[]+)|\[(?<index>\d+)\]")]
    private static partial Regex Step();
}
