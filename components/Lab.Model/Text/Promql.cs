using System.Globalization;
using System.Text;

namespace Lab.Model.Text;

/// <summary>
/// The one way a value from the stack enters PromQL: a label value as a quoted string literal, a set of literal
/// values as a quoted RE2 alternation, a number in invariant form. Nothing else of the stack reaches an expression.
/// </summary>
public static class Promql
{
    /// <summary>A double-quoted PromQL string literal (PromQL reads Go's escapes, a superset of JSON's).</summary>
    public static string Quote(string value) => Json.Quote(value);

    /// <summary>A quoted regex matching exactly one of the values: every RE2 metacharacter escaped.</summary>
    public static string AnyOf(IEnumerable<string> values) => Quote(string.Join("|", values.Select(Escape)));

    /// <summary>A number as PromQL reads it (no exponent surprises, no locale).</summary>
    public static string Number(double value) => value.ToString("0.###############", CultureInfo.InvariantCulture);

    private static string Escape(string literal)
    {
        var text = new StringBuilder(literal.Length);
        foreach (var c in literal)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                text.Append('\\');
            }
            text.Append(c);
        }
        return text.ToString();
    }
}
