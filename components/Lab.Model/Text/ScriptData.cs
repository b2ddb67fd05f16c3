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

    /// <summary>Before a variable whose value holds '$' or '`' (a script the step installs): single quotes keep it data, as intended.</summary>
    public const string Literal = "# shellcheck disable=SC2016 # single-quoted on purpose: the value is data, never expanded";

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
            if ((value is IEnumerable<string> words && value is not string ? words : [Scalar(value)]).Any(v => v.Contains('$') || v.Contains('`')))
            {
                text.Append(Literal).Append('\n');
            }
            text.Append(value is IEnumerable<string> list && value is not string
                ? $"readonly -a {name}=({string.Join(" ", list.Select(Shell.Quote))})"
                : $"readonly {name}={Shell.Quote(Scalar(value))}").Append('\n');
        }
        return text.Append(End).Append('\n').ToString();
    }

    /// <summary>
    /// The values of the data block in a rendered script, as <see cref="Values"/> gives them: the inverse of
    /// <see cref="Render"/>, so the plan can show a step's inputs from the script it sends. Empty without a block.
    /// </summary>
    public static ImmutableArray<ScriptValue> Read(string script)
    {
        var begin = script.IndexOf(Begin + "\n", StringComparison.Ordinal);
        if (begin < 0)
        {
            return [];
        }
        var values = ImmutableArray.CreateBuilder<ScriptValue>();
        var i = begin + Begin.Length + 1;
        while (!script.AsSpan(i).StartsWith(End + "\n", StringComparison.Ordinal))
        {
            Expect(script, ref i, Literal + "\n", optional: true);
            var list = Expect(script, ref i, "readonly -a ", optional: true);
            if (!list)
            {
                Expect(script, ref i, "readonly ");
            }
            var equals = script.IndexOf('=', i);
            var name = script[i..equals];
            i = equals + 1;
            if (list)
            {
                Expect(script, ref i, "(");
                var words = new List<string>();
                while (!Expect(script, ref i, ")", optional: true))
                {
                    Expect(script, ref i, " ", optional: true);
                    words.Add(Word(script, ref i));
                }
                values.Add(new ScriptValue(name, "[" + string.Join(", ", words) + "]"));
            }
            else
            {
                values.Add(new ScriptValue(name, Word(script, ref i)));
            }
            Expect(script, ref i, "\n");
        }
        return values.ToImmutable();
    }

    private static bool Expect(string script, ref int i, string text, bool optional = false)
    {
        if (script.AsSpan(i).StartsWith(text, StringComparison.Ordinal))
        {
            i += text.Length;
            return true;
        }
        return optional ? false : throw new FormatException($"the data block has no '{text}' at offset {i}: it was not rendered by ScriptData.Render.");
    }

    /// <summary>One word as <see cref="Shell.Quote"/> writes it: single-quoted runs joined by escaped quotes.</summary>
    private static string Word(string script, ref int i)
    {
        var word = new StringBuilder();
        while (i < script.Length && script[i] is '\'' or '\\')
        {
            if (script[i] == '\\')
            {
                word.Append(script[i + 1]);
                i += 2;
                continue;
            }
            var close = script.IndexOf('\'', i + 1);
            word.Append(script, i + 1, close - i - 1);
            i = close + 1;
        }
        return word.ToString();
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
        foreach (var (name, property) in Properties.GetOrAdd(data.GetType(), PropertiesOf))
        {
            var value = property.GetValue(data);
            yield return (name, value switch
            {
                string or int or long or bool => value,
                IEnumerable<string> list => list.ToImmutableArray(),
                _ => throw new ArgumentException($"{data.GetType().Name}.{property.Name}: a script's data is text, integers, booleans or lists of text, not {property.PropertyType.Name}."),
            });
        }
    }

    // Each record type's properties, found once and held: looked up per step, the runtime's weakly held reflection
    // cache let them go under the plan's GC pressure, and each new PropertyInfo emitted a new invoker (a DynamicMethod
    // the finalizer thread then destroys).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (string Name, PropertyInfo Property)[]> Properties = new();

    /// <summary>Declaration order, so the block reads like the record.</summary>
    private static (string Name, PropertyInfo Property)[] PropertiesOf(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken)
            .Select(p => (SnakeCase(p.Name), p))];

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
