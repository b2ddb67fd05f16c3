namespace Lab.Model.Text;

/// <summary>The one quoting of values into YAML the program writes (rule files, their tests).</summary>
public static class Yaml
{
    /// <summary>A YAML scalar as a JSON string: always valid, never ambiguous, never a tag, anchor or alias.</summary>
    public static string Quote(string value) => Json.Quote(value);
}
