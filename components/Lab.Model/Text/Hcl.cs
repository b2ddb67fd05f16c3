using System.Text;

namespace Lab.Model.Text;

/// <summary>The one quoting of values into HCL (Vault policies and vault-agent's config, which Vault parses as HCL 1).</summary>
public static class Hcl
{
    /// <summary>
    /// An HCL quoted string read back as exactly VALUE: quote and backslash escaped, control characters as \uXXXX
    /// (the one escape both HCL 1 and HCL 2 read), and '$' and '%' as \u0024 and \u0025, so no "${" or "%{"
    /// ever stands in the source: HCL 1's scanner would let an open "${" swallow the closing quote, HCL 2 would interpolate.
    /// </summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '$' or '%' => $"\\u{(int)c:x4}",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }
}
