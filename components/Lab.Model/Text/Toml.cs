using System.Text;

namespace Lab.Model.Text;

/// <summary>The one quoting of values into TOML (containerd's hosts.toml).</summary>
public static class Toml
{
    /// <summary>A TOML basic string read back as exactly VALUE: quote and backslash escaped, control characters as \uXXXX.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }
}
