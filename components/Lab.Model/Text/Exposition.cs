using System.Text;

namespace Lab.Model.Text;

/// <summary>The Prometheus text exposition format (version 0.0.4): what a Pushgateway accepts and Prometheus scrapes.</summary>
public static class Exposition
{
    /// <summary>
    /// A label value as a double-quoted string. The format escapes only backslash, double quote and line feed
    /// (`\\`, `\"`, `\n`); every other character, UTF-8 included, stands for itself.
    /// </summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '\\' => @"\\",
                '"' => "\\\"",
                '\n' => @"\n",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }
}
