namespace Lab.Model.Spec;

/// <summary>One problem in a stack's configuration: the key it sits under, how to fix it, and where the key is described.</summary>
public sealed record ConfigError(string Key, string Problem, string Fix)
{
    /// <summary>The key's row in docs/configuration.md.</summary>
    public string Docs => ConfigCatalog.DocLink(Key);

    public override string ToString() => $"{Key}: {Problem} Fix: {Fix} Docs: {Docs}";
}

/// <summary>Every problem found in a stack's configuration, reported together before any resource exists.</summary>
public sealed class LabConfigException : Exception
{
    public LabConfigException(string stack, IReadOnlyList<ConfigError> errors)
        : base(Describe(stack, errors))
    {
        Stack = stack;
        Errors = errors;
    }

    public string Stack { get; }
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Describe(string stack, IReadOnlyList<ConfigError> errors)
    {
        var lines = errors.Select(e => $"  - {e}");
        return $"stack '{stack}': {errors.Count} configuration error(s); nothing was deployed.\n{string.Join('\n', lines)}";
    }
}

/// <summary>How configuration text is judged and quoted back to the operator.</summary>
public static class ConfigText
{
    /// <summary>A value as an error message may quote it: at most 40 characters, control and invisible characters shown as \uXXXX.</summary>
    public static string Shorten(string text) => Visible(text, 40);

    /// <summary>Names an error offers as the allowed ones: the first eight, then how many more (a 1,000-node lab's list is no help).</summary>
    public static string Names(IEnumerable<string?> names)
    {
        var all = names.Select(n => Shorten(n ?? "")).ToList();
        return all.Count <= 8 ? string.Join(", ", all) : $"{string.Join(", ", all.Take(8))} and {all.Count - 8} more";
    }

    /// <summary>At most MAX characters of TEXT, control and invisible characters shown as \uXXXX.</summary>
    public static string Visible(string text, int max) =>
        string.Concat(text.Take(max).Select(c => Invisible(c) ? $"\\u{(int)c:x4}" : c.ToString())) + (text.Length > max ? "…" : "");

    /// <summary>Control characters, format characters (direction overrides, zero-width) and line or paragraph separators.</summary>
    public static bool Invisible(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;
}
