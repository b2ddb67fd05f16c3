using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Lab.Model.Text;

/// <summary>One value of a script's data block, as the plan shows it.</summary>
/// <param name="Name">The bash variable, e.g. expected_cpu.</param>
/// <param name="Display">The value as an operator reads it: a string, or a list joined by ", " in brackets.</param>
public sealed record ScriptValue(string Name, string Display);

/// <summary>
/// The only way config values enter a rendered script: a block of readonly, single-quoted bash variables
/// at its top, generated from a typed record. Every property of the record becomes one variable named in
/// snake_case (string, integer and bool values as one quoted word, lists of strings as a quoted array),
/// so a script body is constant text and no value can ever become code.
/// </summary>
public static partial class ScriptData
{
    public const string Begin = "# --- data: rendered by Lab.Model from the stack; every value is one quoted word ---";
    public const string End = "# --- end of data ---";

    /// <summary>The block's variables for data records, in order (null: none).</summary>
    public static ImmutableArray<ScriptValue> Values(params object?[] records) =>
        [.. Fields(records).Select(f => new ScriptValue(f.Name, f.Value is IEnumerable<string> list && f.Value is not string
            ? "[" + string.Join(", ", list) + "]"
            : Scalar(f.Value)))];

    /// <summary>The data block itself, delimited by <see cref="Begin"/> and <see cref="End"/>.</summary>
    public static string Render(params object?[] records)
    {
        var text = new StringBuilder().Append(Begin).Append('\n');
        foreach (var (name, value) in Fields(records))
        {
            text.Append(value is IEnumerable<string> list && value is not string
                ? $"readonly -a {name}=({string.Join(" ", list.Select(Shell.Quote))})"
                : $"readonly {name}={Shell.Quote(Scalar(value))}").Append('\n');
        }
        return text.Append(End).Append('\n').ToString();
    }

    private static IEnumerable<(string Name, object Value)> Fields(object?[] records)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in records.OfType<object>().SelectMany(Fields))
        {
            if (!seen.Add(field.Name))
            {
                throw new ArgumentException($"Two data records of one script both declare '{field.Name}'.");
            }
            yield return field;
        }
    }

    private static IEnumerable<(string Name, object Value)> Fields(object data)
    {
        // Declaration order, so the block reads like the record.
        foreach (var property in data.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                     .OrderBy(p => p.MetadataToken))
        {
            var value = property.GetValue(data);
            yield return (SnakeCase(property.Name), value switch
            {
                string or int or long or bool => value,
                IEnumerable<string> list => list.ToImmutableArray(),
                _ => throw new ArgumentException($"{data.GetType().Name}.{property.Name}: a script's data is text, integers, booleans or lists of text, not {property.PropertyType.Name}."),
            });
        }
    }

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => (string)value,
    };

    private static string SnakeCase(string name) => Upper().Replace(name, m => (m.Index > 0 ? "_" : "") + m.Value.ToLowerInvariant());

    [GeneratedRegex("[A-Z]")]
    private static partial Regex Upper();
}
