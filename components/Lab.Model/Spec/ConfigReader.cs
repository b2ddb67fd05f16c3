using System.Collections.Immutable;
using System.Text.Json;

namespace Lab.Model.Spec;

/// <summary>
/// Reads structured stack config (JSON, as Pulumi hands it to the program) and collects every
/// problem instead of stopping at the first, each under the full key an operator would type.
/// </summary>
internal sealed partial class ConfigReader(string stack)
{
    /// <summary>The longest text any lab setting needs (an address, a path, a model name); anything longer is refused.</summary>
    public const int MaxText = 1024;

    /// <summary>Generations and epochs (rebuild, rotation, validation epoch) count operator actions: far below this.</summary>
    public const int MaxGeneration = 1_000_000;

    public List<ConfigError> Errors { get; } = [];

    public string Stack => stack;

    public void Error(string key, string problem, string fix) => Errors.Add(new ConfigError(ConfigText.Visible(key, 200), problem, fix));

    /// <summary>
    /// Every text from the stack passes here: one line of visible characters, at most <see cref="MaxText"/> long.
    /// Control characters (newline, NUL, escape), Unicode line and paragraph separators and bidirectional
    /// overrides could end a line or hide what a value says; they are never needed. The value is not quoted.
    /// </summary>
    public bool Text(string key, string value)
    {
        if (value.Length > MaxText)
        {
            Error(key, $"is {value.Length} characters long; no lab setting needs more than {MaxText}.", "shorten it to the value itself.");
            return false;
        }
        if (value.Any(ConfigText.Invisible))
        {
            Error(key, "contains a control or invisible character (newline, tab, NUL, a line separator or a direction override).",
                "retype it as one line of plain visible text; a trailing newline often comes from pasting.");
            return false;
        }
        return true;
    }


    /// <summary>
    /// An http(s) URL of a service in the lab: absolute, no user or password in it, no query or fragment
    /// (they would change what is asked, and credentials belong in secrets), null with an error otherwise.
    /// </summary>
    public Uri? Url(string key, string value, IReadOnlyCollection<string> schemes, bool rootOnly, string example)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme) || uri.Host.Length == 0)
        {
            Error(key, $"'{ConfigText.Shorten(value)}' is not an {string.Join(" or ", schemes.Select(x => x + "://"))} URL.", $"e.g. {example}");
            return null;
        }
        if (uri.UserInfo.Length > 0 || value.Contains('@'))
        {
            Error(key, "carries a user name or password.", $"remove it: credentials are Pulumi secrets, never part of an address. e.g. {example}");
            return null;
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || value.Contains('?') || value.Contains('#'))
        {
            Error(key, "has a query or fragment ('?' or '#').", $"remove it, e.g. {example}");
            return null;
        }
        if (rootOnly ? uri.AbsolutePath != "/" : !SafeUrlPath().IsMatch(uri.AbsolutePath))
        {
            Error(key, rootOnly ? "has a path; it must be the server's address alone." : "has a path with characters other than letters, digits and '/._-', or a '..' segment.",
                $"e.g. {example}");
            return null;
        }
        return uri;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\A(/(?!\.\.?(/|\z))[A-Za-z0-9._-]*)*\z")]
    private static partial System.Text.RegularExpressions.Regex SafeUrlPath();

    public string SetPathFix(string key, string example) =>
        $"pulumi config set --path '{key}' {example} {ConfigKeys.StackFlags(stack)}";

    public JsonElement? Document(string key, string? raw, JsonValueKind expected, string example)
    {
        if (raw is null)
        {
            Error(key, "is not set.", $"add it to {ConfigKeys.StackFileFor(stack)}, e.g. {example}");
            return null;
        }
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(raw).RootElement;
        }
        catch (JsonException)
        {
            Error(key, $"is not {Article(expected)} (got '{ConfigText.Shorten(raw)}').", $"write it as YAML {Describe(expected)}, e.g. {example}");
            return null;
        }
        if (root.ValueKind != expected)
        {
            Error(key, $"must be {Article(expected)}, got {Describe(root.ValueKind)}.", $"e.g. {example}");
            return null;
        }
        return root;
    }

    /// <summary>Reports fields of <paramref name="obj"/> outside <paramref name="known"/> (typos), with the closest known name.</summary>
    public void RejectUnknown(JsonElement obj, string key, IReadOnlyCollection<string> known)
    {
        foreach (var property in obj.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            Error($"{key}.{property.Name}", "is not a known setting.", UnknownFix(property.Name, known));
        }
    }

    public static string UnknownFix(string name, IReadOnlyCollection<string> known)
    {
        var closest = known.MinBy(k => Distance(name.ToLowerInvariant(), k.ToLowerInvariant()))!;
        return Distance(name.ToLowerInvariant(), closest.ToLowerInvariant()) <= 3
            ? $"did you mean '{closest}'? Known: {string.Join(", ", known)}."
            : $"remove it; known settings here: {string.Join(", ", known)}.";
    }

    public string? String(JsonElement obj, string key, string field, string example, bool required = true)
    {
        var full = $"{key}.{field}";
        if (!obj.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(full, "is missing.", SetPathFix(full, example));
            }
            return null;
        }
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            Error(full, $"must be a single value, got {Describe(value.ValueKind)}.", SetPathFix(full, example));
            return null;
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        if (!Text(full, text))
        {
            return null;
        }
        if (required && text.Trim().Length == 0)
        {
            Error(full, "is empty.", SetPathFix(full, example));
            return null;
        }
        return text;
    }

    public int? Int(JsonElement obj, string key, string field, int? fallback, int min, int max, string example)
    {
        var full = $"{key}.{field}";
        var text = String(obj, key, field, example, required: fallback is null);
        if (text is null)
        {
            return fallback;
        }
        if (!int.TryParse(text, out var number))
        {
            Error(full, $"must be a whole number, got '{ConfigText.Shorten(text)}'.", SetPathFix(full, example));
            return null;
        }
        if (number < min || number > max)
        {
            var problem = number < 0 && min >= 0 ? $"must not be negative, got {number}." : $"must be between {min} and {max}, got {number}.";
            Error(full, problem, SetPathFix(full, example));
            return null;
        }
        return number;
    }

    /// <summary>An optional value, or the default its setting in <see cref="ConfigCatalog"/> gives when it is left out.</summary>
    public string Optional(JsonElement obj, string key, string field)
    {
        var fallback = Setting(key, field).Default!;
        return String(obj, key, field, fallback, required: false) ?? fallback;
    }

    /// <summary>A whole number with the default and range its setting in <see cref="ConfigCatalog"/> gives.</summary>
    public int? Int(JsonElement obj, string key, string field)
    {
        var setting = Setting(key, field);
        return Int(obj, key, field, setting.DefaultInt(), (int)setting.Min!.Value, (int)setting.Max!.Value, setting.Example ?? setting.Default!);
    }

    /// <summary>The catalogue's setting of KEY.FIELD (KEY as errors name it, e.g. lab:nodes[2]).</summary>
    public static ConfigSetting Setting(string key, string field) =>
        ConfigCatalog.Find($"{key}.{field}") ?? throw new InvalidOperationException($"{key}.{field} is not in the configuration catalogue");

    /// <summary>A list of plain names; null (with an error) when it is not one.</summary>
    public ImmutableArray<string>? Names(JsonElement obj, string key, string field, string example, bool required = false)
    {
        var full = $"{key}.{field}";
        if (!obj.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(full, "is missing.", SetPathFix(full, example));
                return null;
            }
            return [];
        }
        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            Error(full, "must be a list of names.", $"e.g. {field}: {example}");
            return null;
        }
        var names = list.EnumerateArray().Select(e => e.GetString()!).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            if (!Text($"{full}[{i}]", names[i]))
            {
                return null;
            }
            if (!Name().IsMatch(names[i]))
            {
                Error($"{full}[{i}]", $"'{ConfigText.Shorten(names[i])}' is not a name.", "use letters, digits, '_', '-' and '/' (at most 128), starting with a letter or digit.");
                return null;
            }
        }
        return [.. names];
    }

    [System.Text.RegularExpressions.GeneratedRegex(ConfigPatterns.Name)]
    private static partial System.Text.RegularExpressions.Regex Name();

    /// <summary>
    /// Reads each entry of a list of mappings with <paramref name="read"/> (under KEY[i]); an entry that
    /// is not a mapping, or that <paramref name="read"/> rejects, makes AllRead false.
    /// </summary>
    public (ImmutableArray<T> Read, bool AllRead) Mappings<T>(JsonElement list, string key, string example, Func<JsonElement, string, T?> read)
        where T : class
    {
        var items = ImmutableArray.CreateBuilder<T>();
        var allRead = true;
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{key}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                Error(at, "must be a mapping.", $"e.g. {example}");
                allRead = false;
            }
            else if (read(item, at) is { } value)
            {
                items.Add(value);
            }
            else
            {
                allRead = false;
            }
        }
        return (items.ToImmutable(), allRead);
    }

    /// <summary>An optional list under FIELD: empty when absent, null (with an error) when not a list.</summary>
    public JsonElement? OptionalList(JsonElement obj, string key, string field, string example)
    {
        if (!obj.TryGetProperty(field, out var list))
        {
            return JsonDocument.Parse("[]").RootElement;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            Error($"{key}.{field}", "must be a list.", $"e.g. {field}: {example}");
            return null;
        }
        return list;
    }

    /// <summary>True or false, with the default its setting in <see cref="ConfigCatalog"/> gives.</summary>
    public bool? Bool(JsonElement obj, string key, string field)
    {
        var fallback = bool.Parse(Setting(key, field).Default!);
        if (!obj.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        Error($"{key}.{field}", $"must be true or false, got '{ConfigText.Shorten(value.ToString())}'.", SetPathFix($"{key}.{field}", fallback ? "true" : "false"));
        return null;
    }

    public JsonElement? Child(JsonElement obj, string key, string field, JsonValueKind expected, string example)
    {
        var full = $"{key}.{field}";
        if (!obj.TryGetProperty(field, out var value))
        {
            Error(full, "is missing.", $"add it under {key} in {ConfigKeys.StackFileFor(stack)}, e.g. {example}");
            return null;
        }
        if (value.ValueKind != expected)
        {
            Error(full, $"must be {Article(expected)}, got {Describe(value.ValueKind)}.", $"e.g. {example}");
            return null;
        }
        return value;
    }


    private static string Article(JsonValueKind kind) => kind == JsonValueKind.Array ? "a list" : kind == JsonValueKind.Object ? "a mapping" : "a value";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "a mapping",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "nothing",
    };

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }
        return d[a.Length, b.Length];
    }
}
